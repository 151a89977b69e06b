package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * Stage 2: a dilated-conv encoder and a contextual-attention encoder over the same input, then one decoder.
 * Inputs: [(N,5,H,W) [x2, ones, mask], (N,1,H,W) mask]; outputs: [stage2 (N,3,H,W) in [-1,1], offsets (N,2,H/8,W/8)].
 */
public final class RefineNetwork extends AbstractBlock {

    private final List<GenConv> convBranch;
    private final List<GenConv> attentionEncoder;
    private final ContextualAttention attention;
    private final List<GenConv> attentionDecoder;
    private final List<GenConv> decoder;

    public RefineNetwork(int cnum) {
        int c = cnum;
        int c4 = 4 * c;
        convBranch =
                List.of(
                        GenConv.of("xconv1", 5, c).kernel(5).build(),
                        GenConv.of("xconv2", c, c).stride2().build(),
                        GenConv.of("xconv3", c, 2 * c).build(),
                        GenConv.of("xconv4", 2 * c, 2 * c).stride2().build(),
                        GenConv.of("xconv5", 2 * c, c4).build(),
                        GenConv.of("xconv6", c4, c4).build(),
                        GenConv.of("xconv7", c4, c4).dilation(2).build(),
                        GenConv.of("xconv8", c4, c4).dilation(4).build(),
                        GenConv.of("xconv9", c4, c4).dilation(8).build(),
                        GenConv.of("xconv10", c4, c4).dilation(16).build());
        attentionEncoder =
                List.of(
                        GenConv.of("pmconv1", 5, c).kernel(5).build(),
                        GenConv.of("pmconv2", c, c).stride2().build(),
                        GenConv.of("pmconv3", c, 2 * c).build(),
                        GenConv.of("pmconv4", 2 * c, c4).stride2().build(),
                        GenConv.of("pmconv5", c4, c4).build(),
                        GenConv.of("pmconv6", c4, c4).act(GenConv.Act.RELU).build());
        attention = new ContextualAttention();
        // pmconv7 and pmconv8 do not exist, as in the authors' code.
        attentionDecoder =
                List.of(GenConv.of("pmconv9", c4, c4).build(), GenConv.of("pmconv10", c4, c4).build());
        decoder =
                List.of(
                        GenConv.of("allconv11", 2 * c4, c4).build(),
                        GenConv.of("allconv12", c4, c4).build(),
                        GenConv.of("allconv13", c4, 2 * c).upsampled().build(),
                        GenConv.of("allconv14", 2 * c, 2 * c).build(),
                        GenConv.of("allconv15", 2 * c, c).upsampled().build(),
                        GenConv.of("allconv16", c, c / 2).build(),
                        GenConv.of("allconv17", c / 2, 3).act(GenConv.Act.NONE).build());
        convBranch.forEach(l -> addChildBlock(l.name(), l));
        attentionEncoder.forEach(l -> addChildBlock(l.name(), l));
        addChildBlock("attention", attention);
        attentionDecoder.forEach(l -> addChildBlock(l.name(), l));
        decoder.forEach(l -> addChildBlock(l.name(), l));
    }

    /** The convolution layers in network order (conv branch, attention encoder and decoder, decoder). */
    public List<GenConv> layers() {
        List<GenConv> all = new ArrayList<>(convBranch);
        all.addAll(attentionEncoder);
        all.addAll(attentionDecoder);
        all.addAll(decoder);
        return all;
    }

    /** The stage's matrix-product work for an input of shape {@code in} (N,5,H,W). */
    public NetworkFlops flops(Shape in) {
        Shape conv = GenConv.outputShape(convBranch, in);
        Shape match = GenConv.outputShape(attentionEncoder, in);
        Shape att = GenConv.outputShape(attentionDecoder, match);
        Shape joined = new Shape(in.get(0), conv.get(1) + att.get(1), conv.get(2), conv.get(3));
        long convolutions = GenConv.flops(convBranch, in) + GenConv.flops(attentionEncoder, in)
                + GenConv.flops(attentionDecoder, match) + GenConv.flops(decoder, joined);
        return new NetworkFlops(convolutions, ContextualAttention.matchingFlops(match),
                ContextualAttention.reconstructionFlops(match));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray in = inputs.get(0);
        int[] rows = {0, (int) in.getShape().get(2)};
        int[] cols = {0, (int) in.getShape().get(3)};
        return run(parameterStore, in, inputs.get(1), rows, cols, training, params);
    }

    /**
     * The block's forward pass, stage 2 exact in rows and columns [from, to) (the rest may be anything): the decoder
     * runs on the part those read, the attention's output is needed there only (it scores the positions that reach
     * it), and the conv branch runs down to the part its dilations reach. The attention encoder runs whole, as
     * every background patch is a candidate.
     */
    NDList run(ParameterStore parameterStore, NDArray in, NDArray mask, int[] rows, int[] cols, boolean training,
            PairList<String, Object> params) {
        int quarterRows = (int) in.getShape().get(2) / 4;
        int quarterCols = (int) in.getShape().get(3) / 4;
        int[] joinedRows = GenConv.inputRange(decoder, quarterRows, rows[0], rows[1]);
        int[] joinedCols = GenConv.inputRange(decoder, quarterCols, cols[0], cols[1]);
        int[] attendedRows = GenConv.inputRange(attentionDecoder, quarterRows, joinedRows[0], joinedRows[1]);
        int[] attendedCols = GenConv.inputRange(attentionDecoder, quarterCols, joinedCols[0], joinedCols[1]);
        GenConv.Window convFeatures = GenConv.chain(convBranch, parameterStore, GenConv.Window.all(in), joinedRows,
                joinedCols, training, params);
        NDArray matchFeatures = GenConv.chain(attentionEncoder, parameterStore, in, training, params);
        NDArray maskSmall = mask.get(":, :, ::4, ::4");
        NDList attended = attention.attend(matchFeatures, maskSmall, attendedRows, attendedCols);
        Ops.free(training, matchFeatures, maskSmall);
        GenConv.Window attentionFeatures = GenConv.chain(attentionDecoder, parameterStore,
                GenConv.Window.all(attended.get(0)), joinedRows, joinedCols, training, params);
        Ops.free(training, attended.get(0));
        NDArray joined = NDArrays.concat(new NDList(convFeatures.slice(joinedRows, joinedCols),
                attentionFeatures.slice(joinedRows, joinedCols)), 1);
        Ops.free(training, convFeatures.array(), attentionFeatures.array());
        GenConv.Window raw = GenConv.chain(decoder, parameterStore,
                new GenConv.Window(joined, joinedRows[0], joinedCols[0], quarterRows, quarterCols), rows, cols,
                training, params);
        Ops.free(training, joined);
        return new NDList(raw.fullClipped(training), attended.get(1));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape mask = inputShapes[1];
        Shape conv = GenConv.initializeChain(convBranch, manager, dataType, in);
        Shape match = GenConv.initializeChain(attentionEncoder, manager, dataType, in);
        Shape maskSmall = new Shape(mask.get(0), 1, match.get(2), match.get(3));
        attention.initialize(manager, dataType, match, maskSmall);
        Shape attended = attention.getOutputShapes(new Shape[] {match, maskSmall})[0];
        Shape att = GenConv.initializeChain(attentionDecoder, manager, dataType, attended);
        GenConv.initializeChain(
                decoder, manager, dataType, new Shape(in.get(0), conv.get(1) + att.get(1), conv.get(2), conv.get(3)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long n = in.get(0);
        return new Shape[] {
            new Shape(n, 3, in.get(2), in.get(3)), new Shape(n, 2, in.get(2) / 8, in.get(3) / 8)
        };
    }
}
