package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distil4j.tokenizer.pretokenizer.ByteLevel;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written GPT-2 pre-tokenizer scanner against {@link java.util.regex} running the actual
 * pattern, on the differential test's generated strings. Both use the JDK's character classes here
 * (the scanner with the Python flavour, restricted to characters assigned in Unicode 14, where the
 * Python flavour and the JDK agree).
 */
class ByteLevelScannerTest {
    private static final Pattern GPT2 = Pattern.compile(ByteLevel.GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    @Test
    void scannerEqualsRegex() {
        int checked = 0;
        for (long seed = 1; seed <= 5000; seed++) {
            String s = TextGenerator.generate(seed, List.of());
            StringBuilder kept = new StringBuilder();
            s.codePoints().filter(cp -> UnicodeTables.PYTHON.category(cp) == Character.getType(cp)).forEach(kept::appendCodePoint);
            String text = kept.toString();
            int[] cps = text.codePoints().toArray();
            int[] m = ByteLevel.gpt2Matches(cps, cps.length, UnicodeTables.PYTHON);
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < m.length; i += 2) {
                mine.add(new String(cps, m[i], m[i + 1] - m[i]));
            }
            List<String> regex = new ArrayList<>();
            Matcher mt = GPT2.matcher(text);
            while (mt.find()) {
                regex.add(mt.group());
            }
            assertEquals(regex, mine, "seed " + seed + ": " + DifferentialTest.quote(text));
            checked++;
        }
        assertEquals(5000, checked);
    }
}
