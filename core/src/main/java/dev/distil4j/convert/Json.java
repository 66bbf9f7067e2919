package dev.distil4j.convert;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.io.JsonInput;
import dev.distil4j.weights.WeightsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** JSON files written as transformers writes them: two-space indent, sorted keys, {@code "key": value}, final newline. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static JsonNode read(Path file) {
        return JsonInput.read(file, WeightsException::new);
    }

    static void write(Path file, JsonNode node) throws IOException {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
                .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
        Object sorted = MAPPER.treeToValue(node, Object.class); // maps, so ORDER_MAP_ENTRIES_BY_KEYS applies
        Files.writeString(file, MAPPER.writer(pp).writeValueAsString(sorted) + "\n");
    }
}
