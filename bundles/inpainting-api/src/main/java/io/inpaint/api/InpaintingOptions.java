package io.inpaint.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * How one request is processed. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * <p>This class is the one place the options' ranges are defined and checked: each builder setter refuses a value
 * outside its range with {@link IllegalArgumentException}, and {@link #parse} reads options given as text (request
 * parameters, job properties, workflow arguments) and refuses a bad one with {@link InvalidRequestException}; both
 * messages name the option as {@link #TEXT_OPTIONS} spells it.
 */
public final class InpaintingOptions {

    /** The options' names as text: request parameters, ingestion job properties and workflow step arguments. */
    public static final String THRESHOLD = "threshold";
    public static final String DILATE = "dilate";
    public static final String MAX_SIDE = "maxSide";
    public static final String CONTEXT_MARGIN = "contextMargin";
    public static final String JPEG_QUALITY = "jpegQuality";
    public static final String MASK_MODE = "maskMode";
    public static final String KEEP_METADATA = "keepMetadata";
    /** Asked for by HTTP callers only: a job or a workflow stores pictures, not attention maps. */
    public static final String FLOW = "flow";

    /** The options {@link #parse} reads. */
    public static final List<String> TEXT_OPTIONS = List.of(THRESHOLD, DILATE, MAX_SIDE, CONTEXT_MARGIN,
            JPEG_QUALITY, MASK_MODE, KEEP_METADATA);

    /** The inclusive ranges. */
    public static final int THRESHOLD_MIN = 0;
    public static final int THRESHOLD_MAX = 254;
    public static final int DILATE_MIN = 0;
    public static final int DILATE_MAX = 1024;
    public static final int MAX_SIDE_MIN = 64;
    public static final int MAX_SIDE_MAX = 1024;
    public static final int CONTEXT_MARGIN_MIN = 0;
    public static final int CONTEXT_MARGIN_MAX = 4096;
    public static final int JPEG_QUALITY_MIN = 1;
    public static final int JPEG_QUALITY_MAX = 100;

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
        /** The input's format (PNG, JPEG, GIF or BMP). */
        SAME,
        PNG,
        JPEG
    }

    private static final InpaintingOptions DEFAULTS = new Builder().build();

    private final MaskMode maskMode;
    private final int threshold;
    private final int dilate;
    private final int maxSide;
    private final int contextMargin;
    private final boolean flow;
    private final OutputFormat outputFormat;
    private final int jpegQuality;
    private final boolean keepMetadata;

    private InpaintingOptions(Builder b) {
        maskMode = b.maskMode;
        threshold = b.threshold;
        dilate = b.dilate;
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
        return new Builder().maskMode(maskMode).threshold(threshold).dilate(dilate).maxSide(maxSide)
                .contextMargin(contextMargin).flow(flow).outputFormat(outputFormat)
                .jpegQuality(jpegQuality).keepMetadata(keepMetadata);
    }

    /** Default {@link MaskMode#AUTO}. */
    public MaskMode getMaskMode() {
        return maskMode;
    }

    /** Luminance ({@value #THRESHOLD_MIN}..{@value #THRESHOLD_MAX}) above which a mask pixel is hole, for {@link MaskMode#LUMINANCE}; default 127. */
    public int getThreshold() {
        return threshold;
    }

    /** Pixels ({@value #DILATE_MIN}..{@value #DILATE_MAX}) by which the hole is grown in every direction before filling; default 0. */
    public int getDilate() {
        return dilate;
    }

    /**
     * Largest side ({@value #MAX_SIDE_MIN}..{@value #MAX_SIDE_MAX}) of what the model is given; larger crops are
     * scaled down. Default 512. Below 64 the attention has almost no background patches to choose from; above 1024
     * its memory grows past what a server holds (with the side's fourth power: an {@code inpaint} process with a
     * half-picture hole peaked at 3.8 GB at 1024, 16.7 GB at 2048).
     */
    public int getMaxSide() {
        return maxSide;
    }

    /** Least context ({@value #CONTEXT_MARGIN_MIN}..{@value #CONTEXT_MARGIN_MAX} pixels) kept around a hole when a large picture is cut into crops; default 64. */
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

    /** JPEG quality ({@value #JPEG_QUALITY_MIN}..{@value #JPEG_QUALITY_MAX}) when the result is JPEG; default 92. */
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
        return maskMode == other.maskMode && threshold == other.threshold && dilate == other.dilate
                && maxSide == other.maxSide && contextMargin == other.contextMargin
                && flow == other.flow && outputFormat == other.outputFormat && jpegQuality == other.jpegQuality
                && keepMetadata == other.keepMetadata;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maskMode, threshold, dilate, maxSide, contextMargin, flow, outputFormat,
                jpegQuality, keepMetadata);
    }

    @Override
    public String toString() {
        return "InpaintingOptions[maskMode=" + maskMode + ", threshold=" + threshold + ", dilate=" + dilate
                + ", maxSide=" + maxSide + ", contextMargin=" + contextMargin + ", flow=" + flow + ", outputFormat=" + outputFormat + ", jpegQuality=" + jpegQuality
                + ", keepMetadata=" + keepMetadata + "]";
    }

    public static final class Builder {
        private MaskMode maskMode = MaskMode.AUTO;
        private int threshold = 127;
        private int dilate;
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

        /** @throws IllegalArgumentException outside {@value #THRESHOLD_MIN}..{@value #THRESHOLD_MAX} */
        public Builder threshold(int value) {
            threshold = inRange(THRESHOLD, value, THRESHOLD_MIN, THRESHOLD_MAX);
            return this;
        }

        /** @throws IllegalArgumentException outside {@value #DILATE_MIN}..{@value #DILATE_MAX} */
        public Builder dilate(int value) {
            dilate = inRange(DILATE, value, DILATE_MIN, DILATE_MAX);
            return this;
        }

        /** @throws IllegalArgumentException outside {@value #MAX_SIDE_MIN}..{@value #MAX_SIDE_MAX} */
        public Builder maxSide(int value) {
            maxSide = inRange(MAX_SIDE, value, MAX_SIDE_MIN, MAX_SIDE_MAX);
            return this;
        }

        /** @throws IllegalArgumentException outside {@value #CONTEXT_MARGIN_MIN}..{@value #CONTEXT_MARGIN_MAX} */
        public Builder contextMargin(int value) {
            contextMargin = inRange(CONTEXT_MARGIN, value, CONTEXT_MARGIN_MIN, CONTEXT_MARGIN_MAX);
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

        /** @throws IllegalArgumentException outside {@value #JPEG_QUALITY_MIN}..{@value #JPEG_QUALITY_MAX} */
        public Builder jpegQuality(int value) {
            jpegQuality = inRange(JPEG_QUALITY, value, JPEG_QUALITY_MIN, JPEG_QUALITY_MAX);
            return this;
        }

        public Builder keepMetadata(boolean value) {
            keepMetadata = value;
            return this;
        }

        public InpaintingOptions build() {
            return new InpaintingOptions(this);
        }

        private static int inRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(rangeMessage(name, min, max, Integer.toString(value)));
            }
            return value;
        }
    }

    /**
     * Reads the options named in {@link #TEXT_OPTIONS} from text, each looked up by name; a name that gives null
     * keeps its default. One reader for request parameters, job properties and workflow arguments, so that all
     * accept and refuse the same values with the same messages.
     *
     * @throws InvalidRequestException a value that is not of its option's type or out of its range, named
     */
    public static Builder parse(Function<String, String> values) throws InvalidRequestException {
        Builder b = builder();
        try {
            Integer v;
            if ((v = number(values, THRESHOLD, THRESHOLD_MIN, THRESHOLD_MAX)) != null) {
                b.threshold(v);
            }
            if ((v = number(values, DILATE, DILATE_MIN, DILATE_MAX)) != null) {
                b.dilate(v);
            }
            if ((v = number(values, MAX_SIDE, MAX_SIDE_MIN, MAX_SIDE_MAX)) != null) {
                b.maxSide(v);
            }
            if ((v = number(values, CONTEXT_MARGIN, CONTEXT_MARGIN_MIN, CONTEXT_MARGIN_MAX)) != null) {
                b.contextMargin(v);
            }
            if ((v = number(values, JPEG_QUALITY, JPEG_QUALITY_MIN, JPEG_QUALITY_MAX)) != null) {
                b.jpegQuality(v);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
        String mode = values.apply(MASK_MODE);
        if (mode != null) {
            try {
                b.maskMode(MaskMode.valueOf(mode.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(MASK_MODE + " must be auto, luminance or alpha, got '" + mode + "'");
            }
        }
        Boolean keep = bool(values.apply(KEEP_METADATA), KEEP_METADATA);
        if (keep != null) {
            b.keepMetadata(keep);
        }
        return b;
    }

    /**
     * The one rule for boolean text: {@code true} or {@code false} in any case; null for null; anything else is
     * refused, never taken as false.
     *
     * @param name the option or parameter, for the message
     */
    public static Boolean bool(String text, String name) throws InvalidRequestException {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (!"true".equalsIgnoreCase(t) && !"false".equalsIgnoreCase(t)) {
            throw new InvalidRequestException(name + " must be true or false, got '" + text + "'");
        }
        return Boolean.valueOf(t);
    }

    private static Integer number(Function<String, String> values, String name, int min, int max)
            throws InvalidRequestException {
        String text = values.apply(name);
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(rangeMessage(name, min, max, text));
        }
    }

    private static String rangeMessage(String name, int min, int max, String got) {
        return name + " must be a whole number from " + min + " to " + max + ", got '" + got + "'";
    }
}
