package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.image.Buckets;
import io.inpaint.engine.image.RegionPlanner.Region;
import io.inpaint.engine.nn.DeepFillGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCaseTest {
    private final DeepFillGenerator generator = new DeepFillGenerator(32);

    @Test
    void aSquareThatFitsTheNetworkCostsOnePassAtItsSize() {
        assertEquals(generator.flops(256, 256).total(), BenchCase.SQUARE_256.networkFlops(generator));
        assertEquals(generator.flops(512, 512).total(), BenchCase.SQUARE_512.networkFlops(generator));
    }

    @Test
    void aLargerPictureCostsItsCropNeverMoreThanAMaxSideSquare() {
        long flops = BenchCase.PHOTO_4000X3000.networkFlops(generator);
        assertTrue(flops > generator.flops(64, 64).total() && flops <= generator.flops(512, 512).total(), "" + flops);
    }

    @Test
    void aHoleDeeperThanTheTrainingBoxesCostsItsCropAndTheSmallerSecondPass() {
        // the 256-px square of the 1024-px picture, its crop scaled to 512: 85 px deep
        BenchCase square = BenchCase.SQUARE_1024;
        List<Region> passes = Inpainter.prepare(square.image(), square.mask(), InpaintingOptions.defaults()).passes();
        assertEquals(2, passes.size());
        Region crop = passes.get(0);
        Region second = passes.get(1);
        assertEquals(512, Math.max(crop.netWidth(), crop.netHeight()));
        assertTrue(second.netWidth() < crop.netWidth() && second.netHeight() < crop.netHeight(), second.toString());
        assertEquals(generator.flops(Buckets.side(crop.netHeight()), Buckets.side(crop.netWidth())).total()
                + generator.flops(Buckets.side(second.netHeight()), Buckets.side(second.netWidth())).total(),
                square.networkFlops(generator));
    }
}
