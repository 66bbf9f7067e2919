package dev.distil4j.tokenizer.tools;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.distil4j.tokenizer.pretokenizer.ByteLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Measures the Unicode tables compiled into Hugging Face's Rust tokenizers (through DJL), code point
 * by code point, and writes them as {@code rust-unicode.txt} (the resource {@code RustTables} reads).
 *
 * <p>Each probe runs a one-component pipeline whose model is an "identity" byte-level BPE (the 256
 * byte symbols, no merges), so the normalized text and the word boundaries can be read back exactly:
 * <ul>
 *   <li>{@code other}: BertNormalizer(clean_text) deletes {@code a?b}'s middle character;</li>
 *   <li>{@code punct}: BertPreTokenizer isolates it (three words);</li>
 *   <li>{@code mn}: BertNormalizer's accent stripping (NFD, then Mn) deletes it;</li>
 *   <li>{@code mark}: the standalone StripAccents (any combining mark, no NFD) deletes it;</li>
 *   <li>{@code L}, {@code N}: the GPT-2 pattern keeps {@code a?a} / {@code 1?1} as one word;</li>
 *   <li>{@code lower}, {@code nfd}, {@code nfkd}: Lowercase, NFD and NFKD outputs that differ from the JDK's.</li>
 * </ul>
 * Run after {@code mvn -pl tokenizers test-compile}, from the repository root:
 * <pre>
 * mvn -q -pl tokenizers dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp tokenizers/target/test-classes:tokenizers/target/classes:$(cat /tmp/cp.txt) \
 *     dev.distil4j.tokenizer.tools.RustUnicodeProbe \
 *     tokenizers/src/main/resources/dev/distil4j/tokenizer/text/rust-unicode.txt 0.38.0
 * </pre>
 * (about a minute and a half). The differential test checks the result against the library again.
 */
public final class RustUnicodeProbe {
    private RustUnicodeProbe() {}

    private static String byteVocab() {
        StringBuilder sb = new StringBuilder("{");
        for (int b = 0; b < 256; b++) {
            if (b > 0) {
                sb.append(',');
            }
            sb.append('"').append(jsonEscape(new String(Character.toChars(ByteLevel.byteToChar(b))))).append("\":").append(b);
        }
        return sb.append('}').toString();
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    static HuggingFaceTokenizer pipeline(Path dir, String name, String normalizer, String preTokenizer) throws IOException {
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
                + "\"normalizer\":" + normalizer + ",\"pre_tokenizer\":" + preTokenizer + ",\"post_processor\":null,"
                + "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false},"
                + "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":null,"
                + "\"end_of_word_suffix\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"vocab\":" + byteVocab()
                + ",\"merges\":[]}}";
        Path f = dir.resolve(name + ".json");
        Files.writeString(f, json);
        return HuggingFaceTokenizer.newInstance(f, Map.of("addSpecialTokens", "false", "padding", "false"));
    }

    private static final String BYTES = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}";

    /** Runs {@code texts} and returns, per text, the decoded normalized text and the number of words. */
    static void run(HuggingFaceTokenizer t, List<String> texts, String[] decoded, int[] words) {
        Encoding[] encs = t.batchEncode(texts);
        for (int i = 0; i < encs.length; i++) {
            long[] ids = encs[i].getIds();
            byte[] b = new byte[ids.length];
            for (int k = 0; k < ids.length; k++) {
                b[k] = (byte) ids[k];
            }
            decoded[i] = new String(b, java.nio.charset.StandardCharsets.UTF_8);
            long[] w = encs[i].getWordIds();
            int distinct = 0;
            long prev = Long.MIN_VALUE;
            for (long x : w) {
                if (x != prev) {
                    distinct++;
                    prev = x;
                }
            }
            words[i] = distinct;
        }
    }

    interface Classifier {
        void classify(int cp, String decoded, int words, StringBuilder[] out, boolean[] flags);
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "rust-unicode.txt");
        Path tmp = Files.createTempDirectory("rust-unicode");
        HuggingFaceTokenizer clean = pipeline(tmp, "clean",
                "{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":false,\"strip_accents\":false,\"lowercase\":false}", BYTES);
        HuggingFaceTokenizer punct = pipeline(tmp, "punct", "null",
                "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"BertPreTokenizer\"}," + BYTES + "]}");
        HuggingFaceTokenizer mark = pipeline(tmp, "mark", "{\"type\":\"StripAccents\"}", BYTES);
        HuggingFaceTokenizer mn = pipeline(tmp, "mn",
                "{\"type\":\"BertNormalizer\",\"clean_text\":false,\"handle_chinese_chars\":false,\"strip_accents\":true,\"lowercase\":false}", BYTES);
        HuggingFaceTokenizer lower = pipeline(tmp, "lower", "{\"type\":\"Lowercase\"}", BYTES);
        HuggingFaceTokenizer nfd = pipeline(tmp, "nfd", "{\"type\":\"NFD\"}", BYTES);
        HuggingFaceTokenizer nfkd = pipeline(tmp, "nfkd", "{\"type\":\"NFKD\"}", BYTES);
        HuggingFaceTokenizer gpt2 = pipeline(tmp, "gpt2", "null",
                "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":true}");

        boolean[] isOther = new boolean[0x110000];
        boolean[] isPunct = new boolean[0x110000];
        boolean[] isMn = new boolean[0x110000];
        boolean[] isMark = new boolean[0x110000];
        boolean[] isL = new boolean[0x110000];
        boolean[] isN = new boolean[0x110000];
        boolean[] isWs = new boolean[0x110000];
        StringBuilder lowerEx = new StringBuilder();
        StringBuilder nfdEx = new StringBuilder();
        StringBuilder nfkdEx = new StringBuilder();
        int chunk = 8192;
        for (int base = 0; base < 0x110000; base += chunk) {
            List<Integer> cps = new ArrayList<>();
            for (int cp = base; cp < Math.min(base + chunk, 0x110000); cp++) {
                if (cp < 0xD800 || cp > 0xDFFF) {
                    cps.add(cp);
                }
            }
            int n = cps.size();
            String[] dec = new String[n];
            int[] words = new int[n];
            List<String> texts = new ArrayList<>(n);
            for (int cp : cps) {
                texts.add("a" + Character.toString(cp) + "b");
            }
            run(clean, texts, dec, words);
            for (int i = 0; i < n; i++) {
                int cp = cps.get(i);
                isOther[cp] = dec[i].equals("ab");
                isWs[cp] = dec[i].equals("a b") && cp != ' ';
            }
            run(punct, texts, dec, words);
            for (int i = 0; i < n; i++) {
                isPunct[cps.get(i)] = words[i] == 3;
            }
            run(mn, texts, dec, words);
            for (int i = 0; i < n; i++) {
                isMn[cps.get(i)] = dec[i].equals("ab");
            }
            run(mark, texts, dec, words);
            for (int i = 0; i < n; i++) {
                isMark[cps.get(i)] = dec[i].equals("ab");
            }
            texts.clear();
            for (int cp : cps) {
                texts.add(Character.toString(cp));
            }
            run(lower, texts, dec, words);
            for (int i = 0; i < n; i++) {
                int cp = cps.get(i);
                String jdk = cp == 0x130 ? "i\u0307" : Character.toString(Character.toLowerCase(cp));
                if (!dec[i].equals(jdk)) {
                    lowerEx.append(String.format("lower %X %s%n", cp, hex(dec[i])));
                }
            }
            run(nfd, texts, dec, words);
            for (int i = 0; i < n; i++) {
                int cp = cps.get(i);
                String jdk = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFD);
                if (!dec[i].equals(jdk)) {
                    nfdEx.append(String.format("nfd %X %s%n", cp, hex(dec[i])));
                }
            }
            run(nfkd, texts, dec, words);
            for (int i = 0; i < n; i++) {
                int cp = cps.get(i);
                String jdk = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFKD);
                if (!dec[i].equals(jdk)) {
                    nfkdEx.append(String.format("nfkd %X %s%n", cp, hex(dec[i])));
                }
            }
            texts.clear();
            for (int cp : cps) {
                texts.add("a" + Character.toString(cp) + "a");
            }
            run(gpt2, texts, dec, words);
            for (int i = 0; i < n; i++) {
                isL[cps.get(i)] = words[i] == 1;
            }
            texts.clear();
            for (int cp : cps) {
                texts.add("1" + Character.toString(cp) + "1");
            }
            run(gpt2, texts, dec, words);
            for (int i = 0; i < n; i++) {
                isN[cps.get(i)] = words[i] == 1;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# Unicode tables of Hugging Face's Rust tokenizers (DJL ").append(args.length > 1 ? args[1] : "?")
                .append("), measured by dev.distil4j.tokenizer.tools.RustUnicodeProbe.\n");
        sb.append("# Lines: PROPERTY FIRST..LAST (hex ranges), or lower/nfd CP MAPPING (hex code points) where Rust differs from the JDK.\n");
        ranges(sb, "other", isOther);
        ranges(sb, "punct", isPunct);
        ranges(sb, "mn", isMn);
        ranges(sb, "mark", isMark);
        ranges(sb, "L", isL);
        ranges(sb, "N", isN);
        ranges(sb, "ws", isWs);
        sb.append(lowerEx).append(nfdEx).append(nfkdEx);
        Files.writeString(out, sb);
        System.out.println("wrote " + out);
    }

    private static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.append(sb.length() == 0 ? "" : ",").append(Integer.toHexString(c).toUpperCase()));
        return sb.length() == 0 ? "-" : sb.toString();
    }

    private static void ranges(StringBuilder sb, String name, boolean[] set) {
        int start = -1;
        for (int cp = 0; cp <= 0x110000; cp++) {
            boolean in = cp < 0x110000 && set[cp];
            if (in && start < 0) {
                start = cp;
            } else if (!in && start >= 0) {
                sb.append(String.format("%s %X..%X%n", name, start, cp - 1));
                start = -1;
            }
        }
    }

}
