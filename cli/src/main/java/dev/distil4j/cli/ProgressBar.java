package dev.distil4j.cli;

import dev.distil4j.source.Terminals;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on stderr for commands that read a file: percentage of the bytes read
 * (when the size is known), records done and their rate. Redraws at most four times a second with
 * a carriage return; {@link #finish} ends the line. Disabled, it prints nothing.
 */
final class ProgressBar {
    private static final long REDRAW_NANOS = 250_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final LongSupplier bytesDone;
    private final long totalBytes;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private long lastDraw;
    private boolean drawn;
    private int lastWidth;

    /**
     * @param bytesDone  bytes consumed so far
     * @param totalBytes the input's size, or -1 when unknown
     */
    ProgressBar(PrintWriter err, String label, LongSupplier bytesDone, long totalBytes, boolean enabled) {
        this.err = err;
        this.label = label;
        this.bytesDone = bytesDone;
        this.totalBytes = totalBytes;
        this.enabled = enabled;
    }

    /** Whether to show progress by default: for a file input, when stderr is a terminal (whatever stdout is). */
    static boolean defaultFor(boolean fileInput) {
        return fileInput && Terminals.detect().stderr();
    }

    /**
     * Erases the bar, so that a line printed next (on stderr, or on stdout when that is the same
     * terminal) starts on a clean line; the next {@link #update} draws it again below.
     */
    void clear() {
        if (!enabled || !drawn) return;
        err.print("\r" + " ".repeat(lastWidth) + "\r");
        err.flush();
        drawn = false;
    }

    /** Redraws if enough time has passed. */
    void update(long records) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (drawn && now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        draw(records, false);
    }

    /** Draws the final state and ends the line. */
    void finish(long records) {
        if (!enabled) return;
        draw(records, true);
    }

    private void draw(long records, boolean last) {
        double secs = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        StringBuilder s = new StringBuilder("\r").append(label).append(' ');
        if (totalBytes > 0) {
            double f = last ? 1.0 : Math.min(1.0, bytesDone.getAsLong() / (double) totalBytes);
            int fill = (int) Math.round(f * WIDTH);
            s.append(String.format("%3d%% [", Math.round(f * 100)))
                    .append("=".repeat(fill)).append(fill < WIDTH ? ">" : "").append(" ".repeat(Math.max(0, WIDTH - fill - 1))).append("] ");
        }
        s.append(records).append(records == 1 ? " record" : " records")
                .append(String.format(", %.1f/s", records / secs));
        if (last) s.append(String.format(" in %.1f s", secs));
        int width = s.length() - 1;
        if (width < lastWidth) s.append(" ".repeat(lastWidth - width)); // cover a longer previous line
        lastWidth = width;
        err.print(s);
        if (last) err.println();
        err.flush();
        drawn = true;
    }
}
