package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.List;

/** Stage 1: (N,5,H,W) [xin, ones, mask] -> coarse result (N,3,H,W) clipped to [-1,1]. */
public final class CoarseNetwork extends AbstractBlock {

    private final List<GenConv> layers;

    public CoarseNetwork(int cnum) {
        int c = cnum;
        int c4 = 4 * c;
        layers =
                List.of(
                        GenConv.of("conv1", 5, c).kernel(5).build(),
                        GenConv.of("conv2", c, 2 * c).stride2().build(),
                        GenConv.of("conv3", 2 * c, 2 * c).build(),
                        GenConv.of("conv4", 2 * c, c4).stride2().build(),
                        GenConv.of("conv5", c4, c4).build(),
                        GenConv.of("conv6", c4, c4).build(),
                        GenConv.of("conv7", c4, c4).dilation(2).build(),
                        GenConv.of("conv8", c4, c4).dilation(4).build(),
                        GenConv.of("conv9", c4, c4).dilation(8).build(),
                        GenConv.of("conv10", c4, c4).dilation(16).build(),
                        GenConv.of("conv11", c4, c4).build(),
                        GenConv.of("conv12", c4, c4).build(),
                        GenConv.of("conv13", c4, 2 * c).upsampled().build(),
                        GenConv.of("conv14", 2 * c, 2 * c).build(),
                        GenConv.of("conv15", 2 * c, c).upsampled().build(),
                        GenConv.of("conv16", c, c / 2).build(),
                        GenConv.of("conv17", c / 2, 3).act(GenConv.Act.NONE).build());
        layers.forEach(l -> addChildBlock(l.name(), l));
    }

    /** The layers in network order. */
    public List<GenConv> layers() {
        return layers;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray in = inputs.singletonOrThrow();
        int[] rows = {0, (int) in.getShape().get(2)};
        int[] cols = {0, (int) in.getShape().get(3)};
        return new NDList(run(parameterStore, in, rows, cols, training, params));
    }

    /** The block's forward pass, exact in output rows and columns [from, to) (the rest may be anything). */
    NDArray run(ParameterStore parameterStore, NDArray in, int[] rows, int[] cols, boolean training,
            PairList<String, Object> params) {
        GenConv.Window raw = GenConv.chain(layers, parameterStore, GenConv.Window.all(in), rows, cols, training,
                params);
        return raw.fullClipped(training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        GenConv.initializeChain(layers, manager, dataType, inputShapes[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), 3, in.get(2), in.get(3))};
    }
}
