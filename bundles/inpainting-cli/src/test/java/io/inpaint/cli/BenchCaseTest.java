package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.engine.nn.DeepFillGenerator;
import org.junit.jupiter.api.Test;

class BenchCaseTest {
    private final DeepFillGenerator generator = new DeepFillGenerator(32);

    @Test
    void aSquareThatFitsTheNetworkCostsOnePassAtItsSize() {
        assertEquals(generator.flops(256, 256).total(), BenchCase.SQUARE_256.networkFlops(generator));
        assertEquals(generator.flops(512, 512).total(), BenchCase.SQUARE_512.networkFlops(generator));
    }

    @Test
    void largerPicturesCostTheirCropsNeverMoreThanMaxSideSquares() {
        long atMaxSide = generator.flops(512, 512).total();
        for (BenchCase c : new BenchCase[] {BenchCase.SQUARE_1024, BenchCase.PHOTO_4000X3000}) {
            long flops = c.networkFlops(generator);
            assertTrue(flops > generator.flops(64, 64).total() && flops <= atMaxSide, c + ": " + flops);
        }
    }
}
