package io.inpaint.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.RequestTimeoutException;

import org.junit.jupiter.api.Test;

class PictureMemoryTest {
    private static final long MP = 1_000_000L;
    private static final long MB = 1L << 20;

    @Test
    void aPictureThatDoesNotFitWaitsUntilAnotherIsDone() throws Exception {
        // room for 30 megapixels: a 24 MP photo, then a second one waits for the first
        PictureMemory memory = new PictureMemory(30 * MP * PictureMemory.BYTES_PER_PIXEL, 24 * MP, MB);
        PictureMemory.Share first = memory.take(24 * MP, false, 1000);
        // small pictures fit beside it
        memory.take(512 * 512, false, 1000).close();
        CompletableFuture<PictureMemory.Share> second = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.take(24 * MP, false, 60_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(second.isDone(), "waits while the first holds its share");
        // in arrival order: a small one behind the waiting photo does not overtake it
        assertThrows(RequestTimeoutException.class, () -> memory.take(512 * 512, false, 100));
        first.close();
        second.get(30, TimeUnit.SECONDS).close();
    }

    @Test
    void aWaitLongerThanTheTimeoutFailsAndTakesNothing() throws Exception {
        PictureMemory memory = new PictureMemory(30 * MP * PictureMemory.BYTES_PER_PIXEL, 24 * MP, MB);
        int free = memory.available();
        try (PictureMemory.Share held = memory.take(24 * MP, false, 1000)) {
            RequestTimeoutException e = assertThrows(RequestTimeoutException.class,
                    () -> memory.take(24 * MP, false, 100));
            assertTrue(e.getMessage().contains("waited 100 ms for memory"), e.getMessage());
        }
        assertEquals(free, memory.available(), "every share given back");
    }

    @Test
    void aFlowPictureTakesItsShareToo() throws Exception {
        // room for two 10 MP pictures, but not for a second one with its flow picture
        PictureMemory memory = new PictureMemory(21 * MP * PictureMemory.BYTES_PER_PIXEL, 10 * MP, MB);
        try (PictureMemory.Share held = memory.take(10 * MP, false, 1000)) {
            memory.take(10 * MP, false, 100).close();
            assertThrows(RequestTimeoutException.class, () -> memory.take(10 * MP, true, 100));
        }
        memory.take(10 * MP, true, 100).close();
    }

    @Test
    void anInterruptedWaitSaysWhatItWaitedFor() throws Exception {
        PictureMemory memory = new PictureMemory(30 * MP * PictureMemory.BYTES_PER_PIXEL, 24 * MP, 100 * MB);
        try (PictureMemory.Share held = memory.take(MP, false, 1000);
                PictureMemory.Share waiting = memory.take(MP, false, 1000)) {
            held.takeCrops(100 * MB, 1000);
            Thread.currentThread().interrupt();
            InpaintingException e = assertThrows(InpaintingException.class, () -> waiting.takeCrops(MB, 60_000));
            assertTrue(e.getMessage().contains("memory for the network crops"), e.getMessage());
            assertTrue(Thread.interrupted(), "the interrupt is kept");
        }
    }

    @Test
    void theLargestPictureAcceptedFitsEvenInASmallHeap() throws Exception {
        PictureMemory memory = new PictureMemory(10 * MP, 50 * MP, MB);
        memory.take(50 * MP, false, 100).close();
        memory.take(50 * MP, false, 100).close();
    }

    @Test
    void cropsWaitForTheirOwnPoolWhileThePictureShareIsHeldAndEverythingIsGivenBack() throws Exception {
        PictureMemory memory = new PictureMemory(30 * MP * PictureMemory.BYTES_PER_PIXEL, 24 * MP, 200 * MB);
        int pictures = memory.available();
        int crops = memory.availableForCrops();
        PictureMemory.Share first = memory.take(MP, false, 1000);
        first.takeCrops(150 * MB, 1000);
        try (PictureMemory.Share second = memory.take(MP, false, 1000)) {
            // 50 MB left: a request whose crops need 100 MB waits, holding its picture's share
            CompletableFuture<Void> crops100 = CompletableFuture.runAsync(() -> {
                try {
                    second.takeCrops(100 * MB, 60_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            assertFalse(crops100.isDone(), "waits for the first request's crops");
            // pictures still fit: the crops' wait holds no picture permits beyond its own share
            memory.take(MP, false, 100).close();
            first.close();
            crops100.get(30, TimeUnit.SECONDS);
        }
        assertEquals(pictures, memory.available(), "every picture share given back");
        assertEquals(crops, memory.availableForCrops(), "every crops' share given back");
    }

    @Test
    void cropsLargerThanTheirPoolRunAloneAndAWaitTooLongSaysSo() throws Exception {
        PictureMemory memory = new PictureMemory(30 * MP * PictureMemory.BYTES_PER_PIXEL, 24 * MP, 100 * MB);
        try (PictureMemory.Share huge = memory.take(MP, false, 1000)) {
            huge.takeCrops(500 * MB, 100);
            assertEquals(0, memory.availableForCrops(), "takes the whole pool");
            PictureMemory.Share other = memory.take(MP, false, 1000);
            RequestTimeoutException e = assertThrows(RequestTimeoutException.class, () -> other.takeCrops(MB, 100));
            assertTrue(e.getMessage().contains("network crops"), e.getMessage());
            other.close();
        }
        assertTrue(memory.availableForCrops() > 0);
    }
}
