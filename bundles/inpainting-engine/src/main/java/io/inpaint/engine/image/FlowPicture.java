package io.inpaint.engine.image;

import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The attention-offset picture: each hole cell is coloured on the Middlebury colour wheel by the offset of the
 * background patch it attends to most (white = itself), normalised by the largest offset in the picture. Regions
 * are collected first because the normalisation spans all of them; offsets are compared in image pixels, since
 * regions may have been scaled by different factors.
 */
public final class FlowPicture {
    private static final int[] SEGMENTS = {15, 6, 4, 11, 13, 6}; // RY, YG, GC, CB, BM, MR
    private static final int[][] CORNERS = {
        {255, 0, 0}, {255, 255, 0}, {0, 255, 0}, {0, 255, 255}, {0, 0, 255}, {255, 0, 255}, {255, 0, 0}};
    private static final int[][] WHEEL = wheel();
    private static final int WHITE = 0xffffff;

    private final int width;
    private final int height;
    private final List<Part> parts = new ArrayList<>();

    private record Part(Region region, TileFill.Offsets offsets, int netWidth, int netHeight) {
        double dyPixels(int cell) {
            return offsets.dy(cell) * (double) TileTensors.MULTIPLE * region.height() / netHeight;
        }

        double dxPixels(int cell) {
            return offsets.dx(cell) * (double) TileTensors.MULTIPLE * region.width() / netWidth;
        }
    }

    public FlowPicture(int width, int height) {
        this.width = width;
        this.height = height;
    }

    public void add(Region region, TileFill fill) {
        parts.add(new Part(region, fill.offsets(), fill.width(), fill.height()));
    }

    /** White outside the hole cells of the regions added so far; the picture has the image's size. */
    public BufferedImage render() {
        double maxRadius = 0;
        for (Part p : parts) {
            for (int cell = 0; cell < p.offsets.holeCells().length; cell++) {
                if (p.offsets.holeCells()[cell]) {
                    maxRadius = Math.max(maxRadius, Math.hypot(p.dxPixels(cell), p.dyPixels(cell)));
                }
            }
        }
        BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) picture.getRaster().getDataBuffer()).getData();
        Arrays.fill(out, WHITE);
        for (Part p : parts) {
            TileFill.Offsets o = p.offsets;
            int[] colours = new int[o.holeCells().length];
            for (int cell = 0; cell < colours.length; cell++) {
                colours[cell] = !o.holeCells()[cell] || maxRadius == 0 ? WHITE
                        : colour(p.dxPixels(cell) / maxRadius, p.dyPixels(cell) / maxRadius);
            }
            Region r = p.region;
            for (int sy = 0; sy < r.height(); sy++) {
                int cy = Math.min(p.netHeight - 1, (int) ((sy + 0.5) * p.netHeight / r.height()))
                        / TileTensors.MULTIPLE;
                for (int sx = 0; sx < r.width(); sx++) {
                    int cx = Math.min(p.netWidth - 1, (int) ((sx + 0.5) * p.netWidth / r.width()))
                            / TileTensors.MULTIPLE;
                    out[(r.y() + sy) * width + r.x() + sx] = colours[cy * o.cellsWide() + cx];
                }
            }
        }
        return picture;
    }

    /**
     * Middlebury colour of a normalised offset (u right, v down; radius 1 = the largest offset): the hue is the
     * direction, saturation grows with length, and anything beyond radius 1 is darkened.
     */
    public static int colour(double u, double v) {
        double radius = Math.hypot(u, v);
        double angle = Math.atan2(-v, -u) / Math.PI;
        double fk = (angle + 1) / 2 * (WHEEL.length - 1);
        int k0 = (int) Math.floor(fk);
        int k1 = (k0 + 1) % WHEEL.length;
        double f = fk - k0;
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
            double col = ((1 - f) * WHEEL[k0][c] + f * WHEEL[k1][c]) / 255.0;
            col = radius <= 1 ? 1 - radius * (1 - col) : col * 0.75;
            rgb = rgb << 8 | (int) Math.floor(255 * col);
        }
        return rgb;
    }

    /** Ramps between the wheel's corner colours: segment s goes from CORNERS[s] towards CORNERS[s + 1]. */
    private static int[][] wheel() {
        int[][] wheel = new int[Arrays.stream(SEGMENTS).sum()][3];
        int k = 0;
        for (int s = 0; s < SEGMENTS.length; s++) {
            for (int i = 0; i < SEGMENTS[s]; i++, k++) {
                for (int c = 0; c < 3; c++) {
                    int step = Integer.signum(CORNERS[s + 1][c] - CORNERS[s][c]);
                    wheel[k][c] = CORNERS[s][c] + step * (255 * i / SEGMENTS[s]);
                }
            }
        }
        return wheel;
    }
}
