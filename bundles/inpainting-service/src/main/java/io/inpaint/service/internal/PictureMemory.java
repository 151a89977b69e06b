package io.inpaint.service.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.RequestTimeoutException;

/**
 * The heap that requests' pictures and network crops may take, so that large photos arriving together wait for each
 * other instead of exhausting the heap. A request takes its picture's share (its pixels times
 * {@link #BYTES_PER_PIXEL}) before it decodes, then, once its regions are planned, its crops' share (their tiles and
 * fills, {@code Inpainter.Plan#heapBytes}) from a second pool, and gives both back once its answer is encoded; small
 * requests barely count (a 512x512 picture takes 0.3 % of a 2 GB heap's picture share). Two pools, because a request
 * waits for its crops' share holding its picture's: were they one, requests holding all of it would wait for each
 * other, while the crops' share is only ever held by requests that need nothing more.
 */
final class PictureMemory {
    /**
     * Heap a request holds per pixel at its peak, in bytes: the decoded picture (3-4), the decoded mask (1-4), the
     * hole and its dilation (2), the result's copy of the picture (4), and its encoded bytes (under 1).
     */
    static final long BYTES_PER_PIXEL = 12;
    /** Heap the flow picture adds per pixel where a request asks for it: its pixels (4) and its PNG (under 1). */
    static final long FLOW_BYTES_PER_PIXEL = 5;
    /** Bytes per semaphore permit: permits are ints. */
    private static final long BYTES_PER_PERMIT = 16 * 1024;

    private final Pool pictures;
    private final Pool crops;

    /**
     * @param pictureBytes heap for pictures
     * @param largestPicture pixels of the largest picture accepted: it always fits, even when the budget is smaller
     * @param cropBytes heap for network crops; a request that needs more runs alone
     */
    PictureMemory(long pictureBytes, long largestPicture, long cropBytes) {
        pictures = new Pool(Math.max(pictureBytes, largestPicture * BYTES_PER_PIXEL));
        crops = new Pool(cropBytes);
    }

    /**
     * Half the heap for pictures and an eighth for crops: the rest is left to the server (Sling, the repository's
     * caches) and to the uploads' bytes.
     */
    static PictureMemory ofHeap(long largestPicture) {
        long heap = Runtime.getRuntime().maxMemory();
        return new PictureMemory(heap / 2, largestPicture, heap / 8);
    }

    /** A request's share, given back by {@link Share#close}. */
    interface Share extends AutoCloseable {
        /**
         * Waits, in arrival order, for the crops' share of {@code bytes}: once per request.
         *
         * @throws RequestTimeoutException not free within {@code timeoutMillis}
         */
        void takeCrops(long bytes, long timeoutMillis) throws InpaintingException;

        @Override
        void close();
    }

    /**
     * Waits for the share of a picture of {@code pixels}, with or without its flow picture, in arrival order.
     *
     * @throws RequestTimeoutException not free within {@code timeoutMillis}
     */
    Share take(long pixels, boolean flow, long timeoutMillis) throws InpaintingException {
        long bytes = pixels * (BYTES_PER_PIXEL + (flow ? FLOW_BYTES_PER_PIXEL : 0));
        int picture = pictures.acquire(bytes, timeoutMillis, "the picture",
                () -> "the pictures being inpainted meanwhile took the heap a " + pixels + "-pixel picture needs");
        return new Share() {
            private int taken;

            @Override
            public void takeCrops(long bytes, long timeoutMillis) throws InpaintingException {
                if (taken > 0) {
                    throw new IllegalStateException("the crops' share was taken already");
                }
                taken = crops.acquire(bytes, timeoutMillis, "the network crops",
                        () -> "the network crops of the requests being inpainted meanwhile took the heap this"
                                + " request's " + (bytes >> 20) + " MB of crops need");
            }

            @Override
            public void close() {
                crops.release(taken);
                taken = 0;
                pictures.release(picture);
            }
        };
    }

    /** Picture permits free now. */
    int available() {
        return pictures.permits.availablePermits();
    }

    /** Crop permits free now. */
    int availableForCrops() {
        return crops.permits.availablePermits();
    }

    /** A fair semaphore over a number of bytes; a request for more than all of it takes all of it. */
    private static final class Pool {
        private final Semaphore permits;
        private final int total;

        Pool(long bytes) {
            total = Math.max(1, permits(bytes));
            permits = new Semaphore(total, true);
        }

        int acquire(long bytes, long timeoutMillis, String forWhat, Supplier<String> why)
                throws InpaintingException {
            int n = Math.min(permits(bytes), total);
            try {
                if (!permits.tryAcquire(n, timeoutMillis, TimeUnit.MILLISECONDS)) {
                    throw new RequestTimeoutException("the request waited " + timeoutMillis + " ms for memory: "
                            + why.get() + "; try again later");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InpaintingException("interrupted while waiting for memory for " + forWhat, e);
            }
            return n;
        }

        void release(int n) {
            permits.release(n);
        }

        private static int permits(long bytes) {
            return (int) Math.min(Integer.MAX_VALUE, bytes / BYTES_PER_PERMIT + (bytes % BYTES_PER_PERMIT == 0 ? 0 : 1));
        }
    }
}
