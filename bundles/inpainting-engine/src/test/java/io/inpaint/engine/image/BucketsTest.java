package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BucketsTest {

    @Test
    void everySideMapsToTheSmallestGridMultipleThatHoldsIt() {
        for (int size = 1; size <= 4096; size++) {
            int side = Buckets.side(size);
            assertEquals(0, side % Buckets.GRID, "bucket of " + size);
            assertEquals(0, side % TileTensors.MULTIPLE, "the network needs a multiple of its cell");
            assertTrue(side >= size && side < size + Buckets.GRID, "bucket of " + size + " is " + side);
        }
    }

    @Test
    void sizesBelowOneGridShareTheSmallestBucket() {
        assertEquals(64, Buckets.side(1));
        assertEquals(64, Buckets.side(64));
        assertEquals(128, Buckets.side(65));
        assertEquals(512, Buckets.side(449));
    }

    @Test
    void anEmptySideIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Buckets.side(0));
    }
}
