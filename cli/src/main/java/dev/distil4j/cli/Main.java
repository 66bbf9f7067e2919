package dev.distil4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
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

    /**
     * Runs the CLI on the process's streams: stdin as {@link ProcessStdin} (a closed one is refused),
     * stdout as {@link StrictOutputStream} (write failures stop the command instead of vanishing in
     * {@code System.out}), for the commands' results and for picocli's text alike.
     */
    public static void main(String[] args) {
        launcherStderr().ifPresent(System::setErr);
        StrictOutputStream stdout = StrictOutputStream.stdout();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, System.out.charset()), true);
        System.exit(run(streams(new ProcessStdin(), stdout), out, new PrintWriter(System.err, true), args));
    }

    /** Makes the commands with an (InputStream, OutputStream) constructor read {@code in} and write {@code out}; the others as picocli does. */
    static CommandLine.IFactory streams(InputStream in, OutputStream out) {
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                try {
                    return cls.cast(cls.getDeclaredConstructor(InputStream.class, OutputStream.class).newInstance(in, out));
                } catch (NoSuchMethodException e) {
                    return CommandLine.defaultFactory().create(cls);
                }
            }
        };
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

    /** Runs the CLI with the given streams; returns the exit code (0 ok, 2 bad input, 1 internal error, 141 broken pipe). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(CommandLine.defaultFactory(), out, err, args);
    }

    /**
     * Runs the CLI, its commands made by {@code factory}. What escapes picocli's handler (help text to
     * a closed pipe, an {@link Error}) still ends in one line and an exit code, never a stack trace.
     */
    static int run(CommandLine.IFactory factory, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(factory, args);
        cl.setOut(out);
        cl.setErr(err);
        String name = "distil4j" + (args.length > 0 && !args[0].startsWith("-") ? " " + args[0] : "");
        try {
            int code = cl.execute(args);
            out.flush();
            return code;
        } catch (BrokenPipe e) {
            return BrokenPipe.EXIT;
        } catch (UserException e) { // flushing the last of picocli's text to a full disk
            err.println(name + ": " + e.getMessage());
            return Errors.BAD_INPUT;
        } catch (OutOfMemoryError e) {
            err.println(name + ": out of memory (Java heap of " + Sizes.format(Runtime.getRuntime().maxMemory()) + "): give the JVM more "
                    + "(DISTIL4J_JAVA_OPTS=-Xmx8g), or smaller inputs (--max-record-size, --batch-size)");
            return Errors.INTERNAL;
        } catch (StackOverflowError e) {
            err.println(name + ": internal error: stack overflow (input nested too deeply?)");
            return Errors.INTERNAL;
        } finally {
            err.flush();
        }
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
        // picocli prints a stack trace for what its help printing throws (stdout full or closed): to the handler instead
        cl.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (BrokenPipe | UserException e) {
                CommandLine.ParseResult last = parsed;
                while (last.hasSubcommand()) last = last.subcommand();
                throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), e.getMessage(), e);
            }
        });
        return cl;
    }

    private static Stream<String> names(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        return Stream.concat(Stream.of(c.name()), Stream.of(c.aliases()));
    }
}
