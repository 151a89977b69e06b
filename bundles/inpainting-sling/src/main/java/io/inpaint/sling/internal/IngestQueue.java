package io.inpaint.sling.internal;

import java.time.Clock;
import java.util.Calendar;
import java.util.Map;
import java.util.UUID;

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
 * files' modification times), when it was claimed, the job's id and, once the job ended, its outcome. It is committed
 * before the job is added: of two instances claiming the same pair at once, Oak fails one commit on the conflicting
 * change, and that one queues nothing. Each claim also holds a value of its own: Oak merges two sessions' identical
 * writes without a conflict, so two claims made in the same millisecond would otherwise both commit and both queue
 * a job. A claimed version is queued again only when
 * <ul>
 * <li>its job succeeded and the pair has no rendition any more (someone deleted it),</li>
 * <li>its job ended without an outcome (retries used up on transient errors, or removed) or no job was added, and the
 * claim is older than {@link #CLAIM_TIMEOUT_MS} with no job waiting or running for the image.</li>
 * </ul>
 * A cancelled job's pair is not queued again until a file is replaced: its input stays bad. Claims of images that are
 * gone are removed by {@link #sweep}.
 */
final class IngestQueue {

    static final String CLAIMS = "/var/inpaint/ingest";
    /** Claiming and adding a job take milliseconds; a claim without a job this old was abandoned. */
    static final long CLAIM_TIMEOUT_MS = 60_000;

    private static final String VERSION = "version";
    private static final String CLAIMED = "claimed";
    /** The claim's own value (see the class comment). */
    private static final String CLAIMANT = "claimant";
    private static final String JOB = "job";
    /** Written by the job ({@link #settle}): {@value #SUCCEEDED} or {@value #CANCELLED}. */
    private static final String OUTCOME = "outcome";
    private static final String SUCCEEDED = "succeeded";
    private static final String CANCELLED = "cancelled";

    private static final Logger LOG = LoggerFactory.getLogger(IngestQueue.class);

    private final JobManager jobManager;
    private final Clock clock;

    IngestQueue(JobManager jobManager, Clock clock) {
        this.jobManager = jobManager;
        this.clock = clock;
    }

    /**
     * Queues a job for the pair unless this version of it is claimed (see the class comment) or a job for the image
     * is waiting or running. Commits the claim through {@code resolver} (a service user's, allowed to write
     * {@value #CLAIMS}).
     *
     * @return whether this call queued a job
     * @throws PersistenceException the claim could not be saved, e.g. another instance claimed the pair at the same
     *         time; the caller reverts
     */
    boolean enqueue(ResourceResolver resolver, StoredImage image, StoredImage mask) throws PersistenceException {
        String version = image.lastModified() + "|" + mask.path() + "@" + mask.lastModified();
        String path = CLAIMS + image.path();
        if (claimed(resolver.getResource(path), version, image, mask) || jobFor(image.path())) {
            return false;
        }
        Resource claim = ResourceUtil.getOrCreateResource(resolver, path,
                Map.of("jcr:primaryType", "nt:unstructured"), null, false);
        // looked at again: a session sees what others saved since it last looked once it is refreshed
        if (claimed(claim, version, image, mask)) {
            return false;
        }
        ModifiableValueMap properties = claim.adaptTo(ModifiableValueMap.class);
        if (properties == null) {
            throw new PersistenceException("cannot write the claim " + claim.getPath());
        }
        properties.put(VERSION, version);
        Calendar now = Calendar.getInstance();
        now.setTimeInMillis(clock.millis());
        properties.put(CLAIMED, now);
        properties.put(CLAIMANT, UUID.randomUUID().toString());
        properties.remove(JOB);
        properties.remove(OUTCOME);
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

    /**
     * Records how the job {@code jobId} for {@code imagePath} ended in the image's claim, without committing (the
     * caller commits, with the rendition where there is one). Jobs the queue did not add (the workflow step's) have
     * no claim, and a claim that a newer version took over is left alone.
     *
     * @return whether the claim was changed (and needs a commit)
     */
    static boolean settle(ResourceResolver resolver, String imagePath, String jobId, boolean succeeded) {
        Resource claim = resolver.getResource(CLAIMS + imagePath);
        ModifiableValueMap properties = claim == null ? null : claim.adaptTo(ModifiableValueMap.class);
        if (properties == null || jobId == null || !jobId.equals(properties.get(JOB, String.class))) {
            return false;
        }
        properties.put(OUTCOME, succeeded ? SUCCEEDED : CANCELLED);
        return true;
    }

    /**
     * Removes the claims of images that are gone (deleted or moved) and have no job waiting or running, and the
     * folders that held only those; commits once.
     *
     * @return how many claims were removed
     * @throws PersistenceException the removal could not be saved (another instance swept at the same time); the
     *         caller reverts
     */
    int sweep(ResourceResolver resolver) throws PersistenceException {
        Resource root = resolver.getResource(CLAIMS);
        int removed = root == null ? 0 : sweep(resolver, root);
        if (removed > 0) {
            resolver.commit();
        }
        return removed;
    }

    private int sweep(ResourceResolver resolver, Resource node) throws PersistenceException {
        int removed = 0;
        for (Resource child : node.getChildren()) {
            removed += sweep(resolver, child);
        }
        if (node.getPath().equals(CLAIMS)) {
            return removed;
        }
        String image = node.getPath().substring(CLAIMS.length());
        boolean claim = node.getValueMap().containsKey(VERSION);
        if (claim ? StoredImage.of(resolver.getResource(image)) == null && !jobFor(image)
                : removed > 0 && !node.hasChildren()) {
            resolver.delete(node);
            return removed + (claim ? 1 : 0);
        }
        return removed;
    }

    private boolean jobFor(String imagePath) {
        return !jobManager.findJobs(JobManager.QueryType.ALL, IngestJob.TOPIC, 1,
                Map.of(IngestJob.IMAGE, imagePath)).isEmpty();
    }

    /** Whether {@code version} of the pair is claimed: queued, being queued, done or refused (class comment). */
    private boolean claimed(Resource claim, String version, StoredImage image, StoredImage mask) {
        if (claim == null) {
            return false;
        }
        ValueMap properties = claim.getValueMap();
        if (!version.equals(properties.get(VERSION, String.class))) {
            return false;
        }
        String outcome = properties.get(OUTCOME, String.class);
        if (outcome != null) {
            return CANCELLED.equals(outcome) || RenditionStore.resultOf(image, mask) != null;
        }
        Calendar at = properties.get(CLAIMED, Calendar.class);
        return at != null && clock.millis() - at.getTimeInMillis() < CLAIM_TIMEOUT_MS;
    }
}
