package io.inpaint.service.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

import io.inpaint.api.InpaintingOptions.OutputFormat;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.InvalidInputException;

/** Decodes what callers send, with the size checked before any pixel is decoded, and encodes results. */
final class ImageCodec {
    /** Formats a result can be written in as "the same" as its input. */
    private static final Set<String> WRITABLE = Set.of("png", "jpeg", "gif", "bmp", "tiff");

    private ImageCodec() {
    }

    /** A decoded picture, upright, and the format it came in ({@code png}, {@code jpeg}, ...). */
    record Decoded(BufferedImage image, String format) {
    }

    /**
     * @param what how messages call the data, e.g. "image" or "mask"
     * @throws InvalidRequestException empty, not a supported picture, damaged, or over {@code maxPixels}
     */
    static Decoded decode(byte[] data, String what, long maxPixels) throws InvalidRequestException {
        if (data == null || data.length == 0) {
            throw new InvalidRequestException("the " + what + " is empty");
        }
        String format;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidRequestException("the " + what + " is not a picture in a supported format"
                        + " (PNG, JPEG, GIF, BMP, TIFF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // The header alone: a picture claiming 50000x50000 pixels is refused before memory is spent on it.
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new InvalidRequestException("the " + what + " is " + reader.getWidth(0) + "x"
                            + reader.getHeight(0) + " pixels, more than the limit of " + maxPixels + " pixels");
                }
                format = normalise(reader.getFormatName());
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidRequestException("the " + what + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return new Decoded(Inpainter.readImage(new ByteArrayInputStream(data), what), format);
        } catch (InvalidInputException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // ImageIO reports some damaged files with unchecked exceptions
            throw new InvalidRequestException("the " + what + " cannot be decoded: " + e, e);
        }
    }

    /** The format a result is written in: the input's when it can be written, else PNG. */
    static String outputFormat(OutputFormat wanted, String inputFormat) {
        switch (wanted) {
            case PNG:
                return "png";
            case JPEG:
                return "jpeg";
            default:
                return WRITABLE.contains(inputFormat) ? inputFormat : "png";
        }
    }

    static String mimeType(String format) {
        return "image/" + format;
    }

    /** @param jpegQuality 1..100, used for JPEG only */
    static byte[] encode(BufferedImage image, String format, int jpegQuality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format.equals("jpeg")) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(jpegQuality / 100f);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the result as " + format, e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static String normalise(String formatName) {
        String f = formatName.toLowerCase(Locale.ROOT);
        switch (f) {
            case "jpg":
                return "jpeg";
            case "tif":
                return "tiff";
            default:
                return f;
        }
    }
}
