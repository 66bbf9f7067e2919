package dev.distil4j.kernels;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlabTest {

    @Test
    void matricesStartOnLineBoundariesPastTheHeaderAndDoNotOverlap() {
        for (WeightFormat format : WeightFormat.values()) {
            int perLine = Slab.ALIGN_BYTES / format.elementBytes();
            Slab slab = Slab.of(format, 1000, 1, 17, 4096);
            int previousEnd = 0;
            for (int length : new int[] {1000, 1, 17, 4096}) {
                int offset = slab.take(length);
                long byteAddress = Slab.ARRAY_BASE_OFFSET + (long) offset * format.elementBytes();
                assertEquals(0, byteAddress % Slab.ALIGN_BYTES, format + " offset " + offset);
                assertTrue(offset >= previousEnd, format + ": " + offset + " overlaps the previous matrix ending at " + previousEnd);
                assertTrue(offset - previousEnd < perLine + (previousEnd == 0 ? perLine : 0), format + ": gap too large");
                previousEnd = offset + length;
            }
            assertThrows(IllegalStateException.class, () -> slab.take(perLine + 1), format + ": a full slab must refuse more");
        }
    }

    @Test
    void packingIntoOneSlabGivesTheSameWeightsAsSeparateArrays() {
        SplittableRandom r = new SplittableRandom(7);
        Kernels k = Kernels.best();
        WeightMatrix a = random(r, 70, 33), b = random(r, 5, 33), c = random(r, 129, 64);
        for (WeightFormat format : WeightFormat.values()) {
            int panel = k.panelWidth();
            Slab slab = Slab.of(format, PackedMatrix.storedLength(format, panel, a, b), PackedMatrix.storedLength(format, panel, c));
            PackedMatrix ab = k.pack(format, slab, a, b), cc = k.pack(format, slab, c);
            PackedMatrix abAlone = k.pack(format, null, a, b), ccAlone = k.pack(format, null, c);
            for (int j = 0; j < 75; j++) for (int i = 0; i < 33; i++) assertEquals(abAlone.get(j, i), ab.get(j, i), format + " [" + j + "," + i + "]");
            for (int j = 0; j < 129; j++) for (int i = 0; i < 64; i++) assertEquals(ccAlone.get(j, i), cc.get(j, i), format + " [" + j + "," + i + "]");
            float[] x = new float[3 * 64], y1 = new float[3 * 129], y2 = new float[3 * 129];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            k.matmul(x, 0, 64, 3, cc, null, null, null, y1, 0, 129, 0, 129);
            k.matmul(x, 0, 64, 3, ccAlone, null, null, null, y2, 0, 129, 0, 129);
            for (int i = 0; i < y1.length; i++) assertEquals(y2[i], y1[i], format + " product [" + i + "]");
        }
    }

    private static WeightMatrix random(SplittableRandom r, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        return new WeightMatrix(FloatBuffer.wrap(w), rows, cols);
    }
}
