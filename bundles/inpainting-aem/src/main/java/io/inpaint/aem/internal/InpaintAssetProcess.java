package io.inpaint.aem.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.adobe.granite.workflow.WorkflowException;
import com.adobe.granite.workflow.WorkflowSession;
import com.adobe.granite.workflow.exec.WorkItem;
import com.adobe.granite.workflow.exec.WorkflowData;
import com.adobe.granite.workflow.exec.WorkflowProcess;
import com.adobe.granite.workflow.metadata.MetaDataMap;
import com.day.cq.dam.api.Asset;
import com.day.cq.dam.api.Rendition;

import io.inpaint.api.ingest.IngestJob;

/**
 * The workflow step "Inpaint asset": checks the payload asset and its mask, then queues the ingestion job of
 * inpainting-sling for them. The model runs in that job's queue (one at a time, retried), never on the workflow
 * thread, and this step writes nothing. The job's contract is {@link IngestJob}; arguments: see
 * {@link StepArguments}.
 */
@Component(service = WorkflowProcess.class, property = "process.label=" + InpaintAssetProcess.LABEL)
@Designate(ocd = InpaintAssetProcess.Config.class)
public class InpaintAssetProcess implements WorkflowProcess {

    @ObjectClassDefinition(name = "Inpaint - AEM workflow step",
            description = "The \"Inpaint asset\" workflow process: which assets it queues for inpainting.")
    public @interface Config {
        @AttributeDefinition(name = "Image types",
                description = "MIME types of the original accepted; the ingestion job decodes PNG, JPEG, GIF and BMP.")
        String[] mime_types() default {"image/png", "image/jpeg", "image/gif", "image/bmp"};
    }

    static final String LABEL = "Inpaint asset";

    private static final String JCR_PATH = "JCR_PATH";
    private static final String NT_FILE = "nt:file";

    private static final Logger LOG = LoggerFactory.getLogger(InpaintAssetProcess.class);

    @Reference
    private JobManager jobManager;

    private volatile Set<String> mimeTypes;

    @Activate
    @Modified
    void activate(Config config) {
        mimeTypes = Stream.of(config.mime_types()).map(t -> t.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public void execute(WorkItem item, WorkflowSession session, MetaDataMap args) throws WorkflowException {
        StepArguments step = StepArguments.parse(args.get("PROCESS_ARGS", String.class));
        WorkflowData data = item.getWorkflowData();
        if (!JCR_PATH.equals(data.getPayloadType()) || !(data.getPayload() instanceof String)) {
            throw new WorkflowException("Inpaint asset: the payload must be a repository path (JCR_PATH), got "
                    + data.getPayloadType());
        }
        String payload = (String) data.getPayload();
        ResourceResolver resolver = session.adaptTo(ResourceResolver.class);
        if (resolver == null) {
            throw new WorkflowException("Inpaint asset: the workflow session gives no resource resolver");
        }

        Asset asset = assetAt(resolver, payload);
        // the mask, uploaded next to its image, runs through the same workflow: it is not an image to fill
        boolean sibling = step.maskSource == StepArguments.MaskSource.SIBLING;
        if (sibling && IngestJob.isMaskName(asset.getName())) {
            LOG.debug("{} is a mask, nothing to inpaint", asset.getPath());
            return;
        }
        checkImage(asset);
        String maskPath = step.maskPath(asset.getPath());
        checkMask(resolver, maskPath, asset.getPath());

        Map<String, Object> properties = new HashMap<>(step.options);
        properties.put(IngestJob.IMAGE, asset.getPath());
        properties.put(IngestJob.MASK, maskPath);
        properties.put(IngestJob.RENDITION, step.rendition);
        Job job = jobManager.addJob(IngestJob.TOPIC, properties);
        if (job == null) {
            throw new WorkflowException("Inpaint asset: the job manager refused the job on topic " + IngestJob.TOPIC
                    + " for " + asset.getPath() + " (is inpainting-sling installed and active?)");
        }
        LOG.info("queued inpainting job {} for {} with mask {}", job.getId(), asset.getPath(), maskPath);
    }

    /** The asset the payload is or lies in: a rendition path (or any path below jcr:content) counts for its asset. */
    private static Asset assetAt(ResourceResolver resolver, String payload) throws WorkflowException {
        int content = payload.indexOf("/jcr:content");
        String path = content < 0 ? payload : payload.substring(0, content);
        Resource resource = resolver.getResource(path);
        if (resource == null) {
            throw new WorkflowException("Inpaint asset: no asset at " + path + " (payload " + payload + ")");
        }
        Asset asset = resource.adaptTo(Asset.class);
        if (asset == null) {
            throw new WorkflowException("Inpaint asset: " + path + " is not a DAM asset (payload " + payload + ")");
        }
        return asset;
    }

    /** By the original's MIME type, which is what the job reads; the asset's dc:format may not be extracted yet. */
    private void checkImage(Asset asset) throws WorkflowException {
        Rendition original = asset.getOriginal();
        if (original == null) {
            throw new WorkflowException("Inpaint asset: " + asset.getPath() + " has no original rendition");
        }
        String mimeType = original.getMimeType() != null ? original.getMimeType() : asset.getMimeType();
        if (mimeType == null || !mimeTypes.contains(mimeType.toLowerCase(Locale.ROOT))) {
            throw new WorkflowException("Inpaint asset: " + asset.getPath() + " is not an image the model takes ("
                    + mimeType + "; accepted: " + String.join(", ", mimeTypes.stream().sorted().toList()) + ")");
        }
    }

    /** The job takes a DAM asset with an original or a file (a rendition is one) as the mask. */
    private static void checkMask(ResourceResolver resolver, String maskPath, String assetPath)
            throws WorkflowException {
        Resource mask = resolver.getResource(maskPath);
        if (mask == null) {
            throw new WorkflowException("Inpaint asset: the mask " + maskPath + " for " + assetPath
                    + " does not exist");
        }
        Asset maskAsset = mask.adaptTo(Asset.class);
        boolean usable = maskAsset != null ? maskAsset.getOriginal() != null : mask.isResourceType(NT_FILE);
        if (!usable) {
            throw new WorkflowException("Inpaint asset: the mask " + maskPath + " for " + assetPath
                    + " is neither a DAM asset with an original nor a file");
        }
    }
}
