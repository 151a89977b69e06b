package io.inpaint.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;
import io.inpaint.api.ServiceBusyException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue alone, with work that blocks on latches, so every case is deterministic. */
class InferenceQueueTest {
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private InferenceQueue queue;

    @AfterEach
    void stop() {
        release.countDown();
        if (queue != null) {
            queue.close(5_000);
        }
        callers.shutdownNow();
    }

    /** Takes a place and runs the work in it, as the service does. */
    private <T> T run(Callable<T> work, long timeoutMillis) throws InpaintingException {
        try (InferenceQueue.Place place = queue.reserve(timeoutMillis)) {
            return queue.run(place, work, timeoutMillis);
        }
    }

    /** Occupies the worker until {@link #release} opens. */
    private Future<String> blockWorker(long timeoutMillis) throws InterruptedException {
        Future<String> running = callers.submit(() -> run(() -> {
            started.countDown();
            release.await();
            return "first";
        }, timeoutMillis));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        return running;
    }

    @Test
    void runTimesAreCountedWhereTheWorkRuns() throws Exception {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        assertEquals(0, queue.lastRunMillis());
        assertEquals(0, queue.meanRunMillis());
        run(() -> {
            Thread.sleep(40);
            return null;
        }, 60_000);
        run(() -> {
            Thread.sleep(160);
            return null;
        }, 60_000);
        assertTrue(queue.lastRunMillis() >= 160, "last " + queue.lastRunMillis());
        assertTrue(queue.meanRunMillis() >= 100 && queue.meanRunMillis() < queue.lastRunMillis(),
                "mean " + queue.meanRunMillis());
    }

    @Test
    void theWorkerYieldsTheCpuToOtherThreads() throws Exception {
        assumeTrue("Linux".equals(System.getProperty("os.name")), "nice values are per thread on Linux only");
        queue = new InferenceQueue(1, "test-worker", getClass().getClassLoader());
        // field 19 of a thread's stat, counted after the command name in parentheses (which may hold spaces)
        String stat = run(() -> Files.readString(Path.of("/proc/thread-self/stat")), 60_000);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(WorkerPriority.NICE, Integer.parseInt(fields[16]));
    }

    @Test
    void fullQueueIsRefusedAtOnce() throws Exception {
        queue = new InferenceQueue(1, "test-worker", getClass().getClassLoader());
        Future<String> first = blockWorker(60_000);
        Future<String> waiting = callers.submit(() -> run(() -> "second", 60_000));
        awaitQueued(1);
        assertTrue(queue.refusal(60_000) != null);
        long start = System.nanoTime();
        ServiceBusyException busy = assertThrows(ServiceBusyException.class, () -> run(() -> "third", 60_000));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 500, "busy must be immediate");
        assertTrue(busy.getRetryAfterSeconds() >= 1);
        assertEquals(1, queue.inFlight());
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
        assertEquals("second", waiting.get(5, TimeUnit.SECONDS));
    }

    @Test
    void placesTakenCountAsWaitingUntilGivenBack() throws Exception {
        queue = new InferenceQueue(1, "test-worker", getClass().getClassLoader());
        Future<String> first = blockWorker(60_000);
        InferenceQueue.Place place = queue.reserve(60_000);
        assertEquals(0, queue.length(), "a place is not work yet");
        assertThrows(ServiceBusyException.class, () -> queue.reserve(60_000), "the one place is taken");
        place.close();
        place.close(); // a second time gives back nothing more
        InferenceQueue.Place again = queue.reserve(60_000);
        assertThrows(IllegalStateException.class, () -> queue.run(place, () -> "given back", 60_000));
        Future<String> waiting = callers.submit(() -> queue.run(again, () -> "second", 60_000));
        awaitQueued(1);
        again.close(); // filled: the place now is the queued work's
        assertThrows(ServiceBusyException.class, () -> queue.reserve(60_000), "the work holds the place");
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
        assertEquals("second", waiting.get(5, TimeUnit.SECONDS));
    }

    @Test
    void workThatCouldOnlyTimeOutIsRefusedAtOnce() throws Exception {
        queue = new InferenceQueue(8, "test-worker", getClass().getClassLoader());
        // a run of 300 ms sets the recent run time; then one more runs
        assertEquals("slow", run(() -> {
            Thread.sleep(300);
            return "slow";
        }, 60_000));
        Future<String> first = blockWorker(60_000);
        assertEquals(null, queue.refusal(60_000), "a minute is long enough for the one ahead");
        assertTrue(queue.refusal(500) != null, "the one ahead takes more than half of 500 ms: no margin left");
        long start = System.nanoTime();
        ServiceBusyException busy = assertThrows(ServiceBusyException.class, () -> run(() -> "late", 100));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 500, "busy must be immediate");
        assertTrue(busy.getMessage().contains("more than half"), busy.getMessage());
        assertTrue(busy.getRetryAfterSeconds() >= 1);
        assertEquals(0, queue.length(), "nothing was queued");
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
    }

    @Test
    void workStillWaitingAtItsDeadlineIsDroppedUnrun() throws Exception {
        queue = new InferenceQueue(4, "test-worker", getClass().getClassLoader());
        Future<String> first = blockWorker(60_000);
        AtomicBoolean ran = new AtomicBoolean();
        long start = System.nanoTime();
        assertThrows(RequestTimeoutException.class, () -> run(() -> {
            ran.set(true);
            return "late";
        }, 200));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 190 && waited < 2_000, "dropped at its deadline, after " + waited + " ms");
        assertEquals(0, queue.length(), "the dropped work leaves the queue");
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
        assertEquals("next", run(() -> "next", 5_000));
        assertFalse(ran.get());
    }

    @Test
    void runningWorkIsWaitedForPastTheDeadline() throws Exception {
        queue = new InferenceQueue(1, "test-worker", getClass().getClassLoader());
        Future<String> first = blockWorker(100);
        Thread.sleep(300);
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
    }

    @Test
    void smallerCapacityRunsWhatItHoldsButTakesNoMore() throws Exception {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        Future<String> first = blockWorker(60_000);
        Future<String> waiting = callers.submit(() -> run(() -> "queued", 60_000));
        awaitQueued(1);
        queue.capacity(1);
        assertEquals(1, queue.capacity());
        assertThrows(ServiceBusyException.class, () -> run(() -> "new", 60_000));
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
        assertEquals("queued", waiting.get(5, TimeUnit.SECONDS));
        // a larger one takes more at once
        queue.capacity(3);
        assertEquals("next", run(() -> "next", 5_000));
    }

    @Test
    void closedQueueTakesNoMore() {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        queue.close(5_000);
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> run(() -> "new", 60_000));
        assertEquals("the inpainting service is stopping", e.getMessage());
    }

    @Test
    void housekeepingRunsBehindTheWorkAheadOfItAndIsNoRequest() throws Exception {
        queue = new InferenceQueue(1, "test-worker", getClass().getClassLoader());
        Future<String> first = blockWorker(60_000);
        List<String> order = new CopyOnWriteArrayList<>();
        Future<String> waiting = callers.submit(() -> run(() -> {
            order.add("second");
            return "second";
        }, 60_000));
        awaitQueued(1);
        // even on a full queue, and it neither counts as waiting nor makes the queue look full
        queue.afterQueued(() -> order.add("closed"));
        assertEquals(1, queue.length());
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
        assertEquals("second", waiting.get(5, TimeUnit.SECONDS));
        awaitSize(order, 2);
        assertEquals(List.of("second", "closed"), order);
        assertEquals(0, queue.length());
    }

    @Test
    void housekeepingLeftAtCloseRunsOnceTheWorkerHasStopped() throws Exception {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        blockWorker(60_000);
        AtomicBoolean ran = new AtomicBoolean();
        queue.afterQueued(() -> ran.set(true));
        callers.submit(() -> {
            Thread.sleep(200);
            release.countDown();
            return null;
        });
        queue.close(5_000);
        assertTrue(ran.get());
        // and after the close, at once
        AtomicBoolean late = new AtomicBoolean();
        queue.afterQueued(() -> late.set(true));
        assertTrue(late.get());
    }

    @Test
    void closeFailsQueuedWork() throws Exception {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        blockWorker(60_000);
        Future<String> waiting = callers.submit(() -> run(() -> "queued", 60_000));
        awaitQueued(1);
        callers.submit(() -> queue.close(5_000));
        Exception e = assertThrows(Exception.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof ModelUnavailableException, String.valueOf(e.getCause()));
    }

    @Test
    void backgroundWorkWaitsForTheRequestsAndAPauseAfterThemAndIsNoRequest() throws Exception {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        Future<String> first = blockWorker(60_000);
        List<String> order = new CopyOnWriteArrayList<>();
        queue.whenIdle(() -> {
            throw new IllegalStateException("a failed warm-up stops nothing");
        });
        queue.whenIdle(() -> order.add("warm-up"));
        Future<String> waiting = callers.submit(() -> run(() -> {
            order.add("request");
            return "request";
        }, 60_000));
        awaitQueued(1);
        assertEquals(1, queue.length());
        release.countDown();
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
        assertEquals("request", waiting.get(5, TimeUnit.SECONDS));
        // a client's next request, sent at once, does not wait for the background work
        run(() -> order.add("next request"), 60_000);
        awaitSize(order, 3);
        assertEquals(List.of("request", "next request", "warm-up"), order);
    }

    @Test
    void aRequestArrivingDuringBackgroundWorkRunsBeforeTheRestOfIt() throws Exception {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        List<String> order = new CopyOnWriteArrayList<>();
        queue.whenIdle(() -> {
            order.add("warm-up 1");
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        queue.whenIdle(() -> order.add("warm-up 2"));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        Future<String> request = callers.submit(() -> run(() -> {
            order.add("request");
            return "request";
        }, 60_000));
        awaitQueued(1);
        release.countDown();
        assertEquals("request", request.get(5, TimeUnit.SECONDS));
        awaitSize(order, 3);
        assertEquals(List.of("warm-up 1", "request", "warm-up 2"), order);
    }

    @Test
    void aPlaceTakenKeepsBackgroundWorkBackUntilItIsGivenBack() throws Exception {
        queue = new InferenceQueue(2, "test-worker", getClass().getClassLoader());
        List<String> order = new CopyOnWriteArrayList<>();
        InferenceQueue.Place place = queue.reserve(60_000);
        queue.whenIdle(() -> order.add("warm-up"));
        Thread.sleep(300); // the worker is idle and no request has run: only the place holds the warm-up back
        assertEquals(List.of(), order, "a request is on its way");
        place.close();
        awaitSize(order, 1);
        assertEquals(List.of("warm-up"), order);
    }

    private static void awaitSize(List<String> list, int size) throws InterruptedException {
        await(() -> list.size() >= size);
    }

    /** Until {@code requests} wait in the queue; fails after 5 s rather than hanging the build. */
    private void awaitQueued(int requests) throws InterruptedException {
        await(() -> queue.length() >= requests);
        assertTrue(queue.length() >= requests, "requests queued: " + queue.length());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 5_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
    }
}
