package dev.distil4j.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Mutation fuzzing with a fixed seed: every run makes the same inputs, and a failure prints the input
 * (Base64) and its number, so it reproduces without the fuzzer.
 */
public final class Fuzz {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Random rnd;
    private final List<byte[]> tokens;

    /** @param tokens byte strings worth inserting (JSON punctuation, extreme numbers, opcodes...) */
    public Fuzz(long seed, List<String> tokens) {
        this.rnd = new Random(seed);
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.ISO_8859_1)).toList();
    }

    /** Tokens that break JSON parsers and the code behind them. */
    public static final List<String> JSON_TOKENS = List.of("[", "]", "{", "}", "\"", ",", ":", "-", "-1", "0", "1e400",
            "4294967296", "2147483647", "-2147483648", "9223372036854775807", "18446744073709551616", "null", "true", "\\u0000",
            "\\ud800", "\u00ff", "[".repeat(1200), "{\"a\":".repeat(1100), "0".repeat(1200), "\"" + "x".repeat(5000) + "\"");

    public Random random() {
        return rnd;
    }

    /** One to three byte-level edits of {@code seed}. */
    public byte[] bytes(byte[] seed) {
        byte[] b = seed.clone();
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) b = edit(b);
        return b;
    }

    private byte[] edit(byte[] b) {
        int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
        switch (rnd.nextInt(7)) {
            case 0 -> {
                if (b.length > 0) b[at] ^= (byte) (1 << rnd.nextInt(8));
            }
            case 1 -> {
                if (b.length > 0) b[at] = (byte) new int[] {0, 0xff, 0x7f, 0x80, rnd.nextInt(256)}[rnd.nextInt(5)];
            }
            case 2 -> b = splice(b, at, 0, tokens.get(rnd.nextInt(tokens.size())));
            case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + rnd.nextInt(16)), new byte[0]);
            case 4 -> {
                int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
                b = splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
            }
            case 5 -> b = Arrays.copyOf(b, at);
            default -> b = splice(b, at, 0, new byte[] {(byte) rnd.nextInt(256)});
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /**
     * One to three edits of the JSON tree of {@code seed}: a value replaced by an extreme or mistyped
     * one, a key removed, an array emptied or grown. These get past the syntax to the code that uses
     * the values, where byte edits mostly stop at the parser.
     */
    public byte[] json(byte[] seed) {
        JsonNode root;
        try {
            root = JSON.readTree(seed);
        } catch (java.io.IOException e) {
            return bytes(seed);
        }
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            if (containers.isEmpty()) break;
            JsonNode c = containers.get(rnd.nextInt(containers.size()));
            if (c instanceof ObjectNode o && !o.isEmpty()) {
                List<String> keys = new ArrayList<>();
                o.fieldNames().forEachRemaining(keys::add);
                String key = keys.get(rnd.nextInt(keys.size()));
                if (rnd.nextInt(5) == 0) o.remove(key);
                else o.set(key, value(o.get(key)));
            } else if (c instanceof ArrayNode a && !a.isEmpty()) {
                int i = rnd.nextInt(a.size());
                switch (rnd.nextInt(4)) {
                    case 0 -> a.remove(i);
                    case 1 -> a.add(a.get(i).deepCopy());
                    default -> a.set(i, value(a.get(i)));
                }
            }
        }
        // a value nested past the parser's limit, spliced in as text (Jackson would not write it)
        return root.toString().replace("\"" + DEEP + "\"", "[".repeat(1001) + "]".repeat(1001)).getBytes(StandardCharsets.UTF_8);
    }

    private static final String DEEP = "@@deep@@";

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (!n.isContainerNode()) return;
        out.add(n);
        n.forEach(child -> collect(child, out));
    }

    private JsonNode value(JsonNode old) {
        return switch (rnd.nextInt(15)) {
            case 14 -> F.textNode(DEEP);
            case 0 -> F.numberNode(Integer.MAX_VALUE);
            case 1 -> F.numberNode(-1);
            case 2 -> F.numberNode(0);
            case 3 -> F.numberNode(Long.MAX_VALUE);
            case 4 -> F.numberNode(BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(rnd.nextInt(16))));
            case 5 -> F.numberNode(rnd.nextInt(1 << 20));
            case 6 -> F.numberNode(1e300 * (rnd.nextBoolean() ? 1 : -1));
            case 7 -> F.textNode(new String[] {"", "x", "[UNK]", "F32", "gelu", "(a|b)+", "\u0000"}[rnd.nextInt(7)]);
            case 8 -> F.nullNode();
            case 9 -> F.booleanNode(rnd.nextBoolean());
            case 10 -> F.arrayNode().add(old.deepCopy());
            case 11 -> F.objectNode().set("type", F.textNode("x"));
            case 12 -> old.isNumber() ? F.numberNode(old.asLong() * (1L << rnd.nextInt(40))) : F.arrayNode();
            default -> old.isTextual() ? F.textNode(old.asText().repeat(1 + rnd.nextInt(3))) : F.objectNode();
        };
    }

    /**
     * Asserts what one fuzz input did: nothing thrown, or {@code allowed} with a message starting with
     * {@code prefix} (a clear error naming its source); and at most {@code maxAllocated} heap bytes.
     */
    public static void check(int i, byte[] input, Bounds.Outcome o, Class<? extends RuntimeException> allowed, String prefix,
                             long maxAllocated) {
        String id = "input " + i + " (Base64 " + Base64.getEncoder().encodeToString(input) + ")";
        Throwable t = o.thrown();
        if (t != null && !(allowed.isInstance(t) && t.getMessage() != null && t.getMessage().startsWith(prefix))) {
            throw new AssertionError(id + ": expected a " + allowed.getSimpleName() + " starting with '" + prefix + "', got " + t, t);
        }
        if (o.allocatedBytes() > maxAllocated) {
            throw new AssertionError(id + ": allocated " + o.allocatedBytes() + " bytes, more than " + maxAllocated);
        }
    }
}
