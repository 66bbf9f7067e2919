package dev.distil4j.weights;

import dev.distil4j.testutil.Bounds;
import dev.distil4j.testutil.RawZip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Crafted {@code pytorch_model.bin} files: zip sizes that lie, zip bombs, storage sizes and strides
 * whose products overflow 64 bits, pickles nested past any stack. Each must end in a
 * {@link WeightsException} naming the file, cheaply: without allocating what the file claims and
 * without recursing on what it nests.
 */
class TorchCheckpointLimitsTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    /** A one-tensor state dict {"w": float32[4] = 1, 2, 3, 4}, and its storage. */
    private static byte[] pickle() {
        return new PickleBuilder().proto(2).op('}').mark()
                .str("w").tensor("FloatStorage", "0", 4, 0, new int[] {4}, new int[] {1}).op('u').stop().bytes();
    }

    private static byte[] storage() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 4; i++) b.putFloat(i);
        return b.array();
    }

    /** A checkpoint whose data.pkl entry is {@code pkl} (as written, sizes as declared in it). */
    private Path withPickleEntry(String name, RawZip.Entry pkl) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, RawZip.write(List.of(pkl, RawZip.Entry.of("archive/data/0", RawZip.STORED, storage()))));
        return f;
    }

    private static Bounds.Outcome open(Path f) {
        return Bounds.measure(() -> TorchCheckpoint.open(f).close());
    }

    private static void assertRefused(Bounds.Outcome o, Path f, long maxAllocated, String... parts) {
        assertThat(o.thrown()).isInstanceOf(WeightsException.class);
        assertThat(o.thrown().getMessage()).startsWith(f.toString()).contains(parts);
        assertThat(o.allocatedBytes()).as(o.thrown().getMessage()).isLessThan(maxAllocated);
    }

    @Test
    void aDeflatedPickleStillLoads() throws Exception {
        Path f = tmp.resolve("deflated.bin");
        Files.write(f, PickleBuilder.torchZipDeflated(pickle(), Map.of("0", storage())));
        try (TorchCheckpoint w = TorchCheckpoint.open(f)) {
            assertArrayEquals(new float[] {1, 2, 3, 4}, w.floats("w").toArray());
        }
    }

    @Test
    void aPickleThatClaimsGigabytesIsRefusedBeforeAnythingIsAllocated() throws Exception {
        RawZip.Entry honest = RawZip.Entry.of("archive/data.pkl", RawZip.DEFLATED, pickle());
        // 2 GB, the zip32 maximum just below "use zip64" (this one was "internal error: integer overflow"),
        // 1 GiB, and just past the 64 MiB pickle limit
        for (long claim : new long[] {2L << 30, 0xFFFFFFF0L, 1L << 30, 64 * MIB + 1}) {
            Path f = withPickleEntry("claims-" + claim + ".bin", honest.withSizes(honest.csize(), claim));
            assertRefused(open(f), f, 4 * MIB, "'archive/data.pkl': declares " + claim + " bytes uncompressed, more than the "
                    + (64 * MIB));
        }
    }

    @Test
    void zipBombsAreRefusedFromTheirSizesOrAtTheStatedSize() throws Exception {
        byte[] gib = RawZip.zeros(1024); // 1 GiB of zeros in ~1 MB
        assertThat(gib.length).isLessThan((int) (2 * MIB));
        Inflater check = new Inflater(true);
        check.setInput(RawZip.zeros(8));
        byte[] eight = new byte[(int) (8 * MIB) + 1];
        assertEquals(8 * MIB, check.inflate(eight)); // the helper makes what it says
        check.end();

        // honest about its size: refused from the central directory alone
        Path honest = withPickleEntry("bomb.bin", new RawZip.Entry("archive/data.pkl", RawZip.DEFLATED, gib, gib.length,
                1L << 30, 0));
        assertRefused(open(honest), honest, 4 * MIB, "declares 1073741824 bytes");
        // claims a size the ratio cannot explain: 16 MiB from ~17 KB
        byte[] sixteen = RawZip.zeros(16);
        Path ratio = withPickleEntry("ratio.bin", new RawZip.Entry("archive/data.pkl", RawZip.DEFLATED, sixteen,
                sixteen.length, 16 * MIB, 0));
        assertRefused(open(ratio), ratio, 4 * MIB, "more than 100 times its size");
        // understates its size: stopped at the first byte past it, having inflated no more than stated
        for (long stated : new long[] {100, 1 << 20, 48 * MIB}) {
            Path liar = withPickleEntry("liar-" + stated + ".bin", new RawZip.Entry("archive/data.pkl", RawZip.DEFLATED, gib,
                    gib.length, stated, 0));
            assertRefused(open(liar), liar, stated + 8 * MIB, "inflates to more than the " + stated + " bytes the zip declares");
        }
        // overstates it a little: the stream ends early
        byte[] small = RawZip.deflate(pickle());
        Path shortOne = withPickleEntry("short.bin", new RawZip.Entry("archive/data.pkl", RawZip.DEFLATED, small, small.length,
                pickle().length + 10, 0));
        assertRefused(open(shortOne), shortOne, 4 * MIB, "inflates to " + pickle().length + " bytes, but the zip declares");
    }

    @Test
    void centralDirectoryFieldsOutsideTheFileAreRefused() throws Exception {
        RawZip.Entry stored = RawZip.Entry.of("archive/data.pkl", RawZip.STORED, pickle());
        long n = stored.csize();
        // compressed size past the end, both sizes past the end, stored sizes that disagree, and zip32's "see zip64" value
        List<RawZip.Entry> bad = List.of(stored.withSizes(0xFFFFFFF0L, 0xFFFFFFF0L), stored.withSizes(n + 1_000_000, n),
                stored.withSizes(n, n + 1), stored.withSizes(0xFFFFFFFFL, 0xFFFFFFFFL));
        List<String> says = List.of("runs past the end of the file", "runs past the end of the file",
                "declares " + (n + 1) + " bytes but holds " + n, "runs past the end of the file");
        for (int i = 0; i < bad.size(); i++) {
            Path f = withPickleEntry("cd-" + i + ".bin", bad.get(i));
            assertRefused(open(f), f, 4 * MIB, says.get(i));
        }
        // the end record: central directory size / offset / entry count beyond the file
        byte[] good = RawZip.write(List.of(stored, RawZip.Entry.of("archive/data/0", RawZip.STORED, storage())));
        int eocd = good.length - 22;
        int[][] patches = {{eocd + 12, 0xFFFFFFF0}, {eocd + 16, 0xFFFFFFF0}, {eocd + 10, 0xFFFE}, {eocd + 12, 0x7FFFFFFF}};
        String[] eocdSays = {"lies outside the file", "lies outside the file", "claims 65534 entries", "lies outside the file"};
        for (int i = 0; i < patches.length; i++) {
            byte[] z = good.clone();
            ByteBuffer b = ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN);
            if (patches[i][0] == eocd + 10) b.putShort(patches[i][0], (short) patches[i][1]);
            else b.putInt(patches[i][0], patches[i][1]);
            Path f = tmp.resolve("eocd-" + i + ".bin");
            Files.write(f, z);
            assertRefused(open(f), f, 4 * MIB, eocdSays[i]);
        }
    }

    /** A checkpoint with one tensor over a 16-byte float storage declared as {@code numel} elements. */
    private Path tensorFile(String name, long numel, long offset, long[] shape, long[] stride) {
        byte[] p = new PickleBuilder().proto(2).op('}').mark()
                .str("w").tensor("FloatStorage", "0", numel, offset, shape, stride).op('u').stop().bytes();
        Path f = tmp.resolve(name);
        PickleBuilder.torchZip(f, p, Map.of("0", storage()));
        return f;
    }

    @Test
    void storageSizesWhoseByteCountOverflowsAreRefused() {
        // numel * 4 wraps to 0 (2^62), to 4 (2^62 + 1), to 2^63 (negative: 2^61) ; and plain impossible counts
        long[] counts = {1L << 62, (1L << 62) + 1, 1L << 61, Long.MAX_VALUE, 5, -1};
        for (long numel : counts) {
            Path f = tensorFile("storage-" + numel + ".bin", numel, 0, new long[] {4}, new long[] {1});
            assertRefused(open(f), f, 4 * MIB, "storage '0' holds 16 bytes, but " + numel + " F32 elements need");
        }
        Path ok = tensorFile("ok.bin", 4, 0, new long[] {2, 2}, new long[] {2, 1});
        try (TorchCheckpoint w = TorchCheckpoint.open(ok)) {
            assertArrayEquals(new float[] {1, 2, 3, 4}, w.floats("w").toArray());
        }
    }

    @Test
    void stridesAndOffsetsThatWrapAroundAreRefused() {
        long big = 1L << 62;
        // (shape, stride, offset): 4 * 2^62 wraps to 0; (2^63-1) * 1 + 1 wraps negative; 2^62 * 4 + 3 wraps to 3;
        // offset + span wraps; an element count past 2^63
        Object[][] cases = {
                {new long[] {5}, new long[] {big}, 0L},
                {new long[] {2, 2}, new long[] {Long.MAX_VALUE, 1}, 0L},
                {new long[] {big + 1, 1}, new long[] {4, 1}, 3L},
                {new long[] {2}, new long[] {1}, Long.MAX_VALUE},
                {new long[] {2}, new long[] {big}, big},
        };
        for (int i = 0; i < cases.length; i++) {
            Path f = tensorFile("stride-" + i + ".bin", 4, (long) cases[i][2], (long[]) cases[i][0], (long[]) cases[i][1]);
            assertRefused(open(f), f, 4 * MIB, "tensor 'w'", "reaches past the end of its storage (4 elements)");
        }
        Path count = tensorFile("count.bin", 4, 0, new long[] {big, 4, 4}, new long[] {0, 0, 0});
        assertRefused(open(count), count, 4 * MIB, "has more elements than a 64-bit count");
        Path negative = tensorFile("negative.bin", 4, -1, new long[] {2}, new long[] {1});
        assertRefused(open(negative), negative, 4 * MIB, "tensor 'w': negative storage offset");
        // an empty view touches no storage, wherever its offset points
        Path empty = tensorFile("empty.bin", 4, 1000, new long[] {0, 3}, new long[] {big, big});
        try (TorchCheckpoint w = TorchCheckpoint.open(empty)) {
            assertEquals(0, w.floats("w").toArray().length);
        }
    }

    private static final int SMALL_STACK = 256 * 1024;

    private static Bounds.Outcome unpickle(byte[] pickle) throws InterruptedException {
        return Bounds.onStack(SMALL_STACK, () -> RestrictedUnpickler.load("t.pkl", pickle, null));
    }

    private static byte[] nestedTuples(int depth) {
        PickleBuilder p = new PickleBuilder().proto(2).op(')');
        for (int i = 1; i < depth; i++) p.op(0x85); // TUPLE1
        return p.stop().bytes();
    }

    @Test
    void deeplyNestedPicklesFailCleanlyOnASmallStack() throws Exception {
        assertNull(unpickle(nestedTuples(RestrictedUnpickler.MAX_TUPLE_DEPTH)).thrown());
        for (int depth : new int[] {RestrictedUnpickler.MAX_TUPLE_DEPTH + 1, 10_000, 200_000}) {
            Bounds.Outcome o = unpickle(nestedTuples(depth));
            assertThat(o.thrown()).isInstanceOf(WeightsException.class)
                    .hasMessageContaining("t.pkl: pickle byte").hasMessageContaining("tuples nested more than 100 deep");
        }
        // tuples built with MARK ... TUPLE, 3 per level
        PickleBuilder marks = new PickleBuilder().proto(2);
        for (int i = 0; i < 50_000; i++) marks.mark();
        for (int i = 0; i < 50_000; i++) marks.tuple();
        assertThat(unpickle(marks.stop().bytes()).thrown()).hasMessageContaining("tuples nested more than 100 deep");
        // lists are never walked, so any depth of them is only data
        PickleBuilder lists = new PickleBuilder().proto(2);
        for (int i = 0; i < 200_000; i++) lists.mark();
        for (int i = 0; i < 200_000; i++) lists.op('l');
        assertNull(unpickle(lists.stop().bytes()).thrown());
    }

    /** {@code _rebuild_from_type_v2(func, torch.Tensor, args, {})} around {@code inner} ({@code func} chosen by the caller). */
    private static PickleBuilder fromType(PickleBuilder p, Runnable func, Runnable args) {
        p.global("torch._tensor", "_rebuild_from_type_v2").mark();
        func.run();
        p.global("torch", "Tensor");
        args.run();
        p.op('}').tuple().reduce();
        return p;
    }

    @Test
    void rebuildFromTypeMayNotReDispatchToItself() throws Exception {
        // one level, as torch writes it, works
        PickleBuilder one = new PickleBuilder().proto(2).op('}').mark().str("w");
        fromType(one, () -> one.global("torch._utils", "_rebuild_tensor_v2"), () -> {
            one.mark().mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(4).tuple().op('Q')
                    .integer(0).mark().integer(4).tuple().mark().integer(1).tuple().op(0x89)
                    .global("collections", "OrderedDict").op(')').reduce().tuple();
        });
        Path f = tmp.resolve("fromtype.bin");
        PickleBuilder.torchZip(f, one.op('u').stop().bytes(), Map.of("0", storage()));
        try (TorchCheckpoint w = TorchCheckpoint.open(f)) {
            assertArrayEquals(new float[] {1, 2, 3, 4}, w.floats("w").toArray());
        }
        // _rebuild_from_type_v2(_rebuild_from_type_v2, Tensor, ARGS, {}), ARGS = (_rebuild_from_type_v2, Tensor, ARGS', {}), ...
        // 2 and 20,000 deep: each level would have re-dispatched, one Java frame deeper
        String ft = "_rebuild_from_type_v2";
        for (int depth : new int[] {2, 20_000}) {
            PickleBuilder p = new PickleBuilder().proto(2).global("torch._tensor", ft).mark().global("torch._tensor", ft)
                    .global("torch", "Tensor");
            for (int i = 1; i < depth; i++) p.mark().global("torch._tensor", ft).global("torch", "Tensor");
            p.op(')');
            for (int i = 1; i < depth; i++) p.op('}').tuple();
            p.op('}').tuple().reduce();
            Bounds.Outcome o = unpickle(p.stop().bytes());
            assertThat(o.thrown()).isInstanceOf(WeightsException.class);
            assertThat(o.thrown().getMessage()).containsAnyOf("rebuilt by another function", "tuples nested more than 100 deep");
        }
    }

    @Test
    void dictKeysAreScalarsAndValuesAreNeverPrinted() throws Exception {
        // {deep tuple: 1}: hashing it would recurse
        PickleBuilder deepKey = new PickleBuilder().proto(2).op('}').op(')');
        for (int i = 0; i < 50; i++) deepKey.op(0x85);
        assertThat(unpickle(deepKey.integer(1).op('s').stop().bytes()).thrown())
                .hasMessageContaining("dict key is a tuple of 1");
        // a list that holds itself, as a key: hashing it never ends
        byte[] selfKey = new PickleBuilder().proto(2).op('}').op(']').op('q', 0).op('h', 0).op('a').integer(1).op('s')
                .stop().bytes();
        assertThat(unpickle(selfKey).thrown()).hasMessageContaining("dict key is a list of 1");
        // the same list as a persistent id: the message describes it without printing it
        byte[] selfPid = new PickleBuilder().proto(2).op(']').op('q', 0).op('h', 0).op('a').op('Q').stop().bytes();
        Path f = tmp.resolve("pid.bin");
        PickleBuilder.torchZip(f, selfPid, Map.of());
        Bounds.Outcome o = Bounds.onStack(SMALL_STACK, () -> TorchCheckpoint.open(f).close());
        assertThat(o.thrown()).isInstanceOf(WeightsException.class).hasMessageContaining("unexpected persistent id list of 1");
        // string, int, float, bool and None keys are fine
        byte[] scalars = new PickleBuilder().proto(2).op('}').mark().str("a").integer(1).integer(2).integer(3)
                .op('N').integer(4).op(0x88).integer(5).op('u').stop().bytes();
        assertEquals(Map.of("a", 1L, 2L, 3L, true, 5L), withoutNull(RestrictedUnpickler.load("t", scalars, null)));
    }

    private static Map<?, ?> withoutNull(Object dict) {
        Map<?, ?> m = (Map<?, ?>) dict;
        assertEquals(4L, m.get(null));
        var copy = new java.util.HashMap<>(m);
        copy.remove(null);
        return copy;
    }

    @Test
    void theByteorderEntryIsReadWithinItsOwnSmallLimit() throws Exception {
        List<RawZip.Entry> entries = new ArrayList<>();
        entries.add(RawZip.Entry.of("archive/data.pkl", RawZip.STORED, pickle()));
        entries.add(RawZip.Entry.of("archive/byteorder", RawZip.DEFLATED, "little".repeat(100).getBytes(StandardCharsets.US_ASCII)));
        entries.add(RawZip.Entry.of("archive/data/0", RawZip.STORED, storage()));
        Path f = tmp.resolve("order.bin");
        Files.write(f, RawZip.write(entries));
        assertRefused(open(f), f, 4 * MIB, "'archive/byteorder': declares 600 bytes uncompressed, more than the 16");
    }
}
