package io.inpaint.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.inpaint.engine.TestSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContextualAttentionTest {

    private static final int C = 8;
    private static final int SIZE = 32; // features h = w; the matching grid is 16 x 16
    private static final int HOLE_FROM = 3; // hole cells 3..6 on the matching grid
    private static final int HOLE_TO = 6;
    private static final int[][] SHIFTS = {{6, 5}, {7, -2}}; // (dy, dx) in cells, one per image

    /**
     * Each image's hole neighbourhood is an exact copy of a region elsewhere (a different shift per image, so the
     * batch must keep the images apart). Inside the hole the attention must point at that region, and where every
     * contributing patch is a hole cell the reconstruction must be that region's features.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void holeAttendsToTheRegionItIsACopyOf(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            manager.getEngine().setRandomSeed(5);
            NDList images = new NDList();
            NDList masks = new NDList();
            for (int[] shift : SHIFTS) {
                images.add(copiedFeatures(manager, shift));
                NDArray mask = manager.zeros(new Shape(1, 1, SIZE, SIZE));
                mask.set(new NDIndex(":, :, {}:{}, {}:{}", 2 * HOLE_FROM, 2 * HOLE_TO + 2, 2 * HOLE_FROM, 2 * HOLE_TO + 2), 1f);
                masks.add(mask);
            }
            NDArray f = NDArrays.concat(images, 0);
            NDList out = attend(manager, f, NDArrays.concat(masks, 0));

            assertEquals(new Shape(2, C, SIZE, SIZE), out.get(0).getShape());
            assertEquals(new Shape(2, 2, SIZE / 2, SIZE / 2), out.get(1).getShape());
            for (int n = 0; n < SHIFTS.length; n++) {
                int[] shift = SHIFTS[n];
                for (int cy = HOLE_FROM; cy <= HOLE_TO; cy++) {
                    for (int cx = HOLE_FROM; cx <= HOLE_TO; cx++) {
                        int dy = out.get(1).getInt(n, 0, cy, cx);
                        int dx = out.get(1).getInt(n, 1, cy, cx);
                        assertEquals(shift[0], dy, "image " + n + " cell " + cy + "," + cx + " dy");
                        assertEquals(shift[1], dx, "image " + n + " cell " + cy + "," + cx + " dx");
                    }
                }
                // output pixel Y gathers the cells m with 2m-1 <= Y <= 2m+2: all in the hole for Y in 7..12
                int from = 2 * HOLE_FROM + 1;
                int to = 2 * HOLE_TO;
                NDArray inside = out.get(0).get(new NDIndex("{}, :, {}:{}, {}:{}", n, from, to + 1, from, to + 1));
                NDArray source = f.get(new NDIndex("{}, :, {}:{}, {}:{}", n,
                        from + 2 * shift[0], to + 1 + 2 * shift[0], from + 2 * shift[1], to + 1 + 2 * shift[1]));
                float error = inside.sub(source).abs().max().getFloat();
                assertTrue(error < 1e-4f, "image " + n + " reconstruction differs from the copied region by " + error);
            }
        }
    }

    /**
     * Feature rows [from, to) need grid rows (from / 2 - 1) .. ((to - 1) / 2 + 1) (step 9's 4x4 patches) and two
     * more on each side (the fuse's neighbours); a range that needs the grid's first or last row takes them all,
     * since the column-major fuse wraps between them (and so for columns, where the raster fuse wraps).
     */
    @Test
    void bandKeepsTheRowsTheOutputRowsReadAndTheFusesNeighbours() {
        assertArrayEquals(new int[] {17, 48}, ContextualAttention.band(64, 40, 90));
        assertArrayEquals(new int[] {0, 9}, ContextualAttention.band(64, 4, 12));
        assertArrayEquals(new int[] {0, 64}, ContextualAttention.band(64, 0, 50), "needs grid row 0");
        assertArrayEquals(new int[] {0, 64}, ContextualAttention.band(64, 60, 128), "needs grid row 63");
        assertArrayEquals(new int[] {0, 13}, ContextualAttention.band(16, 6, 20));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void batchEqualsImagesAlone(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            manager.getEngine().setRandomSeed(9);
            NDArray f = manager.randomNormal(new Shape(2, C, 16, 24));
            NDArray mask = manager.zeros(new Shape(2, 1, 16, 24));
            mask.set(new NDIndex("0, :, 4:10, 6:14"), 1f);
            mask.set(new NDIndex("1, :, 2:6, 12:20"), 1f);
            NDList batch = attend(manager, f, mask);
            for (int n = 0; n < 2; n++) {
                NDList alone = attend(manager, f.get(n).expandDims(0), mask.get(n).expandDims(0));
                float diff = batch.get(0).get(n).expandDims(0).sub(alone.get(0)).abs().max().getFloat();
                // float rounding only: grouped and single convolutions may sum in another order
                assertTrue(diff < 1e-5f, "features of image " + n + " differ by " + diff);
                assertEquals(alone.get(1), batch.get(1).get(n).expandDims(0), "offsets of image " + n);
            }
        }
    }

    /**
     * The engine picks one of two fuse forms for speed; both must give the spec's result, in the first and last
     * columns too, where their shifted sums wrap between rows.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void fuseFormsAgreeWithTheDefinition(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            int n = 2;
            int p = 12;
            int l = 12;
            float[] values = new float[n * p * l];
            java.util.Random random = new java.util.Random(3);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            float[] expected = new float[values.length];
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < l; j++) {
                        float sum = 0;
                        for (int d = -1; d <= 1; d++) {
                            if (i + d >= 0 && i + d < p && j + d >= 0 && j + d < l) {
                                sum += values[(b * p + i + d) * l + j + d];
                            }
                        }
                        expected[(b * p + i) * l + j] = sum;
                    }
                }
            }
            NDArray s = manager.create(values, new Shape(n, p, l));
            NDArray want = manager.create(expected, new Shape(n, p, l));
            // the convolution form returns (N, P + 1, L) with a zero last row
            NDArray padded = ContextualAttention.fuse(s);
            assertTrue(padded.get(new NDIndex(":, :{}", p)).allClose(want, 0, 1e-5, false), "convolution form");
            assertEquals(0f, padded.get(new NDIndex(":, {}", p)).abs().max().getFloat(), "its zero row");
            if (!"MXNet".equals(engine)) {
                // writes through slices, which are views on this engine only
                NDArray out = manager.create(s.getShape());
                ContextualAttention.fuseInto(s, out);
                assertTrue(out.allClose(want, 0, 1e-5, false), "form in place");
            }
        }
    }

    /**
     * The column-major fuse, in place of re-ordering, fusing and re-ordering back: on grids of one, two and more rows
     * (where the strips it recomputes overlap, meet or leave an inside), for MXNet's form on every engine; and PyTorch's
     * re-ordering into an array against the definition.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void columnMajorFuseFollowsTheDefinition(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            java.util.Random random = new java.util.Random(4);
            for (int[] grid : new int[][] {{1, 4}, {2, 3}, {3, 4}, {5, 3}}) {
                int rows = grid[0];
                int cols = grid[1];
                int positions = rows * cols;
                int n = 2;
                // (N, P + 1, L) with a zero last row, raster order
                float[] values = new float[n * (positions + 1) * positions];
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < positions * positions; i++) {
                        values[b * (positions + 1) * positions + i] = (float) random.nextGaussian();
                    }
                }
                float[] fused = new float[n * positions * positions];
                float[] swapped = new float[n * positions * positions];
                for (int b = 0; b < n; b++) {
                    for (int p = 0; p < positions; p++) {
                        for (int l = 0; l < positions; l++) {
                            float sum = 0;
                            for (int d = -1; d <= 1; d++) {
                                int pd = shiftInColumnMajorOrder(p, d, rows, cols);
                                int ld = shiftInColumnMajorOrder(l, d, rows, cols);
                                if (pd >= 0 && ld >= 0) {
                                    sum += values[(b * (positions + 1) + pd) * positions + ld];
                                }
                            }
                            fused[(b * positions + p) * positions + l] = sum;
                            int q = (p % cols) * rows + p / cols; // the column-major index of raster p
                            int r = (l % cols) * rows + l / cols;
                            swapped[(b * positions + q) * positions + r] = values[(b * (positions + 1) + p) * positions + l];
                        }
                    }
                }
                NDArray s = manager.create(values, new Shape(n, positions + 1, positions));
                NDArray want = manager.create(fused, new Shape(n, positions, positions));
                String name = rows + " x " + cols;
                assertTrue(ContextualAttention.fuseColumnMajorInRasterOrder(s, rows, cols)
                        .allClose(want, 0, 1e-5, false), "fuse in raster order, " + name);
                if (!"MXNet".equals(engine)) {
                    // writes through reshapes, which are views on this engine only
                    NDArray out = manager.create(new Shape(n, positions, positions));
                    ContextualAttention.swapOrderInto(s.get(new NDIndex(":, :{}", positions)), out, rows, cols, rows, cols);
                    assertEquals(manager.create(swapped, out.getShape()), out, "re-ordering, " + name);
                }
            }
        }
    }

    /**
     * Both fuses of the positions in part of the grid (those that reach the hole) equal those of the whole grid, away
     * from the part's first and last two rows and columns, which lack their neighbours outside it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void fuseOfPartOfTheGridEqualsTheWholeGridsInside(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            int rows = 9;
            int cols = 8;
            int l = rows * cols;
            java.util.Random random = new java.util.Random(6);
            float[] values = new float[2 * l * l];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            NDArray s = manager.create(values, new Shape(2, l, l));
            NDArray whole = ContextualAttention.fuseBothOrders(s.duplicate(), rows, cols, rows, cols);
            // {rows from, to, columns from, to}: a band of whole rows, and a box
            for (int[] part : new int[][] {{1, 8, 0, cols}, {1, 8, 1, 7}}) {
                int pr = part[1] - part[0];
                int pc = part[3] - part[2];
                NDArray scores = s.reshape(2, rows, cols, l)
                        .get(new NDIndex(":, {}:{}, {}:{}", part[0], part[1], part[2], part[3])).reshape(2, pr * pc, l);
                NDArray fused = ContextualAttention.fuseBothOrders(scores.duplicate(), rows, cols, pr, pc);

                assertEquals(new Shape(2, pr * pc, l), fused.getShape());
                // columns: a box's edges lack their raster neighbours; whole rows do not
                int edge = pc < cols ? 2 : 0;
                NDArray inside = fused.reshape(2, pr, pc, l)
                        .get(new NDIndex(":, 2:{}, {}:{}", pr - 2, edge, pc - edge));
                NDArray want = whole.reshape(2, rows, cols, l).get(new NDIndex(":, {}:{}, {}:{}", part[0] + 2,
                        part[1] - 2, part[2] + edge, part[3] - edge));
                assertTrue(inside.allClose(want, 0, 1e-5, false), java.util.Arrays.toString(part));
            }
        }
    }

    /** The raster index of the position d steps from raster p in column-major order, -1 off the grid. */
    private static int shiftInColumnMajorOrder(int p, int d, int rows, int cols) {
        int q = (p % cols) * rows + p / cols + d;
        return q < 0 || q >= rows * cols ? -1 : (q % rows) * cols + q / rows;
    }

    /**
     * Step 7's weights: a softmax over the valid patches only, with weights too small for a normal float flushed to 0
     * (they would only slow step 9's product down) and the larger ones kept as they are.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void softmaxKeepsNormalWeightsAndFlushesSubnormalOnes(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            // logits (scores x 10): e^-87.5, e^-95 and e^-100 are subnormal floats, e^-60 a tiny normal one
            float[] x = {0f, -10f, -60f, -87.5f, -95f, -100f, 50f};
            NDArray logits = manager.create(x, new Shape(1, 1, x.length));
            NDArray valid = manager.create(new float[] {1f, 1f, 1f, 1f, 1f, 1f, 0f}, new Shape(1, 1, x.length));
            float[] a = ContextualAttention.softmaxOverBackground(logits, valid).toFloatArray();
            // the invalid patch takes part in the softmax with logit 0, as in the spec, then gets weight 0
            double sum = 1; // the invalid patch's e^0
            for (int i = 0; i < 6; i++) {
                sum += Math.exp(x[i]);
            }
            assertEquals(1 / sum, a[0], 1e-7);
            assertEquals(Math.exp(-10) / sum, a[1], 1e-10);
            assertEquals(Math.exp(-60) / sum, a[2], 1e-6 * Math.exp(-60) / sum);
            for (int i = 3; i < x.length; i++) {
                assertEquals(0f, a[i], "weight " + i);
            }
            assertTrue(Math.exp(-100) / sum > Float.MIN_VALUE, "the unflushed weight would be a subnormal float");
        }
    }

    private static NDList attend(NDManager manager, NDArray f, NDArray mask) {
        return new ContextualAttention().forward(new ParameterStore(manager, false), new NDList(f, mask), false);
    }

    /** Random features whose hole cells and their 1-cell ring equal the features {@code shift} cells away. */
    private static NDArray copiedFeatures(NDManager manager, int[] shift) {
        NDArray f = manager.randomNormal(new Shape(1, C, SIZE, SIZE), DataType.FLOAT32);
        int from = 2 * (HOLE_FROM - 1);
        int to = 2 * (HOLE_TO + 1) + 2;
        NDArray region = f.get(new NDIndex(":, :, {}:{}, {}:{}",
                from + 2 * shift[0], to + 2 * shift[0], from + 2 * shift[1], to + 2 * shift[1]));
        f.set(new NDIndex(":, :, {}:{}, {}:{}", from, to, from, to), region);
        return f;
    }
}
