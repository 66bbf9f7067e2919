package dev.distil4j.weights;

import dev.distil4j.testutil.Shared;
import dev.distil4j.testutil.StFiles;
import dev.distil4j.testutil.StFiles.T;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path tmp;

    static String messageOf(Runnable r) {
        return assertThrows(WeightsException.class, r::run).getMessage();
    }

    @Test
    void readsTheRealHfWrittenFile() {
        Path file = Shared.path("fixtures/hf-tiny-distilbert/model.safetensors");
        try (SafeTensors st = SafeTensors.open(file)) {
            TensorInfo info = st.info("embeddings.word_embeddings.weight").orElseThrow();
            assertEquals(DType.F32, info.dtype());
            assertArrayEquals(new long[] {1124, 32}, info.shape());
            FloatTensor t = st.floats("embeddings.word_embeddings.weight");
            assertEquals(1124 * 32, t.numel());
            assertTrue(t.data().isDirect(), "F32 tensors are views of the mapped file, not heap copies");
            assertTrue(st.metadata().isEmpty(), "this file has no __metadata__");
        }
    }

    @Test
    void widensF16AndBf16() {
        float[] values = {0f, 1f, -2.5f, 65504f, 1e-3f, 3.140625f};
        ByteBuffer f16 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf16 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            f16.putShort(Float.floatToFloat16(v));
            bf16.putShort((short) (Float.floatToIntBits(v) >>> 16)); // truncation; exact for these values' top bits
        }
        Map<String, T> m = StFiles.map();
        m.put("a", new T("F16", new long[] {2, 3}, f16.array()));
        m.put("b", new T("BF16", new long[] {6}, bf16.array()));
        try (SafeTensors st = SafeTensors.open(StFiles.write(tmp.resolve("x.safetensors"), m))) {
            float[] a = st.floats("a").toArray(), b = st.floats("b").toArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), a[i]);
                assertEquals(Float.intBitsToFloat(Float.floatToIntBits(values[i]) & 0xffff0000), b[i]);
            }
            assertEquals(1e-3f, a[4], 1e-6f);
            assertEquals(3.140625f, b[5]);
        }
    }

    @Test
    void truncatedFile() {
        Path ok = StFiles.write(tmp.resolve("ok.safetensors"), Map.of("w", T.f32(new long[] {4}, 1, 2, 3, 4)));
        Path cut = tmp.resolve("cut.safetensors");
        byte[] all = readAll(ok);
        write(cut, java.util.Arrays.copyOf(all, all.length - 3));
        String msg = messageOf(() -> SafeTensors.open(cut));
        assertThat(msg).contains("cut.safetensors").contains("'w'").contains("truncated");
    }

    @Test
    void tooShortForTheLength() {
        Path f = tmp.resolve("tiny.safetensors");
        write(f, new byte[] {1, 2, 3});
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("tiny.safetensors").contains("too short");
    }

    @Test
    void headerLengthPastEof() {
        Path f = StFiles.raw(tmp.resolve("h.safetensors"), 1_000_000, "{}", new byte[0]);
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("h.safetensors").contains("header length 1000000")
                .contains("past the end");
        Path neg = StFiles.raw(tmp.resolve("n.safetensors"), -5, "{}", new byte[0]);
        assertThat(messageOf(() -> SafeTensors.open(neg))).contains("past the end");
    }

    @Test
    void headerNotJson() {
        String h = "{\"w\": {\"dtype\": \"F32\", ";
        Path f = StFiles.raw(tmp.resolve("j.safetensors"), h.length(), h, new byte[0]);
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("j.safetensors").contains("not valid JSON").contains("line 1");
    }

    @Test
    void overlappingOffsets() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Path f = StFiles.raw(tmp.resolve("o.safetensors"), h.length(), h, new byte[12]);
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("o.safetensors").contains("'a'").contains("'b'").contains("overlap");
    }

    @Test
    void gapAndTrailingBytes() {
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Path f = StFiles.raw(tmp.resolve("g.safetensors"), gap.length(), gap, new byte[8]);
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("unused bytes before tensor 'a'");
        String tail = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path t = StFiles.raw(tmp.resolve("t.safetensors"), tail.length(), tail, new byte[9]);
        assertThat(messageOf(() -> SafeTensors.open(t))).contains("9 bytes but the tensors cover 4");
    }

    @Test
    void byteSizeDisagreesWithDtypeAndShape() {
        String h = "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
        Path f = StFiles.raw(tmp.resolve("s.safetensors"), h.length(), h, new byte[24]);
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("'w'").contains("holds 24 bytes").contains("F16 [2, 3] needs 12");
    }

    @Test
    void unknownDtypeAndBadShape() {
        String h = "{\"w\":{\"dtype\":\"F8_E9\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        Path f = StFiles.raw(tmp.resolve("d.safetensors"), h.length(), h, new byte[1]);
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("'w'").contains("unsupported dtype \"F8_E9\"");
        String s = "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
        Path g = StFiles.raw(tmp.resolve("e.safetensors"), s.length(), s, new byte[4]);
        assertThat(messageOf(() -> SafeTensors.open(g))).contains("shape entry 0");
    }

    /** One tensor "w" with the given shape and offsets over {@code dataBytes} zero bytes. */
    private String openOne(String name, String dtype, String shape, String offsets, int dataBytes) {
        String h = "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
        Path f = StFiles.raw(tmp.resolve(name), h.length(), h, new byte[dataBytes]);
        return messageOf(() -> SafeTensors.open(f).close());
    }

    @Test
    void offsetsPast64BitsAreRefusedNotTruncated() {
        // 2^64 + 4 read as a long is 4; 2^64 + 0 is 0; 2^63 is negative; all must be refused, not wrapped into range
        String[] offsets = {"[0,18446744073709551620]", "[18446744073709551616,18446744073709551620]",
                "[9223372036854775808,9223372036854775812]", "[0,99999999999999999999999999999]", "[0,4.0]"};
        for (String o : offsets) {
            assertThat(openOne("off.safetensors", "F32", "[1]", o, 4)).as(o).contains("off.safetensors: tensor 'w'")
                    .contains("\"data_offsets\" must be [begin, end], two integers within the file");
        }
    }

    @Test
    void shapesWhoseElementCountWrapsAreRefused() {
        // [2^32, 2^32] has 2^64 elements: a wrapping product says 0 and matched offsets [0, 0]
        String[] shapes = {"[4294967296,4294967296]", "[65536,65536,65536,65536]", "[4611686018427387904,4]",
                "[9223372036854775807,2]", "[2305843009213693952]"}; // the last: 2^61 elements * 4 bytes = 2^63
        for (String shape : shapes) {
            assertThat(openOne("wrap.safetensors", "F32", shape, "[0,0]", 0)).as(shape)
                    .contains("wrap.safetensors: tensor 'w': shape").contains("is too large");
        }
        // a zero dimension is an empty tensor, whatever the others
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,4294967296],\"data_offsets\":[0,0]}}";
        try (SafeTensors st = SafeTensors.open(StFiles.raw(tmp.resolve("empty.safetensors"), h.length(), h, new byte[0]))) {
            assertEquals(0, st.info("w").orElseThrow().numel());
        }
    }

    @Test
    void metadataMustBeStringsAndTheHeaderUtf8() {
        String h = "{\"__metadata__\":{\"format\":{\"nested\":1}}}";
        Path f = StFiles.raw(tmp.resolve("m.safetensors"), h.length(), h, new byte[0]);
        assertThat(messageOf(() -> SafeTensors.open(f))).contains("m.safetensors: __metadata__ \"format\" must be a string, not object");
        byte[] bad = "{\"__metadata__\":{\"a\":\"\u00ff\"}}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + bad.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(bad.length).put(bad);
        Path u = tmp.resolve("u.safetensors");
        write(u, b.array());
        assertThat(messageOf(() -> SafeTensors.open(u))).isEqualTo(u + ": header is not valid UTF-8");
    }

    @Test
    void nonFloatTensorsAreListedButNotUsable() {
        Map<String, T> m = StFiles.map();
        m.put("position_ids", new T("I64", new long[] {1, 2}, new byte[16]));
        try (SafeTensors st = SafeTensors.open(StFiles.write(tmp.resolve("i.safetensors"), m))) {
            assertEquals(DType.I64, st.info("position_ids").orElseThrow().dtype());
            assertThat(messageOf(() -> st.floats("position_ids"))).contains("I64").contains("only F32, F16 and BF16");
            assertThat(messageOf(() -> st.floats("nope"))).contains("no tensor 'nope'");
        }
    }

    @Test
    void closedWeightsRefuseAccess() {
        SafeTensors st = SafeTensors.open(StFiles.write(tmp.resolve("c.safetensors"), Map.of("w", T.f32(new long[] {1}, 1))));
        st.close();
        assertThrows(IllegalStateException.class, () -> st.floats("w"));
    }

    @Test
    void missingDirectoryContentIsNamed() throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{}");
        assertThat(messageOf(() -> Checkpoints.open(tmp))).contains("no weights found").contains("config.json");
    }

    static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void write(Path p, byte[] b) {
        try {
            Files.write(p, b);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
