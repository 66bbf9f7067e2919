package dev.distil4j.bench.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encode throughput of distil4j's tokenizer and of Hugging Face's Rust tokenizer (DJL), loaded from the
 * same tokenizer.json, on the same corpus, in the same JVM. One operation encodes the whole corpus
 * (text by text, special tokens added, no padding), so the score is corpora per second.
 *
 * <p>The corpus: every distinct text of the shared tokenizer goldens (351 strings in ~50 languages and
 * scripts: English, German, French, Chinese, Japanese, Korean, Arabic, Hindi, Russian, Thai, emoji, code,
 * URLs, long texts, odd whitespace) plus the question-answering contexts of the pipeline goldens.
 * System property {@code distil4j.shared} points at the shared data (default {@code ../shared}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TokenizerBenchmark {

    /** Which tokenizer: a tokenizer.json of the shared data, or one written from legacy files. */
    @Param({"bert-base-uncased", "bert-base-multilingual-cased", "roberta-base"})
    public String tokenizer;

    private List<String> corpus;
    private Tokenizer distil4j;
    private HuggingFaceTokenizer rust;
    private Path tmp;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path shared = Path.of(System.getProperty("distil4j.shared", "../shared"));
        if (!Files.isRegularFile(shared.resolve("README.md"))) {
            throw new IllegalStateException("shared data not found at " + shared.toAbsolutePath()
                    + " (set -Ddistil4j.shared=...)");
        }
        corpus = corpus(shared);
        tmp = Files.createTempDirectory("tokenizer-bench");
        Path json = tmp.resolve("tokenizer.json");
        switch (tokenizer) {
            case "bert-base-uncased" -> Files.copy(shared.resolve("fixtures/vocab/distilbert-base-uncased/tokenizer.json"), json);
            case "bert-base-multilingual-cased" -> Tokenizer.fromWordPieceVocab(
                    shared.resolve("fixtures/vocab/bert-base-multilingual-cased/vocab.txt"), Map.of("do_lower_case", false)).save(json);
            case "roberta-base" -> Tokenizer.fromBpeFiles(shared.resolve("fixtures/vocab/roberta-base/vocab.json"),
                    shared.resolve("fixtures/vocab/roberta-base/merges.txt"), Map.of()).save(json);
            default -> throw new IllegalArgumentException("unknown tokenizer " + tokenizer);
        }
        distil4j = Tokenizer.fromTokenizerJson(json);
        rust = HuggingFaceTokenizer.newInstance(json,
                Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
        // sanity: both produce the same ids on the corpus, or the comparison means nothing
        for (String t : corpus) {
            long[] r = rust.encode(t).getIds();
            Encoding e = distil4j.encode(t);
            if (r.length != e.length()) {
                throw new IllegalStateException("distil4j and Rust disagree on " + t);
            }
            for (int i = 0; i < r.length; i++) {
                if (r[i] != e.idAt(i)) {
                    throw new IllegalStateException("distil4j and Rust disagree on " + t);
                }
            }
        }
    }

    static List<String> corpus(Path shared) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Set<String> texts = new LinkedHashSet<>();
        for (String line : Files.readAllLines(shared.resolve("fixtures/tokenizers/bert-base-multilingual-cased.jsonl"))) {
            if (!line.isBlank()) {
                texts.add(json.readTree(line).get("text").asText());
            }
        }
        JsonNode qa = json.readTree(shared.resolve("fixtures/goldens/distilbert-qa/question_answering.json").toFile());
        qa.findValues("context").forEach(n -> {
            if (n.isTextual()) {
                texts.add(n.asText());
            }
        });
        return new ArrayList<>(texts);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        rust.close();
        try (var files = Files.list(tmp)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(tmp);
    }

    @Benchmark
    public void distil4j(Blackhole bh) {
        for (String t : corpus) {
            bh.consume(distil4j.encode(t));
        }
    }

    @Benchmark
    public void rustDjl(Blackhole bh) {
        for (String t : corpus) {
            bh.consume(rust.encode(t));
        }
    }

    /**
     * DJL's batch call: one JNI crossing for the corpus, and Rust encodes the batch on all cores (rayon),
     * so this is not a single-thread comparison; shown for what a batch API costs.
     */
    @Benchmark
    public void rustDjlBatch(Blackhole bh) {
        bh.consume(rust.batchEncode(corpus));
    }
}
