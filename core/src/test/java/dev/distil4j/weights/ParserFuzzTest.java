package dev.distil4j.weights;

import dev.distil4j.model.ConfigException;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.testutil.Bounds;
import dev.distil4j.testutil.Fuzz;
import dev.distil4j.testutil.Shared;
import dev.distil4j.testutil.StFiles;
import dev.distil4j.testutil.StFiles.T;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A few thousand mutations of real and hand-made files per parser, fixed seeds. Each must load (and
 * then hand out tensors that match their shapes) or fail with the parser's own exception and a
 * message that names the file; never another exception, never more than a bounded heap.
 */
class ParserFuzzTest {
    private static final int INPUTS = 3000;
    private static final long HEAP = 32L << 20;
    @TempDir
    Path tmp;

    private static List<String> tokens(String... extra) {
        List<String> t = new ArrayList<>(Fuzz.JSON_TOKENS);
        t.addAll(List.of(extra));
        return t;
    }

    /** Every tensor of an opened checkpoint, read: shape and data must agree. */
    private static void readAll(Weights w) {
        for (String n : w.names()) {
            TensorInfo info = w.info(n).orElseThrow();
            if (info.dtype().widensToFloat()) assertEquals(info.numel(), w.floats(n).toArray().length, n);
        }
    }

    @Test
    void safetensorsHeaders() throws Exception {
        Map<String, T> a = StFiles.map();
        a.put("w", T.f32(new long[] {2, 3}, 1, 2, 3, 4, 5, 6));
        ByteBuffer f16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[] {0.5f, -2f, 1024f, 3f}) f16.putShort(Float.floatToFloat16(v));
        a.put("h", new T("F16", new long[] {4}, f16.array()));
        a.put("ids", new T("I64", new long[] {1, 2}, new byte[16]));
        Map<String, T> b = StFiles.map();
        b.put("bf", new T("BF16", new long[] {2}, new byte[] {0, 0x3f, 0, (byte) 0xc0}));
        b.put("empty", new T("F32", new long[] {0, 3}, new byte[0]));
        List<byte[]> seeds = List.of(Files.readAllBytes(StFiles.write(tmp.resolve("a"), a)),
                Files.readAllBytes(StFiles.write(tmp.resolve("b"), b)));
        Fuzz fuzz = new Fuzz(101, tokens("\"F32\"", "\"data_offsets\"", "\"shape\"", "\"__metadata__\""));
        Path f = tmp.resolve("fuzz.safetensors");
        int loaded = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] input = i % 2 == 0 ? fuzz.bytes(seed) : withHeader(seed, fuzz.json(header(seed)));
            Files.write(f, input);
            Bounds.Outcome o = Bounds.measure(() -> {
                try (SafeTensors st = SafeTensors.open(f)) {
                    readAll(st);
                }
            });
            Fuzz.check(i, input, o, WeightsException.class, f.toString(), HEAP);
            if (o.thrown() == null) loaded++;
        }
        assertTrue(loaded > 10 && loaded < INPUTS / 2, "mutations should mostly fail, some load: " + loaded);
    }

    private static byte[] header(byte[] file) {
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return Arrays.copyOfRange(file, 8, 8 + (int) n);
    }

    /** {@code file} with its header replaced by {@code header} (and the length field updated). */
    private static byte[] withHeader(byte[] file, byte[] header) {
        int old = header(file).length;
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + file.length - 8 - old).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header).put(file, 8 + old, file.length - 8 - old);
        return out.array();
    }

    private static byte[] realPickle() throws Exception {
        try (ZipFile z = new ZipFile(Shared.path("fixtures/hf-tiny-distilbert/pytorch_model.bin").toFile())) {
            return z.getInputStream(z.getEntry("pytorch_model/data.pkl")).readAllBytes();
        }
    }

    /** Strided, half-precision and shared-storage tensors over four tiny storages. */
    private static byte[] handPickle() {
        PickleBuilder p = new PickleBuilder().proto(2).op('}').mark();
        p.str("plain").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {3, 1});
        p.str("transposed").tensor("FloatStorage", "0", 6, 0, new int[] {3, 2}, new int[] {1, 3});
        p.str("half").tensor("HalfStorage", "1", 4, 0, new int[] {4}, new int[] {1});
        p.str("ids").tensor("LongStorage", "2", 1, 0, new int[] {1}, new int[] {1});
        return p.op('u').stop().bytes();
    }

    private static final List<String> OPCODES = List.of("(", "t", ")", "\u0085", "\u0086", "\u0087", "}", "]", "s", "u", "a",
            "e", "l", "d", "R", "b", "Q", "h\u0000", "q\u0000", "j\u00ff\u00ff\u00ff\u00ff", "0", "1", "2", ".", "N",
            "\u008a\u0008\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f", "X\u00ff\u00ff\u00ff\u007f", "\u0093", "\u0094",
            "ctorch._tensor\n_rebuild_from_type_v2\n", "ctorch._utils\n_rebuild_tensor_v2\n", "ctorch\nTensor\n",
            "ccollections\nOrderedDict\n", "ctorch\nFloatStorage\n", "cos\nsystem\n");

    @Test
    void pickles() throws Exception {
        List<byte[]> seeds = List.of(realPickle(), handPickle());
        Fuzz fuzz = new Fuzz(202, OPCODES);
        int loaded = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = fuzz.bytes(seeds.get(i % seeds.size()));
            // a small stack: nothing the pickle nests may recurse
            Bounds.Outcome o = Bounds.onStack(256 * 1024, () -> RestrictedUnpickler.load("fuzz.pkl", input, pid -> pid));
            Fuzz.check(i, input, o, WeightsException.class, "fuzz.pkl: ", HEAP);
            if (o.thrown() == null) loaded++;
        }
        assertTrue(loaded > 10, "some mutations keep a valid pickle: " + loaded);
    }

    @Test
    void torchCheckpoints() throws Exception {
        Map<String, byte[]> storages = new LinkedHashMap<>();
        ByteBuffer floats = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) floats.putFloat(i);
        storages.put("0", floats.array());
        storages.put("1", new byte[8]);
        storages.put("2", new byte[8]);
        Path seedFile = tmp.resolve("seed.bin");
        PickleBuilder.torchZip(seedFile, handPickle(), storages);
        byte[] stored = Files.readAllBytes(seedFile);
        byte[] deflated = PickleBuilder.torchZipDeflated(handPickle(), storages);
        Fuzz fuzz = new Fuzz(303, OPCODES);
        Path f = tmp.resolve("fuzz.bin");
        int loaded = 0;
        for (int i = 0; i < INPUTS; i++) {
            // the zip itself, or a valid zip around a mutated pickle
            byte[] input = switch (i % 3) {
                case 0 -> fuzz.bytes(stored);
                case 1 -> fuzz.bytes(deflated);
                default -> PickleBuilder.torchZipDeflated(fuzz.bytes(handPickle()), storages);
            };
            Files.write(f, input);
            Bounds.Outcome o = Bounds.measure(() -> {
                try (TorchCheckpoint w = TorchCheckpoint.open(f)) {
                    readAll(w);
                }
            });
            Fuzz.check(i, input, o, WeightsException.class, f.toString(), HEAP);
            if (o.thrown() == null) loaded++;
        }
        assertTrue(loaded > 10, "some mutations keep a valid checkpoint: " + loaded);
    }

    @Test
    void configJson() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (String m : List.of("fixtures/models/distilbert-seqcls", "fixtures/models/roberta-mlm", "real/bert-base-uncased",
                "real/all-MiniLM-L6-v2")) {
            seeds.add(Files.readAllBytes(Shared.path(m).resolve("config.json")));
        }
        Fuzz fuzz = new Fuzz(404, tokens("\"model_type\"", "\"distilbert\"", "\"num_labels\"", "\"id2label\""));
        Path f = tmp.resolve("config.json");
        int loaded = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] input = i % 4 == 0 ? fuzz.bytes(seed) : fuzz.json(seed);
            Files.write(f, input);
            Bounds.Outcome o = Bounds.measure(() -> ModelConfig.read(f));
            Fuzz.check(i, input, o, ConfigException.class, f.toString(), HEAP);
            if (o.thrown() == null) loaded++;
        }
        assertTrue(loaded > 10 && loaded < INPUTS, "some mutations load, not all: " + loaded);
    }
}
