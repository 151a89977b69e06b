package io.inpaint.service.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Carries the original's metadata (EXIF, XMP, IPTC, ICC profile, text) into the encoded result, by copying its JPEG
 * segments or PNG chunks byte for byte. ImageIO would drop them, and rebuilding them through its metadata trees
 * loses what it does not model.
 *
 * <p>Two adjustments keep the copy truthful: the result is stored upright, so the EXIF orientation is reset to 1; and
 * colour information (ICC profile, PNG gamma and chromaticities) is copied only when the pixels kept their original
 * values, not when decoding converted them to sRGB.
 */
final class MetadataCopier {
    private static final byte[] EXIF_ID = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ICC_ID = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Set<String> PNG_COLOUR = Set.of("iCCP", "sRGB", "gAMA", "cHRM");
    private static final Set<String> PNG_OTHER = Set.of("pHYs", "tEXt", "zTXt", "iTXt", "eXIf", "tIME");
    private static final int TAG_ORIENTATION = 0x0112;

    private MetadataCopier() {
    }

    /**
     * @param format the format of both {@code original} and {@code encoded}; other formats than PNG and JPEG, or
     *     data that does not parse, give {@code encoded} back unchanged
     * @param keepColour whether the pixels are in the original's colour space
     */
    static byte[] copy(byte[] original, byte[] encoded, String format, boolean keepColour) {
        try {
            if (format.equals("jpeg")) {
                return copyJpeg(original, encoded, keepColour);
            }
            if (format.equals("png")) {
                return copyPng(original, encoded, keepColour);
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            // damaged metadata in a picture that decoded fine: the result goes out without it
        }
        return encoded;
    }

    private static byte[] copyJpeg(byte[] original, byte[] encoded, boolean keepColour) {
        List<byte[]> segments = new ArrayList<>();
        for (int[] seg : jpegSegments(original)) {
            int marker = seg[0];
            byte[] bytes = Arrays.copyOfRange(original, seg[1], seg[2]);
            boolean icc = marker == 0xE2 && startsWith(bytes, 4, ICC_ID);
            if (marker == 0xE1 && startsWith(bytes, 4, EXIF_ID)) {
                resetOrientation(bytes, 4 + EXIF_ID.length);
                segments.add(bytes);
            } else if (marker == 0xE1 || marker == 0xED || marker == 0xFE || icc && keepColour) {
                segments.add(bytes);
            }
        }
        if (segments.isEmpty()) {
            return encoded;
        }
        // after SOI and the encoder's JFIF APP0, which must come first
        List<int[]> own = jpegSegments(encoded);
        int insert = !own.isEmpty() && own.get(0)[0] == 0xE0 ? own.get(0)[2] : 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + 65536);
        out.write(encoded, 0, insert);
        segments.forEach(out::writeBytes);
        out.write(encoded, insert, encoded.length - insert);
        return out.toByteArray();
    }

    /** Marker, start and end of each segment before the image data. */
    private static List<int[]> jpegSegments(byte[] data) {
        if (data.length < 4 || (data[0] & 0xff) != 0xFF || (data[1] & 0xff) != 0xD8) {
            throw new IllegalArgumentException("not a JPEG");
        }
        List<int[]> segments = new ArrayList<>();
        int i = 2;
        while (i + 4 <= data.length && (data[i] & 0xff) == 0xFF) {
            int marker = data[i + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            int end = i + 2 + u16(data, i + 2, ByteOrder.BIG_ENDIAN);
            if (end > data.length) {
                throw new IllegalArgumentException("segment runs past the end");
            }
            segments.add(new int[] {marker, i, end});
            i = end;
        }
        return segments;
    }

    private static byte[] copyPng(byte[] original, byte[] encoded, boolean keepColour) {
        List<byte[]> chunks = new ArrayList<>();
        Set<String> types = new HashSet<>();
        for (int[] c : pngChunks(original)) {
            String type = new String(original, c[0] + 4, 4, StandardCharsets.ISO_8859_1);
            if (PNG_OTHER.contains(type) || keepColour && PNG_COLOUR.contains(type)) {
                byte[] chunk = Arrays.copyOfRange(original, c[0], c[1]);
                if (type.equals("eXIf")) {
                    resetOrientation(chunk, 8);
                    updateCrc(chunk);
                }
                chunks.add(chunk);
                types.add(type);
            }
        }
        if (chunks.isEmpty()) {
            return encoded;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + 65536);
        out.writeBytes(PNG_SIGNATURE);
        for (int[] c : pngChunks(encoded)) {
            String type = new String(encoded, c[0] + 4, 4, StandardCharsets.ISO_8859_1);
            if (!types.contains(type)) {
                out.write(encoded, c[0], c[1] - c[0]);
            }
            if (type.equals("IHDR")) {
                chunks.forEach(out::writeBytes);
            }
        }
        return out.toByteArray();
    }

    /** Start and end (CRC included) of each chunk. */
    private static List<int[]> pngChunks(byte[] data) {
        if (!startsWith(data, 0, PNG_SIGNATURE)) {
            throw new IllegalArgumentException("not a PNG");
        }
        List<int[]> chunks = new ArrayList<>();
        int i = PNG_SIGNATURE.length;
        while (i + 12 <= data.length) {
            long length = ByteBuffer.wrap(data, i, 4).getInt() & 0xffffffffL;
            long end = i + 12 + length;
            if (end > data.length) {
                throw new IllegalArgumentException("chunk runs past the end");
            }
            chunks.add(new int[] {i, (int) end});
            i = (int) end;
        }
        return chunks;
    }

    private static void updateCrc(byte[] chunk) {
        CRC32 crc = new CRC32();
        crc.update(chunk, 4, chunk.length - 8);
        ByteBuffer.wrap(chunk, chunk.length - 4, 4).putInt((int) crc.getValue());
    }

    /** Sets the orientation entry of IFD0 in the TIFF structure at {@code tiff} to 1 (upright), if there is one. */
    private static void resetOrientation(byte[] data, int tiff) {
        ByteOrder order;
        if (data[tiff] == 'I' && data[tiff + 1] == 'I') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (data[tiff] == 'M' && data[tiff + 1] == 'M') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            return;
        }
        int ifd = tiff + ByteBuffer.wrap(data, tiff + 4, 4).order(order).getInt();
        int entries = u16(data, ifd, order);
        for (int e = 0; e < entries; e++) {
            int entry = ifd + 2 + 12 * e;
            if (u16(data, entry, order) == TAG_ORIENTATION && u16(data, entry + 2, order) == 3) {
                ByteBuffer.wrap(data, entry + 8, 2).order(order).putShort((short) 1);
                return;
            }
        }
    }

    private static int u16(byte[] data, int at, ByteOrder order) {
        return ByteBuffer.wrap(data, at, 2).order(order).getShort() & 0xffff;
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (at + prefix.length > data.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
