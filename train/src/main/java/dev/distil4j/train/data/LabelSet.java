package dev.distil4j.train.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The classes of a classification task, id {@code i} being {@code labels().get(i)}: what a model's
 * {@code config.json} stores as {@code id2label}/{@code label2id}.
 *
 * <p>Built from the data, the labels are sorted as {@code run_glue.py} and {@code run_ner.py} sort them
 * ({@code label_list.sort()}), so that the same data always gives the same ids: numerically when every
 * label is an integer (GLUE's {@code 0}/{@code 1}, where Python sorts ints), otherwise as Python sorts
 * strings (by code point).
 */
public record LabelSet(List<String> labels) {
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    public LabelSet {
        labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a label set needs at least one label");
        }
        var seen = new HashMap<String, Integer>();
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i);
            if (l.isEmpty()) {
                throw new IllegalArgumentException("label " + i + " is empty");
            }
            Integer before = seen.put(l, i);
            if (before != null) {
                throw new IllegalArgumentException("label '" + l + "' appears twice (ids " + before + " and " + i + ")");
            }
        }
    }

    /** The labels in the order given: id {@code i} is {@code labels[i]}. */
    public static LabelSet of(String... labels) {
        return new LabelSet(List.of(labels));
    }

    /** A model's {@code id2label}: ids must be 0..n-1. */
    public static LabelSet fromId2Label(Map<Integer, String> id2label) {
        List<String> l = new ArrayList<>(id2label.size());
        for (int i = 0; i < id2label.size(); i++) {
            String s = id2label.get(i);
            if (s == null) {
                throw new IllegalArgumentException("id2label has no id " + i + " (ids must run from 0 to "
                        + (id2label.size() - 1) + ")");
            }
            l.add(s);
        }
        return new LabelSet(l);
    }

    /** The distinct labels seen, sorted (see the class comment). */
    public static LabelSet fromData(Collection<String> observed) {
        TreeSet<String> distinct = new TreeSet<>(LabelSet::compareCodePoints);
        for (String s : observed) {
            if (s == null) {
                throw new IllegalArgumentException("null label");
            }
            distinct.add(s);
        }
        List<String> sorted = new ArrayList<>(distinct);
        if (!sorted.isEmpty() && sorted.stream().allMatch(s -> INTEGER.matcher(s).matches())) {
            sorted.sort(Comparator.comparing(BigInteger::new));
        }
        return new LabelSet(sorted);
    }

    /** The sorted labels of labelled examples (an unlabelled example is an error naming it). */
    public static LabelSet fromExamples(List<TextExample> examples) {
        List<String> all = new ArrayList<>(examples.size());
        for (TextExample e : examples) {
            if (e.label() == null) {
                throw new DataFormatException(e.origin(), null, "example has no label");
            }
            all.add(e.label());
        }
        return fromData(all);
    }

    /** The sorted tags of token examples. */
    public static LabelSet fromTokenExamples(List<TokenExample> examples) {
        List<String> all = new ArrayList<>();
        for (TokenExample e : examples) {
            all.addAll(e.tags());
        }
        return fromData(all);
    }

    public int size() {
        return labels.size();
    }

    public String label(int id) {
        return labels.get(id);
    }

    /** The id of {@code label}, or -1. */
    public int indexOf(String label) {
        return labels.indexOf(label);
    }

    public boolean contains(String label) {
        return labels.contains(label);
    }

    /**
     * The id of {@code label}; an unknown label is a {@link DataFormatException} at {@code origin}.
     *
     * @param field how the message names the label's place (e.g. {@code column 'label'})
     */
    public int id(String label, Origin origin, String field) {
        int id = indexOf(label);
        if (id < 0) {
            throw new DataFormatException(origin, field, unknown(label));
        }
        return id;
    }

    String unknown(String label) {
        return "unknown label '" + label + "' (the labels are " + labels + ")";
    }

    /** {@code config.json}'s {@code id2label}, in id order. */
    public Map<Integer, String> id2label() {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            m.put(i, labels.get(i));
        }
        return Collections.unmodifiableMap(m);
    }

    /** {@code config.json}'s {@code label2id}, in id order. */
    public Map<String, Integer> label2id() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            m.put(labels.get(i), i);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * For each id, the id of its {@code I-} tag when it is a {@code B-} tag whose {@code I-} tag exists, else
     * itself: how {@code run_ner.py} labels the later pieces of a word when {@code label_all_tokens} is on.
     */
    public int[] beginToInside() {
        int[] r = new int[labels.size()];
        for (int i = 0; i < r.length; i++) {
            String l = labels.get(i);
            int inside = l.startsWith("B-") ? indexOf("I-" + l.substring(2)) : -1;
            r[i] = inside >= 0 ? inside : i;
        }
        return r;
    }

    /** Python's string order: by code point, not by UTF-16 unit. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
