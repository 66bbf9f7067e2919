/**
 * The {@code ./distil4j} command line (picocli): one subcommand per job. Commands print results on
 * stdout and one-line errors on stderr; exit codes are 0 (ok), 2 (bad input) and 1 (internal error).
 *
 * <p>The pipeline commands share their plumbing: {@link dev.distil4j.cli.IoOptions} (the
 * {@code --input/--input-format/--output/--batch-size/--fail-fast/--progress} mixin),
 * {@link dev.distil4j.cli.InputRecords} (arguments, JSON lines, CSV or plain lines as records with
 * line numbers), {@link dev.distil4j.cli.RecordLoop} (parse, batch, run, report bad records and go
 * on), {@link dev.distil4j.cli.JsonLinesWriter}, {@link dev.distil4j.cli.ProgressBar} and
 * {@link dev.distil4j.cli.NpyWriter}.
 *
 * <p>{@code train} and {@code evaluate} wrap {@link dev.distil4j.train.trainer.Trainer} and
 * {@link dev.distil4j.train.trainer.Evaluator}, sharing {@link dev.distil4j.cli.DataOptions}; their progress
 * bar and evaluation table are {@link dev.distil4j.cli.TrainProgress}.
 */
package dev.distil4j.cli;
