package dev.distil4j.source;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line download progress bar, redrawn in place with a carriage return and ended with a
 * newline. Redraws at most ten times a second so that a fast local copy does not flood the terminal.
 */
final class Progress {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long done;
    private int lastWidth;

    /** @param out null draws nothing; @param total bytes expected, or -1 when unknown */
    Progress(PrintStream out, String label, long total, long already) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.done = already;
    }

    void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (out != null && now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            draw(false);
        }
    }

    void finish() {
        if (out != null) draw(true);
    }

    private void draw(boolean last) {
        double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        StringBuilder sb = new StringBuilder("\r").append(label).append("  ").append(mb(done));
        if (total > 0) {
            int pct = (int) Math.min(100, done * 100 / total);
            int filled = pct / 5;
            sb.append(" / ").append(mb(total)).append("  [").append("#".repeat(filled)).append(" ".repeat(20 - filled))
                    .append("] ").append(pct).append('%');
        }
        sb.append("  ").append(String.format(Locale.ROOT, "%.1f MB/s", done / 1e6 / secs));
        int width = sb.length();
        if (width < lastWidth) sb.append(" ".repeat(lastWidth - width));
        lastWidth = width;
        if (last) sb.append('\n');
        out.print(sb);
        out.flush();
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
