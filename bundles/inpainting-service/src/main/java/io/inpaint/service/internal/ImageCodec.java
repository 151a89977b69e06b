package io.inpaint.service.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import io.inpaint.api.InpaintingOptions.OutputFormat;
import io.inpaint.api.ImageInfo;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.InvalidInputException;

/** Decodes what callers send, once {@link ImageCheck} has passed it, and encodes results. */
final class ImageCodec {

    private ImageCodec() {
    }

    /** A decoded picture, upright, and the format it came in ({@code png}, {@code jpeg}, ...). */
    record Decoded(BufferedImage image, String format) {
    }

    /**
     * @param what how messages call the data, e.g. "image" or "mask"
     * @param info what {@link ImageCheck#check} found the data to be: decoding never starts before it passed
     * @throws InvalidRequestException damaged past its header
     */
    static Decoded decode(byte[] data, String what, ImageInfo info) throws InvalidRequestException {
        try {
            return new Decoded(Inpainter.readImage(new ByteArrayInputStream(data), what), info.getExtension());
        } catch (InvalidInputException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // ImageIO reports some damaged files with unchecked exceptions
            throw new InvalidRequestException("the " + what + " cannot be decoded: " + e, e);
        }
    }

    /** The format a result is written in: the input's (every format {@link ImageCheck} passes can be written). */
    static String outputFormat(OutputFormat wanted, String inputFormat) {
        switch (wanted) {
            case PNG:
                return "png";
            case JPEG:
                return "jpeg";
            default:
                return inputFormat;
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
}
