package io.inpaint.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Locale;
import java.util.SplittableRandom;

/** The holes {@code inpaint evaluate} cuts into its {@value #SIDE}x{@value #SIDE} crops. */
enum MaskKind {
    /** The paper's validation hole: a centred {@value #HOLE}x{@value #HOLE} square. */
    CENTER,
    /** The paper's training hole: a {@value #HOLE}x{@value #HOLE} box placed at random, each side pulled in 0-16 px. */
    BOXES,
    /** DeepFill v2's free-form brush strokes, OR'ed with a box as for {@link #BOXES}. */
    STROKES;

    static final int SIDE = 256;
    static final int HOLE = 128;
    private static final int MAX_SHRINK = 16;
    // DeepFill v2's stroke parameters for 256x256 pictures.
    private static final double MEAN_ANGLE = 2 * Math.PI / 5;
    private static final double ANGLE_RANGE = 2 * Math.PI / 15;
    private static final double SEGMENT = Math.hypot(SIDE, SIDE) / 8;

    /** The name on the command line and in the report. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The hole for the {@code index}-th picture, row by row, true = hole. A function of the seed and the index alone,
     * so a run on fewer pictures gets the same masks for the pictures it has.
     */
    boolean[] hole(int seed, int index) {
        SplittableRandom random = new SplittableRandom((long) seed << 32 | index & 0xffffffffL);
        BufferedImage mask = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        switch (this) {
            case CENTER -> g.fillRect((SIDE - HOLE) / 2, (SIDE - HOLE) / 2, HOLE, HOLE);
            case BOXES -> box(g, random);
            case STROKES -> {
                box(g, random);
                strokes(g, random);
            }
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

    private static void box(Graphics2D g, SplittableRandom random) {
        int top = random.nextInt(SIDE - HOLE + 1);
        int left = random.nextInt(SIDE - HOLE + 1);
        int dy = random.nextInt(MAX_SHRINK + 1);
        int dx = random.nextInt(MAX_SHRINK + 1);
        g.fillRect(left + dx, top + dy, HOLE - 2 * dx, HOLE - 2 * dy);
    }

    /**
     * 1-3 zig-zag polylines of 4-11 vertices, 12-40 px wide with round joints: segments about an eighth of the diagonal
     * long, turning alternately by about 72 degrees, each stroke mirrored at random so that none drifts one way.
     */
    private static void strokes(Graphics2D g, SplittableRandom random) {
        int strokes = 1 + random.nextInt(3);
        for (int s = 0; s < strokes; s++) {
            int vertices = 4 + random.nextInt(8);
            float width = 12 + random.nextInt(29);
            double spread = random.nextDouble() * ANGLE_RANGE;
            int mirrorX = random.nextBoolean() ? 1 : -1;
            int mirrorY = random.nextBoolean() ? 1 : -1;
            double x = random.nextDouble() * SIDE;
            double y = random.nextDouble() * SIDE;
            Path2D.Double path = new Path2D.Double();
            path.moveTo(x, y);
            for (int v = 1; v < vertices; v++) {
                double turn = MEAN_ANGLE + (2 * random.nextDouble() - 1) * spread;
                double angle = v % 2 == 0 ? 2 * Math.PI - turn : turn;
                double length = Math.max(0, Math.min(2 * SEGMENT, SEGMENT + SEGMENT / 2 * nextGaussian(random)));
                x = Math.max(0, Math.min(SIDE - 1, x + mirrorX * length * Math.cos(angle)));
                y = Math.max(0, Math.min(SIDE - 1, y + mirrorY * length * Math.sin(angle)));
                path.lineTo(x, y);
            }
            g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
        }
    }

    /** Box-Muller, spelled out: nextGaussian does not promise its algorithm, and the masks must never change. */
    private static double nextGaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
