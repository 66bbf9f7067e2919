package dev.distil4j.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnprocessableEntityException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static dev.distil4j.server.ServerFixtures.assertClose;
import static dev.distil4j.server.ServerFixtures.l2;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 16.9 and the OpenAI route through real clients from Maven Central: openai-java and
 * langchain4j's {@code OpenAiEmbeddingModel}. 100 inputs in one request (langchain4j's
 * {@code embedAll} sends them together) on a server whose queue holds 40: the server feeds them to its
 * batcher a request's worth at a time. {@code dimensions}, base64, errors as OpenAI clients read them.
 */
class OpenAiClientsTest {
    static final String KEY = "sk-test";
    static InferenceServer server;
    static final List<String> TEXTS = new ArrayList<>();
    static List<float[]> expected, raw;

    @BeforeAll
    static void start() throws Exception {
        for (int i = 0; i < 100; i++) TEXTS.add("Segment " + i + ": the " + (i % 2 == 0 ? "cat" : "dog") + " number " + i * 7 + " sleeps.");
        ServerOptions o = ServerOptions.builder().port(0).apiKey(KEY).maxQueue(40).build();
        server = InferenceServer.start(Map.of("minilm", shared("real/all-MiniLM-L6-v2")), o);
        try (Embeddings e = Embeddings.load(shared("real/all-MiniLM-L6-v2"))) {
            expected = e.sentences(TEXTS);
            SentenceTransformerConfig c = e.sentenceConfig();
            raw = e.withSentenceConfig(c.with(c.pooling(), false)).sentences(TEXTS.subList(0, 2));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey(KEY).maxRetries(0).build();
    }

    static float[] floats(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    @Test
    void openAiJavaEmbedsAHundredInputsInOneRequest() {
        CreateEmbeddingResponse r = openAi().embeddings().create(EmbeddingCreateParams.builder()
                .inputOfArrayOfStrings(TEXTS).model("minilm").build());
        assertEquals(100, r.data().size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, r.data().get(i).index());
            assertClose(expected.get(i), floats(r.data().get(i).embedding()), 1e-5);
        }
        assertEquals("minilm", r.model());
        assertThat(r.usage().promptTokens()).isGreaterThan(1000);
        assertEquals(r.usage().promptTokens(), r.usage().totalTokens());
    }

    @Test
    void openAiJavaDimensionsAndBothEncodings() {
        OpenAIClient client = openAi();
        for (var format : List.of(EmbeddingCreateParams.EncodingFormat.FLOAT, EmbeddingCreateParams.EncodingFormat.BASE64)) {
            CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
                    .inputOfArrayOfStrings(TEXTS.subList(0, 2)).model("minilm").dimensions(128).encodingFormat(format).build());
            for (int i = 0; i < 2; i++) {
                float[] v = floats(r.data().get(i).embedding());
                assertEquals(128, v.length, format.toString());
                assertClose(l2(Arrays.copyOf(raw.get(i), 128)), v, 1e-5);
            }
        }
        CreateEmbeddingResponse single = client.embeddings().create(EmbeddingCreateParams.builder().input(TEXTS.get(3)).model("minilm").build());
        assertClose(expected.get(3), floats(single.data().get(0).embedding()), 1e-5);
    }

    @Test
    void openAiJavaReadsTheErrors() {
        OpenAIClient client = openAi();
        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().input("x").model("gpt-x").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("\"gpt-x\" is not served here");
        List<String> tooMany = Collections.nCopies(OpenAiRoutes.MAX_INPUTS + 1, "x");
        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().inputOfArrayOfStrings(tooMany).model("minilm").build()))
                .isInstanceOf(UnprocessableEntityException.class).hasMessageContaining("batch size 2049 > maximum allowed batch size 2048")
                .satisfies(e -> assertEquals("Validation", ((OpenAIServiceException) e).type().orElse("")));
        OpenAIClient noKey = OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey("wrong").maxRetries(0).build();
        assertThatThrownBy(() -> noKey.embeddings().create(EmbeddingCreateParams.builder().input("x").model("minilm").build()))
                .isInstanceOf(OpenAIServiceException.class).satisfies(e -> assertEquals(401, ((OpenAIServiceException) e).statusCode()));
    }

    @Test
    void langchain4jEmbedAllOfAHundredSegments() {
        List<TextSegment> segments = TEXTS.stream().map(TextSegment::from).toList();
        for (String format : List.of("float", "base64")) {
            OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(server.url() + "/v1").apiKey(KEY).modelName("minilm")
                    .encodingFormat(format).maxRetries(0).build();
            Response<List<dev.langchain4j.data.embedding.Embedding>> r = model.embedAll(segments);
            assertEquals(100, r.content().size(), format);
            for (int i = 0; i < 100; i++) assertClose(expected.get(i), r.content().get(i).vector(), 1e-5);
            assertThat(r.tokenUsage().inputTokenCount()).isGreaterThan(1000);
        }
        OpenAiEmbeddingModel small = OpenAiEmbeddingModel.builder().baseUrl(server.url() + "/v1").apiKey(KEY).modelName("minilm")
                .dimensions(128).maxRetries(0).build();
        float[] v = small.embed(TEXTS.get(0)).content().vector();
        assertClose(l2(Arrays.copyOf(raw.get(0), 128)), v, 1e-5);
    }

    /** OpenAI's limit, 2,048 inputs, on a server whose queue holds 40. */
    @Test
    void twoThousandFortyEightInputsOverPlainHttp() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < OpenAiRoutes.MAX_INPUTS; i++) texts.add("x" + i);
        var r = post(HttpClient.newHttpClient(), server.url() + "/v1/embeddings",
                "{\"input\": " + ServerFixtures.JSON.valueToTree(texts) + ", \"model\": \"minilm\"}", KEY);
        assertEquals(200, r.status(), r.raw().body().substring(0, Math.min(300, r.raw().body().length())));
        assertEquals(OpenAiRoutes.MAX_INPUTS, r.body().get("data").size());
        assertEquals(OpenAiRoutes.MAX_INPUTS - 1, r.body().get("data").get(OpenAiRoutes.MAX_INPUTS - 1).get("index").asInt());
        assertEquals(0, server.queued("minilm"), "nothing left behind in the queue");
    }
}
