package dev.distil4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code distil4j} command: one subcommand per job. */
@Command(name = "distil4j",
        mixinStandardHelpOptions = true,
        version = "distil4j 0.1.0",
        description = "Runs and fine-tunes BERT, DistilBERT and RoBERTa models from Hugging Face checkpoints, in pure Java.",
        subcommands = {
                ForwardCommand.class,
                FillMaskCommand.class, ClassifyCommand.class, EmbedCommand.class,
                ConvertCommand.class, InitStudentCommand.class, ModelsCommand.class,
                NerCommand.class, QaCommand.class, TokenizeCommand.class, ServeCommand.class,
                TrainCommand.class, EvaluateCommand.class, DistilCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI with the given streams; returns the exit code (0 ok, 2 bad input, 1 internal error). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new Errors());
        return cl.execute(args);
    }
}
