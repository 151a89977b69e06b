package io.inpaint.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.inpaint.api.ImageInfo;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InputTooLargeException;
import io.inpaint.api.InvalidRequestException;

class ImageCheckTest {

    private final ImageCheck check = new ImageCheck(16_777_216L, 16_384);

    @Test
    void acceptsRealImagesByContentWhateverTheirName() throws IOException, InpaintingException {
        for (String format : new String[] {"png", "jpeg", "gif", "bmp"}) {
            ImageInfo info = check.check(encode(format, 64, 48), "image");
            assertEquals("image/" + format, info.getMimeType());
            assertEquals(64, info.getWidth());
            assertEquals(48, info.getHeight());
        }
    }

    @Test
    void sizeIsTheUprightOneAsDecodingGivesIt() throws IOException, InpaintingException {
        // stored 200x100 on its side (EXIF orientation 6): 100x200 upright
        ImageInfo info = check.check(ModelServiceImplTest.withExif(encode("jpeg", 200, 100), 6), "image");
        assertEquals(100, info.getWidth());
        assertEquals(200, info.getHeight());
        assertEquals("jpeg", info.getExtension());
    }

    @Test
    void tiffIsRefusedAsAnyOtherType() throws IOException {
        InvalidRequestException e = refused(() -> check.check(encode("tiff", 8, 8), "image"));
        assertEquals("the image is image/tiff by its content, not a supported image (PNG, JPEG, GIF or BMP)",
                e.getMessage());
    }

    @Test
    void refusesWhatIsNotAnImage() {
        InvalidRequestException e = refused(
                () -> check.check("just text, named photo.png".getBytes(StandardCharsets.UTF_8), "image"));
        assertFalse(e instanceof InputTooLargeException, e.toString());
        assertTrue(e.getMessage().contains("text/plain"), e.getMessage());
        assertEquals("the mask is empty (0 bytes)", refused(() -> check.check(new byte[0], "mask")).getMessage());
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        for (String format : new String[] {"png", "jpeg"}) {
            byte[] whole = encode(format, 200, 100);
            InvalidRequestException e = refused(
                    () -> check.check(Arrays.copyOf(whole, whole.length * 2 / 3), "image"));
            assertFalse(e instanceof InputTooLargeException, e.toString());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void acceptsJpegsWithDataAfterTheirEndMarker() throws IOException, InpaintingException {
        byte[] photo = withThumbnail(encode("jpeg", 200, 100));
        // what phones and cameras append: a second picture (MPF preview), maker data, zero padding
        for (byte[] extra : new byte[][] {encode("jpeg", 32, 16), "maker notes".getBytes(StandardCharsets.US_ASCII),
            new byte[4096]}) {
            ImageInfo info = check.check(concat(photo, extra), "image");
            assertEquals("image/jpeg", info.getMimeType());
            assertEquals(200, info.getWidth());
        }
    }

    @Test
    void refusesJpegsCutOffAfterAnEmbeddedThumbnail() {
        // the thumbnail in APP1 ends with its own end marker: only the main picture's counts
        byte[] whole = withThumbnail(encode("jpeg", 200, 100));
        int scan = 6 + THUMBNAIL.length;
        while (!((whole[scan] & 0xff) == 0xff && (whole[scan + 1] & 0xff) == 0xda)) {
            scan++; // the main picture's start of scan: its header is complete, its pixels are not
        }
        for (int length : new int[] {whole.length - 2, whole.length * 2 / 3, scan + 40}) {
            InvalidRequestException e = refused(() -> check.check(Arrays.copyOf(whole, length), "image"));
            assertFalse(e instanceof InputTooLargeException, e.toString());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    private static final byte[] THUMBNAIL = encode("jpeg", 40, 20);

    /** The JPEG with an APP1 segment holding a small JPEG after its SOI, as EXIF thumbnails are stored. */
    private static byte[] withThumbnail(byte[] jpeg) {
        ByteBuffer b = ByteBuffer.allocate(jpeg.length + 4 + THUMBNAIL.length);
        b.put(jpeg, 0, 2).put((byte) 0xff).put((byte) 0xe1).putShort((short) (2 + THUMBNAIL.length)).put(THUMBNAIL)
                .put(jpeg, 2, jpeg.length - 2);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void refusesAbsurdSizesFromTheHeaderAlone() {
        InvalidRequestException e = refused(() -> check.check(pngHeader(50_000, 50_000), "image"));
        assertTrue(e instanceof InputTooLargeException, e.toString());
        assertTrue(e.getMessage().contains("50000x50000"), e.getMessage());
    }

    /** A PNG whose IHDR claims the size, followed by nothing: decoding it would need gigabytes. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13);
        int start = b.position();
        b.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), start, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static byte[] encode(String format, int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | (x ^ y) & 0xff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static InvalidRequestException refused(org.junit.jupiter.api.function.Executable action) {
        return assertThrows(InvalidRequestException.class, action);
    }
}
