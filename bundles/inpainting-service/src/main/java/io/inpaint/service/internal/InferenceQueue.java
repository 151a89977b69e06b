package io.inpaint.service.internal;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;
import io.inpaint.api.ServiceBusyException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bounded queue and one worker thread in front of a device. A caller first takes a {@link Place} (refused at once
 * when the queue is full), then runs its work in it and blocks until the work has run; work still waiting at its
 * deadline is dropped without running. Places taken count as waiting work, so callers arriving together are refused
 * before they prepare work that could not be queued. The capacity can change at any time: places and work already
 * taken stay, and new places are taken against the new capacity.
 * Background work ({@link #whenIdle}) runs only while no request waits, one task at a time.
 */
final class InferenceQueue {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceQueue.class);

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLED = 2;
    /**
     * How long after a request background work waits: a client that sends its requests one after another is not
     * made to wait for a background task between them.
     */
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    /** Housekeeping in {@link #queue}: not requests, so not counted against the capacity nor in the length. */
    private final AtomicInteger housekeepingQueued = new AtomicInteger();
    /** Housekeeping left when the queue closed, run once the worker has stopped. */
    private final BlockingQueue<Job<?>> housekeeping = new LinkedBlockingQueue<>();
    /** Background work: taken only when {@link #queue} is empty and has been for {@link #QUIET_NANOS}. */
    private final BlockingQueue<Runnable> idle = new LinkedBlockingQueue<>();
    /** When the latest request ended; written by the worker only. */
    private long lastRequestEnd = System.nanoTime() - QUIET_NANOS;
    private volatile int capacity;
    private final Thread worker;
    private volatile boolean open = true;

    private final Object offerLock = new Object();
    /** Places taken and not yet filled with work nor given back; changed under {@link #offerLock}. */
    private volatile int reserved;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Recent run time, a moving average that follows the machine's load; 0 before the first run. */
    private volatile long recentRunMillis;
    /** Runs so far, their total and the latest run's time, for the service's status; written by the worker only. */
    private volatile long runs;
    private volatile long totalRunMillis;
    private volatile long lastRunMillis;

    /**
     * @param contextClassLoader the worker's context class loader: DJL looks up its engines through it
     */
    InferenceQueue(int capacity, String threadName, ClassLoader contextClassLoader) {
        this.capacity = capacity;
        this.worker = new Thread(this::work, threadName);
        worker.setDaemon(true);
        worker.setContextClassLoader(contextClassLoader);
        worker.start();
    }

    /**
     * Takes a place for work to come.
     *
     * @param timeoutMillis how long the work may wait in the queue
     * @throws ServiceBusyException refused at once, see {@link #refusal}
     * @throws ModelUnavailableException the queue is closed
     */
    Place reserve(long timeoutMillis) throws InpaintingException {
        // with the lock, two callers never both take the last place
        synchronized (offerLock) {
            if (!open) {
                throw new ModelUnavailableException("the inpainting service is stopping");
            }
            ServiceBusyException busy = refusal(timeoutMillis);
            if (busy != null) {
                throw busy;
            }
            reserved++;
            return new Place();
        }
    }

    /**
     * Runs {@code work} on the worker thread in the place taken for it, and waits for it.
     *
     * @param timeoutMillis how long the work may wait in the queue; once it runs, it runs to the end
     * @throws IllegalStateException the place was used or given back already
     * @throws RequestTimeoutException the work waited too long and was dropped
     * @throws ModelUnavailableException the queue was closed, before the work was offered or before it ran
     */
    <T> T run(Place place, Callable<T> work, long timeoutMillis) throws InpaintingException {
        Job<T> job = new Job<>(work, false);
        // with the lock, no work enters once close() has run, so the worker never leaves any behind
        synchronized (offerLock) {
            if (!place.release()) {
                throw new IllegalStateException("the place in the inpainting queue was used or given back already");
            }
            if (!open) {
                throw new ModelUnavailableException("the inpainting service is stopping");
            }
            queue.add(job);
        }
        boolean interrupted = false;
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                try {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        return job.result.get(left, TimeUnit.NANOSECONDS);
                    }
                    if (job.state.compareAndSet(QUEUED, CANCELLED)) {
                        queue.remove(job);
                        throw new RequestTimeoutException("the request waited " + timeoutMillis
                                + " ms for the model without being run; try again later");
                    }
                    // Running (it cannot be stopped half-way, so it is waited for) or failed by close().
                    return job.result.get();
                } catch (TimeoutException e) {
                    // deadline reached: the loop cancels the job if it has not started
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (job.state.compareAndSet(QUEUED, CANCELLED)) {
                        queue.remove(job);
                        throw new InpaintingException("interrupted while waiting for the model");
                    }
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static InpaintingException rethrow(Throwable cause) {
        if (cause instanceof InpaintingException) {
            return (InpaintingException) cause;
        }
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new InpaintingException("inpainting failed: " + cause, cause);
    }

    /** How long the latest work took to run, 0 before the first. */
    long lastRunMillis() {
        return lastRunMillis;
    }

    /** How long work took to run on average since the queue started, 0 before the first. */
    long meanRunMillis() {
        long n = runs;
        return n == 0 ? 0 : totalRunMillis / n;
    }

    /**
     * Why work offered now, allowed to wait {@code timeoutMillis}, would be refused, or null when it would be taken:
     * the queue is full, or the work ahead of it would take more than half that time at the recent run time, so
     * that it could time out after waiting (a quick "busy" rather than a "timed out" a minute later). Half, because
     * runs slow down while work waits when something else takes the CPU (a soak run that admitted up to the whole
     * timeout had requests time out when its runs went from 7 to 12-24 s). Asked before decoding, so that an
     * overloaded service refuses quickly and cheaply. Places taken count as waiting work.
     */
    ServiceBusyException refusal(long timeoutMillis) {
        if (waiting() >= capacity) {
            return full();
        }
        long ahead = waiting() + inFlight.get();
        long waitMillis = ahead * recentRunMillis;
        if (waitMillis > timeoutMillis / 2) {
            return new ServiceBusyException("the inpainting queue is busy: the " + ahead + " requests ahead take about "
                    + waitMillis / 1000 + " s, more than half the " + timeoutMillis / 1000 + " s a request may wait;"
                    + " try again later", retryAfterSeconds());
        }
        return null;
    }

    private ServiceBusyException full() {
        return new ServiceBusyException("the inpainting queue is full (" + capacity + " waiting); try again later",
                retryAfterSeconds());
    }

    /** How long the waiting work will take at the recent run time; at least one second. */
    private long retryAfterSeconds() {
        long mean = recentRunMillis == 0 ? 1000 : recentRunMillis;
        return Math.max(1, (waiting() + 1) * mean / 1000);
    }

    private void work() {
        // before the engine starts its threads from here: they take this thread's priority
        WorkerPriority.lower();
        while (open || !queue.isEmpty()) {
            Job<?> job = queue.poll();
            long waitNanos = TimeUnit.SECONDS.toNanos(1);
            // a place taken is a request on its way (its upload being read): no background task before it
            if (job == null && open && !idle.isEmpty() && reserved == 0) {
                long quiet = System.nanoTime() - lastRequestEnd;
                if (quiet >= QUIET_NANOS) {
                    runBackground(idle.poll());
                    continue;
                }
                waitNanos = QUIET_NANOS - quiet;
            }
            try {
                job = job != null ? job : queue.poll(waitNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (job != null && job.housekeeping) {
                housekeepingQueued.decrementAndGet();
                runHousekeeping(job);
            } else if (job != null && job.state.compareAndSet(QUEUED, RUNNING)) {
                inFlight.incrementAndGet();
                long start = System.nanoTime();
                Runnable answer = job.call();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                // written by this thread only, before the caller has its answer; a quarter weight for the newest run
                recentRunMillis = recentRunMillis == 0 ? millis : (3 * recentRunMillis + millis) / 4;
                lastRunMillis = millis;
                totalRunMillis += millis;
                runs++;
                lastRequestEnd = System.nanoTime();
                inFlight.decrementAndGet();
                answer.run();
            }
        }
    }

    /**
     * Runs {@code task} on the worker after everything queued now, whatever the capacity; when the queue is closed,
     * once the worker has stopped. For housekeeping that must not overlap the work ahead of it (closing a model
     * that work may still use).
     */
    void afterQueued(Runnable task) {
        Job<Object> job = new Job<>(() -> {
            task.run();
            return null;
        }, true);
        synchronized (offerLock) {
            if (open) {
                housekeepingQueued.incrementAndGet();
                queue.add(job);
                return;
            }
        }
        if (worker.isAlive()) {
            housekeeping.add(job); // run by close() once the worker has stopped
        } else {
            runHousekeeping(job);
        }
    }

    /**
     * Runs {@code task} on the worker when no request is waiting nor has ended in the last two seconds, after the
     * background work queued before it: a request that arrives meanwhile waits at most for the one task running.
     * Not counted as a request; dropped when the queue closes.
     */
    void whenIdle(Runnable task) {
        idle.add(task);
    }

    private static void runBackground(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Inference queue background task failed", e);
        }
    }

    /** How many requests may wait from now on; requests already waiting beyond it still run. */
    void capacity(int capacity) {
        this.capacity = capacity;
    }

    private static void runHousekeeping(Job<?> job) {
        job.execute();
        job.result.whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.warn("Inference queue housekeeping failed", failure);
            }
        });
    }

    /**
     * Refuses new work, fails what is still queued and waits up to {@code waitMillis} for the running work.
     */
    void close(long waitMillis) {
        synchronized (offerLock) {
            open = false;
        }
        idle.clear();
        Job<?> job;
        while ((job = queue.poll()) != null) {
            if (job.housekeeping) {
                housekeepingQueued.decrementAndGet();
                housekeeping.add(job);
            } else if (job.state.compareAndSet(QUEUED, CANCELLED)) {
                job.result.completeExceptionally(new ModelUnavailableException("the inpainting service is stopping"));
            }
        }
        try {
            worker.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.warn("Inference worker {} still busy after {} ms; leaving it to finish, and {} housekeeping task(s)"
                    + " undone", worker.getName(), waitMillis, housekeeping.size());
            return;
        }
        while ((job = housekeeping.poll()) != null) {
            runHousekeeping(job);
        }
    }

    /** Requests waiting. */
    int length() {
        return queue.size() - housekeepingQueued.get();
    }

    /** Requests waiting and places taken for requests to come. */
    private int waiting() {
        return length() + reserved;
    }

    int capacity() {
        return capacity;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** A place in the queue: filled by {@link #run}, or given back by {@link #close}. */
    final class Place implements AutoCloseable {
        /** Guarded by {@link #offerLock}. */
        private boolean held = true;

        /** Whether this call gave the place up; under {@link #offerLock}. */
        private boolean release() {
            if (!held) {
                return false;
            }
            held = false;
            reserved--;
            return true;
        }

        @Override
        public void close() {
            synchronized (offerLock) {
                release();
            }
        }
    }

    private static final class Job<T> {
        final Callable<T> work;
        /** Not a request: no caller waits, and it is neither counted nor cancelled on close. */
        final boolean housekeeping;
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CompletableFuture<T> result = new CompletableFuture<>();

        Job(Callable<T> work, boolean housekeeping) {
            this.work = work;
            this.housekeeping = housekeeping;
        }

        void execute() {
            call().run();
        }

        /** Runs the work and returns what hands its outcome to the caller; never throws. */
        Runnable call() {
            try {
                T value = work.call();
                return () -> result.complete(value);
            } catch (Exception | Error e) {
                return () -> result.completeExceptionally(e);
            }
        }
    }
}
