package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inpaint.engine.nn.LayerProfile.Group;

/**
 * Contextual attention of a feature map with itself (spec "Contextual attention", steps 1-9); no parameters.
 *
 * <p>Inputs: features f (N,C,h,w) and the hole mask at that resolution (N,1,h,w), 1 = hole; h and w even.
 * Outputs: the attended features (N,C,h,w) and the offsets (N,2,h/2,w/2) INT32 (dy, dx) of the most attended
 * background patch. The matrix products run image by image, so the images of a batch stay apart.
 *
 * <p>The score matrix is held as (N, P, L), foreground position p by background patch l, both raster indices on the
 * h/2 x w/2 grid, so the softmax and argmax over l run along the last axis (MXNet's softmax over a middle axis was
 * 12x slower at 4096 x 4096). At 512x512 the matrix is 4096 x 4096 floats (64 MB) per image, so each step runs in
 * its own manager scope and the previous matrix is closed as soon as the next exists.
 */
public final class ContextualAttention extends AbstractBlock {

    static final float SOFTMAX_SCALE = 10f;
    static final float PATCH_NORM_EPS = 1e-4f;
    /** Step 7's flush of subnormal weights: see {@link #softmaxOverBackground}. */
    private static final float FLUSH_OFFSET = 0x1p-102f;
    /** e^-88 is below the smallest normal float (e^-87.34): logits that far under their row's largest are flushed. */
    private static final float NEGLIGIBLE_LOGIT = 88f;

    /**
     * Kernel rows (and columns) of the stride-2 transposed convolution that reach the even (index 0) and odd (1)
     * output phase, in the order of the taps' source cells: row 2m takes ky=3 from A[m-1] and ky=1 from A[m];
     * row 2m+1 takes ky=2 from A[m] and ky=0 from A[m+1].
     */
    private static final int[][] PHASE_TAPS = {{3, 1}, {2, 0}};

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray f = inputs.get(0);
        int[] rows = {0, (int) f.getShape().get(2)};
        int[] cols = {0, (int) f.getShape().get(3)};
        return attend(f, inputs.get(1), rows, cols);
    }

    /**
     * The block's forward pass, exact only in feature rows and columns [from, to) of {@code rows} and {@code cols}:
     * the foreground positions whose output reaches none of it are left out of steps 3 and 6-9 (their output is 0),
     * which saves their share of both matrix products, the fuse and the softmax. The score matrix holds the positions
     * in the grid rows and columns {@link #band} returns, in raster order within them.
     */
    NDList attend(NDArray f, NDArray mask, int[] rows, int[] cols) {
        Shape s = f.getShape();
        if (s.dimension() != 4 || s.get(2) % 2 != 0 || s.get(3) % 2 != 0) {
            throw new IllegalArgumentException("attention features must be (N,C,h,w) with even h and w, got " + s);
        }
        int hf = (int) s.get(2) / 2;
        int wf = (int) s.get(3) / 2;
        int[] bandRows = band(hf, rows[0], rows[1]);
        // all rows take all columns: the column-major fuse of the grid's first row reads its last row's previous
        // column, a wrap that only the whole grid's fuse forms
        int[] bandCols = bandRows[1] - bandRows[0] == hf ? new int[] {0, wf} : band(wf, cols[0], cols[1]);
        int br = bandRows[1] - bandRows[0];
        int bw = bandCols[1] - bandCols[0];

        // the matrix products' work scales with the positions scored
        LayerProfile.work(Group.ATTENTION_MATCHING, matchingFlops(s) / ((long) hf * wf) * br * bw);
        LayerProfile.work(Group.RECONSTRUCTION, reconstructionFlops(s) / ((long) hf * wf) * br * bw);
        NDArray fd = f.get(":, :, ::2, ::2");
        NDArray valid = validity(mask.get(":, :, ::2, ::2"));
        NDArray scores = LayerProfile.time(Group.ATTENTION_MATCHING,
                () -> Ops.freeingIntermediates(fd, t -> scores(t, bandRows, bandCols)));
        NDArray fused = LayerProfile.time(Group.FUSE, () -> fuseBothOrders(scores, hf, wf, br, bw));
        NDArray attention = LayerProfile.time(Group.SOFTMAX,
                () -> Ops.freeingIntermediates(fused, t -> softmaxOverBackground(t, valid)));
        fused.close();
        NDArray offsets = LayerProfile.time(Group.SOFTMAX, () -> offsets(attention, hf, wf, bandRows, bandCols));
        NDArray y = LayerProfile.time(Group.RECONSTRUCTION, () -> {
            NDArray weight = Ops.freeingIntermediates(f, ContextualAttention::patchMatrix);
            NDArray attended = Ops.freeingIntermediates(attention,
                    a -> new GenConv.Window(reconstruct(a, weight, br, bw), 2 * bandRows[0], 2 * bandCols[0], 2 * hf,
                            2 * wf).full());
            weight.close();
            return attended;
        });
        attention.close();
        return new NDList(y, offsets);
    }

    /**
     * The grid rows (or columns) [from, to), of {@code cells}, of foreground positions whose scores must be computed
     * for the output to be exact in feature rows (columns) [fromRow, toRow). Step 9 spreads position m over feature
     * rows 2m - 1 .. 2m + 2; step 6's fuse reads each position's neighbours one row above and below (in column-major
     * order) and one column to each side (in raster order), so the band keeps two more on each side, whose own
     * fused scores are then wrong (they lack neighbours outside the band) but only feed feature rows outside the
     * range. The column-major order runs from the grid's last row on into its first, the raster order from its last
     * column into its first, so a range that needs either end gets them all.
     */
    static int[] band(int cells, int fromRow, int toRow) {
        int first = Math.floorDiv(fromRow, 2) - 1;
        int last = Math.floorDiv(toRow - 1, 2) + 1;
        if (first <= 0 || last >= cells - 1) {
            return new int[] {0, cells};
        }
        return new int[] {Math.max(0, first - 2), Math.min(cells, last + 3)};
    }

    /**
     * Multiply-adds x 2 of step 3 for features of shape {@code f} (N,C,h,w): P = L = (h/2)(w/2) positions, each
     * against every 3x3 patch of C channels.
     */
    static long matchingFlops(Shape f) {
        long positions = (f.get(2) / 2) * (f.get(3) / 2);
        return 2L * f.get(0) * positions * positions * f.get(1) * 9;
    }

    /** Multiply-adds x 2 of step 9 as the spec states it: a transposed convolution with L 4x4 patches of C channels. */
    static long reconstructionFlops(Shape f) {
        long positions = (f.get(2) / 2) * (f.get(3) / 2);
        return 2L * f.get(0) * positions * positions * f.get(1) * 16;
    }

    /**
     * Steps 3 and 5, times step 7's {@link #SOFTMAX_SCALE} (the fuse between is linear): S[p, l] = <3x3 patch at p,
     * 3x3 patch at l / max(||patch at l||, eps)>, (N, P, L), for the positions p in grid rows and columns [from, to)
     * of {@code rows} and {@code cols}, in raster order within them. With X the (L, 9C) matrix of every location's
     * zero-padded 3x3 patch, that is X times the transposed filters, X with each row l scaled by its norm: one matrix
     * product, the form both engines run fastest.
     */
    private static NDArray scores(NDArray fd, int[] rows, int[] cols) {
        Shape s = fd.getShape();
        long n = s.get(0);
        long c = s.get(1);
        int hf = (int) s.get(2);
        int wf = (int) s.get(3);
        long l = (long) hf * wf;
        NDArray padded = Ops.zeroPad(fd, 1);
        NDList taps = new NDList(9);
        for (int dy = 0; dy < 3; dy++) {
            for (int dx = 0; dx < 3; dx++) {
                taps.add(padded.get(new NDIndex(":, :, {}:{}, {}:{}", dy, dy + hf, dx, dx + wf)));
            }
        }
        // (N,C,hf,wf,9) -> (N, location, C * 9): one (c, ky, kx) patch per location
        NDArray patches = NDArrays.stack(taps, 4).reshape(n, c, l, 9).transpose(0, 2, 1, 3).reshape(n, l, c * 9);
        NDArray norms = patches.square().sum(new int[] {2}, true).sqrt().maximum(PATCH_NORM_EPS);
        // step 7's scale and the norms scale the (L, 9C) filters: each pass over the L x L product costs more
        NDArray filters = patches.div(norms).muli(SOFTMAX_SCALE);
        NDArray queries = rows[0] == 0 && rows[1] == hf && cols[0] == 0 && cols[1] == wf ? patches
                : patches.reshape(n, hf, wf, c * 9)
                        .get(new NDIndex(":, {}:{}, {}:{}", rows[0], rows[1], cols[0], cols[1]))
                        .reshape(n, (long) (rows[1] - rows[0]) * (cols[1] - cols[0]), c * 9);
        return productsWithTransposed(queries, filters);
    }

    /** Step 4: 1 for background patches whose zero-padded 3x3 mask patch is all zero, as (N, 1, L). */
    private static NDArray validity(NDArray md) {
        Shape s = md.getShape();
        NDArray hole = md.neq(0).toType(DataType.FLOAT32, false);
        NDArray box = md.getManager().ones(new Shape(1, 1, 3, 3), DataType.FLOAT32, md.getDevice());
        NDArray touched = Ops.conv2d(hole, box, 1, 1);
        return touched.eq(0).toType(md.getDataType(), false).reshape(s.get(0), 1, s.get(2) * s.get(3));
    }

    /**
     * Step 6: identity-kernel fuse in raster order, then in column-major order of both p and l, of the scores of the
     * positions in a {@code rows} x {@code cols} part of the hf x wf grid (all of it, or a band, whose edges then lack
     * the neighbours outside it; see {@link #band}). Each pass over the score matrix is memory-bound, and one into a
     * new array costs several in place (at 4096 x 4096 on this project's 2-core machine about 30 ms against 5-10 ms),
     * so where slices are views (PyTorch) the steps write in place into the scores and one more array, and elsewhere
     * (MXNet, whose slices and reshapes are copies) they run as few operations as they can. Takes over (and may
     * return) scores.
     */
    static NDArray fuseBothOrders(NDArray scores, int hf, int wf, int rows, int cols) {
        if ("MXNet".equals(scores.getManager().getEngine().getEngineName())) {
            if (rows < hf || cols < wf) {
                NDArray raster = Ops.freeingIntermediates(scores, t -> {
                    NDArray sum = shiftedSum(t, 1, 1);
                    recomputeEdgeColumns(sum, t);
                    return sum;
                });
                scores.close();
                NDArray fused = Ops.freeingIntermediates(raster, t -> fuseColumnMajorOfBand(t, cols, wf));
                raster.close();
                return fused;
            }
            NDArray raster = Ops.freeingIntermediates(scores, ContextualAttention::fuse);
            scores.close();
            NDArray fused = Ops.freeingIntermediates(raster, t -> fuseColumnMajorInRasterOrder(t, hf, wf));
            raster.close();
            return fused;
        }
        // in a scope of its own: PyTorch's views keep the storage they look at alive until they are closed
        return Ops.freeingIntermediates(scores, s -> {
            NDArray work = s.getManager().create(s.getShape(), s.getDataType(), s.getDevice());
            fuseInto(s, work);
            swapOrderInto(work, s, rows, cols, hf, wf);
            fuseInto(s, work);
            swapOrderInto(work, s, cols, rows, wf, hf);
            return s;
        });
    }

    /**
     * Re-indexes both axes of (N, P, L) from row-major (y * cols + x) to column-major (x * rows + y) order, written
     * into {@code out}, for engines whose reshapes and slices are views: p on a pRows x pCols grid, l on lRows x lCols
     * (the way back swaps rows and columns).
     */
    static void swapOrderInto(NDArray s, NDArray out, int pRows, int pCols, int lRows, int lCols) {
        long n = s.getShape().get(0);
        out.reshape(n, pCols, pRows, lCols, lRows).set(new NDIndex(":"),
                s.reshape(n, pRows, pCols, lRows, lCols).transpose(0, 2, 1, 4, 3));
    }

    /**
     * S'[p, l] = S[p-1, l-1] + S[p, l] + S[p+1, l+1], zero outside, on (N, P, L) with P = L. In the flattened (N, P * L)
     * the neighbours lie L + 1 before and after, so both forms ({@code fuse} and {@code fuseInto}) sum the array
     * shifted by -(L + 1), 0 and +(L + 1): a few passes over contiguous memory, where a 3x3 convolution over the
     * matrix unrolls it nine times. The shift crosses into the next row only in the first and last columns, which
     * are then recomputed from their true neighbours.
     *
     * <p>This form, for MXNet: a (3, 1) convolution, since with one zero row appended (N, P + 1, L) is
     * (N, 1, L, L + 1), where the flat neighbours L + 1 apart are the cells above and below. Returns (N, P + 1, L)
     * with that zero row, as {@link #fuseColumnMajorInRasterOrder} takes it.
     */
    static NDArray fuse(NDArray s) {
        Shape shape = s.getShape();
        long n = shape.get(0);
        long l = shape.get(2);
        NDArray zeroRow = s.getManager().zeros(new Shape(n, 1, l), s.getDataType(), s.getDevice());
        NDArray image = Ops.consuming(NDArrays.concat(new NDList(s, zeroRow), 1), t -> t.reshape(n, 1, l, l + 1));
        NDArray sum = Ops.consuming(Ops.consuming(image, t -> verticalSum(t, 1)), t -> t.reshape(n, l + 1, l));
        sum.set(new NDIndex(":, {}", l), 0f); // the convolution summed into the zero row
        recomputeEdgeColumns(sum, s);
        return sum;
    }

    /** Each cell of (N, 1, H, W) plus the cells {@code step} rows above and below it, zero outside. */
    private static NDArray verticalSum(NDArray image, int step) {
        NDArray column = image.getManager().ones(new Shape(1, 1, 3, 1), image.getDataType(), image.getDevice());
        return Conv2d.conv2d(image, column, null, new Shape(1, 1), new Shape(step, 0), new Shape(step, 1), 1)
                .singletonOrThrow();
    }

    /**
     * The column-major fuse of a raster-ordered (N, P + 1, L) with a zero last row, without re-ordering it (MXNet,
     * where reshapes copy, so each re-ordering takes three operations over the whole matrix): with the grid of
     * positions rows x cols, the column-major neighbours of (p, l) are (p -+ cols, l -+ cols) unless p or l lies in
     * the grid's first or last row, cols (L + 1) apart in the flattened matrix, so the convolution of {@link #fuse}
     * dilated by cols sums them. Where the column-major order wraps (p or l in the grid's first or last row, a strip
     * 4 / rows of the matrix) the sum is recomputed from gathered neighbours. Returns (N, P, L). (The same with
     * PyTorch's views and gathers took 390-408 ms at 512x512 against 170-176 ms for re-ordering in place.)
     */
    static NDArray fuseColumnMajorInRasterOrder(NDArray t, int rows, int cols) {
        long n = t.getShape().get(0);
        int l = (int) t.getShape().get(2);
        int[][] neighbours = columnMajorNeighbours(l, cols);
        int[] prev = neighbours[0];
        int[] next = neighbours[1];
        NDArray image = t.reshape(n, 1, l, l + 1);
        NDArray sum = Ops.consuming(Ops.consuming(image, i -> verticalSum(i, cols)), v -> v.reshape(n, l + 1, l));
        // the grid's first and last rows of p, all l (one band when the grid has one row)
        for (int[] band : rows == 1 ? new int[][] {{0, cols}} : new int[][] {{0, cols}, {l - cols, l}}) {
            NDArray own = t.get(new NDIndex(":, {}:{}", band[0], band[1]));
            NDArray before = gatherRows(t, prev, band).get(new NDIndex(":, :, {}", gatherIndex(t, prev, l)));
            NDArray after = gatherRows(t, next, band).get(new NDIndex(":, :, {}", gatherIndex(t, next, l)));
            sum.set(new NDIndex(":, {}:{}", band[0], band[1]), own.add(before).addi(after));
        }
        recomputeWrappedColumns(sum, t, l, cols, prev, next, cols);
        return Ops.consuming(sum, s -> s.get(new NDIndex(":, :{}", l)));
    }

    /**
     * For p in [pCols, positions - pCols), where p -+ pCols are its column-major neighbours (positions on a grid of
     * pCols columns), and l in the first and last rows of the grid of cols columns, where the column-major order
     * wraps: sum[p, l] = t[p, l] + t[p - pCols, prev[l]] + t[p + pCols, next[l]].
     */
    private static void recomputeWrappedColumns(NDArray sum, NDArray t, int positions, int pCols, int[] prev,
            int[] next, int cols) {
        int l = prev.length;
        if (positions <= 2 * pCols) {
            return;
        }
        for (int[] band : new int[][] {{0, cols}, {l - cols, l}}) {
            NDIndex inner = new NDIndex(":, {}:{}, {}:{}", pCols, positions - pCols, band[0], band[1]);
            NDArray before = gatherColumns(t, prev, band).get(new NDIndex(":, :{}", positions - 2 * pCols));
            NDArray after = gatherColumns(t, next, band).get(new NDIndex(":, {}:{}", 2 * pCols, positions));
            sum.set(inner, t.get(inner).add(before).addi(after));
        }
    }

    /**
     * Each (p, l) of (N, P, L) plus (p - pStep, l - lStep) and (p + pStep, l + lStep), zero outside, where these are
     * d = pStep L + lStep apart in the flattened matrix (so wrong where l -+ lStep leaves the row): the sum of the
     * flattened matrix and its copies shifted by d either way. For a part of the grid, whose shape changes with
     * the hole: {@link #fuse}'s convolution would keep a buffer for every shape (MXNet).
     */
    static NDArray shiftedSum(NDArray s, int pStep, int lStep) {
        Shape shape = s.getShape();
        long n = shape.get(0);
        long size = shape.get(1) * shape.get(2);
        long d = pStep * shape.get(2) + lStep;
        NDArray flat = s.reshape(n, size);
        if (d >= size) {
            return flat.duplicate().reshape(shape);
        }
        NDArray zeros = s.getManager().zeros(new Shape(n, d), s.getDataType(), s.getDevice());
        NDArray sum = NDArrays.concat(new NDList(flat.get(new NDIndex(":, {}:", d)), zeros), 1);
        sum.addi(NDArrays.concat(new NDList(zeros, flat.get(new NDIndex(":, :{}", size - d))), 1)).addi(flat);
        return sum.reshape(shape);
    }

    /**
     * The column-major fuse of the raster-fused scores of the positions in part of the grid, pCols of its cols
     * columns wide, (N, P, L) (MXNet): as {@link #fuseColumnMajorInRasterOrder}, except that the part's first and last
     * rows, which lack their neighbours outside it, are left as the shifted sum leaves them.
     */
    static NDArray fuseColumnMajorOfBand(NDArray t, int pCols, int cols) {
        int positions = (int) t.getShape().get(1);
        int[][] neighbours = columnMajorNeighbours((int) t.getShape().get(2), cols);
        NDArray sum = shiftedSum(t, pCols, cols);
        recomputeWrappedColumns(sum, t, positions, pCols, neighbours[0], neighbours[1], cols);
        return sum;
    }

    /** {prev, next}: the raster index of each position's column-major neighbour on a grid of cols columns, or -1. */
    private static int[][] columnMajorNeighbours(int l, int cols) {
        int[] next = new int[l];
        int[] prev = new int[l];
        for (int p = 0; p < l; p++) {
            int x = p % cols;
            // -1: no neighbour, after the last position or before the first
            next[p] = p < l - cols ? p + cols : x + 1 < cols ? x + 1 : -1;
            prev[p] = p >= cols ? p - cols : x >= 1 ? l - cols + x - 1 : -1;
        }
        return new int[][] {prev, next};
    }

    /** Rows neighbour[band] of t (N, P + 1, L), the zero last row where there is none, and a zero column appended. */
    private static NDArray gatherRows(NDArray t, int[] neighbour, int[] band) {
        int[] index = new int[band[1] - band[0]];
        for (int i = 0; i < index.length; i++) {
            int p = neighbour[band[0] + i];
            index[i] = p < 0 ? neighbour.length : p;
        }
        NDArray rows = t.get(new NDIndex(":, {}", t.getManager().create(index)));
        NDArray zero = t.getManager().zeros(new Shape(rows.getShape().get(0), index.length, 1), t.getDataType(),
                t.getDevice());
        return NDArrays.concat(new NDList(rows, zero), 2);
    }

    /** neighbour[l] for every l, the appended zero column (index L) where there is none. */
    private static NDArray gatherIndex(NDArray t, int[] neighbour, int l) {
        int[] index = new int[l];
        for (int i = 0; i < l; i++) {
            index[i] = neighbour[i] < 0 ? l : neighbour[i];
        }
        return t.getManager().create(index);
    }

    /** Columns neighbour[band] of t (N, P + 1, L), zero where there is none. */
    private static NDArray gatherColumns(NDArray t, int[] neighbour, int[] band) {
        int[] index = new int[band[1] - band[0]];
        float[] present = new float[index.length];
        for (int i = 0; i < index.length; i++) {
            int q = neighbour[band[0] + i];
            index[i] = Math.max(q, 0);
            present[i] = q < 0 ? 0f : 1f;
        }
        return t.get(new NDIndex(":, :, {}", t.getManager().create(index))).muli(t.getManager().create(present));
    }

    /** {@link #fuse} written into {@code out}, for engines whose slices are views: a copy and two additions in place. */
    static void fuseInto(NDArray s, NDArray out) {
        Shape shape = s.getShape();
        long n = shape.get(0);
        long size = shape.get(1) * shape.get(2);
        long d = shape.get(2) + 1;
        NDArray from = s.reshape(n, size);
        NDArray to = out.reshape(n, size);
        to.set(new NDIndex(":"), from);
        to.get(new NDIndex(":, {}:", d)).addi(from.get(new NDIndex(":, :{}", size - d)));
        to.get(new NDIndex(":, :{}", size - d)).addi(from.get(new NDIndex(":, {}:", d)));
        recomputeEdgeColumns(out, s);
    }

    /** Columns 0 and L - 1 of the fuse in place: (p, 0) has no upper-left neighbour, (p, L - 1) no lower-right one. */
    private static void recomputeEdgeColumns(NDArray sum, NDArray s) {
        long n = s.getShape().get(0);
        long p = s.getShape().get(1);
        long l = s.getShape().get(2);
        if (l == 1) {
            sum.set(new NDIndex(":, :{}", p), s); // no diagonal neighbours at all
            return;
        }
        NDArray zero = s.getManager().zeros(new Shape(n, 1), s.getDataType(), s.getDevice());
        NDArray below = NDArrays.concat(new NDList(s.get(new NDIndex(":, 1:, 1")), zero), 1);
        sum.set(new NDIndex(":, :{}, 0", p), s.get(new NDIndex(":, :, 0")).add(below));
        NDArray above = NDArrays.concat(new NDList(zero, s.get(new NDIndex(":, :-1, {}", l - 2))), 1);
        sum.set(new NDIndex(":, :{}, {}", p, l - 1), s.get(new NDIndex(":, :, {}", l - 1)).add(above));
    }

    /**
     * Step 7: A = softmax(logits * valid) over background patches, times valid, with weights too small for a normal
     * float set to 0; the logits are the fused scores already times {@link #SOFTMAX_SCALE} (step 3 scales its
     * filters), and are overwritten. Such weights add nothing a float can hold to step 9, but as subnormal operands
     * they make its matrix product 20-250x slower on x86 (measured on PyTorch, which does not flush them).
     */
    static NDArray softmaxOverBackground(NDArray logits, NDArray valid) {
        // in place where it can be: a new score-matrix-sized array costs several passes in place
        logits.muli(valid);
        if (!"MXNet".equals(logits.getManager().getEngine().getEngineName())) {
            // PyTorch's softmax writes e^(x - max) below the smallest normal float as subnormals, slow to write and to
            // read back (MXNet's leaves almost none). Those under e^-88 get -inf, so exactly 0: the flush below would
            // set them to 0 anyway, and they are too small to change the sum of a row, whose largest term is 1.
            NDArray negligible = logits.lt(logits.max(new int[] {2}, true).subi(NEGLIGIBLE_LOGIT));
            logits.set(negligible, Float.NEGATIVE_INFINITY);
            negligible.close();
        }
        NDArray attention = logits.softmax(2);
        // adding and taking away 2^-102 rounds weights below 2^-101 to multiples of 2^-125, subnormal ones to 0; those
        // up to 2^-77 move by at most an ulp, larger ones (any weight that counts) come back unchanged: two passes in
        // place where a comparison and a mask cost two new arrays. It goes first, as any arithmetic on subnormal
        // operands is slow (PyTorch's softmax still leaves those between e^-88 and e^-87.34, and quotients by sums).
        return attention.addi(FLUSH_OFFSET).subi(FLUSH_OFFSET).muli(valid);
    }

    /**
     * Step 8: (dy, dx) from each position to its most attended background patch, (N,2,hf,wf) INT32, from the
     * attention of the positions in grid rows and columns [from, to) of {@code rows} and {@code cols} (0 elsewhere).
     */
    private static NDArray offsets(NDArray attention, int hf, int wf, int[] rows, int[] cols) {
        long n = attention.getShape().get(0);
        // float holds these indices exactly, and floor(i / wf) is exact for them
        NDArray best = attention.argMax(2).toType(DataType.FLOAT32, false);
        NDArray bestY = best.div(wf).floor();
        NDArray bestX = best.sub(bestY.mul(wf));
        int bw = cols[1] - cols[0];
        NDArray position = attention.getManager().arange(0f, (float) (rows[1] - rows[0]) * bw, 1f,
                DataType.FLOAT32, attention.getDevice());
        NDArray inRow = position.div(bw).floor();
        NDArray posY = inRow.add(rows[0]);
        NDArray posX = position.sub(inRow.mul(bw)).add(cols[0]);
        NDArray offsets = NDArrays.stack(new NDList(bestY.sub(posY), bestX.sub(posX)), 1)
                .reshape(n, 2, rows[1] - rows[0], bw);
        return new GenConv.Window(offsets, rows[0], cols[0], hf, wf).full().toType(DataType.INT32, false);
    }

    /**
     * Step 9, with {@link #reconstruct}: the raw 4x4 background patches as the matrix (N, 16 * C, L), row (ky, kx, c):
     * raw[l][c, ky, kx] = fpad[c, 2i+ky, 2j+kx] for l = (i, j) is one strided slice of the padded features per tap.
     */
    private static NDArray patchMatrix(NDArray f) {
        Shape s = f.getShape();
        long n = s.get(0);
        long c = s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        long l = (long) h * w / 4;
        NDArray fpad = Ops.zeroPad(f, 1);
        NDList taps = new NDList(16);
        for (int ky = 0; ky < 4; ky++) {
            for (int kx = 0; kx < 4; kx++) {
                NDArray tap = fpad.get(new NDIndex(":, :, {}:{}:2, {}:{}:2", ky, ky + h - 1, kx, kx + w - 1));
                taps.add(tap.reshape(n, c, l));
            }
        }
        return NDArrays.stack(taps, 1).reshape(n, 16 * c, l);
    }

    /**
     * Step 9: conv_transpose2d(A, raw 4x4 patches, stride 2, padding 1) / 4 as one matrix product and an overlap-add.
     * Q = A R^T holds, for every position (m, k), its (ky, kx, c) contributions, which land on output pixel
     * (2m + ky - 1, 2k + kx - 1). So output phase (py, px) adds the four taps PHASE_TAPS[py] x PHASE_TAPS[px] of Q,
     * each shifted by at most one cell; the phases are then interleaved to (N, C, h, w). The positions may be a part
     * of the whole grid, hf x wf: the cells around it then count as zero.
     */
    private static NDArray reconstruct(NDArray attention, NDArray patches, int hf, int wf) {
        long n = attention.getShape().get(0);
        long c = patches.getShape().get(1) / 16;
        NDArray product = productsWithTransposed(attention, patches);
        // (N, P, 16C) -> (N, 16C, hf, wf) with a ring of zero cells, where the shifted taps fall off the grid
        NDArray q = Ops.zeroPad(product.transpose(0, 2, 1).reshape(n, 16 * c, hf, wf), 1);
        product.close();
        NDList interleavedRows = new NDList(2);
        for (int py = 0; py < 2; py++) {
            NDList cols = new NDList(2);
            for (int px = 0; px < 2; px++) {
                NDArray phase = null;
                for (int ty = 0; ty < 2; ty++) {
                    for (int tx = 0; tx < 2; tx++) {
                        long tap = PHASE_TAPS[py][ty] * 4L + PHASE_TAPS[px][tx];
                        // source cell (m + py + ty - 1, k + px + tx - 1): row m + py + ty of the padded q
                        NDArray shifted = q.get(new NDIndex(":, {}:{}, {}:{}, {}:{}", tap * c, (tap + 1) * c,
                                py + ty, py + ty + hf, px + tx, px + tx + wf));
                        phase = phase == null ? shifted : phase.add(shifted);
                    }
                }
                cols.add(phase);
            }
            interleavedRows.add(NDArrays.stack(cols, 4).reshape(n, c, hf, 2L * wf));
        }
        return NDArrays.stack(interleavedRows, 3).reshape(n, c, 2L * hf, 2L * wf).div(4);
    }

    /** a[i] times b[i] transposed for each image i of a (N, M, K) and b (N, R, K): (N, M, R). */
    private static NDArray productsWithTransposed(NDArray a, NDArray b) {
        Shape sa = a.getShape();
        Shape sb = b.getShape();
        long n = sa.get(0);
        if (n == 1) {
            // the product's case: reshapes are views, where slicing and stacking would copy score-matrix-sized arrays
            NDArray product =
                    Ops.productWithTransposed(a.reshape(sa.get(1), sa.get(2)), b.reshape(sb.get(1), sb.get(2)));
            return product.reshape(1, sa.get(1), sb.get(1));
        }
        NDList products = new NDList((int) n);
        for (long i = 0; i < n; i++) {
            products.add(Ops.productWithTransposed(a.get(i), b.get(i)));
        }
        return NDArrays.stack(products, 0);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape f = inputShapes[0];
        return new Shape[] {f, new Shape(f.get(0), 2, f.get(2) / 2, f.get(3) / 2)};
    }
}
