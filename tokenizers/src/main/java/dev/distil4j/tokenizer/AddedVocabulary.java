package dev.distil4j.tokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The added tokens and their matching: leftmost-longest over the text (Hugging Face uses an
 * Aho-Corasick automaton with the same semantics), then the single_word / lstrip / rstrip rules.
 * Immutable and thread-safe.
 */
final class AddedVocabulary {
    private final List<AddedToken> tokens;
    private final Map<String, AddedToken> byContent = new HashMap<>();
    private final Map<Integer, AddedToken> byId = new HashMap<>();
    private final Trie raw = new Trie();
    private final Trie normalized = new Trie();
    private final boolean hasRaw;
    private final boolean hasNormalized;

    AddedVocabulary(List<AddedToken> tokens) {
        this.tokens = List.copyOf(tokens);
        boolean r = false;
        boolean n = false;
        for (AddedToken t : tokens) {
            byContent.putIfAbsent(t.content(), t);
            byId.putIfAbsent(t.id(), t);
            if (t.normalized()) {
                normalized.add(t);
                n = true;
            } else {
                raw.add(t);
                r = true;
            }
        }
        hasRaw = r;
        hasNormalized = n;
    }

    List<AddedToken> tokens() {
        return tokens;
    }

    AddedToken byContent(String s) {
        return byContent.get(s);
    }

    AddedToken byId(int id) {
        return byId.get(id);
    }

    boolean hasRaw() {
        return hasRaw;
    }

    boolean hasNormalized() {
        return hasNormalized;
    }

    /**
     * A trie over code points without boxing: children are found in one primitive hash table keyed by
     * (node, code point); node 0 is the root.
     */
    private static final class Trie {
        private long[] keys = new long[64];
        private int[] vals = new int[64];
        private boolean[] used = new boolean[64];
        private int size;
        private final java.util.ArrayList<AddedToken> tokens = new java.util.ArrayList<>();

        Trie() {
            tokens.add(null); // the root holds no token
        }

        boolean isEmpty() {
            return size == 0;
        }

        private static long key(int node, int cp) {
            return ((long) node << 32) | (cp & 0xFFFFFFFFL);
        }

        private int slot(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29)) & (keys.length - 1);
        }

        int child(int node, int cp) {
            long k = key(node, cp);
            int s = slot(k);
            while (used[s]) {
                if (keys[s] == k) {
                    return vals[s];
                }
                s = (s + 1) & (keys.length - 1);
            }
            return -1;
        }

        private void put(long k, int v) {
            if (2 * (size + 1) > keys.length) {
                long[] ok = keys;
                int[] ov = vals;
                boolean[] ou = used;
                keys = new long[ok.length * 2];
                vals = new int[ok.length * 2];
                used = new boolean[ok.length * 2];
                size = 0;
                for (int i = 0; i < ok.length; i++) {
                    if (ou[i]) {
                        put(ok[i], ov[i]);
                    }
                }
            }
            int s = slot(k);
            while (used[s] && keys[s] != k) {
                s = (s + 1) & (keys.length - 1);
            }
            if (!used[s]) {
                size++;
            }
            used[s] = true;
            keys[s] = k;
            vals[s] = v;
        }

        AddedToken token(int node) {
            return tokens.get(node);
        }

        void add(AddedToken t) {
            int node = 0;
            for (int cp : t.content().codePoints().toArray()) {
                int c = child(node, cp);
                if (c < 0) {
                    c = tokens.size();
                    tokens.add(null);
                    put(key(node, cp), c);
                }
                node = c;
            }
            if (tokens.get(node) == null) {
                tokens.set(node, t);
            }
        }
    }

    /**
     * Finds matches in {@code c[0, n)}: returns triples (tokenId, start, end) in code-point indices, with
     * lstrip/rstrip whitespace included and single_word violations dropped.
     */
    private static final int[] NO_MATCHES = new int[0];

    int[] findMatches(int[] c, int n, boolean normalizedSet) {
        Trie trie = normalizedSet ? normalized : raw;
        if (trie.isEmpty() || n == 0) {
            return NO_MATCHES;
        }
        int[] out = null;
        int k = 0;
        int consumed = 0; // end of the previous kept match (start_offset in Hugging Face)
        int i = 0;
        while (i < n) {
            int node = trie.child(0, c[i]);
            if (node < 0) {
                i++;
                continue;
            }
            AddedToken best = null;
            int bestEnd = -1;
            int j = i + 1;
            while (true) {
                AddedToken t = trie.token(node);
                if (t != null) {
                    best = t;
                    bestEnd = j;
                }
                if (j >= n) {
                    break;
                }
                int nx = trie.child(node, c[j]);
                if (nx < 0) {
                    break;
                }
                node = nx;
                j++;
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = bestEnd;
            i = bestEnd;
            if (best.singleWord()) {
                boolean startSpace = start == 0 || !isWordChar(c[start - 1]);
                boolean stopSpace = stop == n || !isWordChar(c[stop]);
                if (!startSpace || !stopSpace) {
                    continue;
                }
            }
            if (best.lstrip()) {
                int s = start;
                while (s > 0 && UnicodeTables.isRustWhitespace(c[s - 1])) {
                    s--;
                }
                start = Math.max(s, consumed);
            }
            if (best.rstrip()) {
                while (stop < n && UnicodeTables.isRustWhitespace(c[stop])) {
                    stop++;
                }
                i = stop;
            }
            if (out == null) {
                out = new int[12];
            } else if (k + 3 > out.length) {
                out = java.util.Arrays.copyOf(out, out.length * 2);
            }
            out[k++] = best.id();
            out[k++] = start;
            out[k++] = stop;
            consumed = stop;
        }
        return out == null ? NO_MATCHES : java.util.Arrays.copyOf(out, k);
    }

    /** Rust's {@code \w} (single_word checks the characters around a match with it). */
    private static boolean isWordChar(int cp) {
        return dev.distil4j.tokenizer.pretokenizer.Whitespace.isWordChar(cp);
    }

    /** One piece of text after splitting on added tokens: a token (id ≥ 0) or text to tokenize. */
    record Piece(NormalizedString text, int tokenId) {}

    static List<Piece> splitPieces(NormalizedString ns, int[] matches, List<Piece> out) {
        int prev = 0;
        for (int m = 0; m < matches.length; m += 3) {
            int s = matches[m + 1];
            int e = matches[m + 2];
            if (s > prev) {
                out.add(new Piece(ns.slice(prev, s), -1));
            }
            out.add(new Piece(ns.slice(s, e), matches[m]));
            prev = e;
        }
        if (prev < ns.length()) {
            out.add(new Piece(prev == 0 ? ns : ns.slice(prev, ns.length()), -1));
        }
        return out;
    }

    /** Content → id of every added token, in id order. */
    Map<String, Integer> asMap() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (AddedToken t : tokens) {
            m.put(t.content(), t.id());
        }
        return Collections.unmodifiableMap(m);
    }

    List<AddedToken> specials() {
        List<AddedToken> s = new ArrayList<>();
        for (AddedToken t : tokens) {
            if (t.special()) {
                s.add(t);
            }
        }
        return s;
    }
}
