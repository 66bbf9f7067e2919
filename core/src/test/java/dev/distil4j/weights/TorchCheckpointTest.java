package dev.distil4j.weights;

import dev.distil4j.model.Model;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointTest {
    @TempDir
    Path tmp;

    private static Path tiny() {
        return Shared.path("fixtures/hf-tiny-distilbert");
    }

    @Test
    void binAndSafetensorsHoldIdenticalTensors() {
        try (Weights bin = TorchCheckpoint.open(tiny().resolve("pytorch_model.bin"));
             Weights st = SafeTensors.open(tiny().resolve("model.safetensors"))) {
            assertEquals(st.names().stream().sorted().toList(), bin.names().stream().sorted().toList());
            assertTrue(bin.names().size() > 40, "tiny distilbert has 5 layers of tensors: " + bin.names().size());
            for (String n : st.names()) {
                assertArrayEquals(st.info(n).orElseThrow().shape(), bin.info(n).orElseThrow().shape(), n);
                assertEquals(DType.F32, bin.info(n).orElseThrow().dtype(), n);
                float[] a = st.floats(n).toArray(), b = bin.floats(n).toArray();
                for (int i = 0; i < a.length; i++) {
                    if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                        throw new AssertionError(n + "[" + i + "]: safetensors " + a[i] + ", bin " + b[i]);
                    }
                }
            }
        }
    }

    @Test
    void binAndSafetensorsBothMatchGoldens() {
        ModelConfig config = ModelConfig.read(tiny().resolve("config.json"));
        double worst = 0;
        for (String file : new String[] {"pytorch_model.bin", "model.safetensors"}) {
            try (Model model = Model.load(config, Checkpoints.openFile(tiny().resolve(file)), Model.Options.defaults())) {
                for (Goldens.Case c : Goldens.cases(tiny().resolve("goldens"))) {
                    ModelOutput out = model.forward(c.input());
                    Goldens.Array want = c.output("last_hidden_state");
                    assertArrayEquals(want.shape(), out.lastHiddenState().shape(), c.name());
                    Goldens.assertClose(file + " " + c.name(), want.data(), out.lastHiddenState().data(), 1e-4, 1e-5);
                    worst = Math.max(worst, Goldens.maxAbsDiff(want.data(), out.lastHiddenState().data()));
                }
            }
        }
        System.out.println("hf-tiny-distilbert bin+safetensors vs goldens: max abs diff " + worst);
    }

    @Test
    void checkpointsOpenPrefersSafetensorsAndFindsBin() throws Exception {
        try (Weights w = Checkpoints.open(tiny())) {
            assertTrue(w instanceof SafeTensors);
        }
        Path dir = Files.createDirectory(tmp.resolve("binonly"));
        Files.copy(tiny().resolve("pytorch_model.bin"), dir.resolve("pytorch_model.bin"));
        try (Weights w = Checkpoints.open(dir)) {
            assertTrue(w instanceof TorchCheckpoint);
        }
    }

    @Test
    void refusesOsSystemAndRunsNothing() {
        Path marker = tmp.resolve("pwned");
        byte[] evil = new PickleBuilder().proto(2)
                .global("os", "system").mark().str("touch " + marker).tuple().reduce().stop().bytes();
        Path file = tmp.resolve("pytorch_model.bin");
        PickleBuilder.torchZip(file, evil, Map.of());
        WeightsException e = assertThrows(WeightsException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("'os.system'"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(Files.exists(marker), "the pickle's command ran");

        // the same through the directory dispatcher
        WeightsException viaDir = assertThrows(WeightsException.class, () -> Checkpoints.open(tmp));
        assertTrue(viaDir.getMessage().contains("os.system"), viaDir.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void refusesOtherCodePaths() {
        // STACK_GLOBAL builtins.eval
        byte[] eval = new PickleBuilder().proto(4).shortStr("builtins").shortStr("eval").op(0x93)
                .mark().str("__import__('os').system('true')").tuple().reduce().stop().bytes();
        WeightsException e1 = assertThrows(WeightsException.class, () -> RestrictedUnpickler.load("t", eval, null));
        assertTrue(e1.getMessage().contains("'builtins.eval'"), e1.getMessage());
        // posix.system (what pickle writes for os.system on Linux)
        byte[] posix = new PickleBuilder().proto(2).global("posix", "system").mark().str("id").tuple().reduce().stop().bytes();
        assertTrue(assertThrows(WeightsException.class, () -> RestrictedUnpickler.load("t", posix, null))
                .getMessage().contains("posix.system"));
        // NEWOBJ on an allowed class is still refused
        byte[] newobj = new PickleBuilder().proto(2).global("collections", "OrderedDict").op(')').op(0x81).stop().bytes();
        assertTrue(assertThrows(WeightsException.class, () -> RestrictedUnpickler.load("t", newobj, null))
                .getMessage().contains("NEWOBJ"));
        // INST (protocol 0 class call)
        byte[] inst = new PickleBuilder().mark().raw("ios\nsystem\n".getBytes()).stop().bytes();
        assertTrue(assertThrows(WeightsException.class, () -> RestrictedUnpickler.load("t", inst, null))
                .getMessage().contains("INST"));
        // calling an allowed non-function (a storage type)
        byte[] callStorage = new PickleBuilder().proto(2).global("torch", "FloatStorage").op(')').reduce().stop().bytes();
        assertTrue(assertThrows(WeightsException.class, () -> RestrictedUnpickler.load("t", callStorage, null))
                .getMessage().contains("cannot be called"));
    }

    @Test
    void legacyFormatGetsAConversionHint() throws Exception {
        Path file = tmp.resolve("pytorch_model.bin");
        // what torch.save(..., _use_new_zipfile_serialization=False) starts with: the magic number as a LONG1
        Files.write(file, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
                0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
        WeightsException e = assertThrows(WeightsException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
    }

    @Test
    void stridedHalfBfloatAndSharedStorages() {
        // storage 0: six floats 0..5; storage 1: halves; storage 2: bfloat16s
        ByteBuffer f = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) f.putFloat(i);
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[] {0.5f, -2f, 1024f, 1f / 3}) h.putShort(Float.floatToFloat16(v));
        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bf.putShort(SafeTensorsWriter.toBFloat16(3.140625f)).putShort(SafeTensorsWriter.toBFloat16(-1e30f));
        PickleBuilder p = new PickleBuilder().proto(2).op('}').mark();
        p.str("plain").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {3, 1});
        p.str("transposed").tensor("FloatStorage", "0", 6, 0, new int[] {3, 2}, new int[] {1, 3});
        p.str("tail").tensor("FloatStorage", "0", 6, 4, new int[] {2}, new int[] {1});
        p.str("half").tensor("HalfStorage", "1", 4, 0, new int[] {4}, new int[] {1});
        p.str("bf").tensor("BFloat16Storage", "2", 2, 0, new int[] {2}, new int[] {1});
        p.str("ids").tensor("LongStorage", "3", 1, 0, new int[] {1}, new int[] {1});
        byte[] pickle = p.op('u').stop().bytes();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", f.array());
        storages.put("1", h.array());
        storages.put("2", bf.array());
        storages.put("3", new byte[8]);
        Path file = tmp.resolve("hand.bin");
        PickleBuilder.torchZip(file, pickle, storages);
        try (TorchCheckpoint w = TorchCheckpoint.open(file)) {
            assertEquals(java.util.List.of("plain", "transposed", "tail", "half", "bf", "ids"), java.util.List.copyOf(w.names()));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, w.floats("plain").toArray());
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, w.floats("transposed").toArray());
            assertArrayEquals(new long[] {3, 2}, w.info("transposed").orElseThrow().shape());
            assertArrayEquals(new float[] {4, 5}, w.floats("tail").toArray());
            assertArrayEquals(new float[] {0.5f, -2f, 1024f, Float.float16ToFloat(Float.floatToFloat16(1f / 3))},
                    w.floats("half").toArray());
            assertEquals(DType.F16, w.info("half").orElseThrow().dtype());
            assertEquals(3.140625f, w.floats("bf").get(0));
            assertEquals(DType.I64, w.info("ids").orElseThrow().dtype());
            WeightsException e = assertThrows(WeightsException.class, () -> w.floats("ids"));
            assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("I64"), e.getMessage());
        }
    }

    @Test
    void tensorPastItsStorageIsRejected() {
        byte[] pickle = new PickleBuilder().proto(2).op('}').mark()
                .str("w").tensor("FloatStorage", "0", 4, 2, new int[] {2, 2}, new int[] {2, 1}).op('u').stop().bytes();
        ByteBuffer f = ByteBuffer.allocate(16);
        Path file = tmp.resolve("bad.bin");
        PickleBuilder.torchZip(file, pickle, Map.of("0", f.array()));
        WeightsException e = assertThrows(WeightsException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("past the end"), e.getMessage());

        Path missing = tmp.resolve("missing.bin");
        PickleBuilder.torchZip(missing, pickle, Map.of());
        WeightsException e2 = assertThrows(WeightsException.class, () -> TorchCheckpoint.open(missing));
        assertTrue(e2.getMessage().contains("storage '0' is missing"), e2.getMessage());
        assertFalse(Arrays.asList(e2.getStackTrace()).isEmpty());
    }
}
