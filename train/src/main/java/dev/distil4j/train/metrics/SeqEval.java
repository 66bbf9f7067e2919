package dev.distil4j.train.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Entity-level scores for token classification, as seqeval's default (non-strict, conlleval-compatible) mode: an
 * entity is a maximal run of B-/I-/E-/S- tags of one type, and it counts as correct only if the prediction has
 * the same type over exactly the same tokens. The lenient decoding accepts IOB1, IOB2, IOE and IOBES alike: an
 * I- or E- after O, after E-/S-, or after another type starts a new entity rather than being an error.
 *
 * <p>Tags must be {@code O} or a prefix {@code B-}, {@code I-}, {@code E-}, {@code S-} followed by a non-empty
 * type. Anything else is rejected with its position instead of being decoded into an accidental entity (seqeval
 * only warns), since a stray tag almost always means the label list and the data disagree.
 */
public final class SeqEval {
    private SeqEval() {}

    /**
     * An entity: its type and first and last token (inclusive, as seqeval's tuples).
     *
     * @param type the tag's suffix, e.g. {@code PER}
     * @param start index of the first token
     * @param end index of the last token, inclusive
     */
    public record Entity(String type, int start, int end) {
        public Entity {
            Objects.requireNonNull(type, "type");
            if (start < 0 || end < start) throw new IllegalArgumentException("bad span [" + start + ", " + end + "]");
        }
    }

    /**
     * The entities of one tag sequence, in order.
     *
     * @throws IllegalArgumentException for a tag that is neither {@code O} nor B-/I-/E-/S- plus a type
     */
    public static List<Entity> entities(List<String> tags) {
        return entities(tags, -1, "tags");
    }

    /**
     * Micro-averaged entity precision, recall and F1, per-type scores, and token accuracy. A score whose
     * denominator is zero (no predicted or no true entity) is 0, as seqeval's default {@code zero_division}.
     *
     * @param trueTags gold tags, one list per sentence
     * @param predictedTags predicted tags, parallel to {@code trueTags}
     * @throws IllegalArgumentException on a different number of sentences, a sentence whose lengths differ (named
     *     by index), an invalid tag, or no tokens at all
     */
    public static TokenClassificationMetrics evaluate(List<List<String>> trueTags, List<List<String>> predictedTags) {
        if (trueTags.size() != predictedTags.size()) {
            throw new IllegalArgumentException(trueTags.size() + " true sentences but " + predictedTags.size()
                    + " predicted");
        }
        Map<String, int[]> perType = new TreeMap<>(); // type -> {correct, predicted, true}
        int tokens = 0, correctTokens = 0;
        for (int s = 0; s < trueTags.size(); s++) {
            List<String> gold = trueTags.get(s), pred = predictedTags.get(s);
            if (gold.size() != pred.size()) {
                throw new IllegalArgumentException("sentence " + s + ": " + gold.size() + " true tags but "
                        + pred.size() + " predicted");
            }
            for (int i = 0; i < gold.size(); i++) if (gold.get(i).equals(pred.get(i))) correctTokens++;
            tokens += gold.size();
            List<Entity> goldEntities = entities(gold, s, "true tags");
            List<Entity> predEntities = entities(pred, s, "predicted tags");
            Set<Entity> goldSet = new HashSet<>(goldEntities);
            for (Entity e : goldEntities) perType.computeIfAbsent(e.type(), t -> new int[3])[2]++;
            for (Entity e : predEntities) {
                int[] c = perType.computeIfAbsent(e.type(), t -> new int[3]);
                c[1]++;
                if (goldSet.contains(e)) c[0]++;
            }
        }
        if (tokens == 0) throw new IllegalArgumentException("no tokens to evaluate");

        Map<String, TokenClassificationMetrics.TypeScores> types = new TreeMap<>();
        int correct = 0, predicted = 0, actual = 0;
        for (Map.Entry<String, int[]> e : perType.entrySet()) {
            int[] c = e.getValue();
            types.put(e.getKey(), scores(c[0], c[1], c[2]));
            correct += c[0];
            predicted += c[1];
            actual += c[2];
        }
        TokenClassificationMetrics.TypeScores micro = scores(correct, predicted, actual);
        return new TokenClassificationMetrics(trueTags.size(), tokens, micro.precision(), micro.recall(), micro.f1(),
                (double) correctTokens / tokens, types);
    }

    private static TokenClassificationMetrics.TypeScores scores(int correct, int predicted, int actual) {
        double p = predicted == 0 ? 0.0 : (double) correct / predicted;
        double r = actual == 0 ? 0.0 : (double) correct / actual;
        double f1 = p + r == 0 ? 0.0 : 2 * p * r / (p + r);
        return new TokenClassificationMetrics.TypeScores(p, r, f1, actual);
    }

    /** Decodes one sentence; a virtual trailing O closes an entity that runs to the end. */
    private static List<Entity> entities(List<String> tags, int sentence, String what) {
        List<Entity> out = new ArrayList<>();
        char prevTag = 'O';
        String prevType = null;
        int begin = 0;
        for (int i = 0; i <= tags.size(); i++) {
            char tag = 'O';
            String type = null;
            if (i < tags.size()) {
                String t = tags.get(i);
                if (!valid(t)) {
                    throw new IllegalArgumentException((sentence >= 0 ? "sentence " + sentence + ", " : "") + what
                            + "[" + i + "] = " + (t == null ? "null" : "\"" + t + "\"")
                            + " is not O or B-/I-/E-/S- followed by a type");
                }
                tag = t.charAt(0);
                type = tag == 'O' ? null : t.substring(2);
            }
            if (endsEntity(prevTag, prevType, tag, type)) out.add(new Entity(prevType, begin, i - 1));
            if (startsEntity(prevTag, prevType, tag, type)) begin = i;
            prevTag = tag;
            prevType = type;
        }
        return out;
    }

    private static boolean valid(String tag) {
        if (tag == null) return false;
        if (tag.equals("O")) return true;
        return tag.length() > 2 && tag.charAt(1) == '-' && "BIES".indexOf(tag.charAt(0)) >= 0;
    }

    /** Whether the entity open at the previous token closes before this one. */
    private static boolean endsEntity(char prevTag, String prevType, char tag, String type) {
        if (prevTag == 'O') return false;
        if (prevTag == 'E' || prevTag == 'S') return true;
        // prevTag is B or I: closed by a new start, by O, or by a change of type
        return tag == 'B' || tag == 'S' || tag == 'O' || !prevType.equals(type);
    }

    /** Whether an entity begins at this token. */
    private static boolean startsEntity(char prevTag, String prevType, char tag, String type) {
        if (tag == 'O') return false;
        if (tag == 'B' || tag == 'S') return true;
        // tag is I or E: continues only an open B-/I- run of the same type
        return prevTag == 'O' || prevTag == 'E' || prevTag == 'S' || !type.equals(prevType);
    }
}
