package io.inpaint.engine.image;

/**
 * Matches a tile's fill to the known pixels around the hole. The network's error where it redrew the known pixels
 * bordering the hole (known colour minus its output there) is spread over the hole as a membrane (harmonic
 * interpolation, as in Poisson image editing with the fill as the source) and added to the fill; the known pixels of
 * the tile become the known colours themselves. The fill keeps its own detail while its colour meets the surroundings,
 * so neither a colour step nor, once upscaled, a soft edge shows as a seam. Only known pixels and the fill are used.
 */
public final class SeamMatch {
    /** Successive over-relaxation stops once no offset moves by more than this, in 0..255 units. */
    private static final float TOLERANCE = 1e-3f;
    private static final int MAX_SWEEPS = 20_000;
    /** Holes of up to this many pixels are relaxed from their edge's mean offset, larger ones from a coarser solve. */
    private static final int COARSEST = 256;

    private SeamMatch() {
    }

    public static TileFill match(NetworkTile tile, TileFill fill) {
        int w = tile.width();
        int h = tile.height();
        int plane = w * h;
        byte[] hole = tile.mask();
        float[] known = tile.rgb();
        float[] drawn = fill.rgb();
        float[] offset = new float[3 * plane];
        boolean boundary = false;
        for (int i = 0; i < plane; i++) {
            if (hole[i] == 0) {
                for (int c = 0; c < 3; c++) {
                    offset[c * plane + i] = known[c * plane + i] - drawn[c * plane + i];
                }
                boundary |= bordersHole(hole, w, h, i);
            }
        }
        if (!boundary) {
            return fill;
        }
        relax(offset, hole, w, h);
        float[] rgb = new float[3 * plane];
        for (int p = 0; p < rgb.length; p++) {
            rgb[p] = Math.max(0f, Math.min(255f, drawn[p] + offset[p]));
        }
        return new TileFill(w, h, rgb, fill.offsets());
    }

    /**
     * Makes {@code offset} harmonic over the hole pixels, the known ones fixed, by successive over-relaxation.
     * Relaxation alone needs sweeps in proportion to the hole's size, so a large hole starts from the same problem
     * solved on 2x2 blocks (a block is hole if any of its pixels is, else it holds its pixels' mean).
     */
    private static void relax(float[] offset, byte[] hole, int w, int h) {
        int plane = w * h;
        int[] holes = new int[plane];
        int count = 0;
        for (int i = 0; i < plane; i++) {
            if (hole[i] != 0) {
                holes[count++] = i;
            }
        }
        if (count > COARSEST && w > 2 && h > 2) {
            startFromCoarser(offset, hole, w, h);
        } else {
            startFromEdgeMean(offset, hole, w, h, holes, count);
        }
        // each hole pixel's four neighbours; one outside the tile points at a spare 0 and is not counted
        int[] neighbour = new int[4 * count];
        float[] weight = new float[count];
        for (int k = 0; k < count; k++) {
            int i = holes[k];
            int x = i % w;
            int y = i / w;
            neighbour[4 * k] = x > 0 ? i - 1 : plane;
            neighbour[4 * k + 1] = x + 1 < w ? i + 1 : plane;
            neighbour[4 * k + 2] = y > 0 ? i - w : plane;
            neighbour[4 * k + 3] = y + 1 < h ? i + w : plane;
            weight[k] = 1f / ((x > 0 ? 1 : 0) + (x + 1 < w ? 1 : 0) + (y > 0 ? 1 : 0) + (y + 1 < h ? 1 : 0));
        }
        // the relaxation factor that is optimal for a square as large as the hole's bounding box
        int minX = w;
        int maxX = 0;
        int minY = h;
        int maxY = 0;
        for (int k = 0; k < count; k++) {
            minX = Math.min(minX, holes[k] % w);
            maxX = Math.max(maxX, holes[k] % w);
            minY = Math.min(minY, holes[k] / w);
            maxY = Math.max(maxY, holes[k] / w);
        }
        float omega = (float) (2 / (1 + Math.sin(Math.PI / (Math.max(maxX - minX, maxY - minY) + 2))));
        // the three channels side by side (u[3 * i + c]): a sweep reads each pixel's neighbours once for all three.
        // Each channel still stops at its own sweep, so every channel's result is what relaxing it alone gives.
        float[] u = new float[3 * (plane + 1)];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                u[3 * i + c] = offset[c * plane + i];
            }
        }
        boolean[] moving = {true, true, true};
        float[] largest = new float[3];
        for (int sweep = 0; sweep < MAX_SWEEPS && (moving[0] || moving[1] || moving[2]); sweep++) {
            largest[0] = 0;
            largest[1] = 0;
            largest[2] = 0;
            for (int k = 0; k < count; k++) {
                int i = 3 * holes[k];
                int n = 4 * k;
                int a = 3 * neighbour[n];
                int b = 3 * neighbour[n + 1];
                int d = 3 * neighbour[n + 2];
                int e = 3 * neighbour[n + 3];
                for (int c = 0; c < 3; c++) {
                    if (moving[c]) {
                        float sum = u[a + c] + u[b + c] + u[d + c] + u[e + c];
                        float change = omega * (sum * weight[k] - u[i + c]);
                        u[i + c] += change;
                        largest[c] = Math.max(largest[c], Math.abs(change));
                    }
                }
            }
            for (int c = 0; c < 3; c++) {
                moving[c] &= largest[c] >= TOLERANCE;
            }
        }
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                offset[c * plane + i] = u[3 * i + c];
            }
        }
    }

    private static void startFromCoarser(float[] offset, byte[] hole, int w, int h) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int plane = w * h;
        int coarsePlane = cw * ch;
        byte[] coarseHole = new byte[coarsePlane];
        float[] coarse = new float[3 * coarsePlane];
        int[] knownCount = new int[coarsePlane];
        for (int i = 0; i < plane; i++) {
            int b = i / w / 2 * cw + i % w / 2;
            if (hole[i] != 0) {
                coarseHole[b] = 1;
            } else {
                knownCount[b]++;
                for (int c = 0; c < 3; c++) {
                    coarse[c * coarsePlane + b] += offset[c * plane + i];
                }
            }
        }
        for (int b = 0; b < coarsePlane; b++) {
            for (int c = 0; c < 3; c++) {
                coarse[c * coarsePlane + b] = coarseHole[b] != 0 ? 0 : coarse[c * coarsePlane + b] / knownCount[b];
            }
        }
        relax(coarse, coarseHole, cw, ch);
        for (int i = 0; i < plane; i++) {
            if (hole[i] != 0) {
                int b = i / w / 2 * cw + i % w / 2;
                for (int c = 0; c < 3; c++) {
                    offset[c * plane + i] = coarse[c * coarsePlane + b];
                }
            }
        }
    }

    /** The mean offset of the known pixels next to the hole, everywhere in it (0 where no known pixel borders it). */
    private static void startFromEdgeMean(float[] offset, byte[] hole, int w, int h, int[] holes, int count) {
        int plane = w * h;
        double[] sum = new double[3];
        int edge = 0;
        for (int i = 0; i < plane; i++) {
            if (hole[i] == 0 && bordersHole(hole, w, h, i)) {
                for (int c = 0; c < 3; c++) {
                    sum[c] += offset[c * plane + i];
                }
                edge++;
            }
        }
        for (int k = 0; k < count; k++) {
            for (int c = 0; c < 3; c++) {
                offset[c * plane + holes[k]] = edge == 0 ? 0 : (float) (sum[c] / edge);
            }
        }
    }

    private static boolean bordersHole(byte[] hole, int w, int h, int i) {
        int x = i % w;
        int y = i / w;
        return x > 0 && hole[i - 1] != 0 || x + 1 < w && hole[i + 1] != 0 || y > 0 && hole[i - w] != 0
                || y + 1 < h && hole[i + w] != 0;
    }
}
