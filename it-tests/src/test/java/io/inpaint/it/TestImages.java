package io.inpaint.it;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

/**
 * Pictures for the tests, made here rather than shipped: a photo-like landscape (sky gradient, sun, hills, trees,
 * sensor noise), hole masks, and the broken files the servlets must refuse.
 */
public final class TestImages {

    public static final int WIDTH = 320;
    public static final int HEIGHT = 240;
    /** The hole every test mask marks: x, y, width, height. */
    public static final int[] HOLE = {130, 100, 60, 44};
    /**
     * The photo drawn twice as large (640x480, above the default max side of 512) and its hole: large enough that
     * the hole's crop with its context is the whole photo, which the network then sees scaled down.
     */
    public static final int LARGE = 2;
    public static final int[] LARGE_HOLE = {200, 160, 240, 160};
    /** How far inside the hole's edge the halo checks look, in pixels. */
    private static final int EDGE = 4;

    private TestImages() {
    }

    public static BufferedImage photo() {
        return photo(1);
    }

    /** The landscape drawn {@code scale} times as large, with its noise at that size. */
    public static BufferedImage photo(int scale) {
        int width = WIDTH * scale;
        int height = HEIGHT * scale;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.scale(scale, scale);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(70, 120, 200), 0, HEIGHT * 0.6f, new Color(190, 215, 240)));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(new Color(255, 236, 170));
        g.fillOval(240, 25, 36, 36);
        g.setPaint(new GradientPaint(0, 110, new Color(90, 130, 70), 0, HEIGHT, new Color(40, 80, 35)));
        g.fillPolygon(new Polygon(new int[] {0, 60, 140, 210, 280, WIDTH, WIDTH, 0},
                new int[] {150, 105, 135, 95, 125, 110, HEIGHT, HEIGHT}, 8));
        g.setStroke(new BasicStroke(3));
        Random random = new Random(2018);
        for (int i = 0; i < 14; i++) {
            int x = 10 + random.nextInt(WIDTH - 20);
            int y = 150 + random.nextInt(70);
            g.setColor(new Color(95, 65, 40));
            g.drawLine(x, y, x, y + 14);
            g.setColor(new Color(30 + random.nextInt(30), 90 + random.nextInt(40), 30));
            g.fillOval(x - 8, y - 18, 16, 22);
        }
        g.dispose();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int n = (int) Math.round(random.nextGaussian() * 4);
                int p = image.getRGB(x, y);
                image.setRGB(x, y, clamp((p >> 16 & 0xff) + n) << 16 | clamp((p >> 8 & 0xff) + n) << 8
                        | clamp((p & 0xff) + n));
            }
        }
        return image;
    }

    /** White hole on black, {@code w} by {@code h}; the hole is {@link #HOLE} (empty when {@code empty}). */
    public static BufferedImage mask(int w, int h, boolean empty) {
        return empty ? mask(w, h, new int[] {0, 0, 0, 0}) : mask(w, h, HOLE);
    }

    /** White rectangle {@code hole} (x, y, width, height) on black, {@code w} by {@code h}. */
    public static BufferedImage mask(int w, int h, int[] hole) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(hole[0], hole[1], hole[2], hole[3]);
        g.dispose();
        return mask;
    }

    /** The picture with the rectangle {@code hole} painted over in {@code rgb}, as a user's mask covers an object. */
    public static BufferedImage painted(BufferedImage image, int[] hole, int rgb) {
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(rgb));
        g.fillRect(hole[0], hole[1], hole[2], hole[3]);
        g.dispose();
        return image;
    }

    public static double luma(int p) {
        return 0.299 * (p >> 16 & 0xff) + 0.587 * (p >> 8 & 0xff) + 0.114 * (p & 0xff);
    }

    public static double magentaness(int p) {
        return ((p >> 16 & 0xff) + (p & 0xff)) / 2.0 - (p >> 8 & 0xff);
    }

    /**
     * Every pixel of the rectangle {@code hole} within {@value #EDGE} px of its edge measures less than the largest
     * measure of the known pixels within twice that distance (chessboard), plus a quarter of the paint's lead over
     * them: a pixel holding a quarter of the paint would reach it, the model's own error stays below.
     */
    public static void assertNoHaloAtTheHoleEdge(BufferedImage result, int[] hole, int paint,
            ToDoubleFunction<Integer> measure) {
        int reach = 2 * EDGE;
        for (int y = hole[1]; y < hole[1] + hole[3]; y++) {
            for (int x = hole[0]; x < hole[0] + hole[2]; x++) {
                int depth = Math.min(Math.min(x - hole[0], hole[0] + hole[2] - 1 - x),
                        Math.min(y - hole[1], hole[1] + hole[3] - 1 - y));
                if (depth >= EDGE) {
                    continue;
                }
                double brightest = Double.NEGATIVE_INFINITY;
                for (int ny = Math.max(0, y - reach); ny <= Math.min(result.getHeight() - 1, y + reach); ny++) {
                    for (int nx = Math.max(0, x - reach); nx <= Math.min(result.getWidth() - 1, x + reach); nx++) {
                        boolean known = nx < hole[0] || nx >= hole[0] + hole[2] || ny < hole[1]
                                || ny >= hole[1] + hole[3];
                        if (known) {
                            brightest = Math.max(brightest, measure.applyAsDouble(result.getRGB(nx, ny) & 0xffffff));
                        }
                    }
                }
                double value = measure.applyAsDouble(result.getRGB(x, y) & 0xffffff);
                double limit = brightest + (measure.applyAsDouble(paint) - brightest) / 4;
                if (value >= limit) {
                    throw new AssertionError("hole pixel " + x + "," + y + " measures " + value
                            + ", its known neighbours at most " + brightest + ", limit " + limit);
                }
            }
        }
    }

    public static boolean inHole(int x, int y) {
        return x >= HOLE[0] && x < HOLE[0] + HOLE[2] && y >= HOLE[1] && y < HOLE[1] + HOLE[3];
    }

    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalArgumentException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static BufferedImage decode(byte[] data) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
            if (image == null) {
                throw new AssertionError("not a picture: " + data.length + " bytes");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] photoPng() {
        return encode(photo(), "png");
    }

    public static byte[] maskPng() {
        return encode(mask(WIDTH, HEIGHT, false), "png");
    }

    /** The start of an EXIF APP1 payload: "Exif", two zero bytes, then a big-endian TIFF header. */
    public static final byte[] EXIF_MARK = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42};

    /** A JPEG of the photo carrying an EXIF segment (orientation 1, upright) right after SOI, as cameras write it. */
    public static byte[] photoJpegWithExif() {
        byte[] jpeg = encode(photo(), "jpeg");
        ByteBuffer tiff = ByteBuffer.allocate(EXIF_MARK.length + 4 + 2 + 12 + 4);
        tiff.put(EXIF_MARK).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 1).putShort((short) 0)
                .putInt(0);
        byte[] payload = tiff.array();
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + payload.length);
        out.put(jpeg, 0, 2).put((byte) 0xff).put((byte) 0xe1).putShort((short) (payload.length + 2)).put(payload)
                .put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    public static boolean contains(byte[] data, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= data.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    public static byte[] truncated(byte[] data) {
        return Arrays.copyOf(data, data.length / 2);
    }

    /** A valid PNG signature and IHDR claiming {@code w} by {@code h} pixels, and nothing else. */
    public static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13);
        b.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put(new byte[] {8, 2, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(b.array(), 12, 17);
        return b.putInt((int) crc.getValue()).array();
    }

    /** Pixels outside the hole that differ by more than {@code tolerance} in a channel, and hole pixels that differ. */
    public static int[] compare(BufferedImage original, BufferedImage result, int tolerance) {
        int outsideChanged = 0;
        int insideChanged = 0;
        for (int y = 0; y < original.getHeight(); y++) {
            for (int x = 0; x < original.getWidth(); x++) {
                int a = original.getRGB(x, y);
                int b = result.getRGB(x, y);
                int d = Math.max(Math.abs((a >> 16 & 0xff) - (b >> 16 & 0xff)),
                        Math.max(Math.abs((a >> 8 & 0xff) - (b >> 8 & 0xff)), Math.abs((a & 0xff) - (b & 0xff))));
                if (inHole(x, y)) {
                    insideChanged += d > 0 ? 1 : 0;
                } else {
                    outsideChanged += d > tolerance ? 1 : 0;
                }
            }
        }
        return new int[] {outsideChanged, insideChanged};
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
