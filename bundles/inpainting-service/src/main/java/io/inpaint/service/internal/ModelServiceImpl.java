package io.inpaint.service.internal;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.inpaint.api.Admission;
import io.inpaint.api.ImageInfo;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;
import io.inpaint.api.ServiceBusyException;
import io.inpaint.api.ServiceStatus;
import io.inpaint.engine.InpaintResult;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.InvalidInputException;
import io.inpaint.engine.ModelDescriptor;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the model. A request takes a place in the queue first (an {@link Admission}), is decoded, checked
 * and prepared on the caller's thread, its forward passes run on the queue's one worker thread (the model's only user:
 * it runs one forward pass at a time), and the result is composited and encoded on the caller's thread again.
 */
@Component(service = InpaintingService.class)
@Designate(ocd = ModelServiceImpl.Config.class)
public class ModelServiceImpl implements InpaintingService {

    @ObjectClassDefinition(name = "Inpaint - Model Service",
            description = "The inpainting model shared by the servlet and the ingestion step, and the queue in front of it.")
    public @interface Config {

        @AttributeDefinition(name = "Engine", description = "The DJL engine; its natives fragment must be installed.",
                options = {@Option(label = "MXNet", value = "MXNet"), @Option(label = "PyTorch", value = "PyTorch")})
        String engine() default "MXNet";

        @AttributeDefinition(name = "Device",
                description = "auto (the engine's first GPU if it sees one, else the CPU), cpu, gpu or gpuN.")
        String device() default "auto";

        @AttributeDefinition(name = "Model path",
                description = "A model.json on disk, with its weights beside it. Empty: the model packaged in this bundle.")
        String model_path() default "";

        @AttributeDefinition(name = "Max pixels",
                description = "Largest image or mask (width times height, by its header) accepted; larger ones are"
                        + " refused before decoding (HTTP 413). The default takes a 45-megapixel camera's photos."
                        + " Requests' pictures share half the heap, " + PictureMemory.BYTES_PER_PIXEL
                        + " bytes per pixel each (" + (PictureMemory.BYTES_PER_PIXEL + PictureMemory.FLOW_BYTES_PER_PIXEL)
                        + " with the flow picture): one that does not fit"
                        + " waits until others are done.")
        long max_pixels() default 50_000_000L;

        @AttributeDefinition(name = "Max side",
                description = "Longest side in pixels, by the header, of an image or mask accepted (HTTP 413 above).")
        int max_side() default 16_384;

        @AttributeDefinition(name = "Queue capacity",
                description = "Requests that may wait for the model; when they are all taken, callers are told the service is busy.")
        int queue_capacity() default 8;

        @AttributeDefinition(name = "Request timeout (ms)",
                description = "How long a request may wait in the queue; a request not started by then is dropped.")
        long request_timeout_ms() default 60_000L;

        @AttributeDefinition(name = "Warm-up shapes",
                description = "WIDTHxHEIGHT of network inputs to run once each, in this order, in the background once"
                        + " a model is in service (requests go first); each runs in its bucket (sides rounded up to a"
                        + " multiple of 64). For engines or devices whose first pass at a new input shape costs extra."
                        + " Empty by default: before a model goes into service it inpaints a small picture, which"
                        + " pays the engine's start-up cost, and on the CPU a new shape costs no more afterwards.")
        String[] warmup_shapes() default {};
    }

    private static final Logger LOG = LoggerFactory.getLogger(ModelServiceImpl.class);
    /**
     * Callers' own work (decode and prepare; composite and encode) runs this many at a time, so that a burst of
     * admitted requests decoding at once leaves cores to the threads answering 503 (at a soak run's first instant
     * those took 70-110 ms with 8 decoding on two cores). A forward pass takes seconds: one caller at a time per two
     * cores keeps it fed.
     */
    private static final int CALLER_WORK_PERMITS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    private static final String WORKER_NAME = "inpaint-inference";
    private static final String LOADER_NAME = "inpaint-model-loader";
    private static final long STOP_WAIT_MS = 30_000L;

    private final Semaphore callerWork = new Semaphore(CALLER_WORK_PERMITS, true);

    private final AtomicReference<ModelHandle> model = new AtomicReference<>();
    /**
     * Loads the models that configuration changes ask for, one after another, so that {@link #modified} returns at
     * once: a new model's first requests queue behind the waiting work, which would hold Config Admin's update
     * thread for as long as the queue takes.
     */
    private final ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, LOADER_NAME);
        t.setDaemon(true);
        return t;
    });
    /** Set by {@link #deactivate}: a load that ends afterwards closes its model instead of serving it. */
    private boolean closed;
    private final ClassLoader classLoader = getClass().getClassLoader();
    private BundleContext bundleContext;
    private volatile Config config;
    private volatile ImageCheck imageCheck;
    /** Package-private for the tests, which fill its pools. */
    volatile PictureMemory pictureMemory;
    private volatile InferenceQueue queue;
    private volatile String error;
    private volatile List<int[]> warmUpShapes;
    /** The warm-up of the model in service: how many shapes it has run, of how many. */
    private volatile WarmUp warmUpProgress = new WarmUp(0);

    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong rejectedBusy = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();

    @Activate
    void activate(BundleContext bundleContext, Config config) {
        this.bundleContext = bundleContext;
        this.config = check(config);
        DjlEnvironment.prepare(bundleContext);
        queue = new InferenceQueue(config.queue_capacity(), WORKER_NAME, classLoader);
        load(config);
    }

    /**
     * Applies limits and the queue size at once; a new model loads in the background and is swapped in once it has
     * passed its first requests, the old one serving until then. A load that a later change has overtaken is skipped.
     */
    @Modified
    void modified(Config newConfig) {
        Config old = config;
        Config checked = check(newConfig);
        config = checked;
        queue.capacity(newConfig.queue_capacity());
        if (model.get() == null || !sameModel(old, newConfig)) {
            loader.execute(() -> {
                if (config == checked) {
                    load(checked);
                }
            });
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            closed = true;
        }
        // a load waiting for its first requests is interrupted, and closes the model it loaded
        loader.shutdownNow();
        queue.close(STOP_WAIT_MS);
        try {
            loader.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ModelHandle current = model.getAndSet(null);
        if (current != null) {
            current.close();
        }
    }

    /** Checks the configuration and applies its image limits. */
    private Config check(Config config) {
        if (config.queue_capacity() < 1 || config.max_pixels() < 1 || config.max_side() < 1
                || config.request_timeout_ms() < 1) {
            throw new IllegalArgumentException("queue.capacity, max.pixels, max.side and request.timeout.ms must be"
                    + " positive, got " + config.queue_capacity() + ", " + config.max_pixels() + ", "
                    + config.max_side() + ", " + config.request_timeout_ms());
        }
        warmUpShapes = shapes(config.warmup_shapes());
        imageCheck = new ImageCheck(config.max_pixels(), config.max_side());
        pictureMemory = PictureMemory.ofHeap(config.max_pixels());
        return config;
    }

    private static final Pattern SHAPE = Pattern.compile("(\\d{1,4})x(\\d{1,4})");

    private static List<int[]> shapes(String[] config) {
        List<int[]> shapes = new ArrayList<>();
        for (String shape : config == null ? new String[0] : config) {
            Matcher m = SHAPE.matcher(shape.trim());
            int w = m.matches() ? Integer.parseInt(m.group(1)) : 0;
            int h = m.matches() ? Integer.parseInt(m.group(2)) : 0;
            if (w < 1 || h < 1 || Math.max(w, h) > InpaintingOptions.MAX_SIDE_MAX) {
                throw new IllegalArgumentException("warmup.shapes: each is WIDTHxHEIGHT, sides 1.."
                        + InpaintingOptions.MAX_SIDE_MAX + ", got \"" + shape + "\"");
            }
            shapes.add(new int[] {w, h});
        }
        return List.copyOf(shapes);
    }

    private static boolean sameModel(Config a, Config b) {
        return a.engine().equals(b.engine()) && a.device().equals(b.device())
                && a.model_path().equals(b.model_path());
    }

    /** Loads the configured model and switches to it; on failure the old model, if any, stays in service. */
    private void load(Config config) {
        long start = System.nanoTime();
        ModelHandle loaded;
        try {
            Path modelJson = config.model_path().isBlank()
                    ? PackagedModel.extract(bundleContext, classLoader)
                    : Paths.get(config.model_path().trim());
            loaded = ModelHandle.load(modelJson, config.engine(), config.device(), classLoader);
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: natives that do not fit this machine
            ModelHandle current = model.get();
            error = "cannot load model (engine " + config.engine() + ", device " + config.device() + ", path "
                    + (config.model_path().isBlank() ? "packaged" : config.model_path()) + "): " + e.getMessage()
                    + (current == null ? "" : "; still serving " + current.descriptor().file());
            LOG.error("Inpainting: {}", error, e);
            return;
        }
        ModelDescriptor d = loaded.descriptor();
        LOG.info("Loaded model {} (training status {}) from {} on {} {} in {} ms", d.name(), d.training().status(),
                d.file(), loaded.engine(), loaded.device(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        try {
            firstRequests(loaded);
        } catch (InpaintingException | RuntimeException | LinkageError e) {
            // the pass has ended, so nothing uses the model any more
            loaded.close();
            ModelHandle current = model.get();
            error = "model " + d.file() + " loaded but could not inpaint a test picture: " + e.getMessage()
                    + (current == null ? "" : "; still serving " + current.descriptor().file());
            LOG.error("Inpainting: {}", error, e);
            return;
        }
        ModelHandle previous;
        synchronized (this) {
            if (closed) {
                loaded.close();
                return;
            }
            previous = model.getAndSet(loaded);
        }
        error = null;
        if (previous != null) {
            // behind everything queued: work that took the old model before the swap has finished by then
            queue.afterQueued(previous::close);
        }
        warmUp(loaded, warmUpShapes);
    }

    /**
     * Runs the request path, from the upload's check to the encoded answer, on the {@link ProbePicture} requests with
     * the new model on the queue's worker, and waits for it. So the model goes into service only once it has inpainted,
     * and the first request after a (re)load pays neither the engine's first pass (several times a later one) nor
     * the first use of the decoders, encoders and metadata code. Queued behind the work already waiting, which the
     * model in service still runs.
     */
    private void firstRequests(ModelHandle loaded) throws InpaintingException {
        long start = System.nanoTime();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        queue.afterQueued(() -> {
            try {
                // no share of PictureMemory: requests waiting for this worker may hold it all
                ImageCheck check = imageCheck;
                List<ProbePicture> probes = ProbePicture.requests(check.maxPixels(), check.maxSide());
                long took = 0;
                for (ProbePicture probe : probes) {
                    took = runProbe(probe.request(), loaded, check);
                }
                byte[][] last = probes.get(probes.size() - 1).request();
                int repeats = 0;
                while (repeats < ProbePicture.MAX_REPEATS) {
                    long previous = took;
                    took = runProbe(last, loaded, check);
                    repeats++;
                    if (ProbePicture.settled(previous, took)) {
                        break;
                    }
                }
                done.complete(repeats);
            } catch (InpaintingException | RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        int repeats;
        try {
            repeats = done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InpaintingException("interrupted while the new model ran its first requests", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InpaintingException) {
                throw (InpaintingException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw (RuntimeException) cause;
        }
        LOG.info("First requests of the new model (PNG, JPEG, JPEG again {} time(s) until it settled) in {} ms",
                repeats, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** One first request through the whole request path; its time in nanoseconds. */
    private long runProbe(byte[][] request, ModelHandle loaded, ImageCheck check) throws InpaintingException {
        long began = System.nanoTime();
        // alone on the worker before the model serves: its crops need no share
        process(request[0], check.check(request[0], "image"), request[1], InpaintingOptions.defaults(),
                bytes -> { }, loaded.inpainter()::forward, check, began);
        return System.nanoTime() - began;
    }

    /** Queues one forward pass per shape for when no request waits; a model swapped out meanwhile is left cold. */
    private void warmUp(ModelHandle loaded, List<int[]> shapes) {
        WarmUp progress = new WarmUp(shapes.size());
        warmUpProgress = progress;
        for (int[] shape : shapes) {
            queue.whenIdle(() -> {
                if (model.get() != loaded) {
                    return;
                }
                long start = System.nanoTime();
                loaded.inpainter().warmUp(shape[0], shape[1]);
                LOG.info("Warmed up {}x{} ({} of {}) in {} ms", shape[0], shape[1], progress.done.incrementAndGet(),
                        progress.shapes, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            });
        }
    }

    private static final class WarmUp {
        final int shapes;
        final AtomicInteger done = new AtomicInteger();

        WarmUp(int shapes) {
            this.shapes = shapes;
        }
    }

    @Override
    public InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) throws InpaintingException {
        try (Admission admission = admit()) {
            return admission.inpaint(image, mask, options);
        }
    }

    @Override
    public Admission admit() throws InpaintingException {
        if (model.get() == null) {
            throw new ModelUnavailableException(error == null ? "no model is loaded" : error);
        }
        try {
            return new Place(queue.reserve(config.request_timeout_ms()));
        } catch (ServiceBusyException e) {
            rejectedBusy.incrementAndGet();
            LOG.debug("Inpainting request refused: {}", e.getMessage());
            throw e;
        }
    }

    /** An admission: a place in {@link #queue}. */
    private final class Place implements Admission {
        private final InferenceQueue.Place place;
        private final AtomicBoolean used = new AtomicBoolean();

        Place(InferenceQueue.Place place) {
            this.place = place;
        }

        @Override
        public InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options)
                throws InpaintingException {
            // before any work: a misused admission is the caller's bug, not a failed request
            if (used.getAndSet(true)) {
                throw new IllegalStateException("this admission was used or given back already");
            }
            return ModelServiceImpl.this.inpaint(place, image, mask, options);
        }

        @Override
        public void close() {
            used.set(true);
            place.close();
        }
    }

    private InpaintingResult inpaint(InferenceQueue.Place place, byte[] image, byte[] mask, InpaintingOptions options)
            throws InpaintingException {
        long start = System.nanoTime();
        InpaintingOptions opts = options == null ? InpaintingOptions.defaults() : options;
        long timeout = config.request_timeout_ms();
        ImageCheck check = imageCheck;
        try {
            ImageInfo size = check.check(image, "image");
            InpaintingResult result;
            try (PictureMemory.Share share = pictureMemory.take((long) size.getWidth() * size.getHeight(), opts.isFlow(),
                    timeout)) {
                result = process(image, size, mask, opts, bytes -> share.takeCrops(bytes, timeout),
                        prepared -> queue.run(place, () -> currentModel().inpainter().forward(prepared), timeout),
                        check, start);
            }
            completed.incrementAndGet();
            return result;
        } catch (InvalidRequestException e) {
            failed.incrementAndGet();
            LOG.debug("Inpainting request refused: {}", e.getMessage());
            throw e;
        } catch (RequestTimeoutException e) {
            timedOut.incrementAndGet();
            LOG.warn("Inpainting request dropped: {}", e.getMessage());
            throw e;
        } catch (InpaintingException e) {
            failed.incrementAndGet();
            LOG.warn("Inpainting request failed: {}", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.error("Inpainting failed", e);
            throw new InpaintingException("inpainting failed: " + e.getMessage(), e);
        }
    }

    /** How a request's prepared crops get their forward passes. */
    @FunctionalInterface
    private interface Forward {
        Inpainter.Forwarded run(Inpainter.Prepared prepared) throws InpaintingException;
    }

    /** How a request waits for the heap its crops will take ({@link PictureMemory.Share#takeCrops}). */
    @FunctionalInterface
    private interface CropShare {
        void take(long bytes) throws InpaintingException;
    }

    /**
     * The request path: decode, prepare, composite and encode on this thread; only {@code forward} (through the
     * queue, for requests) runs the model. A request calls it holding its picture's share of {@link PictureMemory},
     * and takes its crops' share through {@code cropShare} between planning and sampling them.
     *
     * @param imageInfo what {@code check} found {@code image} to be
     * @param start when the request began, for its total time
     */
    private InpaintingResult process(byte[] image, ImageInfo imageInfo, byte[] mask, InpaintingOptions opts,
            CropShare cropShare, Forward forward, ImageCheck check, long start) throws InpaintingException {
        ImageCodec.Decoded picture;
        Inpainter.Plan plan;
        long decoded;
        callerWork.acquireUninterruptibly();
        long began = System.nanoTime();
        long planned;
        try {
            picture = ImageCodec.decode(image, "image", imageInfo);
            ImageCodec.Decoded holes = ImageCodec.decode(mask, "mask", check.check(mask, "mask"));
            decoded = System.nanoTime();
            plan = Inpainter.plan(picture.image(), holes.image(), opts);
            planned = System.nanoTime();
        } catch (InvalidInputException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        } finally {
            callerWork.release();
        }
        // without a core: requests holding crops' shares wait for one to composite
        cropShare.take(plan.heapBytes());
        Inpainter.Prepared prepared;
        callerWork.acquireUninterruptibly();
        long sampling = System.nanoTime();
        try {
            prepared = Inpainter.prepare(plan);
        } finally {
            callerWork.release();
        }
        long preparedAt = System.nanoTime();
        Inpainter.Forwarded forwarded = forward.run(prepared);
        InpaintResult filled;
        InpaintingResult result;
        long composited;
        callerWork.acquireUninterruptibly();
        long forwardedAt = System.nanoTime();
        try {
            filled = Inpainter.composite(prepared, forwarded);
            composited = System.nanoTime();
            result = encode(image, picture, filled, opts, start);
        } finally {
            callerWork.release();
        }
        // the stages' own times, without the waits for the queue and for a core (callerWork)
        LOG.info("Inpainted {}x{} {} ({} hole pixels, {} region(s), {} pass(es)): model {} ms, total {} ms (decode {},"
                        + " prepare {}, composite {}, encode {} ms)", result.getWidth(), result.getHeight(),
                picture.format(), filled.holePixels(), filled.regions(), filled.passes(), filled.inferenceMillis(),
                result.getTotalMillis(), millis(began, decoded),
                millis(decoded, planned) + millis(sampling, preparedAt), millis(forwardedAt, composited),
                millis(composited, System.nanoTime()));
        return result;
    }

    private static long millis(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    /**
     * The model in service, read on the queue's worker when the work starts: the worker is the model's only user, so
     * a model swapped out is closed by a task queued behind the work that may still use it (see {@link #load}).
     */
    private ModelHandle currentModel() throws ModelUnavailableException {
        ModelHandle handle = model.get();
        if (handle == null) {
            throw new ModelUnavailableException(error == null ? "no model is loaded" : error);
        }
        return handle;
    }

    private static InpaintingResult encode(byte[] original, ImageCodec.Decoded picture, InpaintResult filled,
            InpaintingOptions opts, long start) {
        String format = ImageCodec.outputFormat(opts.getOutputFormat(), picture.format());
        byte[] bytes = ImageCodec.encode(filled.image(), format, opts.getJpegQuality());
        if (opts.isKeepMetadata() && format.equals(picture.format())) {
            // getRGB converted other colour spaces to sRGB while decoding: their profile no longer describes the pixels
            boolean keepColour = picture.image().getColorModel().getColorSpace().isCS_sRGB();
            bytes = MetadataCopier.copy(original, bytes, format, keepColour);
        }
        byte[] flow = filled.flow().map(f -> ImageCodec.encode(f, "png", 100)).orElse(null);
        return new InpaintingResult(bytes, ImageCodec.mimeType(format), filled.image().getWidth(),
                filled.image().getHeight(), filled.holePixels(), filled.inferenceMillis(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), flow);
    }

    @Override
    public ImageInfo check(byte[] data, String what) throws InvalidRequestException {
        return imageCheck.check(data, what);
    }

    @Override
    public ServiceStatus status() {
        Config cfg = config;
        InferenceQueue q = queue;
        ModelHandle current = model.get();
        ServiceStatus.Builder b = ServiceStatus.builder()
                .state(current == null ? ServiceStatus.State.UNAVAILABLE : ServiceStatus.State.READY)
                .error(error)
                .engine(current == null ? cfg.engine() : current.engine())
                .device(current == null ? cfg.device() : current.device())
                .queueLength(q.length())
                .queueCapacity(q.capacity())
                .inFlight(q.inFlight())
                .completed(completed.get())
                .failed(failed.get())
                .rejectedBusy(rejectedBusy.get())
                .timedOut(timedOut.get())
                .lastInferenceMillis(q.lastRunMillis())
                .meanInferenceMillis(q.meanRunMillis())
                .maxPixels(cfg.max_pixels())
                .requestTimeoutMillis(cfg.request_timeout_ms())
                .warmUp(warmUpProgress.done.get(), warmUpProgress.shapes);
        if (current != null) {
            ModelDescriptor d = current.descriptor();
            b.modelName(d.name()).modelPath(d.file().toString()).modelTrainingStatus(d.training().status());
        }
        return b.build();
    }
}
