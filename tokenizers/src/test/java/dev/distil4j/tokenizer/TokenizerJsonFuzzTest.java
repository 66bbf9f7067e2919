package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 3,000 mutations (fixed seed) of real tokenizer.json files: values swapped for extreme or mistyped
 * ones, keys dropped, arrays emptied or grown, and raw byte edits. Each file must load and then
 * encode and decode, or fail with a TokenizerException (naming the file when it comes from
 * loading); never another exception, never more than a bounded heap.
 */
class TokenizerJsonFuzzTest {
    private static final int INPUTS = 3000;
    private static final long HEAP = 64L << 20;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] STRINGS = {"", "[UNK]", "##", "Ġ", "Sequence", "Split", "Regex", "(?:a|b)+", "\\", "(",
        "WordPiece", "BPE", "Removed", "MergedWithNext", "A", "B", "$A", "\u0000"};
    private static final String[] BYTES = {"[", "]", "{", "}", "\"", ",", ":", "-1", "2147483648", "1e400", "null",
        "[".repeat(1100), "\\ud800", "\u00ff"};

    @TempDir
    Path dir;

    private final Random rnd = new Random(505);

    private List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Files.readAllBytes(Shared.path("fixtures/goldens/distilbert-qa/tokenizer.json")));
        seeds.add(Files.readAllBytes(Shared.path("fixtures/hf-tiny-distilbert/tokenizer.json")));
        Path bpe = dir.resolve("bpe.json");
        Tokenizer.fromBpeFiles(Shared.path("fixtures/tiny_vocab/vocab.json"), Shared.path("fixtures/tiny_vocab/merges.txt"),
                Map.of()).save(bpe);
        seeds.add(Files.readAllBytes(bpe));
        // the regex components, which the real files do not use
        ObjectNode t = (ObjectNode) Shared.json(Shared.path("fixtures/goldens/distilbert-qa/tokenizer.json"));
        ArrayNode norms = t.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        norms.addObject().put("type", "Replace").put("content", "-").putObject("pattern").put("Regex", "\\d+");
        norms.addObject().put("type", "NFKC");
        norms.addObject().put("type", "Lowercase");
        ArrayNode pres = t.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
        pres.addObject().put("type", "Split").put("behavior", "Removed").put("invert", false).putObject("pattern")
                .put("Regex", "\\s+");
        pres.addObject().put("type", "Punctuation").put("behavior", "Isolated");
        seeds.add(t.toString().getBytes(StandardCharsets.UTF_8));
        return seeds;
    }

    @Test
    void mutatedTokenizerJsonLoadsOrFailsClearly() throws Exception {
        List<byte[]> seeds = seeds();
        Path f = dir.resolve("tokenizer.json");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int loaded = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] input = i % 4 == 0 ? bytes(seed) : tree(seed);
            Files.write(f, input);
            long before = threads.getCurrentThreadAllocatedBytes();
            Tokenizer tok = null;
            try {
                tok = Tokenizer.fromTokenizerJson(f);
            } catch (TokenizerException e) {
                if (!e.getMessage().startsWith(f.toString())) fail(i, input, e);
            } catch (RuntimeException | Error e) {
                fail(i, input, e);
            }
            if (tok != null) {
                loaded++;
                try {
                    Encoding e = tok.encode("Hello, world! ab ba héllo 123 [MASK]");
                    tok.decode(e.ids());
                    tok.decode(tok.encodePair("who?", "Paris is a city.").ids(), true, true);
                } catch (TokenizerException e) {
                    if (e.getMessage() == null || e.getMessage().isBlank()) fail(i, input, e);
                } catch (RuntimeException | Error e) {
                    fail(i, input, e);
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > HEAP) fail(i, input, new AssertionError("allocated " + allocated + " bytes"));
        }
        assertTrue(loaded > 100 && loaded < INPUTS, "mutations should sometimes load, not always: " + loaded);
    }

    private static void fail(int i, byte[] input, Throwable t) {
        throw new AssertionError("input " + i + " (Base64 " + Base64.getEncoder().encodeToString(input) + "): " + t, t);
    }

    /** One to three byte edits: a flipped bit, a deleted run, an inserted JSON fragment, a cut. */
    private byte[] bytes(byte[] seed) {
        String s = new String(seed, StandardCharsets.ISO_8859_1);
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            int at = s.isEmpty() ? 0 : rnd.nextInt(s.length());
            s = switch (rnd.nextInt(4)) {
                case 0 -> s.isEmpty() ? s
                        : s.substring(0, at) + (char) (s.charAt(at) ^ (1 << rnd.nextInt(8))) + s.substring(at + 1);
                case 1 -> s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + rnd.nextInt(16)));
                case 2 -> s.substring(0, at) + BYTES[rnd.nextInt(BYTES.length)] + s.substring(at);
                default -> s.substring(0, at);
            };
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Where a value sits: a field of an object or an element of an array. */
    private record Slot(JsonNode parent, String field, int index) {
        JsonNode get() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode v) {
            if (field != null) {
                ((ObjectNode) parent).set(field, v);
            } else {
                ((ArrayNode) parent).set(index, v);
            }
        }

        void remove() {
            if (field != null) {
                ((ObjectNode) parent).remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }
    }

    /**
     * One to three edits of the JSON tree, where the loader's checks are: in a container chosen
     * uniformly (so the vocabulary, one object, does not take most edits), a value is replaced or removed.
     */
    private byte[] tree(byte[] seed) throws Exception {
        JsonNode root = Shared.JSON.readTree(seed);
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            List<List<Slot>> containers = new ArrayList<>();
            slots(root, containers);
            if (containers.isEmpty()) {
                break;
            }
            List<Slot> slots = containers.get(rnd.nextInt(containers.size()));
            Slot s = slots.get(rnd.nextInt(slots.size()));
            if (rnd.nextInt(6) == 0) {
                s.remove();
            } else {
                s.set(value(s.get()));
            }
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The slots of every non-empty container under {@code n}, one list per container. */
    private static void slots(JsonNode n, List<List<Slot>> out) {
        List<Slot> mine = new ArrayList<>();
        if (n.isObject()) {
            n.fieldNames().forEachRemaining(f -> mine.add(new Slot(n, f, -1)));
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                mine.add(new Slot(n, null, i));
            }
        }
        if (!mine.isEmpty()) {
            out.add(mine);
        }
        n.forEach(child -> slots(child, out));
    }

    private JsonNode value(JsonNode old) {
        return switch (rnd.nextInt(12)) {
            case 0 -> F.numberNode(Integer.MAX_VALUE);
            case 1 -> F.numberNode(-1);
            case 2 -> F.numberNode(0);
            case 3 -> F.numberNode(1L << 32);
            case 4 -> F.numberNode(rnd.nextInt(300));
            case 5 -> F.textNode(STRINGS[rnd.nextInt(STRINGS.length)]);
            case 6 -> F.nullNode();
            case 7 -> F.booleanNode(rnd.nextBoolean());
            case 8 -> F.arrayNode().add(old.deepCopy());
            case 9 -> F.objectNode().put("type", STRINGS[rnd.nextInt(STRINGS.length)]);
            case 10 -> old.isArray() ? F.arrayNode() : F.numberNode(1.5);
            default -> old.isTextual() ? F.textNode(old.asText() + old.asText()) : F.objectNode();
        };
    }
}
