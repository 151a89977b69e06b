package io.inpaint.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import io.inpaint.engine.TestSupport;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeepFillGeneratorTest {

    static Stream<Arguments> enginesAndSizes() {
        List<long[]> sizes = List.of(new long[] {1, 32, 32}, new long[] {1, 48, 80}, new long[] {1, 64, 24}, new long[] {2, 32, 40});
        return TestSupport.engines().flatMap(e -> sizes.stream().map(s -> Arguments.of(e, s[0], s[1], s[2])));
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3}")
    @MethodSource("enginesAndSizes")
    void outputShapes(String engine, long n, long h, long w) {
        try (NDManager manager = TestSupport.manager(engine)) {
            DeepFillGenerator generator = new DeepFillGenerator(4);
            Shape xShape = new Shape(n, 3, h, w);
            Shape maskShape = new Shape(n, 1, h, w);
            generator.initialize(manager, DataType.FLOAT32, xShape, maskShape);
            NDArray x = manager.randomUniform(-1, 1, xShape);
            NDArray mask = manager.zeros(maskShape);
            mask.set(new ai.djl.ndarray.index.NDIndex(":, :, 8:16, 8:16"), 1f);

            NDList out = generator.forward(new ParameterStore(manager, false), new NDList(x, mask), false);

            assertEquals(3, out.size());
            assertEquals(xShape, out.get(0).getShape());
            assertEquals(xShape, out.get(1).getShape());
            assertEquals(new Shape(n, 2, h / 8, w / 8), out.get(2).getShape());
            assertEquals(DataType.INT32, out.get(2).getDataType());
            for (int i = 0; i < 2; i++) {
                assertTrue(out.get(i).abs().max().getFloat() <= 1f, "stage " + (i + 1) + " is clipped to [-1,1]");
            }
            assertEquals(List.of(xShape, xShape, new Shape(n, 2, h / 8, w / 8)), List.of(generator.getOutputShapes(new Shape[] {xShape, maskShape})));
        }
    }

    @Test
    void namesMirrorTheTwinAndCountMatchesThePaper() {
        Map<String, Parameter> named = new DeepFillGenerator(32).namedParameters();
        assertEquals(2 * (17 + 10 + 8 + 7), named.size());
        assertEquals(new Shape(32, 5, 5, 5), named.get("conv1.weight").getShape());
        assertEquals(new Shape(128, 128, 3, 3), named.get("conv10.weight").getShape());
        assertEquals(new Shape(128, 256, 3, 3), named.get("allconv11.weight").getShape());
        assertEquals(new Shape(3, 16, 3, 3), named.get("allconv17.weight").getShape());
        assertEquals(new Shape(128), named.get("pmconv9.bias").getShape());
        assertFalse(named.containsKey("pmconv7.weight"));
        long count = named.values().stream().mapToLong(p -> p.getShape().size()).sum();
        assertTrue(count > 3_500_000 && count < 3_700_000, "about 3.6 M parameters, got " + count);
    }

    @Test
    void flopsAreCountedFromTheLayerTable() {
        DeepFillGenerator generator = new DeepFillGenerator(32);
        // conv1: 5 -> 32 channels, 5x5 kernel, every pixel of a 512x512 input
        assertEquals(2L * 512 * 512 * 32 * 5 * 25,
                GenConv.of("conv1", 5, 32).kernel(5).build().flops(new Shape(1, 5, 512, 512)));
        NetworkFlops at512 = generator.flops(512, 512);
        // the count, by hand from the layer table: 179.5 GFLOP of convolutions
        assertEquals(179_482_656_768L, at512.convolutions());
        // attention on 128x128 features of 128 channels: 64 x 64 = 4096 positions against 4096 patches
        assertEquals(2L * 4096 * 4096 * 128 * 9, at512.attentionMatching());
        assertEquals(2L * 4096 * 4096 * 128 * 16, at512.reconstruction());
        // convolutions grow with the pixels, the attention with their square
        NetworkFlops at256 = generator.flops(256, 256);
        assertEquals(at512.convolutions(), 4 * at256.convolutions());
        assertEquals(at512.attentionMatching(), 16 * at256.attentionMatching());
        assertEquals(at512.reconstruction(), 16 * at256.reconstruction());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void aRecordedForwardPassTimesEveryLayerGroup(String engine) {
        try (NDManager manager = TestSupport.manager(engine)) {
            DeepFillGenerator generator = new DeepFillGenerator(4);
            Shape xShape = new Shape(1, 3, 32, 32);
            Shape maskShape = new Shape(1, 1, 32, 32);
            generator.initialize(manager, DataType.FLOAT32, xShape, maskShape);
            NDArray x = manager.randomUniform(-1, 1, xShape);
            NDArray mask = manager.zeros(maskShape);
            mask.set(new ai.djl.ndarray.index.NDIndex(":, :, 8:16, 8:16"), 1f);

            LayerProfile.Recording recorded = LayerProfile.record(
                    () -> generator.forward(new ParameterStore(manager, false), new NDList(x, mask), false));
            LayerProfile.Recording idle = LayerProfile.record(() -> { });

            for (LayerProfile.Group group : LayerProfile.Group.values()) {
                assertTrue(recorded.nanos()[group.ordinal()] > 0, group.label());
                assertEquals(0, idle.nanos()[group.ordinal()], group.label());
            }
            // a pass that leaves nothing out does the layer table's work
            NetworkFlops table = generator.flops(32, 32);
            long[] work = recorded.flops();
            assertEquals(table.convolutions(), work[LayerProfile.Group.CONVOLUTIONS.ordinal()]);
            assertEquals(table.attentionMatching(), work[LayerProfile.Group.ATTENTION_MATCHING.ordinal()]);
            assertEquals(table.reconstruction(), work[LayerProfile.Group.RECONSTRUCTION.ordinal()]);
            assertEquals(0, work[LayerProfile.Group.FUSE.ordinal()] + work[LayerProfile.Group.SOFTMAX.ordinal()]);
        }
    }

    static Stream<Arguments> enginesAndHoles() {
        // {first row, rows, first column, columns} of each image's hole in a 256x256 input (at the top the attention
        // takes all grid rows, since its column-major fuse wraps from the last row to the first; at the left edge all
        // columns, where its raster fuse wraps)
        List<Arguments> holes = List.of(
                Arguments.of("centred box", new int[][] {{96, 64, 96, 64}}),
                Arguments.of("thin stroke", new int[][] {{150, 4, 0, 256}}),
                Arguments.of("box at the top", new int[][] {{0, 40, 100, 40}}),
                Arguments.of("box at the left edge", new int[][] {{100, 40, 0, 30}}),
                Arguments.of("two images", new int[][] {{80, 20, 10, 30}, {120, 30, 200, 40}}));
        return TestSupport.engines().flatMap(e -> holes.stream().map(h -> Arguments.of(e, h.get()[0], h.get()[1])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("enginesAndHoles")
    void withAHoleReachBothStagesAreExactWhereTheCompositeReads(String engine, String name, int[][] holes) {
        int size = 256;
        int reach = 16;
        try (NDManager manager = TestSupport.manager(engine)) {
            DeepFillGenerator generator = new DeepFillGenerator(4);
            int n = holes.length;
            Shape xShape = new Shape(n, 3, size, size);
            Shape maskShape = new Shape(n, 1, size, size);
            generator.initialize(manager, DataType.FLOAT32, xShape, maskShape);
            NDArray x = manager.randomUniform(-1, 1, xShape);
            NDArray mask = manager.zeros(maskShape);
            // the holes' bounding box over the batch
            int top = size;
            int bottom = 0;
            int left = size;
            int right = 0;
            for (int i = 0; i < n; i++) {
                int[] h = holes[i];
                mask.set(new ai.djl.ndarray.index.NDIndex("{}, :, {}:{}, {}:{}", i, h[0], h[0] + h[1], h[2], h[2] + h[3]), 1f);
                top = Math.min(top, h[0]);
                bottom = Math.max(bottom, h[0] + h[1]);
                left = Math.min(left, h[2]);
                right = Math.max(right, h[2] + h[3]);
            }
            ParameterStore store = new ParameterStore(manager, false);

            NDList[] out = new NDList[2];
            long wholeWork = LongStream.of(LayerProfile.record(
                    () -> out[0] = generator.forward(store, new NDList(x, mask), false)).flops()).sum();
            long nearWork = LongStream.of(LayerProfile.record(() -> out[1] = generator.forward(store,
                    new NDList(x, mask), false, new ai.djl.util.PairList<>(List.of(DeepFillGenerator.HOLE_REACH),
                            List.<Object>of(reach)))).flops()).sum();
            NDList all = out[0];
            NDList near = out[1];
            assertTrue(nearWork < wholeWork, "rows out of reach were left out: " + nearWork + " of " + wholeWork);

            float stage1 = all.get(0).sub(near.get(0)).abs().get(new ai.djl.ndarray.index.NDIndex(
                    ":, :, {}:{}, {}:{}", top, bottom, left, right)).max().getFloat();
            // convolutions over fewer pixels may add up in another order, and this untrained network's saturated
            // layers magnify that to 1e-4 and more; a pixel whose inputs were left out would differ by 1e-2 to 1
            assertTrue(stage1 <= 1e-3f, "stage 1 in the hole's bounding box differs by " + stage1);
            NDArray diff = all.get(1).sub(near.get(1)).abs();
            float inside = diff.get(new ai.djl.ndarray.index.NDIndex(":, :, {}:{}, {}:{}", Math.max(0, top - reach),
                    Math.min(size, bottom + reach), Math.max(0, left - reach), Math.min(size, right + reach)))
                    .max().getFloat();
            assertTrue(inside <= 1e-3f, "stage 2 within reach of the hole's bounding box differs by " + inside);
            // the offsets of the hole's cells: what the flow picture shows
            NDArray cells = mask.get(":, :, ::8, ::8").broadcast(new Shape(n, 2, size / 8, size / 8));
            int[] wanted = all.get(2).toType(DataType.FLOAT32, false).mul(cells).toType(DataType.INT32, false).toIntArray();
            int[] got = near.get(2).toType(DataType.FLOAT32, false).mul(cells).toType(DataType.INT32, false).toIntArray();
            assertEquals(java.util.Arrays.toString(wanted), java.util.Arrays.toString(got), "offsets in the hole");
        }
    }

    @Test
    void refusesBadInputShapes() {
        try (NDManager manager = TestSupport.manager("PyTorch")) {
            DeepFillGenerator generator = new DeepFillGenerator(2);
            generator.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 16, 16), new Shape(1, 1, 16, 16));
            ParameterStore store = new ParameterStore(manager, false);
            NDList notMultipleOf8 = new NDList(manager.zeros(new Shape(1, 3, 12, 16)), manager.zeros(new Shape(1, 1, 12, 16)));
            assertThrows(IllegalArgumentException.class, () -> generator.forward(store, notMultipleOf8, false));
            NDList maskMismatch = new NDList(manager.zeros(new Shape(1, 3, 16, 16)), manager.zeros(new Shape(1, 1, 16, 8)));
            assertThrows(IllegalArgumentException.class, () -> generator.forward(store, maskMismatch, false));
        }
    }
}
