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
        int[] holes = new int[plane];
        int count = 0;
        double[] boundarySum = new double[3];
        int boundary = 0;
        for (int i = 0; i < plane; i++) {
            if (hole[i] != 0) {
                holes[count++] = i;
                continue;
            }
            for (int c = 0; c < 3; c++) {
                offset[c * plane + i] = known[c * plane + i] - drawn[c * plane + i];
            }
            if (bordersHole(hole, w, h, i)) {
                for (int c = 0; c < 3; c++) {
                    boundarySum[c] += offset[c * plane + i];
                }
                boundary++;
            }
        }
        if (boundary == 0) {
            return fill;
        }
        // start from the mean edge offset, then relax towards the membrane; neighbours outside the tile do not count
        for (int k = 0; k < count; k++) {
            for (int c = 0; c < 3; c++) {
                offset[c * plane + holes[k]] = (float) (boundarySum[c] / boundary);
            }
        }
        float omega = (float) (2 / (1 + Math.sin(Math.PI / Math.max(w, h))));
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            float largest = 0;
            for (int k = 0; k < count; k++) {
                int i = holes[k];
                int x = i % w;
                int y = i / w;
                int neighbours = (x > 0 ? 1 : 0) + (x + 1 < w ? 1 : 0) + (y > 0 ? 1 : 0) + (y + 1 < h ? 1 : 0);
                for (int c = 0; c < 3; c++) {
                    int p = c * plane + i;
                    float sum = (x > 0 ? offset[p - 1] : 0) + (x + 1 < w ? offset[p + 1] : 0)
                            + (y > 0 ? offset[p - w] : 0) + (y + 1 < h ? offset[p + w] : 0);
                    float change = omega * (sum / neighbours - offset[p]);
                    offset[p] += change;
                    largest = Math.max(largest, Math.abs(change));
                }
            }
            if (largest < TOLERANCE) {
                break;
            }
        }
        float[] rgb = new float[3 * plane];
        for (int p = 0; p < rgb.length; p++) {
            rgb[p] = Math.max(0f, Math.min(255f, drawn[p] + offset[p]));
        }
        return new TileFill(w, h, rgb, fill.offsets());
    }

    private static boolean bordersHole(byte[] hole, int w, int h, int i) {
        int x = i % w;
        int y = i / w;
        return x > 0 && hole[i - 1] != 0 || x + 1 < w && hole[i + 1] != 0 || y > 0 && hole[i - w] != 0
                || y + 1 < h && hole[i + w] != 0;
    }
}
