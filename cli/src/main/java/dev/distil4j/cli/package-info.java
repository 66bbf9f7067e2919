/**
 * The {@code ./distil4j} command line (picocli): one subcommand per job. Commands print results on
 * stdout and one-line errors on stderr; exit codes are 0 (ok), 2 (bad input) and 1 (internal error).
 */
package dev.distil4j.cli;
