package io.inpaint.sling.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.sling.api.resource.LoginException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceResolverFactory;
import org.apache.sling.api.resource.observation.ResourceChange;
import org.apache.sling.api.resource.observation.ResourceChangeListener;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestion trigger. Convention: an image {@code <name>.<ext>} and its mask {@code <name>.mask.png} in a watched
 * folder (in either order, as files or DAM assets). Once both are there, one ingestion job is queued for the pair;
 * replacing either file queues another. Results ({@code <name>.inpainted-*}) are not picked up again.
 */
@Component(service = ResourceChangeListener.class,
        property = {
            // the default again: metatype defaults do not become service properties, configurations do
            ResourceChangeListener.PATHS + "=" + InboxListener.DEFAULT_INBOX,
            ResourceChangeListener.CHANGES + "=ADDED",
            ResourceChangeListener.CHANGES + "=CHANGED"
        })
@Designate(ocd = InboxListener.Config.class)
public class InboxListener implements ResourceChangeListener {

    @ObjectClassDefinition(name = "Inpaint - Inbox folder trigger",
            description = "Queues an ingestion job when an image and its <name>.mask.png arrive below these folders.")
    public @interface Config {
        @AttributeDefinition(name = "Folders", description = "Repository paths watched, with everything below them.")
        String[] resource_paths() default {DEFAULT_INBOX};
    }

    static final String DEFAULT_INBOX = "/content/dam/inpaint-inbox";

    static final String MASK_SUFFIX = ".mask.png";
    private static final String RESULT_MARK = ".inpainted-";
    private static final int REMEMBERED = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(InboxListener.class);

    @Reference
    private ResourceResolverFactory resolverFactory;

    @Reference
    private JobManager jobManager;

    /** Pairs already queued, by paths and modification times: one upload raises several change events. */
    private final Map<String, Boolean> queued = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    @Override
    public void onChange(List<ResourceChange> changes) {
        try (ResourceResolver resolver = resolverFactory.getServiceResourceResolver(
                Map.of(ResourceResolverFactory.SUBSERVICE, IngestJobExecutor.SUBSERVICE))) {
            for (ResourceChange change : changes) {
                Resource file = fileAt(resolver, change.getPath());
                if (file != null) {
                    pairUp(file);
                }
            }
        } catch (LoginException e) {
            LOG.error("cannot log in as the ingestion service user: the inbox is not watched", e);
        }
    }

    /** The file or asset a changed path belongs to (a change below {@code jcr:content} counts for its owner). */
    private static Resource fileAt(ResourceResolver resolver, String path) {
        int content = path.indexOf("/jcr:content");
        Resource resource = resolver.getResource(content < 0 ? path : path.substring(0, content));
        return Asset.of(resource) == null ? null : resource;
    }

    private void pairUp(Resource file) {
        String name = file.getName();
        Resource folder = file.getParent();
        if (folder == null || name.contains(RESULT_MARK)) {
            return;
        }
        if (name.endsWith(MASK_SUFFIX)) {
            String base = name.substring(0, name.length() - MASK_SUFFIX.length());
            for (Resource sibling : folder.getChildren()) {
                String other = sibling.getName();
                if (!other.endsWith(MASK_SUFFIX) && !other.contains(RESULT_MARK) && other.startsWith(base + ".")
                        && other.indexOf('.', base.length() + 1) < 0 && Asset.of(sibling) != null) {
                    enqueue(sibling, file);
                }
            }
        } else {
            int dot = name.lastIndexOf('.');
            Resource mask = dot > 0 ? folder.getChild(name.substring(0, dot) + MASK_SUFFIX) : null;
            if (mask != null && Asset.of(mask) != null) {
                enqueue(file, mask);
            }
        }
    }

    private void enqueue(Resource image, Resource mask) {
        String key = image.getPath() + '@' + Asset.of(image).lastModified() + '|' + mask.getPath() + '@'
                + Asset.of(mask).lastModified();
        synchronized (queued) {
            if (queued.put(key, Boolean.TRUE) != null) {
                return;
            }
        }
        Job job = jobManager.addJob(IngestJobExecutor.TOPIC,
                Map.of(IngestJobExecutor.PROP_IMAGE, image.getPath(), IngestJobExecutor.PROP_MASK, mask.getPath()));
        LOG.info("queued ingestion job {} for {} with {}", job == null ? "(refused)" : job.getId(), image.getPath(),
                mask.getPath());
    }
}
