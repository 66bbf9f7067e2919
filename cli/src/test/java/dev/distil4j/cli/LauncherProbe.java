package dev.distil4j.cli;

/** A stand-in for the CLI jar in {@link LauncherTest}: says what the launcher gave it, on both streams, and exits with args[0]. */
public final class LauncherProbe {
    private LauncherProbe() {}

    public static void main(String[] args) {
        System.out.println("out terminals=" + System.getProperty("distil4j.terminals"));
        System.err.println("WARNING: a warning of the program's own");
        System.err.println("err");
        System.exit(Integer.parseInt(args[0]));
    }
}
