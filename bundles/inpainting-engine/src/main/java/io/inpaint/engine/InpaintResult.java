package io.inpaint.engine;

import io.inpaint.api.InpaintingOptions;

import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * The filled picture, decoded, and what it took to make it. Not the api's {@code InpaintingResult}, which carries the
 * encoded bytes the service made of this; accessors are {@code x()}, as the engine's records', where the api keeps
 * the {@code getX()} of Sling's and OSGi's APIs.
 */
public final class InpaintResult {
    private final BufferedImage image;
    private final BufferedImage flow;
    private final long holePixels;
    private final int regions;
    private final int passes;
    private final long inferenceMillis;

    InpaintResult(BufferedImage image, BufferedImage flow, long holePixels, int regions, int passes,
            long inferenceMillis) {
        this.image = image;
        this.flow = flow;
        this.holePixels = holePixels;
        this.regions = regions;
        this.passes = passes;
        this.inferenceMillis = inferenceMillis;
    }

    /** The result: the input's size, {@code TYPE_3BYTE_BGR}; pixels outside the hole are the input's, bit for bit. */
    public BufferedImage image() {
        return image;
    }

    /** The attention-offset picture (the input's size), when {@link InpaintingOptions#isFlow()} asked for it. */
    public Optional<BufferedImage> flow() {
        return Optional.ofNullable(flow);
    }

    /** Hole pixels after thresholding and dilation. */
    public long holePixels() {
        return holePixels;
    }

    /** Crops the network was run on: 1 when the image fitted, else one per group of nearby holes. */
    public int regions() {
        return regions;
    }

    /**
     * The network's forward passes: one per region, and a second, smaller one for each region whose holes are deeper
     * than the network learnt to fill ({@link io.inpaint.engine.image.HoleDepth}).
     */
    public int passes() {
        return passes;
    }

    /** Wall time spent in the network's forward passes, in milliseconds. */
    public long inferenceMillis() {
        return inferenceMillis;
    }
}
