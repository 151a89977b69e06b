package io.inpaint.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.inpaint.api.RequestTimeoutException;

import org.junit.jupiter.api.Test;

class PictureMemoryTest {
    private static final long MP = 1_000_000L;

    @Test
    void aPictureThatDoesNotFitWaitsUntilAnotherIsDone() throws Exception {
        // room for 30 megapixels: a 24 MP photo, then a second one waits for the first
        PictureMemory memory = new PictureMemory(30 * MP * PictureMemory.BYTES_PER_PIXEL, 24 * MP);
        PictureMemory.Share first = memory.take(24 * MP, 1000);
        // small pictures fit beside it
        memory.take(512 * 512, 1000).close();
        CompletableFuture<PictureMemory.Share> second = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.take(24 * MP, 60_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(second.isDone(), "waits while the first holds its share");
        // in arrival order: a small one behind the waiting photo does not overtake it
        assertThrows(RequestTimeoutException.class, () -> memory.take(512 * 512, 100));
        first.close();
        second.get(30, TimeUnit.SECONDS).close();
    }

    @Test
    void aWaitLongerThanTheTimeoutFailsAndTakesNothing() throws Exception {
        PictureMemory memory = new PictureMemory(30 * MP * PictureMemory.BYTES_PER_PIXEL, 24 * MP);
        int free = memory.available();
        try (PictureMemory.Share held = memory.take(24 * MP, 1000)) {
            RequestTimeoutException e = assertThrows(RequestTimeoutException.class, () -> memory.take(24 * MP, 100));
            assertTrue(e.getMessage().contains("waited 100 ms for memory"), e.getMessage());
        }
        assertEquals(free, memory.available(), "every share given back");
    }

    @Test
    void theLargestPictureAcceptedFitsEvenInASmallHeap() throws Exception {
        PictureMemory memory = new PictureMemory(10 * MP, 50 * MP);
        memory.take(50 * MP, 100).close();
        memory.take(50 * MP, 100).close();
    }
}
