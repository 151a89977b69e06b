package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
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
    /** Score elements per band of the convolution fuse: 8 MB of floats, so a 72 MB im2col buffer. */
    static final long FUSE_BAND_ELEMENTS = 1L << 21;

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
        NDArray mask = inputs.get(1);
        Shape s = f.getShape();
        if (s.dimension() != 4 || s.get(2) % 2 != 0 || s.get(3) % 2 != 0) {
            throw new IllegalArgumentException("attention features must be (N,C,h,w) with even h and w, got " + s);
        }
        int hf = (int) s.get(2) / 2;
        int wf = (int) s.get(3) / 2;

        NDArray fd = f.get(":, :, ::2, ::2");
        NDArray valid = validity(mask.get(":, :, ::2, ::2"));
        NDArray scores = LayerProfile.time(Group.ATTENTION_MATCHING,
                () -> Ops.freeingIntermediates(fd, ContextualAttention::scores));
        NDArray fused = LayerProfile.time(Group.FUSE, () -> fuseBothOrders(scores, hf, wf));
        scores.close();
        NDArray attention = LayerProfile.time(Group.SOFTMAX,
                () -> Ops.freeingIntermediates(fused, t -> softmaxOverBackground(t, valid)));
        fused.close();
        NDArray offsets = LayerProfile.time(Group.SOFTMAX, () -> offsets(attention, hf, wf));
        NDArray y = LayerProfile.time(Group.RECONSTRUCTION, () -> {
            NDArray weight = Ops.freeingIntermediates(f, ContextualAttention::patchMatrix);
            NDArray attended = Ops.freeingIntermediates(attention, a -> reconstruct(a, weight, hf, wf));
            weight.close();
            return attended;
        });
        attention.close();
        return new NDList(y, offsets);
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
     * Steps 3 and 5: S[p, l] = <3x3 patch at p, 3x3 patch at l / max(||patch at l||, eps)>, (N, P, L). With X the
     * (L, 9C) matrix of every location's zero-padded 3x3 patch, that is X X^T with each column l scaled by its
     * norm: one matrix product, the form both engines run fastest.
     */
    private static NDArray scores(NDArray fd) {
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
        NDArray norms = patches.square().sum(new int[] {2}).sqrt().maximum(PATCH_NORM_EPS).reshape(n, 1, l);
        return productsWithTransposed(patches, patches).divi(norms);
    }

    /** Step 4: 1 for background patches whose zero-padded 3x3 mask patch is all zero, as (N, 1, L). */
    private static NDArray validity(NDArray md) {
        Shape s = md.getShape();
        NDArray hole = md.neq(0).toType(DataType.FLOAT32, false);
        NDArray box = md.getManager().ones(new Shape(1, 1, 3, 3), DataType.FLOAT32, md.getDevice());
        NDArray touched = Ops.conv2d(hole, box, 1, 1);
        return touched.eq(0).toType(md.getDataType(), false).reshape(s.get(0), 1, s.get(2) * s.get(3));
    }

    /** Step 6: identity-kernel fuse in raster order, then in column-major order of both p and l. */
    private static NDArray fuseBothOrders(NDArray scores, int hf, int wf) {
        NDArray raster = Ops.freeingIntermediates(scores, ContextualAttention::fuse);
        NDArray columnMajor = Ops.freeingIntermediates(raster, t -> swapOrder(t, hf, wf));
        raster.close();
        NDArray fused = Ops.freeingIntermediates(columnMajor, ContextualAttention::fuse);
        columnMajor.close();
        NDArray back = Ops.freeingIntermediates(fused, t -> swapOrder(t, wf, hf));
        fused.close();
        return back;
    }

    /** Re-indexes both axes of (N, P, L) between raster (y * cols + x) and column-major (x * rows + y) order. */
    private static NDArray swapOrder(NDArray s, int rows, int cols) {
        Shape shape = s.getShape();
        return s.reshape(shape.get(0), rows, cols, rows, cols).transpose(0, 2, 1, 4, 3).reshape(shape);
    }

    /**
     * S'[p, l] = S[p-1, l-1] + S[p, l] + S[p+1, l+1], zero outside. Both forms below compute exactly this; which is
     * fast depends on the engine (4096 x 4096 on 2 cores: MXNet convolution 0.3 s vs slices 0.75 s, PyTorch slices
     * 0.28 s vs convolution 1.4 s), so the engine's name picks one.
     */
    static NDArray fuse(NDArray s) {
        return "MXNet".equals(s.getManager().getEngine().getEngineName()) ? fuseByConvolution(s) : fuseBySlices(s);
    }

    /** {@link #fuseByConvolution(NDArray, long)} in bands of about {@value #FUSE_BAND_ELEMENTS} elements. */
    static NDArray fuseByConvolution(NDArray s) {
        return fuseByConvolution(s, Math.max(1, FUSE_BAND_ELEMENTS / s.getShape().get(2)));
    }

    /**
     * The fuse as a 3x3 identity-kernel convolution over the (P, L) matrix seen as a 1-channel image, run on bands
     * of {@code bandRows} rows p (each read with the rows either side) and joined: MKL-DNN's im2col buffer for the
     * whole matrix is 9 times its size (600 MB at 4096 x 4096). Each output is the same sum as in one piece.
     */
    static NDArray fuseByConvolution(NDArray s, long bandRows) {
        Shape shape = s.getShape();
        long p = shape.get(1);
        NDArray image = s.reshape(shape.get(0), 1, p, shape.get(2));
        NDArray identity = s.getManager().eye(3, 3, 0, s.getDataType(), s.getDevice()).reshape(1, 1, 3, 3);
        NDList bands = new NDList();
        for (long start = 0; start < p; start += bandRows) {
            long from = start;
            long to = Math.min(start + bandRows, p);
            bands.add(Ops.freeingIntermediates(image, m -> fuseBand(m, identity, from, to)));
        }
        return NDArrays.concat(bands, 2).reshape(shape);
    }

    /** Rows [from, to) of the identity-kernel convolution of (N, 1, P, L), from rows [from - 1, to + 1) of it. */
    private static NDArray fuseBand(NDArray image, NDArray identity, long from, long to) {
        long lo = Math.max(from - 1, 0);
        long hi = Math.min(to + 1, image.getShape().get(2));
        NDArray out = Ops.conv2d(image.get(new NDIndex(":, :, {}:{}", lo, hi)), identity, 1, 1);
        return out.get(new NDIndex(":, :, {}:{}", from - lo, to - lo));
    }

    /** The fuse as the sum of three diagonal shifts of the zero-padded matrix. */
    static NDArray fuseBySlices(NDArray s) {
        Shape shape = s.getShape();
        NDArray padded = Ops.zeroPad(s.reshape(shape.get(0), 1, shape.get(1), shape.get(2)), 1);
        return padded.get(":, :, :-2, :-2")
                .add(padded.get(":, :, 1:-1, 1:-1"))
                .add(padded.get(":, :, 2:, 2:"))
                .reshape(shape);
    }

    /**
     * Step 7: A = softmax(10 * S * valid) over background patches, times valid, with weights below the smallest
     * normal float set to 0. Such weights add nothing a float can hold to step 9, but as subnormal operands they make
     * its matrix product 20-250x slower on x86 (measured on PyTorch, which does not flush them).
     */
    static NDArray softmaxOverBackground(NDArray scores, NDArray valid) {
        // in place where it can be and closed when done: each of these arrays is score-matrix sized
        NDArray logits = scores.mul(valid).muli(SOFTMAX_SCALE);
        NDArray attention = logits.softmax(2).muli(valid);
        logits.close();
        NDArray normal = attention.gte(Float.MIN_NORMAL);
        NDArray keep = normal.toType(attention.getDataType(), false);
        normal.close();
        attention.muli(keep);
        keep.close();
        return attention;
    }

    /** Step 8: (dy, dx) from each position to its most attended background patch, (N,2,hf,wf) INT32. */
    private static NDArray offsets(NDArray attention, int hf, int wf) {
        long n = attention.getShape().get(0);
        // float holds these indices exactly, and floor(i / wf) is exact for them
        NDArray best = attention.argMax(2).toType(DataType.FLOAT32, false);
        NDArray bestY = best.div(wf).floor();
        NDArray bestX = best.sub(bestY.mul(wf));
        NDArray position = attention.getManager().arange(0f, (float) hf * wf, 1f, DataType.FLOAT32, attention.getDevice());
        NDArray posY = position.div(wf).floor();
        NDArray posX = position.sub(posY.mul(wf));
        return NDArrays.stack(new NDList(bestY.sub(posY), bestX.sub(posX)), 1)
                .reshape(n, 2, hf, wf)
                .toType(DataType.INT32, false);
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
     * each shifted by at most one cell; the phases are then interleaved to (N, C, h, w).
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
