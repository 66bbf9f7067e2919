package dev.distil4j.bench.encoder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime on exactly the weights distil4j runs: a weight-less graph from ../shared/onnx fed
 * with tensors that wrap the memory-mapped model.safetensors (no copy; route A of
 * ../shared/README.md). Only the graph's external initializers are passed, under the graph's
 * names (no model prefix). The tensors and the mapping live as long as the session.
 */
final class OrtEncoder implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<OnnxTensor> initializers;
    private final MappedByteBuffer mapping; // referenced so the mapping outlives the session
    private final boolean tokenTypes;
    final int hidden;

    OrtEncoder(Path graphOnnx, Path graphJson, Path safetensors, int threads) throws IOException, OrtException {
        env = OrtEnvironment.getEnvironment();
        JsonNode graph = JSON.readTree(Files.readString(graphJson));
        String prefix = graph.path("hf_prefix").asText("");
        try (FileChannel ch = FileChannel.open(safetensors, StandardOpenOption.READ)) {
            mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        long headerLen = mapping.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] h = new byte[(int) headerLen];
        mapping.get(8, h);
        JsonNode header = JSON.readTree(new String(h, StandardCharsets.UTF_8));
        long dataStart = 8 + headerLen;
        Map<String, OnnxTensorLike> inits = new LinkedHashMap<>();
        initializers = new ArrayList<>();
        for (JsonNode e : graph.get("external_initializers")) {
            String name = e.get("name").asText();
            String key = !prefix.isEmpty() && header.has(prefix + "." + name) ? prefix + "." + name : name;
            JsonNode entry = header.get(key);
            if (entry == null) throw new IllegalArgumentException(safetensors + " has no tensor " + name + " (nor " + prefix + "." + name + ")");
            if (!"F32".equals(entry.get("dtype").asText())) throw new IllegalArgumentException(key + " is not F32");
            long begin = entry.get("data_offsets").get(0).asLong(), end = entry.get("data_offsets").get(1).asLong();
            FloatBuffer fb = mapping.slice((int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asLong();
            OnnxTensor t = OnnxTensor.createTensor(env, fb, shape);
            initializers.add(t);
            inits.put(name, t);
        }
        boolean tt = false;
        for (JsonNode in : graph.get("inputs")) tt |= in.get("name").asText().equals("token_type_ids");
        tokenTypes = tt;
        JsonNode out = graph.get("outputs").get(0).get("shape");
        hidden = out.get(out.size() - 1).asInt();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.addExternalInitializers(inits);
            session = env.createSession(Files.readAllBytes(graphOnnx), o);
        }
    }

    /** last_hidden_state [batch * seq * hidden] for int ids (all tokens attended unless a mask is given). */
    float[] forward(int[][] ids, int[][] mask) throws OrtException {
        int batch = ids.length, seq = ids[0].length;
        long[] idsL = new long[batch * seq], maskL = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                idsL[b * seq + i] = ids[b][i];
                maskL[b * seq + i] = mask == null ? 1 : mask[b][i];
            }
        }
        long[] shape = {batch, seq};
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(idsL), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(maskL), shape));
            if (tokenTypes) inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch * seq]), shape));
            try (OrtSession.Result r = session.run(inputs)) {
                OnnxTensor out = (OnnxTensor) r.get("last_hidden_state").orElseThrow();
                FloatBuffer fb = out.getFloatBuffer();
                float[] y = new float[fb.remaining()];
                fb.get(y);
                return y;
            }
        } finally {
            for (OnnxTensor t : inputs.values()) t.close();
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
        for (OnnxTensor t : initializers) t.close();
    }
}
