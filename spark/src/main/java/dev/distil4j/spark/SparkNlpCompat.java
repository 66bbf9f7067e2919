package dev.distil4j.spark;

import dev.distil4j.model.ModelConfig;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.SparkNlpEmbeddings;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link WordEmbeddings} in its Spark NLP compatibility mode ({@code compatibility = "spark-nlp"}): the
 * rows {@link SparkNlpEmbeddings} gives, as Spark NLP's annotations or as distil4j's word structs.
 */
final class SparkNlpCompat {
    static final String TRANSFORMERS = "transformers";
    static final String SPARK_NLP = "spark-nlp";

    private SparkNlpCompat() {}

    /**
     * @param caseSensitive null: as the model (an uncased model's tokens are lower-cased, a cased model's kept),
     *                      the value a Spark NLP model imported from it carries
     * @param maxLength     0: Spark NLP's 128
     */
    static RowTask.Runner<WordEmbeddings.Input> runner(PipelineModel model, Boolean caseSensitive, int maxLength, int batchSize,
                                                      boolean annotations) {
        boolean sensitive = caseSensitive != null ? caseSensitive : !WordEmbeddings.lowercases(model.tokenizer().normalizer());
        int max = maxLength > 0 ? maxLength : Math.min(SparkNlpEmbeddings.DEFAULT_MAX_SENTENCE_LENGTH, model.maxLength());
        SparkNlpEmbeddings emb = new SparkNlpEmbeddings(model, max, sensitive, batchSize);
        return inputs -> {
            List<String> texts = new ArrayList<>(inputs.size());
            for (WordEmbeddings.Input in : inputs) texts.add(in.text());
            List<SparkNlpEmbeddings.Document> docs = emb.documents(texts);
            List<Object> out = new ArrayList<>(inputs.size());
            for (int i = 0; i < docs.size(); i++) {
                List<SparkNlpEmbeddings.WordAnnotation> words = docs.get(i).words();
                Row[] rows = new Row[words.size()];
                for (int k = 0; k < rows.length; k++) {
                    SparkNlpEmbeddings.WordAnnotation w = words.get(k);
                    rows[k] = annotations
                            ? WordEmbeddings.annotation(w.begin(), w.end(), w.result(), w.metadata(), w.vector())
                            : RowFactory.create(texts.get(i).substring(w.begin(), w.end() + 1), w.begin(), w.end() + 1, w.sentence(),
                                    w.vector());
                }
                out.add(rows);
            }
            return out;
        };
    }

    /** The hidden size in the model's config.json, read where the driver resolves the model. */
    static int hiddenSize(String modelSpec) {
        Path dir;
        try {
            dir = ModelLocator.modelDirectory(modelSpec);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the annotation column's dimension comes from the model's config.json, but the driver "
                    + "cannot resolve " + modelSpec + " (" + e.getMessage() + "); set it with setDimension", e);
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("the annotation column's dimension comes from the model's config.json, and " + dir
                    + " has none; set it with setDimension");
        }
        return ModelConfig.read(config).hiddenSize();
    }
}
