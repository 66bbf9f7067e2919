package dev.distil4j.train.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small tasks in the tiny fixture vocabulary (../shared/fixtures/models, 266 word pieces), learnable in seconds. */
final class SyntheticData {
    private SyntheticData() {}

    static final String[] FILLER = {"the", "cat", "dog", "fox", "mat", "coffee", "cup", "clock", "door", "movie",
            "letter", "village", "shop", "is", "was", "on", "in", "warm", "small", "old", "quick", "brown"};

    /** A sentence of 3 to 8 words; "positive" ones hold "love", "negative" ones "waste", anywhere. */
    static List<String[]> sentiment(int n, long seed) {
        Random r = new Random(seed);
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = i % 2 == 0;
            int len = 3 + r.nextInt(6), at = r.nextInt(len);
            StringBuilder s = new StringBuilder();
            for (int w = 0; w < len; w++) {
                if (w > 0) s.append(' ');
                s.append(w == at ? (positive ? "love" : "waste") : FILLER[r.nextInt(FILLER.length)]);
            }
            out.add(new String[] {s.toString(), positive ? "positive" : "negative"});
        }
        return out;
    }

    /** GLUE-style TSV: a {@code sentence<TAB>label} header, then the rows. */
    static Path tsv(Path file, List<String[]> rows) throws IOException {
        StringBuilder s = new StringBuilder("sentence\tlabel\n");
        for (String[] r : rows) s.append(r[0]).append('\t').append(r[1]).append('\n');
        Files.writeString(file, s);
        return file;
    }
}
