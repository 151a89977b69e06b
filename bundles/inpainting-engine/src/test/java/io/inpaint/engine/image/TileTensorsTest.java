package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.TestSupport;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TileTensorsTest {
    private static final int PLANE = 64 * 64;

    /** A 10x5 tile: red = 20 * x, green = 40 * y, blue = 255; hole at (9, 4), the bottom-right corner. */
    private static NetworkTile tile() {
        BufferedImage image = new BufferedImage(10, 5, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 10; x++) {
                image.setRGB(x, y, 20 * x << 16 | 40 * y << 8 | 255);
            }
        }
        BufferedImage mask = new BufferedImage(10, 5, BufferedImage.TYPE_BYTE_GRAY);
        mask.getRaster().setSample(9, 4, 0, 255);
        return NetworkTile.sample(image, HoleMask.threshold(mask, MaskMode.AUTO, 127), new Region(0, 0, 10, 5, 10, 5));
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void inputsAreScaledAndPaddedByReplicationWithTheMaskReplicatedToo(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            NDList input = TileTensors.toNetwork(manager, tile());
            NDArray x = input.get(0);
            NDArray mask = input.get(1);
            // the tile's bucket, 64x64
            assertEquals(new Shape(1, 3, 64, 64), x.getShape());
            assertEquals(new Shape(1, 1, 64, 64), mask.getShape());
            float[] xs = x.toFloatArray();
            // rows 5..63 (padding) repeat row 4; columns 10..63 (padding) repeat column 9
            int last = 63 * 64 + 63;
            assertEquals(20 * 9 / 127.5f - 1, xs[last], 1e-6);
            assertEquals(40 * 4 / 127.5f - 1, xs[PLANE + last], 1e-6);
            assertEquals(1f, xs[2 * PLANE + last], 1e-6);
            assertEquals(-1f, xs[0], 1e-6);
            float[] ms = mask.toFloatArray();
            // the hole pixel (9, 4) is the tile's corner: its copies in the padding are hole, the rest known
            float[] expected = new float[PLANE];
            for (int y = 4; y < 64; y++) {
                for (int col = 9; col < 64; col++) {
                    expected[y * 64 + col] = 1;
                }
            }
            assertArrayEquals(expected, ms);
        }
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void stageTwoIsCroppedBackAndMappedToPixelValues(String engine) {
        NetworkTile tile = tile();
        try (NDManager manager = TestSupport.manager(engine)) {
            float[] stage2 = new float[3 * PLANE];
            for (int i = 0; i < stage2.length; i++) {
                stage2[i] = i % 64 < 10 && i / 64 % 64 < 5 ? 0.5f : -1f; // padding would show as 0
            }
            int[] offsets = new int[2 * 64]; // dy of the 8x8 cells, then dx
            offsets[0] = 1;
            offsets[64] = -2;
            offsets[65] = 3;
            NDList output = new NDList(manager.zeros(new Shape(1, 3, 64, 64)),
                    manager.create(stage2, new Shape(1, 3, 64, 64)),
                    manager.create(offsets, new Shape(1, 2, 8, 8)).toType(DataType.INT32, false));
            TileFill fill = TileTensors.fromNetwork(tile, output);
            assertEquals(10, fill.width());
            assertEquals(5, fill.height());
            for (float v : fill.rgb()) {
                assertEquals(191.25f, v, 1e-4);
            }
            assertEquals(1, fill.offsets().dy(0));
            assertEquals(-2, fill.offsets().dx(0));
            assertEquals(3, fill.offsets().dx(1));
            // the only hole pixel (9, 4) is not a cell's top-left pixel
            assertArrayEquals(new boolean[64], fill.offsets().holeCells());
        }
    }
}
