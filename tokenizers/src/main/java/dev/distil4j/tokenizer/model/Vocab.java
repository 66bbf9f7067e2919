package dev.distil4j.tokenizer.model;

import dev.distil4j.tokenizer.TokenizerException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token string ↔ id. Lookups by a code-point range (optionally behind a prefix such as {@code ##}) do
 * not allocate: the hash is computed over code points and keys are compared in place, which keeps
 * WordPiece's longest-match-first search cheap. Immutable after construction.
 */
public final class Vocab {
    private final int[][] keys;   // per entry: code points
    private final int[] hashes;
    private final int[] table;    // slot -> entry index + 1 (0 = empty)
    private final int mask;
    private final String[] idToToken;     // id -> token when the ids are dense (they are, in every real vocabulary)
    private final Map<Integer, String> sparse; // otherwise: a file may give any id up to 2^31 - 1
    private final int maxId;
    private final int[] entryId;
    private final Map<String, Integer> map;
    private final int maxLength;

    public Vocab(Map<String, Integer> tokens) {
        int n = tokens.size();
        keys = new int[n][];
        hashes = new int[n];
        entryId = new int[n];
        int cap = Integer.highestOneBit(Math.max(4, n * 2 + 1)) * 2;
        table = new int[cap];
        mask = cap - 1;
        int max = -1;
        for (Map.Entry<String, Integer> en : tokens.entrySet()) {
            if (en.getValue() < 0) {
                throw new TokenizerException("vocabulary id of '" + en.getKey() + "' is " + en.getValue() + "; ids are non-negative");
            }
            max = Math.max(max, en.getValue());
        }
        maxId = max;
        // an array indexed by id only when the ids leave few gaps: one id of 2^31 - 1 must not allocate 8 GB
        boolean dense = maxId < 2L * n + 1024;
        idToToken = dense ? new String[maxId + 1] : null;
        sparse = dense ? null : new HashMap<>();
        int e = 0;
        int longest = 0;
        for (Map.Entry<String, Integer> en : tokens.entrySet()) {
            int[] cps = en.getKey().codePoints().toArray();
            longest = Math.max(longest, cps.length);
            keys[e] = cps;
            entryId[e] = en.getValue();
            int h = hash(null, cps, 0, cps.length);
            hashes[e] = h;
            int slot = h & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = e + 1;
            if (dense && idToToken[en.getValue()] == null) {
                idToToken[en.getValue()] = en.getKey();
            } else if (!dense) {
                sparse.putIfAbsent(en.getValue(), en.getKey());
            }
            e++;
        }
        map = Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
        maxLength = longest;
    }

    /** The length, in code points, of the longest token (no longer piece can match). */
    public int maxTokenLength() {
        return maxLength;
    }

    private static int hash(int[] prefix, int[] cps, int from, int to) {
        int h = 0x9E3779B9;
        if (prefix != null) {
            for (int p : prefix) {
                h = (h ^ p) * 0x01000193;
            }
        }
        for (int i = from; i < to; i++) {
            h = (h ^ cps[i]) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    /** The id of {@code prefix + cps[from, to)}, or -1. {@code prefix} may be null. */
    public int get(int[] prefix, int[] cps, int from, int to) {
        int h = hash(prefix, cps, from, to);
        int plen = prefix == null ? 0 : prefix.length;
        int len = plen + to - from;
        int slot = h & mask;
        while (true) {
            int e = table[slot];
            if (e == 0) {
                return -1;
            }
            e--;
            if (hashes[e] == h) {
                int[] k = keys[e];
                if (k.length == len && matches(k, prefix, plen, cps, from, to)) {
                    return entryId[e];
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    private static boolean matches(int[] k, int[] prefix, int plen, int[] cps, int from, int to) {
        for (int i = 0; i < plen; i++) {
            if (k[i] != prefix[i]) {
                return false;
            }
        }
        for (int i = from, j = plen; i < to; i++, j++) {
            if (k[j] != cps[i]) {
                return false;
            }
        }
        return true;
    }

    /** The id of {@code token}, or -1. */
    public int get(String token) {
        Integer id = map.get(token);
        return id == null ? -1 : id;
    }

    /** The token of {@code id}, or null. */
    public String token(int id) {
        if (sparse != null) {
            return sparse.get(id);
        }
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    public int size() {
        return map.size();
    }

    /** Token → id, in the file's order (unmodifiable). */
    public Map<String, Integer> asMap() {
        return map;
    }

    /** Highest id + 1 (a long: the highest id may be 2^31 - 1). */
    public long idLimit() {
        return maxId + 1L;
    }

    @Override
    public String toString() {
        String[] first = new String[(int) Math.min(3, idLimit())];
        Arrays.setAll(first, this::token);
        return "Vocab[" + size() + " tokens, first " + Arrays.toString(first) + "]";
    }
}
