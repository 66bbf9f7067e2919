package dev.distil4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.Shared;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.SafeTensorsWriter;
import dev.distil4j.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConverterTest {
    @TempDir
    Path tmp;

    private static Path tiny() {
        return Shared.path("fixtures/hf-tiny-distilbert");
    }

    /** The tiny model with only its pytorch_model.bin, so conversion really changes format. */
    private Path binOnly() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("bin"));
        for (String f : List.of("config.json", "pytorch_model.bin", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(tiny().resolve(f), d.resolve(f));
        }
        return d;
    }

    @Test
    void convertedCheckpointReloadsIdentically() throws IOException {
        Path out = tmp.resolve("out");
        Converter.Result r = Converter.convert(binOnly(), out, DType.F32);
        assertEquals(List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"), r.copiedFiles());
        try (SafeTensors a = SafeTensors.open(tiny().resolve("model.safetensors"));
             SafeTensors b = SafeTensors.open(out.resolve("model.safetensors"))) {
            assertEquals("pt", b.metadata().get("format"));
            assertEquals(a.names().stream().sorted().toList(), b.names().stream().sorted().toList());
            for (String n : a.names()) assertArrayEquals(a.floats(n).toArray(), b.floats(n).toArray(), n);
        }
        JsonNode before = Goldens.read(tiny().resolve("config.json")), after = Goldens.read(out.resolve("config.json"));
        assertEquals(before, after); // torch_dtype was float32 already
        // and the model computes the same outputs (to the last bits the multi-threaded kernels vary in from run to run)
        try (Model m1 = Model.load(tiny()); Model m2 = Model.load(out)) {
            for (Goldens.Case c : Goldens.cases(tiny().resolve("goldens"))) {
                ModelOutput o1 = m1.forward(c.input()), o2 = m2.forward(c.input());
                Goldens.assertClose(c.name(), o1.lastHiddenState().data(), o2.lastHiddenState().data(), 1e-6, 1e-6);
                Goldens.assertClose(c.name(), c.output("last_hidden_state").data(), o2.lastHiddenState().data(), 1e-4, 1e-5);
            }
        }
        // the header is what the reference implementation writes: 8-byte aligned JSON
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(out.resolve("model.safetensors"))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, head.getLong(0) % 8);
    }

    @Test
    void halfAndBfloatRoundTripAsDocumented() throws IOException {
        for (DType dt : List.of(DType.F16, DType.BF16)) {
            String name = dt.name().toLowerCase();
            Path a = tmp.resolve(name), back = tmp.resolve(name + "-f32"), again = tmp.resolve(name + "-again");
            Converter.convert(tiny(), a, dt);
            assertEquals(dt == DType.F16 ? "float16" : "bfloat16", Goldens.read(a.resolve("config.json")).get("torch_dtype").asText());
            try (SafeTensors src = SafeTensors.open(tiny().resolve("model.safetensors"));
                 SafeTensors half = SafeTensors.open(a.resolve("model.safetensors"))) {
                double maxRel = 0;
                for (String n : src.names()) {
                    assertEquals(dt, half.info(n).orElseThrow().dtype());
                    float[] x = src.floats(n).toArray(), y = half.floats(n).toArray();
                    for (int i = 0; i < x.length; i++) {
                        float want = dt == DType.F16 ? Float.float16ToFloat(Float.floatToFloat16(x[i]))
                                : SafeTensorsWriter.fromBFloat16(SafeTensorsWriter.toBFloat16(x[i]));
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(y[i]), n + "[" + i + "]");
                        if (Math.abs(x[i]) >= 0x1p-14f) maxRel = Math.max(maxRel, Math.abs((y[i] - x[i]) / x[i])); // normal range
                    }
                }
                double bound = dt == DType.F16 ? 0x1p-11 : 0x1p-8;
                assertTrue(maxRel <= bound, dt + " relative error " + maxRel + " > " + bound);
            }
            // widening back to f32 is exact, and narrowing again gives the same bytes
            Converter.convert(a, back, DType.F32);
            Converter.convert(back, again, dt);
            assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(again.resolve("model.safetensors")));
            try (Model m = Model.load(a)) {
                Goldens.Case c = Goldens.cases(tiny().resolve("goldens")).get(0);
                double d = Goldens.maxAbsDiff(c.output("last_hidden_state").data(), m.forward(c.input()).lastHiddenState().data());
                System.out.println("hf-tiny-distilbert as " + dt + ": max abs diff vs float32 goldens " + d);
                assertTrue(d < (dt == DType.F16 ? 1e-2 : 5e-2), dt + ": " + d);
            }
        }
    }

    @Test
    void roundingIsToNearestEven() {
        // bfloat16 keeps 8 significant bits: 1 + 2^-8 is a tie and goes to the even 1.0; 1 + 3*2^-8 goes up
        assertEquals(1.0f, bf(1.00390625f));
        assertEquals(1.015625f, bf(1.01171875f));
        assertEquals(1.0078125f, bf(1.0078125f));
        assertEquals(Float.POSITIVE_INFINITY, bf(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(bf(Float.NaN)));
        assertEquals(-0.0f, bf(-0.0f));
        assertEquals(Float.POSITIVE_INFINITY, bf(Float.MAX_VALUE)); // rounds past the largest bfloat16, as in PyTorch
        assertEquals(3.3895314e38f, bf(3.3895314e38f));
        // float16: beyond 65504 is infinity (as PyTorch), ties to even
        assertEquals(Float.POSITIVE_INFINITY, Float.float16ToFloat(Float.floatToFloat16(1e5f)));
        assertEquals(2048f, Float.float16ToFloat(Float.floatToFloat16(2049f)));
    }

    private static float bf(float f) {
        return SafeTensorsWriter.fromBFloat16(SafeTensorsWriter.toBFloat16(f));
    }

    @Test
    void nonFloatTensorsAreReportedAndLeftOut() throws IOException {
        // an old-style checkpoint carrying the int64 position_ids buffer next to a float weight
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.copy(tiny().resolve("config.json"), src.resolve("config.json"));
        byte[] header = ("{\"embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).putLong(0).putLong(1).putFloat(1.5f).putFloat(-2f);
        Files.write(src.resolve("model.safetensors"), b.array());
        Path out = tmp.resolve("o");
        Converter.Result r = Converter.convert(src, out, DType.F32);
        assertEquals(List.of("embeddings.position_ids (I64)"), r.skipped());
        assertEquals(1, r.tensors());
        try (SafeTensors st = SafeTensors.open(out.resolve("model.safetensors"))) {
            assertArrayEquals(new float[] {1.5f, -2f}, st.floats("w").toArray());
        }
    }

    @Test
    void refusesANonEmptyOutputAndBadDtypes() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(out.resolve("keep.txt"), "x");
        WeightsException e = assertThrows(WeightsException.class, () -> Converter.convert(tiny(), out, DType.F32));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertThrows(WeightsException.class, () -> Converter.parseDtype("int8"));
        assertEquals(DType.BF16, Converter.parseDtype("bfloat16"));
        assertThrows(WeightsException.class, () -> Converter.convert(tiny(), tiny(), DType.F32));
    }

    @Test
    void writerRejectsWrongSizes() {
        SafeTensorsWriter.Entry bad = new SafeTensorsWriter.Entry("x", new long[] {2, 2},
                () -> new FloatTensor("x", new long[] {3}, FloatBuffer.wrap(new float[3])));
        Path f = tmp.resolve("bad.safetensors");
        WeightsException e = assertThrows(WeightsException.class, () -> SafeTensorsWriter.write(f, List.of(bad), DType.F32, null));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertTrue(!Files.exists(f), "a failed write left a file under the final name");
    }
}
