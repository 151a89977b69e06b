package io.inpaint.service.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.RequestTimeoutException;

/**
 * The heap that requests' pictures may take between decoding and encoding. A request takes its share (its pixels
 * times {@link #BYTES_PER_PIXEL}) before it decodes and gives it back once its answer is encoded, waiting meanwhile,
 * so that large photos arriving together wait for each other instead of exhausting the heap; small ones barely
 * count (a 512x512 picture takes 0.3 % of a 2 GB heap's share).
 */
final class PictureMemory {
    /**
     * Heap a request holds per pixel at its peak, in bytes: the decoded picture (3-4), the decoded mask (1-4), the
     * hole and its dilation (2), the result's copy of the picture (4), and its encoded bytes (under 1).
     */
    static final long BYTES_PER_PIXEL = 12;
    /** Pixels per semaphore permit: permits are ints, and heaps past 24 GB have more pixels' worth than that. */
    private static final long PIXELS_PER_PERMIT = 1024;

    private final Semaphore permits;
    private final int total;

    /**
     * @param budgetBytes heap for pictures
     * @param largestPicture pixels of the largest picture accepted: it always fits, even when the budget is smaller
     */
    PictureMemory(long budgetBytes, long largestPicture) {
        total = permits(Math.max(budgetBytes / BYTES_PER_PIXEL, largestPicture));
        permits = new Semaphore(total, true);
    }

    /** Half the heap: the rest is left to the server (Sling, the repository's caches) and to the uploads' bytes. */
    static PictureMemory ofHeap(long largestPicture) {
        return new PictureMemory(Runtime.getRuntime().maxMemory() / 2, largestPicture);
    }

    /** A picture's share, given back by {@link Share#close}. */
    interface Share extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits for the share of a picture of {@code pixels}, in arrival order.
     *
     * @throws RequestTimeoutException not free within {@code timeoutMillis}
     */
    Share take(long pixels, long timeoutMillis) throws InpaintingException {
        int n = Math.min(permits(pixels), total);
        try {
            if (!permits.tryAcquire(n, timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new RequestTimeoutException("the request waited " + timeoutMillis + " ms for memory: the "
                        + "pictures being inpainted meanwhile took the heap a " + pixels + "-pixel picture needs;"
                        + " try again later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InpaintingException("interrupted while waiting for memory for the picture", e);
        }
        return () -> permits.release(n);
    }

    /** Permits free now. */
    int available() {
        return permits.availablePermits();
    }

    private static int permits(long pixels) {
        return (int) Math.min(Integer.MAX_VALUE, (pixels + PIXELS_PER_PERMIT - 1) / PIXELS_PER_PERMIT);
    }
}
