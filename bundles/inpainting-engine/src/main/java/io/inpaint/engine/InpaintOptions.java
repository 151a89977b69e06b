package io.inpaint.engine;

/** How a request is processed. Immutable; start from {@link #defaults()} or {@link #builder()}. */
public final class InpaintOptions {
    /** How the mask picture marks the hole. */
    public enum MaskMode {
        /** ALPHA when the mask has an alpha channel that is not opaque everywhere, otherwise LUMINANCE. */
        AUTO,
        /** Pixels brighter than the threshold (Rec. 601 luma, 0..255) are the hole. */
        LUMINANCE,
        /** Pixels with alpha &gt; 0 are the hole (a brush layer on a transparent canvas). */
        ALPHA
    }

    private static final InpaintOptions DEFAULTS = new Builder().build();

    private final MaskMode maskMode;
    private final int threshold;
    private final int dilation;
    private final int maxSide;
    private final int contextMargin;
    private final boolean flow;

    private InpaintOptions(Builder b) {
        this.maskMode = b.maskMode;
        this.threshold = b.threshold;
        this.dilation = b.dilation;
        this.maxSide = b.maxSide;
        this.contextMargin = b.contextMargin;
        this.flow = b.flow;
    }

    public static InpaintOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maskMode(maskMode).threshold(threshold).dilation(dilation).maxSide(maxSide)
                .contextMargin(contextMargin).flow(flow);
    }

    public MaskMode maskMode() {
        return maskMode;
    }

    /** Luminance above this (0..254) is hole; default 127. */
    public int threshold() {
        return threshold;
    }

    /** The hole is grown by this many pixels in every direction before filling; default 0. */
    public int dilation() {
        return dilation;
    }

    /** The largest side, in pixels, the network is given; larger crops are scaled down. Default 512. */
    public int maxSide() {
        return maxSide;
    }

    /** Least context, in pixels, kept around a hole when a large image is cut into crops; default 64. */
    public int contextMargin() {
        return contextMargin;
    }

    /** Whether the result carries the attention-offset (flow) picture; default false. */
    public boolean flow() {
        return flow;
    }

    @Override
    public String toString() {
        return "InpaintOptions[maskMode=" + maskMode + ", threshold=" + threshold + ", dilation=" + dilation
                + ", maxSide=" + maxSide + ", contextMargin=" + contextMargin + ", flow=" + flow + "]";
    }

    /** Each setter checks its value at once and throws {@link InvalidInputException} naming the option. */
    public static final class Builder {
        private MaskMode maskMode = MaskMode.AUTO;
        private int threshold = 127;
        private int dilation;
        private int maxSide = 512;
        private int contextMargin = 64;
        private boolean flow;

        private Builder() {
        }

        public Builder maskMode(MaskMode value) {
            if (value == null) {
                throw new InvalidInputException("mask mode must be one of AUTO, LUMINANCE, ALPHA, got null");
            }
            maskMode = value;
            return this;
        }

        public Builder threshold(int value) {
            threshold = checkRange("threshold", value, 0, 254);
            return this;
        }

        public Builder dilation(int value) {
            dilation = checkRange("dilation", value, 0, 1024);
            return this;
        }

        /** 64..4096: below 64 the attention has almost no background patches to choose from. */
        public Builder maxSide(int value) {
            maxSide = checkRange("max side", value, 64, 4096);
            return this;
        }

        public Builder contextMargin(int value) {
            contextMargin = checkRange("context margin", value, 0, 4096);
            return this;
        }

        public Builder flow(boolean value) {
            flow = value;
            return this;
        }

        public InpaintOptions build() {
            return new InpaintOptions(this);
        }

        private static int checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new InvalidInputException(name + " must be in " + min + ".." + max + ", got " + value);
            }
            return value;
        }
    }
}
