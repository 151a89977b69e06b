package io.inpaint.engine.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Directory;
import com.drew.metadata.MetadataException;
import com.drew.metadata.exif.ExifIFD0Directory;
import io.inpaint.engine.InvalidInputException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Decodes an image and turns it upright according to its EXIF orientation, as a viewer would show it. */
public final class ImageLoader {
    private ImageLoader() {
    }

    /**
     * @param name how the caller calls the data (file name), for error messages
     * @throws InvalidInputException when the bytes are not an image ImageIO can decode
     */
    public static BufferedImage read(byte[] data, String name) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(data));
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("cannot decode image " + name + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new InvalidInputException("cannot decode image " + name + ": not a supported image format"
                    + " (PNG, JPEG, BMP, GIF, TIFF, WBMP)");
        }
        return orient(image, orientation(data));
    }

    /** The EXIF orientation tag (1..8), 1 when absent or unreadable: a broken tag must not reject a good image. */
    public static int orientation(byte[] data) {
        try {
            Directory exif = ImageMetadataReader.readMetadata(new ByteArrayInputStream(data), data.length)
                    .getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (exif != null && exif.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                int value = exif.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                return value >= 1 && value <= 8 ? value : 1;
            }
        } catch (ImageProcessingException | MetadataException | IOException | RuntimeException e) {
            return 1;
        }
        return 1;
    }

    /**
     * Applies an EXIF orientation by moving whole rows of raw pixel data, so the pixel type and values are kept
     * exactly. Per orientation: whether a stored row becomes an output column, whether the row order is flipped,
     * and whether the pixels within a row are reversed.
     */
    public static BufferedImage orient(BufferedImage image, int orientation) {
        if (orientation == 1) {
            return image;
        }
        boolean transpose = orientation >= 5;
        boolean flipLines = orientation == 3 || orientation == 4 || orientation == 6 || orientation == 7;
        boolean reverse = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
        int w = image.getWidth();
        int h = image.getHeight();
        Raster src = image.getRaster();
        ColorModel cm = image.getColorModel();
        int ow = transpose ? h : w;
        int oh = transpose ? w : h;
        // a standard type is re-created as such, so writers and callers still see e.g. TYPE_3BYTE_BGR
        BufferedImage oriented = image.getType() == BufferedImage.TYPE_CUSTOM
                ? new BufferedImage(cm, cm.createCompatibleWritableRaster(ow, oh), cm.isAlphaPremultiplied(), null)
                : new BufferedImage(ow, oh, image.getType());
        WritableRaster out = oriented.getRaster();
        int n = src.getNumDataElements();
        Object line = null;
        Object reversed = null;
        for (int y = 0; y < h; y++) {
            line = src.getDataElements(0, y, w, 1, line);
            Object pixels = line;
            if (reverse) {
                reversed = reversed == null ? src.getDataElements(0, y, w, 1, null) : reversed;
                for (int x = 0; x < w; x++) {
                    System.arraycopy(line, x * n, reversed, (w - 1 - x) * n, n);
                }
                pixels = reversed;
            }
            int target = flipLines ? h - 1 - y : y;
            if (transpose) {
                out.setDataElements(target, 0, 1, w, pixels);
            } else {
                out.setDataElements(0, target, w, 1, pixels);
            }
        }
        return oriented;
    }
}
