package dev.distil4j.tokenizer.model;

import dev.distil4j.tokenizer.TokenizerException;
import dev.distil4j.tokenizer.text.NormalizedString;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding: each code point starts as its own symbol, then the adjacent pair with the best
 * (lowest) merge rank is merged, leftmost first, until no pair has a rank. Results are cached per word
 * (bounded; the cache is dropped when full, which keeps memory flat on adversarial input).
 * Byte fallback and dropout are not supported (no BERT-family checkpoint uses them): a tokenizer.json
 * that enables them is rejected when loaded.
 */
public final class Bpe implements Model {
    /** Words longer than this are not cached (Hugging Face's limit as well). */
    private static final int MAX_CACHED_WORD = 256;

    private final Vocab vocab;
    private final List<String[]> merges;
    private final LongIntMap mergeRank;
    private final LongIntMap mergeResult;
    private final String unkToken;
    private final String continuingSubwordPrefix;
    private final String endOfWordSuffix;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final int cacheCapacity;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param merges pairs in rank order (rank = index)
     * @param cacheCapacity words kept in the cache (0 disables it)
     */
    public Bpe(Vocab vocab, List<String[]> merges, String unkToken, String continuingSubwordPrefix,
               String endOfWordSuffix, boolean fuseUnk, boolean ignoreMerges, int cacheCapacity) {
        this.vocab = vocab;
        this.merges = List.copyOf(merges);
        this.unkToken = unkToken;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix;
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
        this.cacheCapacity = cacheCapacity;
        this.mergeRank = new LongIntMap(merges.size());
        this.mergeResult = new LongIntMap(merges.size());
        int prefixLen = continuingSubwordPrefix == null ? 0 : continuingSubwordPrefix.length();
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            int a = vocab.get(m[0]);
            int b = vocab.get(m[1]);
            if (a < 0 || b < 0) {
                throw new TokenizerException("BPE merge " + (rank + 1) + " '" + m[0] + " " + m[1]
                        + "': token '" + (a < 0 ? m[0] : m[1]) + "' is not in the vocabulary");
            }
            String merged = m[0] + (prefixLen > 0 && m[1].startsWith(continuingSubwordPrefix)
                    ? m[1].substring(prefixLen) : m[1]);
            int r = vocab.get(merged);
            if (r < 0) {
                throw new TokenizerException("BPE merge " + (rank + 1) + " '" + m[0] + " " + m[1]
                        + "': merged token '" + merged + "' is not in the vocabulary");
            }
            long key = pair(a, b);
            if (!mergeRank.containsKey(key)) {
                mergeRank.put(key, rank);
                mergeResult.put(key, r);
            }
        }
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    @Override
    public String type() {
        return "BPE";
    }

    @Override
    public Vocab vocab() {
        return vocab;
    }

    public List<String[]> merges() {
        return merges;
    }

    public String unkToken() {
        return unkToken;
    }

    public String continuingSubwordPrefix() {
        return continuingSubwordPrefix;
    }

    public String endOfWordSuffix() {
        return endOfWordSuffix;
    }

    public boolean fuseUnk() {
        return fuseUnk;
    }

    public boolean ignoreMerges() {
        return ignoreMerges;
    }

    public int cacheCapacity() {
        return cacheCapacity;
    }

    @Override
    public void tokenize(NormalizedString word, TokenSink out) {
        int n = word.length();
        if (n == 0) {
            return;
        }
        int[] c = word.codePoints();
        String key = null;
        if (cacheCapacity > 0 && n <= MAX_CACHED_WORD) {
            key = word.text();
            int[] hit = cache.get(key);
            if (hit != null) {
                emit(hit, out);
                return;
            }
        }
        int[] result = mergeWord(c, n);
        if (key != null) {
            if (cache.size() >= cacheCapacity) {
                cache.clear();
            }
            cache.put(key, result);
        }
        emit(result, out);
    }

    private static void emit(int[] r, TokenSink out) {
        for (int i = 0; i < r.length; i += 3) {
            out.token(r[i], r[i + 1], r[i + 2]);
        }
    }

    /** Returns (id, start, end) triples. */
    private int[] mergeWord(int[] c, int n) {
        if (ignoreMerges) {
            int whole = vocab.get(null, c, 0, n);
            if (whole >= 0) {
                return new int[] {whole, 0, n};
            }
        }
        int[] ids = new int[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        int m = 0;
        int unkId = unkToken == null ? -1 : vocab.get(unkToken);
        int pendingUnkStart = -1;
        int pendingUnkEnd = -1;
        // an empty prefix or suffix (RoBERTa's files say "") is the same as none
        String prefixStr = continuingSubwordPrefix == null || continuingSubwordPrefix.isEmpty() ? null : continuingSubwordPrefix;
        String suffix = endOfWordSuffix == null || endOfWordSuffix.isEmpty() ? null : endOfWordSuffix;
        for (int i = 0; i < n; i++) {
            int id;
            boolean first = i == 0;
            boolean last = i == n - 1;
            if ((first || prefixStr == null) && (!last || suffix == null)) {
                id = vocab.get(null, c, i, i + 1);
            } else {
                StringBuilder sb = new StringBuilder();
                if (!first && prefixStr != null) {
                    sb.append(prefixStr);
                }
                sb.appendCodePoint(c[i]);
                if (last && suffix != null) {
                    sb.append(suffix);
                }
                id = vocab.get(sb.toString());
            }
            if (id >= 0) {
                if (pendingUnkStart >= 0) {
                    ids[m] = unkId;
                    starts[m] = pendingUnkStart;
                    ends[m] = pendingUnkEnd;
                    m++;
                    pendingUnkStart = -1;
                }
                ids[m] = id;
                starts[m] = i;
                ends[m] = i + 1;
                m++;
            } else if (unkToken != null) {
                if (unkId < 0) {
                    throw new TokenizerException("BPE: the unknown token '" + unkToken + "' is not in the vocabulary");
                }
                if (pendingUnkStart >= 0 && fuseUnk) {
                    pendingUnkEnd = i + 1;
                } else {
                    if (pendingUnkStart >= 0) {
                        ids[m] = unkId;
                        starts[m] = pendingUnkStart;
                        ends[m] = pendingUnkEnd;
                        m++;
                    }
                    pendingUnkStart = i;
                    pendingUnkEnd = i + 1;
                }
            }
            // no unk token: the character is dropped, as Hugging Face does
        }
        if (pendingUnkStart >= 0) {
            ids[m] = unkId;
            starts[m] = pendingUnkStart;
            ends[m] = pendingUnkEnd;
            m++;
        }
        merge(ids, starts, ends, m);
        int alive = 0;
        for (int i = 0; i < m; i++) {
            if (ids[i] >= 0) {
                alive++;
            }
        }
        int[] r = new int[alive * 3];
        int k = 0;
        for (int i = 0; i < m; i++) {
            if (ids[i] >= 0) {
                r[k++] = ids[i];
                r[k++] = starts[i];
                r[k++] = ends[i];
            }
        }
        return r;
    }

    /** Merges in place; dead symbols get id -1. Symbols form a linked list over indices. */
    private void merge(int[] ids, int[] starts, int[] ends, int m) {
        if (m < 2) {
            return;
        }
        int[] next = new int[m];
        int[] prev = new int[m];
        for (int i = 0; i < m; i++) {
            next[i] = i + 1 < m ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(m);
        for (int i = 0; i + 1 < m; i++) {
            int rank = mergeRank.get(pair(ids[i], ids[i + 1]));
            if (rank >= 0) {
                heap.push(((long) rank << 32) | i);
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (ids[pos] < 0) {
                continue;
            }
            int nx = next[pos];
            if (nx < 0) {
                continue;
            }
            long p = pair(ids[pos], ids[nx]);
            if (mergeRank.get(p) != rank) {
                continue; // stale: one side was merged since
            }
            ids[pos] = mergeResult.get(p);
            ends[pos] = ends[nx];
            ids[nx] = -1;
            next[pos] = next[nx];
            if (next[nx] >= 0) {
                prev[next[nx]] = pos;
            }
            int pv = prev[pos];
            if (pv >= 0) {
                int r = mergeRank.get(pair(ids[pv], ids[pos]));
                if (r >= 0) {
                    heap.push(((long) r << 32) | pv);
                }
            }
            if (next[pos] >= 0) {
                int r = mergeRank.get(pair(ids[pos], ids[next[pos]]));
                if (r >= 0) {
                    heap.push(((long) r << 32) | pos);
                }
            }
        }
    }

    /** Open-addressing long → int map (-1 = absent). */
    static final class LongIntMap {
        private final long[] keys;
        private final int[] vals;
        private final boolean[] used;
        private final int mask;

        LongIntMap(int expected) {
            int cap = Integer.highestOneBit(Math.max(4, expected * 2 + 1)) * 2;
            keys = new long[cap];
            vals = new int[cap];
            used = new boolean[cap];
            mask = cap - 1;
        }

        private int slot(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        void put(long k, int v) {
            int s = slot(k);
            while (used[s] && keys[s] != k) {
                s = (s + 1) & mask;
            }
            used[s] = true;
            keys[s] = k;
            vals[s] = v;
        }

        boolean containsKey(long k) {
            return get(k) >= 0;
        }

        int get(long k) {
            int s = slot(k);
            while (used[s]) {
                if (keys[s] == k) {
                    return vals[s];
                }
                s = (s + 1) & mask;
            }
            return -1;
        }
    }

    /** Binary min-heap of longs. */
    static final class LongHeap {
        private long[] a;
        private int n;

        LongHeap(int cap) {
            a = new long[Math.max(4, cap)];
        }

        boolean isEmpty() {
            return n == 0;
        }

        void push(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) {
                    break;
                }
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--n];
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                if (l >= n) {
                    break;
                }
                int r = l + 1;
                int c = r < n && a[r] < a[l] ? r : l;
                if (a[c] >= v) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}
