package io.inpaint.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A tile to the network's tensors and back (static helpers, not a DJL {@code Translator}: the Inpainter calls the
 * generator block's forward pass itself, one region at a time, with no Predictor to plug one into). To: scale RGB to
 * [-1, 1] and pad both inputs to the tile's {@link Buckets bucket} by replicating the last row/column, the mask with
 * them: a copy of a known pixel is context for the network, a copy of a hole pixel is hole (else what the hole held,
 * a watermark in a corner, would reach the fill as context). Back: crop stage 2 and return it in [0, 255] with the
 * attention offsets.
 */
public final class TileTensors {
    /** The generator downsamples three times by 2: one attention cell is this many pixels a side. */
    public static final int MULTIPLE = 8;

    private TileTensors() {
    }

    /** Returns {@code [x (1,3,H,W), mask (1,1,H,W)]} with H, W the tile's bucket. */
    public static NDList toNetwork(NDManager manager, NetworkTile tile) {
        int w = tile.width();
        int h = tile.height();
        int pw = Buckets.side(w);
        int ph = Buckets.side(h);
        float[] src = tile.rgb();
        byte[] holes = tile.mask();
        float[] x = new float[3 * pw * ph];
        float[] mask = new float[pw * ph];
        for (int y = 0; y < ph; y++) {
            int sy = Math.min(y, h - 1);
            for (int px = 0; px < pw; px++) {
                int sx = Math.min(px, w - 1);
                int s = sy * w + sx;
                int d = y * pw + px;
                for (int c = 0; c < 3; c++) {
                    x[c * pw * ph + d] = src[c * w * h + s] / 127.5f - 1f;
                }
                mask[d] = holes[s];
            }
        }
        return new NDList(manager.create(x, new Shape(1, 3, ph, pw)), manager.create(mask, new Shape(1, 1, ph, pw)));
    }

    /** Reads {@code [stage1, stage2, offsets]} back for the tile that {@link #toNetwork} padded. */
    public static TileFill fromNetwork(NetworkTile tile, NDList output) {
        int w = tile.width();
        int h = tile.height();
        int pw = Buckets.side(w);
        int ph = Buckets.side(h);
        NDArray stage2 = output.get(1);
        float[] out = stage2.toFloatArray();
        float[] rgb = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    rgb[c * w * h + y * w + x] = (out[c * pw * ph + y * pw + x] + 1f) * 127.5f;
                }
            }
        }
        int cw = pw / MULTIPLE;
        int ch = ph / MULTIPLE;
        int[] offsets = output.get(2).toIntArray();
        // A cell is hole where the network's attention samples hole: at its top-left pixel.
        boolean[] holeCells = new boolean[cw * ch];
        byte[] holes = tile.mask();
        for (int cy = 0; cy * MULTIPLE < h; cy++) {
            for (int cx = 0; cx * MULTIPLE < w; cx++) {
                holeCells[cy * cw + cx] = holes[cy * MULTIPLE * w + cx * MULTIPLE] != 0;
            }
        }
        return new TileFill(w, h, rgb, new TileFill.Offsets(cw, ch, offsets, holeCells));
    }
}
