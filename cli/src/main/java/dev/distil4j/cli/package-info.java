/**
 * The {@code ./distil4j} command line (picocli): one subcommand per job. Commands print results on
 * stdout and one-line errors on stderr; exit codes are 0 (ok), 2 (bad input), 1 (internal error)
 * and 141 (the reader of stdout went away: {@link dev.distil4j.cli.BrokenPipe}).
 *
 * <p>The pipeline commands share their plumbing: {@link dev.distil4j.cli.IoOptions} (the
 * {@code --input/--input-format/--encoding-errors/--max-record-size/--output/--batch-size/--fail-fast/--progress}
 * mixin), {@link dev.distil4j.cli.InputRecords} (arguments, JSON lines, CSV or plain lines as records with
 * line numbers, read by {@link dev.distil4j.cli.TextLines} and {@link dev.distil4j.cli.Utf8Text}),
 * {@link dev.distil4j.cli.RecordLoop} (parse, batch, run, report bad records and go on),
 * {@link dev.distil4j.cli.JsonLinesWriter}, {@link dev.distil4j.cli.ProgressBar} and
 * {@link dev.distil4j.cli.NpyWriter}; output files are {@link dev.distil4j.cli.OutputFile}s (whole or not
 * at all, never an input); the process's own streams are {@link dev.distil4j.cli.ProcessStdin} and
 * {@link dev.distil4j.cli.StrictOutputStream}.
 *
 * <p>{@code train} and {@code evaluate} wrap {@link dev.distil4j.train.trainer.Trainer} and
 * {@link dev.distil4j.train.trainer.Evaluator}, sharing {@link dev.distil4j.cli.DataOptions}; their progress
 * bar and evaluation table are {@link dev.distil4j.cli.TrainProgress}.
 */
package dev.distil4j.cli;
