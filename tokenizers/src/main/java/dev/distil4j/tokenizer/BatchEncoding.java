package dev.distil4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodings of a batch, padded together as requested. {@link #flattened()} lists every row the model
 * would see: each encoding followed by its overflowing windows (what {@code transformers} returns with
 * {@code return_overflowing_tokens=True}); {@link #overflowToSample()} maps those rows back.
 */
public record BatchEncoding(List<Encoding> encodings) {
    public BatchEncoding {
        encodings = List.copyOf(encodings);
    }

    public int size() {
        return encodings.size();
    }

    public Encoding get(int i) {
        return encodings.get(i);
    }

    /** Every encoding followed by its overflowing windows. */
    public List<Encoding> flattened() {
        List<Encoding> out = new ArrayList<>();
        for (Encoding e : encodings) {
            out.add(e);
            out.addAll(e.overflowing());
        }
        return out;
    }

    /** For each row of {@link #flattened()}, the index of the input it came from. */
    public int[] overflowToSample() {
        List<Integer> m = new ArrayList<>();
        for (int i = 0; i < encodings.size(); i++) {
            m.add(i);
            for (int k = 0; k < encodings.get(i).overflowing().size(); k++) {
                m.add(i);
            }
        }
        return m.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The ids of every (non-flattened) encoding, as a matrix (rows may differ in length without padding). */
    public int[][] ids() {
        int[][] r = new int[encodings.size()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = encodings.get(i).ids();
        }
        return r;
    }

    public int[][] attentionMask() {
        int[][] r = new int[encodings.size()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = encodings.get(i).attentionMask();
        }
        return r;
    }

    public int[][] typeIds() {
        int[][] r = new int[encodings.size()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = encodings.get(i).typeIds();
        }
        return r;
    }
}
