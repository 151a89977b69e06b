package io.inpaint.sling.internal;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.apache.sling.api.resource.LoginException;
import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceResolverFactory;
import org.apache.sling.api.resource.observation.ResourceChange;
import org.apache.sling.api.resource.observation.ResourceChangeListener;
import org.apache.sling.event.jobs.JobManager;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.inpaint.api.ingest.IngestJob;

/**
 * The ingestion trigger. Convention: an image {@code <name>.<ext>} and its mask {@code <name>.mask.png} in a watched
 * folder (in either order, as files or DAM assets). Once both are there, one ingestion job is queued for the pair;
 * replacing either file queues another. Results ({@code <name>.inpainted-*}) are not picked up again.
 *
 * <p>Change events are missed while the bundle is stopped or the instance is down, so the folders are also
 * reconciled, at start and then every {@code scheduler.period} seconds (Sling's scheduler runs this as a
 * {@link Runnable}): every pair without a rendition from the plugin and without a waiting or running job gets one
 * (also a pair whose rendition was deleted), unless its job was cancelled for bad input; the claims of images that
 * are gone are removed. {@link IngestQueue} keeps both paths, and several instances, from queueing one pair twice.
 */
@Component(service = {ResourceChangeListener.class, Runnable.class},
        property = {
            // the defaults again: metatype defaults do not become service properties, configurations do
            ResourceChangeListener.PATHS + "=" + InboxListener.DEFAULT_INBOX,
            ResourceChangeListener.CHANGES + "=ADDED",
            ResourceChangeListener.CHANGES + "=CHANGED",
            "scheduler.period:Long=" + InboxListener.DEFAULT_PERIOD_SECONDS,
            "scheduler.immediate:Boolean=true",
            "scheduler.concurrent:Boolean=false"
        })
@Designate(ocd = InboxListener.Config.class)
public class InboxListener implements ResourceChangeListener, Runnable {

    @ObjectClassDefinition(name = "Inpaint - Inbox folder trigger",
            description = "Queues an ingestion job when an image and its <name>.mask.png arrive below these folders,"
                    + " and reconciles the folders at start and periodically.")
    public @interface Config {
        @AttributeDefinition(name = "Folders", description = "Repository paths watched, with everything below them.")
        String[] resource_paths() default {DEFAULT_INBOX};

        @AttributeDefinition(name = "Reconciliation period",
                description = "Seconds between two walks over the folders that queue a job for every pair without"
                        + " a rendition and without a waiting or running job (also done at start).")
        long scheduler_period() default DEFAULT_PERIOD_SECONDS;
    }

    static final String DEFAULT_INBOX = "/content/dam/inpaint-inbox";
    static final long DEFAULT_PERIOD_SECONDS = 300;

    private static final Logger LOG = LoggerFactory.getLogger(InboxListener.class);

    @Reference
    private ResourceResolverFactory resolverFactory;

    @Reference
    private JobManager jobManager;

    private volatile IngestQueue queue;
    private volatile String[] folders;

    @Activate
    void activate(Config config) {
        queue = new IngestQueue(jobManager, Clock.systemUTC());
        folders = config.resource_paths();
    }

    @Override
    public void onChange(List<ResourceChange> changes) {
        try (ResourceResolver resolver = serviceResolver()) {
            for (ResourceChange change : changes) {
                Resource file = fileAt(resolver, change.getPath());
                if (file != null) {
                    pairUp(resolver, file);
                }
            }
        } catch (LoginException e) {
            LOG.error("cannot log in as the ingestion service user: the inbox is not watched", e);
        }
    }

    /** Reconciliation: one walk over the watched folders. */
    @Override
    public void run() {
        int queued = 0;
        try (ResourceResolver resolver = serviceResolver()) {
            for (String path : folders) {
                Resource folder = resolver.getResource(path);
                if (folder != null) {
                    queued += reconcile(resolver, folder);
                }
            }
            sweep(resolver);
        } catch (LoginException e) {
            LOG.warn("cannot log in as the ingestion service user: reconciliation skipped until the next period", e);
            return;
        }
        if (queued > 0) {
            LOG.info("reconciliation queued {} ingestion job(s) for pairs that had none", queued);
        }
    }

    private int reconcile(ResourceResolver resolver, Resource folder) {
        int queued = 0;
        for (Resource child : folder.getChildren()) {
            StoredImage image = StoredImage.of(child);
            if (image == null) {
                if (!"jcr:content".equals(child.getName())) {
                    queued += reconcile(resolver, child);
                }
                continue;
            }
            Resource mask = maskOf(child);
            StoredImage pair = mask == null ? null : StoredImage.of(mask);
            if (pair != null && RenditionStore.resultOf(image, pair) == null && enqueue(resolver, image, pair)) {
                queued++;
            }
        }
        return queued;
    }

    private void sweep(ResourceResolver resolver) {
        try {
            int removed = queue.sweep(resolver);
            if (removed > 0) {
                LOG.info("reconciliation removed {} claim(s) of images that are gone", removed);
            }
        } catch (PersistenceException e) {
            // most often another instance swept at the same moment; the next period tries again
            resolver.revert();
            LOG.info("claims of images that are gone not removed this time ({})", e.getMessage());
        }
    }

    private ResourceResolver serviceResolver() throws LoginException {
        return resolverFactory.getServiceResourceResolver(
                Map.of(ResourceResolverFactory.SUBSERVICE, IngestJobExecutor.SUBSERVICE));
    }

    /** The file or asset a changed path belongs to (a change below {@code jcr:content} counts for its owner). */
    private static Resource fileAt(ResourceResolver resolver, String path) {
        int content = path.indexOf("/jcr:content");
        Resource resource = resolver.getResource(content < 0 ? path : path.substring(0, content));
        return StoredImage.of(resource) == null ? null : resource;
    }

    private void pairUp(ResourceResolver resolver, Resource file) {
        Resource folder = file.getParent();
        if (folder == null) {
            return;
        }
        if (IngestJob.isMaskName(file.getName())) {
            for (Resource sibling : folder.getChildren()) {
                if (file.getPath().equals(pathOf(maskOf(sibling)))) {
                    enqueue(resolver, StoredImage.of(sibling), StoredImage.of(file));
                }
            }
        } else {
            Resource mask = maskOf(file);
            if (mask != null) {
                enqueue(resolver, StoredImage.of(file), StoredImage.of(mask));
            }
        }
    }

    /** The mask beside an image ({@code <name>.mask.png} for {@code <name>.<ext>}); null for masks and results. */
    private static Resource maskOf(Resource image) {
        String name = image.getName();
        int dot = name.lastIndexOf('.');
        Resource folder = image.getParent();
        if (dot <= 0 || folder == null || IngestJob.isMaskName(name) || RenditionStore.isResultName(name)
                || StoredImage.of(image) == null) {
            return null;
        }
        Resource mask = folder.getChild(IngestJob.maskName(name));
        return mask != null && StoredImage.of(mask) != null ? mask : null;
    }

    private static String pathOf(Resource resource) {
        return resource == null ? null : resource.getPath();
    }

    private boolean enqueue(ResourceResolver resolver, StoredImage image, StoredImage mask) {
        try {
            return queue.enqueue(resolver, image, mask);
        } catch (PersistenceException e) {
            // most often another instance, or the other trigger, claimed the pair at the same moment
            resolver.revert();
            LOG.info("not queueing {}: its claim was not saved ({})", image.path(), e.getMessage());
            return false;
        }
    }
}
