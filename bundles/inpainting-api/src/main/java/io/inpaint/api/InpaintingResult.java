package io.inpaint.api;

import java.util.Objects;
import java.util.Optional;

/** The filled picture and what it took to make it. The byte arrays are shared, not copied: do not modify them. */
public final class InpaintingResult {
    private final byte[] image;
    private final String mimeType;
    private final int width;
    private final int height;
    private final long holePixels;
    private final long inferenceMillis;
    private final long totalMillis;
    private final byte[] flowImage;

    /**
     * @param flowImage the flow picture as PNG, or {@code null}
     */
    public InpaintingResult(byte[] image, String mimeType, int width, int height, long holePixels,
            long inferenceMillis, long totalMillis, byte[] flowImage) {
        this.image = Objects.requireNonNull(image, "image");
        this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
        this.width = width;
        this.height = height;
        this.holePixels = holePixels;
        this.inferenceMillis = inferenceMillis;
        this.totalMillis = totalMillis;
        this.flowImage = flowImage;
    }

    /** The encoded result: the input's size, upright (EXIF orientation applied); pixels outside the hole kept. */
    public byte[] getImage() {
        return image;
    }

    /** {@code image/png}, {@code image/jpeg}, ... */
    public String getMimeType() {
        return mimeType;
    }

    /** The usual file extension for {@link #getMimeType()}, without the dot: {@code png}, {@code jpeg}, ... */
    public String getExtension() {
        int slash = mimeType.indexOf('/');
        return mimeType.substring(slash + 1);
    }

    public int getWidth() {
        return width;
    }

    public int getHeight() {
        return height;
    }

    /** Hole pixels after thresholding and dilation. */
    public long getHolePixels() {
        return holePixels;
    }

    /** Time spent in the model's forward passes, in milliseconds. */
    public long getInferenceMillis() {
        return inferenceMillis;
    }

    /** Time from the call to the result, queue wait, decoding and encoding included, in milliseconds. */
    public long getTotalMillis() {
        return totalMillis;
    }

    /** The attention-offset picture as PNG, when {@link InpaintingOptions#isFlow()} asked for it. */
    public Optional<byte[]> getFlowImage() {
        return Optional.ofNullable(flowImage);
    }

    @Override
    public String toString() {
        return "InpaintingResult[" + mimeType + ", " + image.length + " bytes, " + width + "x" + height
                + ", holePixels=" + holePixels + ", inferenceMillis=" + inferenceMillis + ", totalMillis="
                + totalMillis + ", flow=" + (flowImage != null) + "]";
    }
}
