package io.inpaint.api;

/**
 * A snapshot of the inpainting service: its model, its queue and counters since it started. Immutable; built by the
 * service with {@link #builder()}.
 */
public final class ServiceStatus {

    /** Whether requests can be served. */
    public enum State {
        /** A model is loaded and requests are accepted. */
        READY,
        /** No model is loaded (it failed to load, or the service is stopping): requests fail with {@link ModelUnavailableException}. */
        UNAVAILABLE
    }

    private final State state;
    private final String error;
    private final String engine;
    private final String device;
    private final String modelName;
    private final String modelPath;
    private final String modelTrainingStatus;
    private final int queueLength;
    private final int queueCapacity;
    private final int inFlight;
    private final long completed;
    private final long failed;
    private final long rejectedBusy;
    private final long timedOut;
    private final long lastInferenceMillis;
    private final long meanInferenceMillis;
    private final long maxPixels;
    private final long requestTimeoutMillis;
    private final int warmUpShapes;
    private final int warmedUp;

    private ServiceStatus(Builder b) {
        state = b.state;
        error = b.error;
        engine = b.engine;
        device = b.device;
        modelName = b.modelName;
        modelPath = b.modelPath;
        modelTrainingStatus = b.modelTrainingStatus;
        queueLength = b.queueLength;
        queueCapacity = b.queueCapacity;
        inFlight = b.inFlight;
        completed = b.completed;
        failed = b.failed;
        rejectedBusy = b.rejectedBusy;
        timedOut = b.timedOut;
        lastInferenceMillis = b.lastInferenceMillis;
        meanInferenceMillis = b.meanInferenceMillis;
        maxPixels = b.maxPixels;
        requestTimeoutMillis = b.requestTimeoutMillis;
        warmUpShapes = b.warmUpShapes;
        warmedUp = b.warmedUp;
    }

    public static Builder builder() {
        return new Builder();
    }

    public State getState() {
        return state;
    }

    /** Why the service is {@link State#UNAVAILABLE}, or why the last configuration change kept the old model; else null. */
    public String getError() {
        return error;
    }

    /** The deep learning engine, e.g. {@code MXNet} or {@code PyTorch}. */
    public String getEngine() {
        return engine;
    }

    /** Where the model runs, e.g. {@code cpu()} or {@code gpu(0)}. */
    public String getDevice() {
        return device;
    }

    public String getModelName() {
        return modelName;
    }

    /** The model descriptor ({@code model.json}) in use. */
    public String getModelPath() {
        return modelPath;
    }

    /** How the weights were made, e.g. {@code trained} or {@code untrained-initial}. */
    public String getModelTrainingStatus() {
        return modelTrainingStatus;
    }

    /** Requests waiting in the queue. */
    public int getQueueLength() {
        return queueLength;
    }

    /** Requests the queue holds before callers get {@link ServiceBusyException}. */
    public int getQueueCapacity() {
        return queueCapacity;
    }

    /** Requests being run on the model now. */
    public int getInFlight() {
        return inFlight;
    }

    /** Requests that produced a result. */
    public long getCompleted() {
        return completed;
    }

    /** Requests that failed, for bad input or in the model (not counting busy and timed-out ones). */
    public long getFailed() {
        return failed;
    }

    /** Requests refused with {@link ServiceBusyException}. */
    public long getRejectedBusy() {
        return rejectedBusy;
    }

    /** Requests dropped with {@link RequestTimeoutException}. */
    public long getTimedOut() {
        return timedOut;
    }

    /** Model time of the last completed request in milliseconds, 0 before the first. */
    public long getLastInferenceMillis() {
        return lastInferenceMillis;
    }

    /** Mean model time of the completed requests in milliseconds, 0 before the first. */
    public long getMeanInferenceMillis() {
        return meanInferenceMillis;
    }

    /** Largest picture (width times height) accepted. */
    public long getMaxPixels() {
        return maxPixels;
    }

    /** How long a request may wait for the model before it is dropped. */
    public long getRequestTimeoutMillis() {
        return requestTimeoutMillis;
    }

    /**
     * How many input shapes the loaded model is to run once in the background, before requests need them (0 when
     * warm-up is off).
     *
     * @since 3.1
     */
    public int getWarmUpShapes() {
        return warmUpShapes;
    }

    /**
     * How many of {@link #getWarmUpShapes()} have run: the warm-up is done when they are equal.
     *
     * @since 3.1
     */
    public int getWarmedUp() {
        return warmedUp;
    }

    @Override
    public String toString() {
        return "ServiceStatus[" + state + (error == null ? "" : " (" + error + ")") + ", engine=" + engine
                + ", device=" + device + ", model=" + modelName + " (" + modelTrainingStatus + ") " + modelPath
                + ", queue=" + queueLength + "/" + queueCapacity + ", inFlight=" + inFlight + ", completed="
                + completed + ", failed=" + failed + ", rejectedBusy=" + rejectedBusy + ", timedOut=" + timedOut
                + ", lastInferenceMillis=" + lastInferenceMillis + ", meanInferenceMillis=" + meanInferenceMillis
                + ", warmedUp=" + warmedUp + "/" + warmUpShapes + "]";
    }

    public static final class Builder {
        private State state = State.UNAVAILABLE;
        private String error;
        private String engine;
        private String device;
        private String modelName;
        private String modelPath;
        private String modelTrainingStatus;
        private int queueLength;
        private int queueCapacity;
        private int inFlight;
        private long completed;
        private long failed;
        private long rejectedBusy;
        private long timedOut;
        private long lastInferenceMillis;
        private long meanInferenceMillis;
        private long maxPixels;
        private long requestTimeoutMillis;
        private int warmUpShapes;
        private int warmedUp;

        private Builder() {
        }

        public Builder state(State value) {
            state = value;
            return this;
        }

        public Builder error(String value) {
            error = value;
            return this;
        }

        public Builder engine(String value) {
            engine = value;
            return this;
        }

        public Builder device(String value) {
            device = value;
            return this;
        }

        public Builder modelName(String value) {
            modelName = value;
            return this;
        }

        public Builder modelPath(String value) {
            modelPath = value;
            return this;
        }

        public Builder modelTrainingStatus(String value) {
            modelTrainingStatus = value;
            return this;
        }

        public Builder queueLength(int value) {
            queueLength = value;
            return this;
        }

        public Builder queueCapacity(int value) {
            queueCapacity = value;
            return this;
        }

        public Builder inFlight(int value) {
            inFlight = value;
            return this;
        }

        public Builder completed(long value) {
            completed = value;
            return this;
        }

        public Builder failed(long value) {
            failed = value;
            return this;
        }

        public Builder rejectedBusy(long value) {
            rejectedBusy = value;
            return this;
        }

        public Builder timedOut(long value) {
            timedOut = value;
            return this;
        }

        public Builder lastInferenceMillis(long value) {
            lastInferenceMillis = value;
            return this;
        }

        public Builder meanInferenceMillis(long value) {
            meanInferenceMillis = value;
            return this;
        }

        public Builder maxPixels(long value) {
            maxPixels = value;
            return this;
        }

        public Builder requestTimeoutMillis(long value) {
            requestTimeoutMillis = value;
            return this;
        }

        /** @since 3.1 */
        public Builder warmUp(int warmedUp, int shapes) {
            this.warmedUp = warmedUp;
            this.warmUpShapes = shapes;
            return this;
        }

        public ServiceStatus build() {
            return new ServiceStatus(this);
        }
    }
}
