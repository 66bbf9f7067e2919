package dev.distil4j.server;

import dev.distil4j.pipeline.FillMask;
import dev.distil4j.pipeline.QuestionAnswering;
import dev.distil4j.pipeline.TextClassification;
import dev.distil4j.pipeline.TokenClassification;
import dev.distil4j.tokenizer.Side;

import java.util.ArrayList;
import java.util.List;

/**
 * What a batch runs: a pipeline call with fixed options on inputs that the request's thread has
 * already tokenised ({@link dev.distil4j.pipeline.PreparedInput}), so the model's worker only runs the
 * model and its post-processing. Ops are records, so two requests with equal options have equal ops
 * and their inputs share batches; inputs with other options wait for a batch of their own.
 */
sealed interface Op {

    /** Runs the op on a batch of prepared inputs of its kind; one output per input. */
    List<?> run(ServedModel m, List<Object> items);

    /** The slot of an input that failed: its request rethrows the cause. */
    record Failure(Throwable cause) {}

    /**
     * Runs a batch; if the batch fails, runs each input alone, so one bad input fails only its own
     * request. A failed input's slot holds a {@link Failure}, Errors included (a stack overflow).
     */
    default List<Object> runIsolated(ServedModel m, List<Object> items) {
        try {
            return new ArrayList<>(run(m, items));
        } catch (Throwable batchFailure) {
            if (items.size() == 1) return List.of(new Failure(batchFailure));
            List<Object> out = new ArrayList<>(items.size());
            for (Object item : items) {
                try {
                    out.add(run(m, List.of(item)).get(0));
                } catch (Throwable e) {
                    out.add(new Failure(e));
                }
            }
            return out;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<Object> items) {
        return (List<T>) (List<?>) items;
    }

    /** @param targets the options' targets, resolved (null when there are none) */
    record FillMaskOp(FillMask.Options options, FillMask.Targets targets) implements Op {
        @Override
        public List<?> run(ServedModel m, List<Object> items) {
            return m.fillMask().predictPrepared(cast(items), options, targets);
        }
    }

    /** Scores per label; {@code side} is where over-long inputs were cut (when the options truncate). */
    record ClassifyOp(TextClassification.Options options, boolean labelOrder, Side side) implements Op {
        @Override
        public List<?> run(ServedModel m, List<Object> items) {
            List<TextClassification.Prepared> in = cast(items);
            TextClassification c = m.classifier(side);
            return labelOrder ? c.scoresInLabelOrderPrepared(in, options) : c.classifyPrepared(in, options);
        }
    }

    record NerOp(TokenClassification.Options options) implements Op {
        @Override
        public List<?> run(ServedModel m, List<Object> items) {
            return m.ner().predictPrepared(cast(items), options);
        }
    }

    record QaOp(QuestionAnswering.Options options) implements Op {
        @Override
        public List<?> run(ServedModel m, List<Object> items) {
            return m.qa().predictPrepared(cast(items), options);
        }
    }

    /**
     * Raw sentence vectors: pooled, through any Dense modules, not normalised (TEI /embed, OpenAI,
     * sentence-transformers feature extraction normalise afterwards, as asked).
     */
    record SentenceOp(Side side) implements Op {
        @Override
        public List<?> run(ServedModel m, List<Object> items) {
            return m.rawEmbeddings(side).sentencesPrepared(cast(items));
        }
    }

    /** Token vectors (TEI /embed_all, feature extraction on a plain encoder). */
    record TokensOp(Side side) implements Op {
        @Override
        public List<?> run(ServedModel m, List<Object> items) {
            return m.rawEmbeddings(side).tokensPrepared(cast(items));
        }
    }

    /** SPLADE vectors over the vocabulary from a masked-language-model head (TEI /embed_sparse). */
    record SpladeOp(Side side) implements Op {
        @Override
        public List<?> run(ServedModel m, List<Object> items) {
            return Splade.vectors(m.headModel(side), cast(items));
        }
    }
}
