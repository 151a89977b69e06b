package io.inpaint.aem.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.jcr.Session;

import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;
import org.apache.sling.testing.mock.sling.ResourceResolverType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.ArgumentCaptor;

import com.adobe.granite.workflow.WorkflowException;
import com.adobe.granite.workflow.WorkflowSession;
import com.adobe.granite.workflow.exec.WorkItem;
import com.adobe.granite.workflow.exec.WorkflowData;
import com.adobe.granite.workflow.metadata.MetaDataMap;
import com.adobe.granite.workflow.metadata.SimpleMetaDataMap;
import com.day.cq.dam.api.Asset;
import com.day.cq.dam.api.Rendition;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.RenditionName;
import io.inpaint.api.ingest.IngestJob;
import io.wcm.testing.mock.aem.junit5.AemContext;
import io.wcm.testing.mock.aem.junit5.AemContextExtension;

@ExtendWith(AemContextExtension.class)
class InpaintAssetProcessTest {

    private static final String FOLDER = "/content/dam/demo";
    private static final String PHOTO = FOLDER + "/photo.jpg";
    private static final String PHOTO_MASK = FOLDER + "/photo.mask.png";

    // a real repository: node types, dam:Asset adaptation and pending changes behave as on AEM
    private final AemContext context = new AemContext(ResourceResolverType.JCR_OAK);

    private final JobManager jobManager = mock(JobManager.class);
    private InpaintAssetProcess process;

    @BeforeEach
    void setUp() throws Exception {
        Job job = mock(Job.class);
        when(job.getId()).thenReturn("job-1");
        when(jobManager.addJob(anyString(), anyMap())).thenReturn(job);
        context.registerService(JobManager.class, jobManager);
        process = context.registerInjectActivateService(InpaintAssetProcess.class);

        context.create().asset(PHOTO, 8, 6, "image/jpeg");
        context.create().asset(PHOTO_MASK, 8, 6, "image/png");
        context.resourceResolver().commit();
    }

    @Test
    void maskThatIsAPlainFileIsTakenAndAFolderIsNot() throws Exception {
        // a real nt:file (Oak enforces its node type: jcr:content with jcr:data), as a rendition or a file is stored
        Session session = context.resourceResolver().adaptTo(Session.class);
        javax.jcr.Node folder = session.getNode("/content/dam").addNode("masks", "nt:folder");
        javax.jcr.Node file = folder.addNode("file.png", "nt:file");
        javax.jcr.Node content = file.addNode("jcr:content", "nt:resource");
        content.setProperty("jcr:data", session.getValueFactory().createBinary(new ByteArrayInputStream(new byte[8])));
        folder.addNode("folder.png", "nt:folder");
        session.save();

        assertFails(PHOTO, "mask=/content/dam/masks/folder.png", "the mask /content/dam/masks/folder.png for "
                + PHOTO + " is neither a DAM asset with an original nor a file");

        execute(PHOTO, "mask=/content/dam/masks/file.png");
        assertEquals("/content/dam/masks/file.png", queuedJob().get(IngestJob.MASK));
    }

    @Test
    void assetPayloadQueuesTheIngestionJobWithMaskRenditionAndOptions() throws Exception {
        execute(PHOTO, "mask=sibling, rendition=clean, dilate=4\nthreshold=100, maskMode=Alpha, keepMetadata=false");

        Map<String, Object> job = queuedJob();
        assertEquals(PHOTO, job.get(IngestJob.IMAGE));
        assertEquals(PHOTO_MASK, job.get(IngestJob.MASK));
        assertEquals("clean", job.get(IngestJob.RENDITION));
        assertEquals(7, job.size(), job.toString());
        // the executor reads these properties into exactly the options asked for
        assertEquals(InpaintingOptions.builder().dilate(4).threshold(100)
                .maskMode(InpaintingOptions.MaskMode.ALPHA).keepMetadata(false).build(),
                IngestJob.options(job));
        assertNothingWritten();
    }

    @Test
    void renditionPayloadQueuesTheJobForItsAssetWithDefaults() throws Exception {
        execute(PHOTO + "/jcr:content/renditions/original", null);

        Map<String, Object> job = queuedJob();
        assertEquals(Map.of(IngestJob.IMAGE, PHOTO, IngestJob.MASK, PHOTO_MASK,
                IngestJob.RENDITION, "inpainted"), job);
        assertEquals(InpaintingOptions.defaults(), IngestJob.options(job));
        assertNothingWritten();
    }

    @Test
    void maskFromARenditionOfTheAssetOrFromAnyPath() throws Exception {
        context.create().assetRendition(asset(PHOTO), "mask.png", 8, 6, "image/png");
        context.create().asset("/content/dam/masks/shared.png", 8, 6, "image/png");
        context.resourceResolver().commit();

        execute(PHOTO, "mask=rendition:mask.png");
        assertEquals(PHOTO + "/jcr:content/renditions/mask.png", queuedJob().get(IngestJob.MASK));

        execute(PHOTO, "mask=/content/dam/masks/shared.png");
        ArgumentCaptor<Map<String, Object>> properties = captor();
        verify(jobManager, org.mockito.Mockito.times(2)).addJob(eq(IngestJob.TOPIC), properties.capture());
        assertEquals("/content/dam/masks/shared.png", properties.getValue().get(IngestJob.MASK));
    }

    @Test
    void theMaskAssetItselfIsSkipped() throws Exception {
        execute(PHOTO_MASK, null);
        verifyNoInteractions(jobManager);
    }

    @Test
    void missingMaskFails() throws Exception {
        context.create().asset(FOLDER + "/lonely.jpg", 8, 6, "image/jpeg");
        context.resourceResolver().commit();

        assertFails(FOLDER + "/lonely.jpg", null,
                "the mask " + FOLDER + "/lonely.mask.png for " + FOLDER + "/lonely.jpg does not exist");
        assertFails(PHOTO, "mask=rendition:nothing.png", "the mask " + PHOTO
                + "/jcr:content/renditions/nothing.png for " + PHOTO + " does not exist");
    }

    @Test
    void nonImageAssetFails() throws Exception {
        context.create().asset(FOLDER + "/notes.pdf",
                new ByteArrayInputStream("%PDF-1.4".getBytes(StandardCharsets.US_ASCII)), "application/pdf");
        context.create().asset(FOLDER + "/notes.mask.png", 8, 6, "image/png");
        context.resourceResolver().commit();

        assertFails(FOLDER + "/notes.pdf", null,
                FOLDER + "/notes.pdf is not an image the model takes (application/pdf; accepted: image/bmp, "
                        + "image/gif, image/jpeg, image/png)");
    }

    @Test
    void payloadThatIsNoAssetFails() throws Exception {
        assertFails(FOLDER + "/gone.jpg", null, "no asset at " + FOLDER + "/gone.jpg");
        assertFails(FOLDER, null, FOLDER + " is not a DAM asset");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "dilate=big                 | dilate must be a whole number from 0 to 1024, got 'big'",
        "dilate=5000                | dilate must be a whole number from 0 to 1024, got '5000'",
        "maxSide=32                 | maxSide must be a whole number from 64 to 1024, got '32'",
        "colour=red                 | unknown argument 'colour'",
        "feather=3                  | unknown argument 'feather'",
        "dilate                     | 'dilate' is not key=value",
        "'dilate=1,dilate=2'        | dilate is given twice",
        "mask=masks/m.png           | mask must be sibling, an absolute path or rendition:<name>, got 'masks/m.png'",
        "mask=rendition:../x        | mask must be sibling, an absolute path or rendition:<name>",
        "rendition=a/b              | rendition must be a plain node name",
        "rendition=jcr:data         | rendition must be a plain node name",
        "maskMode=soft              | maskMode must be auto, luminance or alpha, got 'soft'",
        "keepMetadata=yes           | keepMetadata must be true or false, got 'yes'"
    })
    void badArgumentsFail(String processArgs, String message) throws Exception {
        WorkflowException e = assertThrows(WorkflowException.class, () -> execute(PHOTO, processArgs));
        assertTrue(e.getMessage().startsWith("Inpaint asset: bad PROCESS_ARGS '" + processArgs + "': " + message),
                e.getMessage());
        verifyNoInteractions(jobManager);
        assertNothingWritten();
    }

    @Test
    void nonPathPayloadFails() {
        WorkflowData data = mock(WorkflowData.class);
        when(data.getPayloadType()).thenReturn("URL");
        when(data.getPayload()).thenReturn("https://example.com/photo.jpg");
        WorkItem item = mock(WorkItem.class);
        when(item.getWorkflowData()).thenReturn(data);

        WorkflowException e = assertThrows(WorkflowException.class,
                () -> process.execute(item, session(), new SimpleMetaDataMap()));
        assertEquals("Inpaint asset: the payload must be a repository path (JCR_PATH), got URL", e.getMessage());
        verifyNoInteractions(jobManager);
    }

    @Test
    void refusedJobFails() {
        when(jobManager.addJob(anyString(), anyMap())).thenReturn(null);
        WorkflowException e = assertThrows(WorkflowException.class, () -> execute(PHOTO, null));
        assertTrue(e.getMessage().startsWith("Inpaint asset: the job manager refused the job on topic "
                + IngestJob.TOPIC + " for " + PHOTO), e.getMessage());
    }

    @Test
    void renditionNamesFollowTheOneRule() throws Exception {
        for (String name : List.of("inpainted", "cq5dam.clean", "a b", "/x", "x:y", ".hidden", "a|b", "a'b")) {
            if (RenditionName.isPlain(name)) {
                StepArguments.parse("rendition=" + name);
            } else {
                WorkflowException e = assertThrows(WorkflowException.class,
                        () -> StepArguments.parse("rendition=" + name));
                assertTrue(e.getMessage().contains("rendition must be a plain node name"), e.getMessage());
            }
        }
        assertTrue(RenditionName.isPlain("cq5dam.clean"));
        assertFalse(RenditionName.isPlain(".hidden"));
    }

    private void assertFails(String payload, String processArgs, String message) {
        WorkflowException e = assertThrows(WorkflowException.class, () -> execute(payload, processArgs));
        assertTrue(e.getMessage().startsWith("Inpaint asset: " + message), e.getMessage());
        verifyNoInteractions(jobManager);
        assertNothingWritten();
    }

    private void assertNothingWritten() {
        assertFalse(context.resourceResolver().hasChanges());
        List<String> renditions = asset(PHOTO).getRenditions().stream().map(Rendition::getName)
                .filter(name -> !"mask.png".equals(name)).collect(Collectors.toList());
        assertEquals(List.of("original"), renditions);
    }

    private void execute(String payload, String processArgs) throws WorkflowException {
        WorkflowData data = mock(WorkflowData.class);
        when(data.getPayloadType()).thenReturn("JCR_PATH");
        when(data.getPayload()).thenReturn(payload);
        WorkItem item = mock(WorkItem.class);
        when(item.getWorkflowData()).thenReturn(data);
        MetaDataMap args = new SimpleMetaDataMap();
        if (processArgs != null) {
            args.put("PROCESS_ARGS", processArgs);
        }
        process.execute(item, session(), args);
    }

    private WorkflowSession session() {
        WorkflowSession session = mock(WorkflowSession.class);
        when(session.adaptTo(ResourceResolver.class)).thenReturn(context.resourceResolver());
        return session;
    }

    private Map<String, Object> queuedJob() {
        ArgumentCaptor<Map<String, Object>> properties = captor();
        verify(jobManager).addJob(eq(IngestJob.TOPIC), properties.capture());
        return properties.getValue();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ArgumentCaptor<Map<String, Object>> captor() {
        return (ArgumentCaptor) ArgumentCaptor.forClass(Map.class);
    }

    private Asset asset(String path) {
        return context.resourceResolver().getResource(path).adaptTo(Asset.class);
    }
}
