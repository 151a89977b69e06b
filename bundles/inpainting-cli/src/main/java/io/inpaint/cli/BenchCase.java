package io.inpaint.cli;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.image.Buckets;
import io.inpaint.engine.image.RegionPlanner;
import io.inpaint.engine.nn.DeepFillGenerator;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;

/** The pictures {@code inpaint bench} measures: a synthetic photo of the given size and a mask on it. */
public enum BenchCase {
    SQUARE_256(256, 256),
    SQUARE_512(512, 512),
    SQUARE_1024(1024, 1024),
    PHOTO_4000X3000(4000, 3000);

    /** Share of the photo's pixels the photo case's elliptic hole covers. */
    private static final double PHOTO_HOLE_SHARE = 0.05;

    private final int width;
    private final int height;

    BenchCase(int width, int height) {
        this.width = width;
        this.height = height;
    }

    BufferedImage image() {
        return SyntheticPhoto.create(width, height, 42);
    }

    /**
     * Squares: a centred square hole with a quarter of the side (6.25 % of the pixels), like DeepFill's own
     * validation box. The photo: an ellipse (4:3) covering 5 % of the pixels, off centre, like an object to remove.
     */
    BufferedImage mask() {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        if (width == height) {
            g.fillRect(width * 3 / 8, height * 3 / 8, width / 4, height / 4);
        } else {
            double b = Math.sqrt(PHOTO_HOLE_SHARE * width * height * 3 / (4 * Math.PI));
            double a = b * 4 / 3;
            g.fill(new Ellipse2D.Double(0.6 * width - a, 0.55 * height - b, 2 * a, 2 * b));
        }
        g.dispose();
        return mask;
    }

    /**
     * The matrix-product work of the network in one request: the sum over its forward passes (the crops the engine
     * cuts, and their second pass where a hole is deep), planned as {@code Inpainter} plans them with default
     * options, each at the shape it runs at (its bucket).
     */
    long networkFlops(DeepFillGenerator generator) {
        long flops = 0;
        for (RegionPlanner.Region region
                : Inpainter.prepare(image(), mask(), InpaintingOptions.defaults()).passes()) {
            flops += generator.flops(Buckets.side(region.netHeight()), Buckets.side(region.netWidth())).total();
        }
        return flops;
    }

    String picture() {
        return width + "x" + height;
    }

    String maskDescription() {
        return width == height ? "centred square " + width / 4 + "x" + height / 4 : "ellipse, 5 % of pixels";
    }
}
