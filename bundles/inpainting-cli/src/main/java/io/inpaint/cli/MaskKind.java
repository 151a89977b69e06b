package io.inpaint.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The holes {@code inpaint evaluate} cuts into its pictures, defined on a {@value #SIDE}x{@value #SIDE} crop and scaled
 * with the short side for a picture at its own size.
 */
enum MaskKind {
    /** The paper's validation hole: a centred {@value #HOLE}x{@value #HOLE} square. */
    CENTER,
    /** The paper's training hole: a {@value #HOLE}x{@value #HOLE} box placed at random, each side pulled in 0-16 px. */
    BOXES,
    /** DeepFill v2's free-form brush strokes, OR'ed with a box as for {@link #BOXES}. */
    STROKES,
    /** One or two object-like blobs (a person, a sign, a car): smooth closed outlines, tall or wide. */
    BLOBS;

    static final int SIDE = 256;
    static final int HOLE = 128;
    private static final int MAX_SHRINK = 16;
    // DeepFill v2's stroke parameters for 256x256 pictures.
    private static final double MEAN_ANGLE = 2 * Math.PI / 5;
    private static final double ANGLE_RANGE = 2 * Math.PI / 15;
    private static final int BLOB_VERTICES = 48;
    private static final double BLOB_MIN_RADIUS = 24;
    private static final double BLOB_MAX_RADIUS = 48;

    /** The name on the command line and in the report. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The hole for the {@code index}-th picture of a crop, row by row, true = hole. A function of the seed and the
     * index alone, so a run on fewer pictures gets the same masks for the pictures it has.
     */
    boolean[] hole(int seed, int index) {
        return hole(seed, index, SIDE, SIDE);
    }

    /**
     * The same hole drawn on a picture of any size: every length scaled by the short side over {@value #SIDE},
     * positions drawn over the whole picture. At {@value #SIDE}x{@value #SIDE} it is {@link #hole(int, int)}.
     */
    boolean[] hole(int seed, int index, int width, int height) {
        SplittableRandom random = new SplittableRandom((long) seed << 32 | index & 0xffffffffL);
        double scale = (double) Math.min(width, height) / SIDE;
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        switch (this) {
            case CENTER -> {
                int side = (int) Math.round(HOLE * scale);
                g.fillRect((width - side) / 2, (height - side) / 2, side, side);
            }
            case BOXES -> box(g, random, width, height, scale);
            case STROKES -> {
                box(g, random, width, height, scale);
                strokes(g, random, width, height, scale);
            }
            case BLOBS -> blobs(g, random, width, height, scale);
        }
        g.dispose();
        byte[] gray = ((DataBufferByte) mask.getRaster().getDataBuffer()).getData();
        boolean[] hole = new boolean[gray.length];
        for (int i = 0; i < gray.length; i++) {
            hole[i] = gray[i] != 0;
        }
        return hole;
    }

    /** The hole as a mask picture the engine reads: white hole on black. */
    static BufferedImage picture(boolean[] hole, int width) {
        BufferedImage mask = new BufferedImage(width, hole.length / width, BufferedImage.TYPE_BYTE_GRAY);
        byte[] gray = ((DataBufferByte) mask.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < hole.length; i++) {
            gray[i] = (byte) (hole[i] ? 255 : 0);
        }
        return mask;
    }

    private static void box(Graphics2D g, SplittableRandom random, int width, int height, double scale) {
        int side = (int) Math.round(HOLE * scale);
        int top = random.nextInt(height - side + 1);
        int left = random.nextInt(width - side + 1);
        int dy = (int) Math.round(random.nextInt(MAX_SHRINK + 1) * scale);
        int dx = (int) Math.round(random.nextInt(MAX_SHRINK + 1) * scale);
        g.fillRect(left + dx, top + dy, side - 2 * dx, side - 2 * dy);
    }

    /**
     * 1-3 zig-zag polylines of 4-11 vertices, 12-40 px wide with round joints: segments about an eighth of the diagonal
     * long, turning alternately by about 72 degrees, each stroke mirrored at random so that none drifts one way.
     */
    private static void strokes(Graphics2D g, SplittableRandom random, int width, int height, double scale) {
        double segment = Math.hypot(width, height) / 8;
        int strokes = 1 + random.nextInt(3);
        for (int s = 0; s < strokes; s++) {
            int vertices = 4 + random.nextInt(8);
            float strokeWidth = (float) ((12 + random.nextInt(29)) * scale);
            double spread = random.nextDouble() * ANGLE_RANGE;
            int mirrorX = random.nextBoolean() ? 1 : -1;
            int mirrorY = random.nextBoolean() ? 1 : -1;
            double x = random.nextDouble() * width;
            double y = random.nextDouble() * height;
            Path2D.Double path = new Path2D.Double();
            path.moveTo(x, y);
            for (int v = 1; v < vertices; v++) {
                double turn = MEAN_ANGLE + (2 * random.nextDouble() - 1) * spread;
                double angle = v % 2 == 0 ? 2 * Math.PI - turn : turn;
                double length = Math.max(0, Math.min(2 * segment, segment + segment / 2 * nextGaussian(random)));
                x = Math.max(0, Math.min(width - 1, x + mirrorX * length * Math.cos(angle)));
                y = Math.max(0, Math.min(height - 1, y + mirrorY * length * Math.sin(angle)));
                path.lineTo(x, y);
            }
            g.setStroke(new BasicStroke(strokeWidth, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
        }
    }

    /**
     * 1-2 filled outlines of radius 24-48 px, stretched up to 2:1 tall or wide, their edge wobbling with three random
     * harmonics (up to 46 % of the radius), placed anywhere their ellipse fits.
     */
    private static void blobs(Graphics2D g, SplittableRandom random, int width, int height, double scale) {
        int blobs = 1 + random.nextInt(2);
        for (int b = 0; b < blobs; b++) {
            double radius = scale * (BLOB_MIN_RADIUS + random.nextDouble() * (BLOB_MAX_RADIUS - BLOB_MIN_RADIUS));
            double stretch = Math.sqrt(0.5 + random.nextDouble() * 1.5);
            double rx = radius * stretch;
            double ry = radius / stretch;
            double cx = rx + random.nextDouble() * Math.max(0, width - 2 * rx);
            double cy = ry + random.nextDouble() * Math.max(0, height - 2 * ry);
            double[] amplitude = new double[3];
            double[] phase = new double[3];
            for (int k = 0; k < 3; k++) {
                amplitude[k] = random.nextDouble() * 0.25 / (k + 1);
                phase[k] = random.nextDouble() * 2 * Math.PI;
            }
            Path2D.Double outline = new Path2D.Double();
            for (int v = 0; v < BLOB_VERTICES; v++) {
                double t = 2 * Math.PI * v / BLOB_VERTICES;
                double r = 1;
                for (int k = 0; k < 3; k++) {
                    r += amplitude[k] * Math.cos((k + 2) * t + phase[k]);
                }
                double x = cx + rx * r * Math.cos(t);
                double y = cy + ry * r * Math.sin(t);
                if (v == 0) {
                    outline.moveTo(x, y);
                } else {
                    outline.lineTo(x, y);
                }
            }
            outline.closePath();
            g.fill(outline);
        }
    }

    /** Box-Muller, spelled out: nextGaussian does not promise its algorithm, and the masks must never change. */
    private static double nextGaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
