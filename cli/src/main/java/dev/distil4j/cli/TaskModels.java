package dev.distil4j.cli;

import dev.distil4j.model.Model;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the model of a pipeline command: {@code --model}, optionally with another tokenizer file. */
final class TaskModels {
    private TaskModels() {}

    /**
     * @param tokenizerJson a {@code tokenizer.json} to use instead of the model directory's tokenizer
     *                      files (null: the directory's {@code tokenizer.json}, else its legacy vocabulary)
     */
    static PipelineModel load(String modelSpec, Path tokenizerJson) {
        Path dir = ModelLocator.resolve(modelSpec);
        if (tokenizerJson == null) return PipelineModel.load(dir);
        if (!Files.isRegularFile(tokenizerJson)) throw new UserException("--tokenizer " + tokenizerJson + " is not a file");
        Tokenizer tok = Tokenizer.fromTokenizerJson(tokenizerJson);
        return new PipelineModel(dir, tok, Model.load(dir));
    }
}
