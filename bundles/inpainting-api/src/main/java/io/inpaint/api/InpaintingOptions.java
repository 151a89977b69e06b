package io.inpaint.api;

import java.util.Objects;

/**
 * How one request is processed. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * <p>The builder accepts any value; the service checks the ranges given here and answers a value outside them with
 * {@link InvalidRequestException} naming the option.
 */
public final class InpaintingOptions {

    /** How the mask picture marks the hole. */
    public enum MaskMode {
        /** {@link #ALPHA} when the mask has an alpha channel that is not opaque everywhere, else {@link #LUMINANCE}. */
        AUTO,
        /** Pixels brighter than {@link #getThreshold()} are the hole (white on black). */
        LUMINANCE,
        /** Pixels with alpha above 0 are the hole (a brush layer on a transparent canvas). */
        ALPHA
    }

    /** The encoding of the result. */
    public enum OutputFormat {
        /** The input's format when it can be written (PNG, JPEG, GIF, BMP, TIFF), else PNG. */
        SAME,
        PNG,
        JPEG
    }

    private static final InpaintingOptions DEFAULTS = new Builder().build();

    private final MaskMode maskMode;
    private final int threshold;
    private final int dilation;
    private final int maxSide;
    private final int contextMargin;
    private final boolean flow;
    private final OutputFormat outputFormat;
    private final int jpegQuality;
    private final boolean keepMetadata;

    private InpaintingOptions(Builder b) {
        maskMode = b.maskMode;
        threshold = b.threshold;
        dilation = b.dilation;
        maxSide = b.maxSide;
        contextMargin = b.contextMargin;
        flow = b.flow;
        outputFormat = b.outputFormat;
        jpegQuality = b.jpegQuality;
        keepMetadata = b.keepMetadata;
    }

    public static InpaintingOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maskMode(maskMode).threshold(threshold).dilation(dilation).maxSide(maxSide)
                .contextMargin(contextMargin).flow(flow).outputFormat(outputFormat)
                .jpegQuality(jpegQuality).keepMetadata(keepMetadata);
    }

    /** Default {@link MaskMode#AUTO}. */
    public MaskMode getMaskMode() {
        return maskMode;
    }

    /** Luminance (0..254) above which a mask pixel is hole, for {@link MaskMode#LUMINANCE}; default 127. */
    public int getThreshold() {
        return threshold;
    }

    /** Pixels (0..1024) by which the hole is grown in every direction before filling; default 0. */
    public int getDilation() {
        return dilation;
    }

    /** Largest side (64..4096) of what the model is given; larger crops are scaled down. Default 512. */
    public int getMaxSide() {
        return maxSide;
    }

    /** Least context (0..4096 pixels) kept around a hole when a large picture is cut into crops; default 64. */
    public int getContextMargin() {
        return contextMargin;
    }

    /** Whether the result carries the attention-offset ("flow") picture as PNG; default false. */
    public boolean isFlow() {
        return flow;
    }

    /** Default {@link OutputFormat#SAME}. */
    public OutputFormat getOutputFormat() {
        return outputFormat;
    }

    /** JPEG quality (1..100) when the result is JPEG; default 92. */
    public int getJpegQuality() {
        return jpegQuality;
    }

    /**
     * Whether the result carries the original's metadata (EXIF with the orientation reset to upright, XMP, ICC
     * profile, text) when both are PNG or both JPEG; default true.
     */
    public boolean isKeepMetadata() {
        return keepMetadata;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof InpaintingOptions)) {
            return false;
        }
        InpaintingOptions other = (InpaintingOptions) o;
        return maskMode == other.maskMode && threshold == other.threshold && dilation == other.dilation
                && maxSide == other.maxSide && contextMargin == other.contextMargin
                && flow == other.flow && outputFormat == other.outputFormat && jpegQuality == other.jpegQuality
                && keepMetadata == other.keepMetadata;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maskMode, threshold, dilation, maxSide, contextMargin, flow, outputFormat,
                jpegQuality, keepMetadata);
    }

    @Override
    public String toString() {
        return "InpaintingOptions[maskMode=" + maskMode + ", threshold=" + threshold + ", dilation=" + dilation
                + ", maxSide=" + maxSide + ", contextMargin=" + contextMargin + ", flow=" + flow + ", outputFormat=" + outputFormat + ", jpegQuality=" + jpegQuality
                + ", keepMetadata=" + keepMetadata + "]";
    }

    public static final class Builder {
        private MaskMode maskMode = MaskMode.AUTO;
        private int threshold = 127;
        private int dilation;
        private int maxSide = 512;
        private int contextMargin = 64;
        private boolean flow;
        private OutputFormat outputFormat = OutputFormat.SAME;
        private int jpegQuality = 92;
        private boolean keepMetadata = true;

        private Builder() {
        }

        public Builder maskMode(MaskMode value) {
            maskMode = Objects.requireNonNull(value, "maskMode");
            return this;
        }

        public Builder threshold(int value) {
            threshold = value;
            return this;
        }

        public Builder dilation(int value) {
            dilation = value;
            return this;
        }

        public Builder maxSide(int value) {
            maxSide = value;
            return this;
        }

        public Builder contextMargin(int value) {
            contextMargin = value;
            return this;
        }

        public Builder flow(boolean value) {
            flow = value;
            return this;
        }

        public Builder outputFormat(OutputFormat value) {
            outputFormat = Objects.requireNonNull(value, "outputFormat");
            return this;
        }

        public Builder jpegQuality(int value) {
            jpegQuality = value;
            return this;
        }

        public Builder keepMetadata(boolean value) {
            keepMetadata = value;
            return this;
        }

        public InpaintingOptions build() {
            return new InpaintingOptions(this);
        }
    }
}
