package io.inpaint.sling.internal;

import java.util.HashMap;
import java.util.Map;

import org.apache.sling.api.resource.LoginException;
import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceResolverFactory;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.consumer.JobExecutionContext;
import org.apache.sling.event.jobs.consumer.JobExecutionResult;
import org.apache.sling.event.jobs.consumer.JobExecutor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.RenditionName;
import io.inpaint.api.ingest.IngestJob;
import io.inpaint.sling.spi.AssetRenditionWriter;

/**
 * The ingestion step: inpaints one image with its mask and stores the result as a rendition, as the service user
 * mapped to sub-service {@value #SUBSERVICE}. Bad input ({@link InpaintingException#isPermanent()}) is cancelled at
 * once; anything else (model busy, timed out, not loaded, a failed save) fails the attempt, and the job queue retries
 * it. A job without a rendition name whose
 * image already has a rendition written after both files succeeds without writing another (a retry of an attempt
 * that committed before the instance died). The job's outcome is recorded in the pair's claim ({@link IngestQueue}),
 * which lets reconciliation redo a deleted rendition and leave bad input alone.
 *
 * <p>The job's topic and properties, shared with the inbox trigger and the AEM workflow step, are {@link IngestJob}.
 */
@Component(service = JobExecutor.class, property = JobExecutor.PROPERTY_TOPICS + "=" + IngestJob.TOPIC)
public class IngestJobExecutor implements JobExecutor {

    static final String SUBSERVICE = "ingest";

    private static final Logger LOG = LoggerFactory.getLogger(IngestJobExecutor.class);

    @Reference
    private ResourceResolverFactory resolverFactory;

    @Reference
    private RequestReader reader;

    @Reference
    private InpaintingService service;

    /** AEM's: renditions through its Asset API. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile AssetRenditionWriter damWriter;

    @Override
    public JobExecutionResult process(Job job, JobExecutionContext context) {
        String imagePath = job.getProperty(IngestJob.IMAGE, String.class);
        String maskPath = job.getProperty(IngestJob.MASK, String.class);
        String rendition = job.getProperty(IngestJob.RENDITION, String.class);
        if (imagePath == null || maskPath == null) {
            // Sling's resolver throws on a null path, which would fail the job and retry what can never work
            return cancel(context, job, "the job has no " + (imagePath == null ? IngestJob.IMAGE : IngestJob.MASK)
                    + " path");
        }
        try (ResourceResolver resolver = resolverFactory.getServiceResourceResolver(
                Map.of(ResourceResolverFactory.SUBSERVICE, SUBSERVICE))) {
            StoredImage image = StoredImage.of(resolver.getResource(imagePath));
            StoredImage mask = StoredImage.of(resolver.getResource(maskPath));
            if (image == null || mask == null) {
                return cancel(context, job, (image == null ? imagePath : maskPath) + " is gone or not a file");
            }
            if (rendition != null && !RenditionName.isPlain(rendition)) {
                return cancel(context, job, "the rendition name '" + rendition + "' is not a plain node name");
            }
            String location = inpaint(job, resolver, image, mask, rendition);
            return context.result().message(location).succeeded();
        } catch (InpaintingException e) {
            // the one mapping from the api's errors to the queue: bad input is cancelled, anything else retried
            if (e.isPermanent()) {
                refused(job, imagePath);
                return cancel(context, job, e.getMessage());
            }
            LOG.warn("job {}: attempt {} for {} failed, the queue retries: {}", job.getId(), job.getRetryCount() + 1,
                    imagePath, e.getMessage());
            return context.result().message(e.getMessage()).failed();
        } catch (LoginException | PersistenceException | RuntimeException e) {
            LOG.warn("job {}: attempt {} for {} failed, the queue retries", job.getId(), job.getRetryCount() + 1,
                    imagePath, e);
            return context.result().message(e.toString()).failed();
        }
    }

    /**
     * Writes the rendition, or finds the one an earlier attempt committed before its instance died, and records the
     * success in the pair's claim in the same commit.
     *
     * @return the rendition's path
     */
    private String inpaint(Job job, ResourceResolver resolver, StoredImage image, StoredImage mask, String rendition)
            throws InpaintingException, PersistenceException {
        // a retry after a crash that came after the commit: the rendition is there, do not write a second
        String location = rendition == null
                ? RenditionStore.resultOf(image, mask) : null;
        if (location != null) {
            LOG.info("job {}: {} already has the rendition {} of its current files", job.getId(), image.path(),
                    location);
            if (IngestQueue.settle(resolver, image.path(), job.getId(), true)) {
                resolver.commit();
            }
            return location;
        }
        InpaintingOptions options = IngestJob.options(properties(job));
        byte[] original = reader.read(image.openOriginal(), "image " + image.path());
        byte[] maskData = reader.read(mask.openOriginal(), "mask " + mask.path());
        InpaintingResult result = service.inpaint(original, maskData, options);
        location = RenditionStore.write(image, rendition == null ? RenditionStore.newBase() : rendition, result,
                damWriter);
        IngestQueue.settle(resolver, image.path(), job.getId(), true);
        resolver.commit();
        LOG.info("job {}: {} inpainted into {} in {} ms", job.getId(), image.path(), location,
                result.getTotalMillis());
        return location;
    }

    /** Records the refusal in the pair's claim, so that reconciliation does not queue the bad input again. */
    private void refused(Job job, String imagePath) {
        try (ResourceResolver resolver = resolverFactory.getServiceResourceResolver(
                Map.of(ResourceResolverFactory.SUBSERVICE, SUBSERVICE))) {
            if (IngestQueue.settle(resolver, imagePath, job.getId(), false)) {
                resolver.commit();
            }
        } catch (LoginException | PersistenceException e) {
            // the job is cancelled all the same; without the record, reconciliation may queue the pair once more
            LOG.warn("job {}: the refusal of {} was not recorded in its claim", job.getId(), imagePath, e);
        }
    }

    private static Map<String, Object> properties(Job job) {
        Map<String, Object> map = new HashMap<>();
        for (String name : job.getPropertyNames()) {
            map.put(name, job.getProperty(name));
        }
        return map;
    }

    private static JobExecutionResult cancel(JobExecutionContext context, Job job, String why) {
        LOG.warn("job {}: cancelled, not retried: {}", job.getId(), why);
        return context.result().message(why).cancelled();
    }
}
