package dev.distil4j.pipeline;

import dev.distil4j.model.Model;
import dev.distil4j.tokenizer.Tokenizer;

import java.nio.file.Path;

/**
 * A tokenizer and the encoder it feeds, loaded from one Hugging Face model directory: what every
 * pipeline runs on. Thread-safe; owns the model (close it when done).
 *
 * @param dir       where it was loaded from
 * @param tokenizer {@code tokenizer.json}, else the legacy vocabulary files
 * @param model     the encoder with the head that {@code config.json} names
 */
public record PipelineModel(Path dir, Tokenizer tokenizer, Model model) implements AutoCloseable {

    public static PipelineModel load(Path dir) {
        return load(dir, Model.Options.defaults());
    }

    public static PipelineModel load(Path dir, Model.Options options) {
        Tokenizer tokenizer = Tokenizer.fromDirectory(dir);
        return new PipelineModel(dir, tokenizer, Model.load(dir, options));
    }

    /** The task this model's head serves (the Inference API's "pipeline_tag"). */
    public Task task() {
        return Task.of(model.headType());
    }

    /** The longest input the model takes: the smaller of the tokenizer's {@code model_max_length} and the positions. */
    public int maxLength() {
        int positions = model.config().maxPositionEmbeddings()
                - (model.config().architecture() == dev.distil4j.model.Architecture.ROBERTA ? model.config().padTokenId() + 1 : 0);
        int tok = tokenizer.modelMaxLength();
        return tok > 0 ? Math.min(tok, positions) : positions;
    }

    @Override
    public void close() {
        model.close();
    }
}
