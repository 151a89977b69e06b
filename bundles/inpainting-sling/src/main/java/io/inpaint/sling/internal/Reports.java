package io.inpaint.sling.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;

import io.inpaint.api.ServiceStatus;
import io.inpaint.api.ingest.IngestJob;

/** The JSON the servlets answer GET requests with: the model service's status and ingestion jobs. */
final class Reports {

    private static final int MAX_JOBS = 20;

    private Reports() {
    }

    static Json status(ServiceStatus s) {
        return new Json()
                .put("state", s.getState().name())
                .put("error", s.getError())
                .put("engine", s.getEngine())
                .put("device", s.getDevice())
                .put("model", s.getModelName())
                .put("modelPath", s.getModelPath())
                .put("training", s.getModelTrainingStatus())
                .put("queueLength", s.getQueueLength())
                .put("queueCapacity", s.getQueueCapacity())
                .put("inFlight", s.getInFlight())
                .put("completed", s.getCompleted())
                .put("failed", s.getFailed())
                .put("rejectedBusy", s.getRejectedBusy())
                .put("timedOut", s.getTimedOut())
                .put("lastInferenceMillis", s.getLastInferenceMillis())
                .put("meanInferenceMillis", s.getMeanInferenceMillis())
                .put("maxPixels", s.getMaxPixels())
                .put("requestTimeoutMillis", s.getRequestTimeoutMillis())
                .put("warmUpShapes", s.getWarmUpShapes())
                .put("warmedUp", s.getWarmedUp());
    }

    /** The ingestion jobs of one image (queued, running and finished ones the queue keeps), newest first. */
    static Json jobs(JobManager jobManager, String imagePath) {
        Map<String, Object> template = Map.of(IngestJob.IMAGE, imagePath);
        // ALL is queued and active jobs; the finished ones the queue keeps are the HISTORY
        Map<String, Job> byId = new LinkedHashMap<>();
        for (JobManager.QueryType type : List.of(JobManager.QueryType.ALL, JobManager.QueryType.HISTORY)) {
            for (Job job : jobManager.findJobs(type, IngestJob.TOPIC, MAX_JOBS, template)) {
                byId.put(job.getId(), job);
            }
        }
        List<Job> sorted = new ArrayList<>(byId.values());
        sorted.sort((a, b) -> b.getCreated().compareTo(a.getCreated()));
        List<Json> jobs = new ArrayList<>();
        for (Job job : sorted) {
            jobs.add(job(job));
        }
        return new Json().put("path", imagePath).put("jobs", jobs);
    }

    private static Json job(Job job) {
        Job.JobState state = job.getJobState();
        return new Json()
                .put("id", job.getId())
                .put("state", state.name())
                .put("image", job.getProperty(IngestJob.IMAGE, String.class))
                .put("mask", job.getProperty(IngestJob.MASK, String.class))
                .put("retries", job.getRetryCount())
                .put("maxRetries", job.getNumberOfRetries())
                // the Sling id of the instance the job is assigned to: it runs or ran it (a dead one's jobs move)
                .put("instance", job.getTargetInstance())
                .put("created", job.getCreated())
                .put("started", job.getProcessingStarted())
                .put("finished", job.getFinishedDate())
                // on success the rendition's path, otherwise why it failed
                .put(state == Job.JobState.SUCCEEDED ? "rendition" : "message", job.getResultMessage());
    }
}
