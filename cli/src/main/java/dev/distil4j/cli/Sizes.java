package dev.distil4j.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes in bytes as options take them ({@code 16M}, {@code 512k}, {@code 1000000}) and as messages show them. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    /**
     * {@code value} in bytes: a number, optionally with K, M or G (powers of 1024; KB, KiB, ... too).
     *
     * @throws UserException naming {@code option} when it is not such a size, or outside [1, max]
     */
    static long parse(String option, String value, long max) {
        Matcher m = SIZE.matcher(value.strip());
        if (!m.matches()) throw new UserException(option + " must be a size such as 16M, 512K or 1000000 (bytes), not \"" + value + "\"");
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (n < 1 || n > max >> shift) throw new UserException(option + " must be between 1 byte and " + format(max) + ", not " + value);
        return n << shift;
    }

    /** "16 MiB", "1.5 KiB", "12 bytes". */
    static String format(long bytes) {
        String[] units = {"KiB", "MiB", "GiB"};
        if (bytes < 1024) return bytes + (bytes == 1 ? " byte" : " bytes");
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        String s = v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
        return s + " " + units[u];
    }
}
