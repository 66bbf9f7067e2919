package dev.distil4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The {@code distil4j} command: one subcommand per job. */
@Command(name = "distil4j",
        mixinStandardHelpOptions = true,
        version = "distil4j 0.1.0",
        description = "Runs and fine-tunes BERT, DistilBERT and RoBERTa models from Hugging Face checkpoints, in pure Java.")
public final class Main implements Runnable {
    /** The subcommands, in the order the usage lists them. */
    static final List<Class<?>> COMMANDS = List.of(
            ForwardCommand.class,
            FillMaskCommand.class, ClassifyCommand.class, EmbedCommand.class,
            ConvertCommand.class, InitStudentCommand.class, ModelsCommand.class,
            NerCommand.class, QaCommand.class, TokenizeCommand.class, ServeCommand.class,
            TrainCommand.class, EvaluateCommand.class, DistilCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        launcherStderr().ifPresent(System::setErr);
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * The terminal that {@code ./distil4j} hands over as {@code -Ddistil4j.stderr=/dev/fd/3}. The
     * launcher pipes the JVM's own stderr through a filter (to drop the JVM's incubator warning),
     * and on a terminal what went through that pipe would arrive after stdout lines written later:
     * a progress bar drawn over results. So the process's stderr is the terminal itself; only the
     * JVM's native messages take the filtered way. Empty without the property, or if it cannot be
     * opened (then stderr stays as it is).
     */
    static Optional<PrintStream> launcherStderr() {
        String file = System.getProperty("distil4j.stderr");
        if (file == null) return Optional.empty();
        try {
            return Optional.of(new PrintStream(new FileOutputStream(file, true), true, System.err.charset()));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Runs the CLI with the given streams; returns the exit code (0 ok, 2 bad input, 1 internal error). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(CommandLine.defaultFactory(), args);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /**
     * The command line that will run {@code args}, its commands made by {@code factory}. Picocli builds
     * a command's model from its annotations, and for all fourteen that is a third of a short run's
     * CPU time; so when {@code args} start with a command's name (or alias), only that command is
     * built. Anything else (no command, {@code --help}, {@code help}, a typo) gets them all.
     */
    static CommandLine commandLine(CommandLine.IFactory factory, String... args) {
        CommandLine cl = new CommandLine(new Main(), factory);
        String first = args.length > 0 ? args[0] : "";
        List<Class<?>> named = COMMANDS.stream().filter(c -> names(c).anyMatch(first::equals)).toList();
        boolean all = named.isEmpty() || named.contains(CommandLine.HelpCommand.class);
        for (Class<?> c : all ? COMMANDS : named) cl.addSubcommand(c);
        cl.setExecutionExceptionHandler(new Errors());
        return cl;
    }

    private static Stream<String> names(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        return Stream.concat(Stream.of(c.name()), Stream.of(c.aliases()));
    }
}
