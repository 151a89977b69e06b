package io.inpaint.engine.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides which crops of the image the network sees. An image that fits the network's maximum side is one crop.
 * A larger one is cut into one crop per group of nearby holes: the hole's bounding box plus a context margin of at
 * least the hole's larger side, scaled down to fit the maximum side, then grown with more of the picture until its
 * network size fills its {@link Buckets bucket} (where the picture has it, and unless that would take in another
 * crop's holes). Each crop holds only its own holes, so they can be filled and pasted independently; a long, thin
 * hole is cut into {@link #tiles tiles} instead, which share its pixels but each paste only their own part.
 */
public final class RegionPlanner {
    /** Components are first found on a grid of cells this many pixels wide (cheap, bounded memory). */
    private static final int CELL = 8;
    /** Above this many components the grid is coarsened, which merges specks and keeps the pairwise merge cheap. */
    private static final int MAX_COMPONENTS = 256;
    /** Tiles are used only when their scale is at least this many times the single crop's. */
    private static final double TILE_GAIN = 1.5;
    /**
     * At most this many network pixels in one hole's tiles, 24 passes at 512x512: the passes' work, and the heap
     * their tiles and fills hold until the result is composited, grow with them.
     */
    private static final long MAX_TILE_PIXELS = 24L * 512 * 512;
    /** And at most one tile per this many hole pixels. */
    private static final int HOLE_PER_TILE = 2048;
    /** The tiles' scale is lowered by this factor until they are few enough. */
    private static final double TILE_SCALE_STEP = 0.8;
    /** A tile keeps at least 1/this of the network's side as context on each side of its cell. */
    private static final int TILE_CONTEXT_SHARE = 8;
    /** About this many blocks for measuring a hole's depth, whatever the picture's size. */
    private static final int DEPTH_CELLS = 1 << 20;

    private RegionPlanner() {
    }

    /**
     * A crop of the image, in image pixels, and the size it is scaled to for the network (equal when unscaled); its
     * fill is pasted into the hole pixels inside {@code paste}, the whole crop unless it is one {@link #tiles tile}
     * of a long hole, whose neighbours fill the rest.
     */
    public record Region(int x, int y, int width, int height, int netWidth, int netHeight, Area paste) {
        /** A crop that pastes every hole pixel it holds. */
        public Region(int x, int y, int width, int height, int netWidth, int netHeight) {
            this(x, y, width, height, netWidth, netHeight, new Area(x, y, width, height));
        }

        /**
         * Whether it pastes every hole pixel it holds: not a {@link #tiles tile}, whose holes are no deeper than the
         * network learnt to fill.
         */
        public boolean pastesAll() {
            return paste.equals(new Area(x, y, width, height));
        }

        /** The same crop and paste area, at another network size. */
        public Region scaledTo(int netWidth, int netHeight) {
            return new Region(x, y, width, height, netWidth, netHeight, paste);
        }
    }

    /** A rectangle of the image, in image pixels. */
    public record Area(int x, int y, int width, int height) {
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
            List<Region> tiles = tiles(mask, hole, s, maxSide, contextMargin);
            if (tiles != null) {
                regions.addAll(tiles);
                continue;
            }
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

    /**
     * A long, thin hole (a wire, a railing, a line of text across a photo), no deeper at full scale than the network
     * learnt to fill ({@link HoleDepth#TRAINED_DEPTH}), whose crop would be scaled down far below full scale, is cut
     * into tiles instead: a grid of cells over the hole, each run with a margin of context around it, grown to fill
     * its bucket (the neighbouring cells' holes in it stay holes), and pasting only its own cell. One crop scaled to
     * the maximum side would fill an 8-pixel wire on a 6000-pixel photo from a network picture in which it is under a
     * pixel wide, and the upscaled fill shows as a soft band. The tiles run at full scale, lowered until few enough
     * cover the hole: at most {@value #MAX_TILE_PIXELS} network pixels in all (24 passes at 512x512), and one tile
     * per {@value #HOLE_PER_TILE} hole pixels (specks of dust all over a scan lose nothing at the single crop's
     * scale); null when that scale is not finer than {@code s} by {@value #TILE_GAIN}x. Deeper holes keep their crop
     * (and its {@link HoleDepth second pass}): how tiles with less context would fill them is not measured.
     *
     * @param s the scale of the hole's single crop
     */
    private static List<Region> tiles(HoleMask mask, Box hole, double s, int maxSide, int contextMargin) {
        if (s >= 1) {
            return null;
        }
        Extent extent = extent(mask, hole);
        long budget = extent.pixels / HOLE_PER_TILE;
        if (budget == 0 || extent.depth > HoleDepth.TRAINED_DEPTH) {
            return null;
        }
        for (double st = 1.0; st >= s * TILE_GAIN; st *= TILE_SCALE_STEP) {
            int side = (int) Math.floor(maxSide / st);
            int margin = Math.max(contextMargin, (int) Math.ceil(maxSide / (double) TILE_CONTEXT_SHARE / st));
            int cell = side - 2 * margin;
            if (cell < 1) {
                break;
            }
            List<Region> tiles = new ArrayList<>();
            long netPixels = 0;
            grid:
            for (int cy = hole.y0; cy < hole.y1; cy += cell) {
                for (int cx = hole.x0; cx < hole.x1; cx += cell) {
                    if (tiles.size() > budget || netPixels > MAX_TILE_PIXELS) {
                        break grid;
                    }
                    Box own = new Box(cx, cy, Math.min(hole.x1, cx + cell), Math.min(hole.y1, cy + cell));
                    if (!holds(mask, own)) {
                        continue;
                    }
                    Box crop = new Box(Math.max(0, own.x0 - margin), Math.max(0, own.y0 - margin),
                            Math.min(mask.width(), own.x1 + margin), Math.min(mask.height(), own.y1 + margin))
                            .grownToBucket(st, maxSide, mask.width(), mask.height());
                    int cw = crop.x1 - crop.x0;
                    int ch = crop.y1 - crop.y0;
                    Region tile = new Region(crop.x0, crop.y0, cw, ch, netLength(cw, st), netLength(ch, st),
                            new Area(own.x0, own.y0, own.x1 - own.x0, own.y1 - own.y0));
                    tiles.add(tile);
                    netPixels += (long) tile.netWidth() * tile.netHeight();
                }
            }
            if (tiles.size() <= budget && netPixels <= MAX_TILE_PIXELS) {
                return tiles;
            }
        }
        return null;
    }

    private record Extent(int depth, long pixels) {
    }

    /**
     * How many pixels of the hole lie in {@code box}, and how deep it is: the chessboard distance from its deepest
     * pixel to a known one, beyond the picture counting as hole (as in {@link HoleDepth}), measured on blocks small
     * enough to keep it to about {@value #DEPTH_CELLS} cells: over by at most a block's side, which only lowers the
     * tiles' scale.
     */
    private static Extent extent(HoleMask mask, Box box) {
        Box ring = new Box(Math.max(0, box.x0 - 1), Math.max(0, box.y0 - 1), Math.min(mask.width(), box.x1 + 1),
                Math.min(mask.height(), box.y1 + 1));
        int rw = ring.x1 - ring.x0;
        int rh = ring.y1 - ring.y0;
        int block = (int) Math.ceil(Math.sqrt((double) rw * rh / DEPTH_CELLS));
        int bw = ceilDiv(rw, block);
        int bh = ceilDiv(rh, block);
        byte[] blocks = new byte[bw * bh];
        long pixels = 0;
        for (int y = ring.y0; y < ring.y1; y++) {
            for (int x = ring.x0; x < ring.x1; x++) {
                if (mask.isHole(x, y)) {
                    blocks[(y - ring.y0) / block * bw + (x - ring.x0) / block] = 1;
                    pixels++;
                }
            }
        }
        int deepest = 1;
        for (int d : HoleDepth.depths(blocks, bw, bh)) {
            deepest = Math.max(deepest, d * block);
        }
        return new Extent(deepest, pixels);
    }

    /** Whether any pixel of {@code box} is hole. */
    private static boolean holds(HoleMask mask, Box box) {
        for (int y = box.y0; y < box.y1; y++) {
            for (int x = box.x0; x < box.x1; x++) {
                if (mask.isHole(x, y)) {
                    return true;
                }
            }
        }
        return false;
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
