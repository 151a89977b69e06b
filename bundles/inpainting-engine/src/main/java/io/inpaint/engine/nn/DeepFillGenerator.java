package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DeepFill v1 generator: coarse network, then refinement with contextual attention.
 *
 * <p>forward([x (N,3,H,W) in [-1,1], mask (N,1,H,W) 0/1, 1 = hole]) -> [stage1 (N,3,H,W), stage2 (N,3,H,W),
 * offsets (N,2,H/8,W/8) INT32 (dy, dx)]. H and W must be multiples of 8. The network blanks the hole itself, so x
 * may be the unmasked image.
 */
public final class DeepFillGenerator extends AbstractBlock {

    private final CoarseNetwork coarse;
    private final RefineNetwork refine;

    /**
     * Forward parameter (an {@link Integer}, pixels): the caller reads stage 2 only within this many pixels of the
     * hole's bounding box (over the batch) and stage 1 only inside it, so the layers' work and the attention
     * positions that reach neither are left out, and the rest of both stages may be anything. Without it every pixel
     * is exact.
     */
    public static final String HOLE_REACH = "holeReach";

    /** @param cnum base channel count (32 for the shipped model); even and at least 2 */
    public DeepFillGenerator(int cnum) {
        if (cnum < 2 || cnum % 2 != 0) {
            throw new IllegalArgumentException("cnum must be an even number >= 2, got " + cnum);
        }
        coarse = addChildBlock("coarse", new CoarseNetwork(cnum));
        refine = addChildBlock("refine", new RefineNetwork(cnum));
    }

    /** Every convolution in network order: stage 1, then stage 2. */
    private List<GenConv> layers() {
        List<GenConv> all = new ArrayList<>(coarse.layers());
        all.addAll(refine.layers());
        return all;
    }

    /** Every parameter under its twin / weight-file name ({@code conv1.weight}, {@code conv1.bias}, ...), in network order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> named = new LinkedHashMap<>();
        for (GenConv layer : layers()) {
            named.put(layer.name() + ".weight", layer.weight());
            named.put(layer.name() + ".bias", layer.bias());
        }
        return named;
    }

    /** The network's matrix-product work for one picture of {@code height} x {@code width} (multiples of 8). */
    public NetworkFlops flops(int height, int width) {
        Shape in = new Shape(1, 5, height, width);
        NetworkFlops stage2 = refine.flops(in);
        return new NetworkFlops(GenConv.flops(coarse.layers(), in) + stage2.convolutions(),
                stage2.attentionMatching(), stage2.reconstruction());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray mask = inputs.get(1);
        checkInputShapes(x.getShape(), mask.getShape());
        NDArray known = mask.mul(-1).add(1);
        NDArray xin = x.mul(known);
        NDArray ones = mask.onesLike();
        NDArray coarseIn = NDArrays.concat(new NDList(xin, ones, mask), 1);
        Integer reach = params == null ? null : (Integer) params.get(HOLE_REACH);
        int[] holeRows = reach == null ? new int[] {0, (int) x.getShape().get(2)} : holeExtent(mask, 2);
        int[] holeCols = reach == null ? new int[] {0, (int) x.getShape().get(3)} : holeExtent(mask, 3);
        // stage 1 counts only in the hole, stage 2 within reach of it
        NDArray stage1 = coarse.run(parameterStore, coarseIn, holeRows, holeCols, training, params);
        Ops.free(training, coarseIn);
        NDArray x2 = stage1.mul(mask).add(xin.mul(known));
        NDArray refineIn = NDArrays.concat(new NDList(x2, ones, mask), 1);
        Ops.free(training, known, xin, x2);
        int margin = reach == null ? 0 : reach;
        NDList refined = refine.run(parameterStore, refineIn, mask, new int[] {holeRows[0] - margin,
            holeRows[1] + margin}, new int[] {holeCols[0] - margin, holeCols[1] + margin}, training, params);
        Ops.free(training, refineIn, ones);
        return new NDList(stage1, refined.get(0), refined.get(1));
    }

    /**
     * [first, last + 1) of the rows (axis 2) or columns (axis 3) of mask (N,1,H,W) that hold a hole in any image; all
     * of them when there is none.
     */
    private static int[] holeExtent(NDArray mask, int axis) {
        // one axis at a time: PyTorch's max takes only one
        NDArray other = mask.max(new int[] {axis == 2 ? 3 : 2});
        float[] line = other.max(new int[] {1}).max(new int[] {0}).toFloatArray();
        int first = 0;
        while (first < line.length && line[first] == 0) {
            first++;
        }
        int last = line.length - 1;
        while (last > first && line[last] == 0) {
            last--;
        }
        return first == line.length ? new int[] {0, line.length} : new int[] {first, last + 1};
    }

    /**
     * Checks x (N,3,H,W) and mask (N,1,H,W) with H and W positive multiples of 8.
     *
     * @throws IllegalArgumentException saying what does not fit
     */
    public static void checkInputShapes(Shape x, Shape mask) {
        if (x.dimension() != 4 || x.get(1) != 3) {
            throw new IllegalArgumentException("x must be (N,3,H,W), got " + x);
        }
        if (!mask.equals(new Shape(x.get(0), 1, x.get(2), x.get(3)))) {
            throw new IllegalArgumentException("mask must be (N,1,H,W) matching x " + x + ", got " + mask);
        }
        if (x.get(2) % 8 != 0 || x.get(3) % 8 != 0 || x.get(2) == 0 || x.get(3) == 0) {
            throw new IllegalArgumentException("height and width must be positive multiples of 8, got " + x.get(2) + "x" + x.get(3));
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape in = new Shape(x.get(0), 5, x.get(2), x.get(3));
        coarse.initialize(manager, dataType, in);
        refine.initialize(manager, dataType, in, inputShapes[1]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {x, x, new Shape(x.get(0), 2, x.get(2) / 8, x.get(3) / 8)};
    }
}
