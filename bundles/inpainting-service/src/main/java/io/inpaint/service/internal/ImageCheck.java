package io.inpaint.service.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MimeTypes;

import io.inpaint.api.ImageInfo;
import io.inpaint.api.InputTooLargeException;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.engine.image.ImageLoader;

import io.inpaint.api.InputTooLargeException;
import io.inpaint.api.InvalidRequestException;

/**
 * The one check of an encoded picture, from its bytes alone and before anything is decoded: the type by Apache
 * Tika's magic detection (never a name or a Content-Type header), the size from the header against the pixel
 * limits, and whether the file is complete.
 */
final class ImageCheck {

    /** Types that pass, with the format name the JDK's ImageIO readers know them by. */
    private static final Map<String, String> SUPPORTED = Map.of(
            "image/png", "png",
            "image/jpeg", "jpeg",
            "image/gif", "gif",
            "image/bmp", "bmp");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final long maxPixels;
    private final int maxSide;

    ImageCheck(long maxPixels, int maxSide) {
        this.maxPixels = maxPixels;
        this.maxSide = maxSide;
    }

    long maxPixels() {
        return maxPixels;
    }

    int maxSide() {
        return maxSide;
    }

    /**
     * @param what how to call the data in messages, e.g. "image" or "mask /content/dam/x.mask.png"
     * @return the type and the upright size (EXIF orientation applied, as decoding does)
     * @throws InputTooLargeException one too large to decode
     * @throws InvalidRequestException anything else that is not a complete supported image
     */
    ImageInfo check(byte[] data, String what) throws InvalidRequestException {
        if (data == null || data.length == 0) {
            throw new InvalidRequestException("the " + what + " is empty (0 bytes)");
        }
        String mime = detect(data);
        String format = SUPPORTED.get(mime);
        if (format == null) {
            throw new InvalidRequestException("the " + what + " is " + mime + " by its content, not a supported"
                    + " image (PNG, JPEG, GIF or BMP)");
        }
        int[] size = headerSize(data, format, what);
        long pixels = (long) size[0] * size[1];
        if (size[0] > maxSide || size[1] > maxSide || pixels > maxPixels) {
            throw new InputTooLargeException("the " + what + " is " + size[0] + "x" + size[1] + " pixels by its"
                    + " header; at most " + maxSide + " pixels a side and " + maxPixels + " pixels in all are accepted");
        }
        if (!complete(data, format)) {
            throw new InvalidRequestException("the " + what + " is truncated or damaged: its "
                    + format.toUpperCase(Locale.ROOT) + " data ends before the end marker");
        }
        boolean quarterTurn = ImageLoader.orientation(data) >= 5;
        return new ImageInfo(mime, quarterTurn ? size[1] : size[0], quarterTurn ? size[0] : size[1]);
    }

    private static String detect(byte[] data) throws InvalidRequestException {
        // no resource name in the metadata: Tika then goes by magic bytes only
        try (InputStream in = TikaInputStream.get(data)) {
            return MimeTypes.getDefaultMimeTypes().detect(in, new Metadata()).getBaseType().toString();
        } catch (IOException e) {
            throw new InvalidRequestException("cannot detect the type of the upload: " + e.getMessage());
        }
    }

    /** Width and height from the header only: ImageIO readers parse no pixel data for these calls. */
    private static int[] headerSize(byte[] data, String format, String what) throws InvalidRequestException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new InvalidRequestException("no decoder for " + format + " images here");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            return new int[] {reader.getWidth(0), reader.getHeight(0)};
        } catch (IOException | RuntimeException e) {
            throw new InvalidRequestException("the " + what + " has a damaged " + format.toUpperCase(Locale.ROOT) + " header: "
                    + e.getMessage());
        } finally {
            reader.dispose();
        }
    }

    /**
     * Whether the file reaches its format's end marker. Decoders do not all notice a cut-off file (the JPEG reader
     * fills the rest grey and only warns), so this is checked on the structure instead. Bytes after the end marker
     * are extra data, not missing data: a JPEG may carry them (cameras and phones append previews and maker data).
     */
    static boolean complete(byte[] data, String format) {
        switch (format) {
            case "png":
                return pngComplete(data);
            case "jpeg":
                return jpegComplete(data);
            case "gif":
                return endsWith(data, (byte) 0x3b);
            case "bmp":
                return data.length >= 6 && (data[2] & 0xffL | (data[3] & 0xffL) << 8 | (data[4] & 0xffL) << 16
                        | (data[5] & 0xffL) << 24) <= data.length;
            default:
                return false;
        }
    }

    /** Walks the chunks (length, type, data, CRC) up to IEND; false when one runs past the end. */
    private static boolean pngComplete(byte[] data) {
        if (data.length < PNG_SIGNATURE.length) {
            return false;
        }
        long pos = PNG_SIGNATURE.length;
        while (pos + 8 <= data.length) {
            int p = (int) pos;
            long length = (data[p] & 0xffL) << 24 | (data[p + 1] & 0xffL) << 16 | (data[p + 2] & 0xffL) << 8
                    | data[p + 3] & 0xffL;
            boolean iend = data[p + 4] == 'I' && data[p + 5] == 'E' && data[p + 6] == 'N' && data[p + 7] == 'D';
            pos += 12 + length;
            if (pos > data.length) {
                return false;
            }
            if (iend) {
                return true;
            }
        }
        return false;
    }

    /**
     * Walks the segments (marker, length, data) and the entropy-coded scans to the end-of-image marker; false when
     * the data stops first. Segment data is skipped by its length, so an embedded EXIF thumbnail's own end marker
     * does not count; inside a scan, 0xFF is followed only by a stuffed 0x00 or a restart marker.
     */
    private static boolean jpegComplete(byte[] data) {
        if (data.length < 4 || (data[0] & 0xff) != 0xff || (data[1] & 0xff) != 0xd8) {
            return false;
        }
        int pos = 2;
        boolean inScan = false;
        while (pos + 1 < data.length) {
            if ((data[pos] & 0xff) != 0xff) {
                if (!inScan) {
                    return false;
                }
                pos++;
                continue;
            }
            int marker = data[pos + 1] & 0xff;
            if (marker == 0xd9) {
                return true;
            }
            if (marker == 0xff) {
                pos++; // fill byte before a marker
                continue;
            }
            if (marker == 0x01 || marker >= 0xd0 && marker <= 0xd7 || inScan && marker == 0x00) {
                pos += 2; // a marker without a length, or a stuffed zero in a scan
                continue;
            }
            if (pos + 3 >= data.length) {
                return false;
            }
            pos += 2 + ((data[pos + 2] & 0xff) << 8 | data[pos + 3] & 0xff);
            inScan = marker == 0xda;
        }
        return false;
    }

    private static boolean endsWith(byte[] data, byte... tail) {
        // trailing zero padding (some cameras and tools add it) does not make a file incomplete
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) {
            end--;
        }
        if (end < tail.length) {
            return false;
        }
        for (int i = 0; i < tail.length; i++) {
            if (data[end - tail.length + i] != tail[i]) {
                return false;
            }
        }
        return true;
    }
}
