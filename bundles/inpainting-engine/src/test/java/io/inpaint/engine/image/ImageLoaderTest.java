package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.engine.InvalidInputException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImageLoaderTest {
    private static final String STORED = "abc/def";

    /** A 3x2 picture whose pixels are the letters of {@code rows} ("abc/def"), each letter its own colour. */
    private static BufferedImage letters(String rows, int type) {
        String[] lines = rows.split("/");
        BufferedImage image = new BufferedImage(lines[0].length(), lines.length, type);
        for (int y = 0; y < lines.length; y++) {
            for (int x = 0; x < lines[y].length(); x++) {
                image.setRGB(x, y, 0xff000000 | lines[y].charAt(x) * 0x010203);
            }
        }
        return image;
    }

    private static String read(BufferedImage image) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < image.getHeight(); y++) {
            s.append(y > 0 ? "/" : "");
            for (int x = 0; x < image.getWidth(); x++) {
                s.append((char) ((image.getRGB(x, y) & 0xffffff) / 0x010203));
            }
        }
        return s.toString();
    }

    @ParameterizedTest
    @CsvSource({"2, cba/fed", "3, fed/cba", "4, def/abc", "5, ad/be/cf", "6, da/eb/fc", "7, fc/eb/da", "8, cf/be/ad"})
    void everyExifOrientationIsTurnedUpright(int orientation, String upright) {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB}) {
            BufferedImage oriented = ImageLoader.orient(letters(STORED, type), orientation);
            assertEquals(upright, read(oriented));
            assertEquals(type, oriented.getType(), "the pixel layout is kept");
        }
    }

    @Test
    void orientationOneIsTheSameImage() {
        BufferedImage image = letters(STORED, BufferedImage.TYPE_INT_RGB);
        assertSame(image, ImageLoader.orient(image, 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6, 8})
    void aJpegIsReadUprightByItsExifTag(int orientation) throws IOException {
        BufferedImage stored = new BufferedImage(40, 24, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = stored.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 20, 24);
        g.setColor(Color.BLUE);
        g.fillRect(20, 0, 20, 24);
        g.dispose();
        byte[] jpeg = ExifJpeg.encode(stored, orientation);
        assertEquals(orientation, ImageLoader.orientation(jpeg));
        BufferedImage image = ImageLoader.read(jpeg, "test.jpg");
        boolean turned = orientation >= 5;
        assertEquals(turned ? 24 : 40, image.getWidth());
        assertEquals(turned ? 40 : 24, image.getHeight());
        // where the stored left (red) half ends up
        int[] redAt = switch (orientation) {
            case 1 -> new int[] {2, 12};
            case 3 -> new int[] {37, 12};
            case 6 -> new int[] {12, 2};
            default -> new int[] {12, 37};
        };
        int[] blueAt = {image.getWidth() - 1 - redAt[0], image.getHeight() - 1 - redAt[1]};
        int red = image.getRGB(redAt[0], redAt[1]);
        int blue = image.getRGB(blueAt[0], blueAt[1]);
        assertTrue((red >> 16 & 0xff) > 200 && (red & 0xff) < 60, Integer.toHexString(red));
        assertTrue((blue & 0xff) > 200 && (blue >> 16 & 0xff) < 60, Integer.toHexString(blue));
    }

    @Test
    void undecodableBytesAreInvalidInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ImageLoader.read("not a picture".getBytes(StandardCharsets.US_ASCII), "notes.txt"));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
    }
}
