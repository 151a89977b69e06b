package io.inpaint.sling.internal;

import java.io.IOException;

import javax.servlet.Servlet;

import org.apache.sling.api.SlingHttpServletRequest;
import org.apache.sling.api.SlingHttpServletResponse;
import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.servlets.HttpConstants;
import org.apache.sling.api.servlets.SlingAllMethodsServlet;
import org.apache.sling.event.jobs.JobManager;
import org.apache.sling.servlets.annotations.SlingServletResourceTypes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.inpaint.api.Admission;
import io.inpaint.api.ImageInfo;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InputNotFoundException;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.sling.spi.AssetRenditionWriter;

/**
 * Inpainting on an asset or file in the repository:
 * <ul>
 * <li>{@code POST <asset>.inpaint.<ext>} with a mask (uploaded part {@code mask}, or {@code maskPath} naming a file
 * or asset in the repository) and options: answers the inpainted picture in the asset's format; with
 * {@code store=true} writes it as a new rendition instead (see {@link RenditionStore}) and answers 201 with JSON
 * saying where; an uploaded part {@code image} of the original's size is then filled instead of the original;</li>
 * <li>{@code GET <asset>.inpaint.json}: the model service's status;</li>
 * <li>{@code GET <asset>.inpaint-job.json}: the asset's ingestion jobs.</li>
 * </ul>
 * A POST to a path where nothing is gets its 404 from {@link MissingAssetFilter}; one from a foreign origin its 403
 * from {@link SameOrigin}.
 */
@Component(service = Servlet.class)
@SlingServletResourceTypes(
        resourceTypes = {StoredImage.DAM_ASSET, StoredImage.NT_FILE},
        selectors = {AssetInpaintServlet.SELECTOR, AssetInpaintServlet.JOB_SELECTOR},
        extensions = {"json", "png", "jpg", "jpeg", "gif", "bmp"},
        methods = {HttpConstants.METHOD_GET, HttpConstants.METHOD_POST})
public class AssetInpaintServlet extends SlingAllMethodsServlet {

    static final String SELECTOR = "inpaint";
    static final String JOB_SELECTOR = "inpaint-job";
    private static final long serialVersionUID = 1L;

    @Reference
    private transient RequestReader reader;

    @Reference
    private transient InpaintingService service;

    @Reference
    private transient JobManager jobManager;

    @Reference
    private transient SameOrigin sameOrigin;

    /** AEM's: renditions through its Asset API. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile AssetRenditionWriter damWriter;

    @Override
    protected void doGet(SlingHttpServletRequest request, SlingHttpServletResponse response) throws IOException {
        Resource resource = request.getResource();
        try {
            reader.requireUser(request);
        } catch (HttpError e) {
            Json.sendError(response, e);
            return;
        }
        if (JOB_SELECTOR.equals(request.getRequestPathInfo().getSelectorString())) {
            Reports.jobs(jobManager, resource.getPath()).send(response, 200);
        } else {
            Reports.status(service.status()).put("asset", resource.getPath()).send(response, 200);
        }
    }

    @Override
    protected void doPost(SlingHttpServletRequest request, SlingHttpServletResponse response) throws IOException {
        ResourceResolver resolver = request.getResourceResolver();
        try {
            reader.requireUser(request);
            if (!SELECTOR.equals(request.getRequestPathInfo().getSelectorString())) {
                throw new HttpError(405, "POST " + SELECTOR + ", not " + JOB_SELECTOR);
            }
            StoredImage asset = StoredImage.of(request.getResource());
            if (asset == null) {
                throw new HttpError(404, "no image asset or file at " + request.getResource().getPath());
            }
            // busy or without a model: answered before the upload was read (AdmissionGate)
            try (Admission admission = AdmissionGate.admission(request, service)) {
                boolean store = RequestReader.flag(request, "store");
                // a write from a browser must prove that the editor, a page of this instance, sent it: the Origin the
                // browser sets on the editor's fetch; scripts send none and keep working
                if (store && SameOrigin.isBrowser(request) && !sameOrigin.hasOwnOrigin(request)) {
                    throw new HttpError(403, "store=true from a browser is accepted from this instance's editor page"
                            + " only: the request has no Origin of this instance");
                }
                // refuse before the upload is read or the model is queued for
                if (store && !RenditionStore.mayWrite(asset, resolver)) {
                    throw new HttpError(403, "no permission to add a rendition to " + asset.path());
                }
                reader.checkContentLength(request);
                InpaintingOptions options = RequestReader.options(request);
                byte[] mask = mask(request);
                byte[] original = reader.read(asset.openOriginal(), "asset " + asset.path());
                if (store) {
                    // an editor repeating on its result sends the picture its last pass started from
                    byte[] from = reader.upload(request, "image");
                    if (from != null) {
                        requireSameSize(service.check(from, "image"), service.check(original, "asset " + asset.path()));
                    }
                    InpaintingResult result = admission.inpaint(from != null ? from : original, mask, options);
                    String location = RenditionStore.write(asset, RenditionStore.newBase(), result, damWriter);
                    resolver.commit();
                    response.setHeader("Location", request.getContextPath() + location);
                    new Json().put("asset", asset.path())
                            .put("rendition", location)
                            .put("mimeType", result.getMimeType())
                            .put("width", result.getWidth())
                            .put("height", result.getHeight())
                            .put("holePixels", result.getHolePixels())
                            .put("inferenceMillis", result.getInferenceMillis())
                            .put("totalMillis", result.getTotalMillis())
                            .send(response, 201);
                } else {
                    Images.send(response, admission.inpaint(original, mask, options), options.isFlow());
                }
            }
        } catch (HttpError e) {
            resolver.revert();
            Json.sendError(response, e);
        } catch (InpaintingException e) {
            resolver.revert();
            Json.sendError(response, HttpError.of(e));
        } catch (PersistenceException e) {
            resolver.revert();
            Json.sendError(response, new HttpError(500, "cannot save the rendition: " + e.getMessage()));
        }
    }

    private static void requireSameSize(ImageInfo image, ImageInfo asset) throws InvalidRequestException {
        if (!image.sameSize(asset)) {
            throw new InvalidRequestException("the image is " + image.getWidth() + "x" + image.getHeight()
                    + " but the asset is " + asset.getWidth() + "x" + asset.getHeight()
                    + "; they must have the same size");
        }
    }

    /** The mask: an uploaded part {@code mask}, or the file or asset at {@code maskPath}. */
    private byte[] mask(SlingHttpServletRequest request) throws InpaintingException {
        byte[] uploaded = reader.upload(request, "mask");
        if (uploaded != null) {
            return uploaded;
        }
        String maskPath = request.getParameter("maskPath");
        if (maskPath == null || maskPath.isBlank()) {
            throw new InvalidRequestException("no mask: upload it as part 'mask' or name it with 'maskPath'");
        }
        StoredImage mask = StoredImage.of(request.getResourceResolver().getResource(maskPath));
        if (mask == null) {
            throw new InputNotFoundException("no mask file or asset at " + maskPath);
        }
        return reader.read(mask.openOriginal(), "mask " + maskPath);
    }
}
