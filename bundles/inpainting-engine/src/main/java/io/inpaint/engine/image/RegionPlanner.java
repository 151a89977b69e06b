package io.inpaint.engine.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides which crops of the image the network sees. An image that fits the network's maximum side is one crop.
 * A larger one is cut into one crop per group of nearby holes: the hole's bounding box plus a context margin of at
 * least the hole's larger side, scaled down to fit the maximum side, then grown with more of the picture until its
 * network size fills its {@link Buckets bucket} (where the picture has it, and unless that would take in another
 * crop's holes). Each crop holds only its own holes, so they can be filled and pasted independently.
 */
public final class RegionPlanner {
    /** Components are first found on a grid of cells this many pixels wide (cheap, bounded memory). */
    private static final int CELL = 8;
    /** Above this many components the grid is coarsened, which merges specks and keeps the pairwise merge cheap. */
    private static final int MAX_COMPONENTS = 256;

    private RegionPlanner() {
    }

    /** A crop of the image, in image pixels, and the size it is scaled to for the network (equal when unscaled). */
    public record Region(int x, int y, int width, int height, int netWidth, int netHeight) {
    }

    private record Box(int x0, int y0, int x1, int y1) {
        Box union(Box o) {
            return new Box(Math.min(x0, o.x0), Math.min(y0, o.y0), Math.max(x1, o.x1), Math.max(y1, o.y1));
        }

        /** The box grown by the context margin (exclusive upper bounds throughout). */
        Box withContext(int contextMargin, int width, int height) {
            int m = Math.max(contextMargin, Math.max(x1 - x0, y1 - y0));
            return new Box(Math.max(0, x0 - m), Math.max(0, y0 - m), Math.min(width, x1 + m), Math.min(height, y1 + m));
        }

        boolean intersects(Box o) {
            return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
        }

        /** The box grown about its centre, inside the picture, until at scale {@code s} it fills its bucket. */
        Box grownToBucket(double s, int maxSide, int width, int height) {
            int[] x = grow(x0, x1, bucketLength(x1 - x0, s, maxSide), width);
            int[] y = grow(y0, y1, bucketLength(y1 - y0, s, maxSide), height);
            return new Box(x[0], y[0], x[1], y[1]);
        }
    }

    public static List<Region> plan(HoleMask mask, int maxSide, int contextMargin) {
        int w = mask.width();
        int h = mask.height();
        if (Math.max(w, h) <= maxSide) {
            return List.of(new Region(0, 0, w, h, w, h));
        }
        List<Box> holes = new ArrayList<>();
        for (Box coarse : mergeNearby(components(mask), contextMargin, w, h)) {
            holes.add(tighten(mask, coarse));
        }
        List<Region> regions = new ArrayList<>(holes.size());
        for (Box hole : holes) {
            Box crop = hole.withContext(contextMargin, w, h);
            double s = Math.min(1.0, (double) maxSide / Math.max(crop.x1 - crop.x0, crop.y1 - crop.y0));
            Box grown = crop.grownToBucket(s, maxSide, w, h);
            if (holes.stream().noneMatch(other -> other != hole && grown.intersects(other))) {
                crop = grown;
            }
            int cw = crop.x1 - crop.x0;
            int ch = crop.y1 - crop.y0;
            regions.add(new Region(crop.x0, crop.y0, cw, ch, netLength(cw, s), netLength(ch, s)));
        }
        return regions;
    }

    private static int netLength(int length, double s) {
        return Math.max(1, (int) Math.round(length * s));
    }

    /**
     * How many picture pixels, at scale {@code s}, fill the bucket of a side of {@code length}; never more than
     * the network's maximum side.
     */
    private static int bucketLength(int length, double s, int maxSide) {
        int netSide = Math.min(Buckets.side(netLength(length, s)), Math.max(maxSide, netLength(length, s)));
        // floor, so that the grown side scaled back (rounded) stays inside the bucket
        return Math.max(length, (int) Math.floor(netSide / s + 1e-9));
    }

    /** {@code [lo, hi)} grown about its centre to {@code target} pixels, inside {@code [0, limit)}. */
    private static int[] grow(int lo, int hi, int target, int limit) {
        int length = Math.min(limit, Math.max(hi - lo, target));
        int start = Math.max(0, Math.min(lo - (length - (hi - lo)) / 2, limit - length));
        return new int[] {start, start + length};
    }

    /** Bounding boxes (pixel units, cell-aligned) of the 8-connected components of the coarse hole grid. */
    private static List<Box> components(HoleMask mask) {
        int cell = CELL;
        int gw = ceilDiv(mask.width(), cell);
        int gh = ceilDiv(mask.height(), cell);
        boolean[] grid = new boolean[gw * gh];
        for (int y = 0; y < mask.height(); y++) {
            for (int x = 0; x < mask.width(); x++) {
                if (mask.isHole(x, y)) {
                    grid[y / cell * gw + x / cell] = true;
                }
            }
        }
        while (true) {
            List<Box> boxes = label(grid, gw, gh, cell, mask.width(), mask.height());
            if (boxes.size() <= MAX_COMPONENTS) {
                return boxes;
            }
            int nw = ceilDiv(gw, 2);
            int nh = ceilDiv(gh, 2);
            boolean[] coarser = new boolean[nw * nh];
            for (int y = 0; y < gh; y++) {
                for (int x = 0; x < gw; x++) {
                    coarser[y / 2 * nw + x / 2] |= grid[y * gw + x];
                }
            }
            grid = coarser;
            gw = nw;
            gh = nh;
            cell *= 2;
        }
    }

    private static List<Box> label(boolean[] grid, int gw, int gh, int cell, int width, int height) {
        boolean[] seen = new boolean[grid.length];
        int[] stack = new int[grid.length];
        List<Box> boxes = new ArrayList<>();
        for (int start = 0; start < grid.length; start++) {
            if (!grid[start] || seen[start]) {
                continue;
            }
            int minX = gw;
            int minY = gh;
            int maxX = -1;
            int maxY = -1;
            int top = 0;
            stack[top++] = start;
            seen[start] = true;
            while (top > 0) {
                int c = stack[--top];
                int cx = c % gw;
                int cy = c / gw;
                minX = Math.min(minX, cx);
                maxX = Math.max(maxX, cx);
                minY = Math.min(minY, cy);
                maxY = Math.max(maxY, cy);
                for (int ny = Math.max(0, cy - 1); ny <= Math.min(gh - 1, cy + 1); ny++) {
                    for (int nx = Math.max(0, cx - 1); nx <= Math.min(gw - 1, cx + 1); nx++) {
                        int n = ny * gw + nx;
                        if (grid[n] && !seen[n]) {
                            seen[n] = true;
                            stack[top++] = n;
                        }
                    }
                }
            }
            boxes.add(new Box(minX * cell, minY * cell,
                    Math.min(width, (maxX + 1) * cell), Math.min(height, (maxY + 1) * cell)));
        }
        return boxes;
    }

    /** Merges boxes whose context boxes overlap, until none do; a merged box gets the margin of its new size. */
    private static List<Box> mergeNearby(List<Box> boxes, int contextMargin, int width, int height) {
        List<Box> out = new ArrayList<>(boxes);
        boolean merged = true;
        while (merged) {
            merged = false;
            search:
            for (int i = 0; i < out.size(); i++) {
                Box ci = out.get(i).withContext(contextMargin, width, height);
                for (int j = i + 1; j < out.size(); j++) {
                    if (ci.intersects(out.get(j).withContext(contextMargin, width, height))) {
                        out.set(i, out.get(i).union(out.remove(j)));
                        merged = true;
                        break search;
                    }
                }
            }
        }
        return out;
    }

    /** The exact bounding box of the hole pixels inside a cell-aligned box. */
    private static Box tighten(HoleMask mask, Box b) {
        int minX = b.x1;
        int minY = b.y1;
        int maxX = b.x0 - 1;
        int maxY = b.y0 - 1;
        for (int y = b.y0; y < b.y1; y++) {
            for (int x = b.x0; x < b.x1; x++) {
                if (mask.isHole(x, y)) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        return new Box(minX, minY, maxX + 1, maxY + 1);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
