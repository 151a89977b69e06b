package io.inpaint.api;

import java.util.Objects;

/** What {@link InpaintingService#check} found out about an encoded picture from its bytes, without decoding it. */
public final class ImageInfo {
    private final String mimeType;
    private final int width;
    private final int height;

    public ImageInfo(String mimeType, int width, int height) {
        this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
        this.width = width;
        this.height = height;
    }

    /** The type by the content: {@code image/png}, {@code image/jpeg}, {@code image/gif} or {@code image/bmp}. */
    public String getMimeType() {
        return mimeType;
    }

    /** The usual file extension for {@link #getMimeType()}, without the dot: {@code png}, {@code jpeg}, ... */
    public String getExtension() {
        return mimeType.substring(mimeType.indexOf('/') + 1);
    }

    /** The width upright, as a viewer shows the picture (EXIF orientation applied). */
    public int getWidth() {
        return width;
    }

    /** The height upright, as {@link #getWidth()}. */
    public int getHeight() {
        return height;
    }

    /** Whether both pictures are the same size upright. */
    public boolean sameSize(ImageInfo other) {
        return width == other.width && height == other.height;
    }

    @Override
    public String toString() {
        return mimeType + " " + width + "x" + height;
    }
}
