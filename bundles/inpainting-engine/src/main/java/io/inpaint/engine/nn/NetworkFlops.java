package io.inpaint.engine.nn;

/**
 * The generator's matrix-product work at one input size, in floating-point operations (a multiply-add counts 2),
 * counted from the layer table: what a machine's matrix-product rate turns into a lower bound on the forward pass.
 * Biases, activations, the fuse and the softmax are left out: they are elementwise, a few hundred MFLOP at 512x512.
 *
 * @param convolutions      every convolution layer of both stages
 * @param attentionMatching contextual attention step 3: each position against every 3x3 background patch
 * @param reconstruction    contextual attention step 9: the attention times the 4x4 background patches
 */
public record NetworkFlops(long convolutions, long attentionMatching, long reconstruction) {

    public long total() {
        return convolutions + attentionMatching + reconstruction;
    }
}
