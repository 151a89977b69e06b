package io.inpaint.engine.image;

/**
 * The one rule for the shapes the network runs at: each side of a tile rounded up to a multiple of {@link #GRID}.
 * An engine pays extra for the first forward pass at each new input shape (kernel choice and memory plans), so
 * pictures and crops of nearby sizes share a shape, and the few shapes there are can be run once ahead of the
 * requests that need them. {@link RegionPlanner} fills a region's bucket with real picture where the picture has
 * it; {@link TileTensors} pads what is left by repeating the last row and column.
 */
public final class Buckets {
    /** A multiple of the network's own {@link TileTensors#MULTIPLE}; at 64 a side wastes under 64 pixels. */
    public static final int GRID = 64;

    private Buckets() {
    }

    /** The side of the bucket a tile side of {@code size} pixels runs in: at least {@code size}, at least one grid. */
    public static int side(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a tile side must be positive, got " + size);
        }
        return (size + GRID - 1) / GRID * GRID;
    }
}
