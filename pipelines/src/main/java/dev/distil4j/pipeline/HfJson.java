package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Shared pieces of the Hugging Face JSON shapes. Each task renders its own results with a static
 * {@code toHfJson} ({@link FillMask#toHfJson}, {@link TextClassification#toHfJson}, ...) and
 * runs a whole Inference-API style call ({@code inputs} + {@code parameters}) with {@code callHf};
 * this class holds what they share.
 *
 * <p>Scores are float32 values written as the double of the same value, as Python prints a numpy
 * float32 converted with {@code .item()} ({@code 0.23433858156204224}, not {@code 0.23433858}).
 */
public final class HfJson {
    /** A plain mapper: the JSON of this package has no custom types. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private HfJson() {}

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A float32 score as Python would print it. */
    public static JsonNode score(float v) {
        return DoubleNode.valueOf(v);
    }
}
