package io.inpaint.engine.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** Test helper: a JPEG carrying an EXIF orientation tag, as cameras write them. */
public final class ExifJpeg {
    private ExifJpeg() {
    }

    /** Encodes {@code image} as JPEG and adds an APP1 segment holding IFD0 with only the orientation tag. */
    public static byte[] encode(BufferedImage image, int orientation) throws IOException {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", plain);
        byte[] jpeg = plain.toByteArray();
        // keep JFIF's APP0 first, as ImageIO's reader wants it right after SOI
        int insertAt = 2;
        if ((jpeg[2] & 0xff) == 0xff && (jpeg[3] & 0xff) == 0xe0) {
            insertAt += 2 + ((jpeg[4] & 0xff) << 8 | jpeg[5] & 0xff);
        }
        ByteBuffer app1 = ByteBuffer.allocate(36); // big-endian, like the "MM" TIFF header says
        app1.putShort((short) 0xffe1).putShort((short) 34);
        app1.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        app1.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8); // TIFF header, IFD0 at offset 8
        app1.putShort((short) 1); // one entry
        app1.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        app1.putInt(0); // no next IFD
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, insertAt);
        out.write(app1.array());
        out.write(jpeg, insertAt, jpeg.length - insertAt);
        return out.toByteArray();
    }
}
