package io.inpaint.sling.internal;

import java.util.Calendar;
import java.util.Map;

import org.apache.sling.api.resource.ModifiableValueMap;
import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceUtil;
import org.apache.sling.api.resource.ValueMap;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.inpaint.api.ingest.IngestJob;

/**
 * Queues ingestion jobs so that one version of an image and mask pair gets one job, whoever asks (the change
 * listener, the periodic reconciliation) and on however many instances share the repository.
 *
 * <p>The guard is a claim in the repository, {@value #CLAIMS}{@code <image path>}, holding the pair's version (the
 * files' modification times), when it was claimed and the job's id. It is committed before the job is added: of two
 * instances claiming the same pair at once, Oak fails one commit on the conflicting change, and that one queues
 * nothing. A claim without a job id older than {@link #CLAIM_TIMEOUT_MS} was left by an instance that stopped in
 * between, and is taken over. A claimed version with a job id is never queued again, whatever became of the job
 * (a cancelled job's input stays bad until a file is replaced).
 */
final class IngestQueue {

    static final String CLAIMS = "/var/inpaint/ingest";
    /** Claiming and adding a job take milliseconds; a claim without a job this old was abandoned. */
    static final long CLAIM_TIMEOUT_MS = 60_000;

    private static final String VERSION = "version";
    private static final String CLAIMED = "claimed";
    private static final String JOB = "job";

    private static final Logger LOG = LoggerFactory.getLogger(IngestQueue.class);

    private final JobManager jobManager;

    IngestQueue(JobManager jobManager) {
        this.jobManager = jobManager;
    }

    /**
     * Queues a job for the pair unless this version of it was queued before or a job for the image is waiting or
     * running. Commits the claim through {@code resolver} (a service user's, allowed to write {@value #CLAIMS}).
     *
     * @return whether this call queued a job
     * @throws PersistenceException the claim could not be saved, e.g. another instance claimed the pair at the same
     *         time; the caller reverts
     */
    boolean enqueue(ResourceResolver resolver, StoredImage image, StoredImage mask) throws PersistenceException {
        String version = image.lastModified() + "|" + mask.path() + "@" + mask.lastModified();
        String path = CLAIMS + image.path();
        if (claimed(resolver.getResource(path), version) || !jobManager.findJobs(JobManager.QueryType.ALL,
                IngestJob.TOPIC, 1, Map.of(IngestJob.IMAGE, image.path())).isEmpty()) {
            return false;
        }
        Resource claim = ResourceUtil.getOrCreateResource(resolver, path,
                Map.of("jcr:primaryType", "nt:unstructured"), null, false);
        // looked at again: a session sees what others saved since it last looked once it is refreshed
        if (claimed(claim, version)) {
            return false;
        }
        ModifiableValueMap properties = claim.adaptTo(ModifiableValueMap.class);
        if (properties == null) {
            throw new PersistenceException("cannot write the claim " + claim.getPath());
        }
        properties.put(VERSION, version);
        properties.put(CLAIMED, Calendar.getInstance());
        properties.remove(JOB);
        resolver.commit();

        Job added = jobManager.addJob(IngestJob.TOPIC,
                Map.of(IngestJob.IMAGE, image.path(), IngestJob.MASK, mask.path()));
        if (added == null) {
            // the claim stays without a job: it is taken over once it is abandoned
            LOG.warn("the job manager refused a job for {}; retried by a later reconciliation", image.path());
            return false;
        }
        properties.put(JOB, added.getId());
        resolver.commit();
        LOG.info("queued ingestion job {} for {} with {}", added.getId(), image.path(), mask.path());
        return true;
    }

    /** Whether {@code version} of the pair is claimed, by a job or by an instance that is adding one now. */
    private static boolean claimed(Resource claim, String version) {
        if (claim == null) {
            return false;
        }
        ValueMap properties = claim.getValueMap();
        Calendar at = properties.get(CLAIMED, Calendar.class);
        return version.equals(properties.get(VERSION, String.class)) && (properties.get(JOB, String.class) != null
                || at != null && System.currentTimeMillis() - at.getTimeInMillis() < CLAIM_TIMEOUT_MS);
    }
}
