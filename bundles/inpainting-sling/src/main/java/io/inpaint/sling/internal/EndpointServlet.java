package io.inpaint.sling.internal;

import java.io.IOException;

import javax.servlet.Servlet;

import org.apache.sling.api.SlingHttpServletRequest;
import org.apache.sling.api.SlingHttpServletResponse;
import org.apache.sling.api.servlets.SlingAllMethodsServlet;
import org.apache.sling.discovery.DiscoveryService;
import org.apache.sling.event.jobs.JobManager;
import org.apache.sling.servlets.annotations.SlingServletPaths;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.inpaint.api.Admission;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InvalidRequestException;

/**
 * The plain endpoint for scripts and other systems, which needs nothing in the repository:
 * <ul>
 * <li>{@code POST /bin/inpaint} with uploaded parts {@code image} and {@code mask} (and the options of
 * {@link RequestReader#options}): answers the inpainted picture in the image's format;</li>
 * <li>{@code GET /bin/inpaint.status.json}: the model service's status, this instance and its topology;</li>
 * <li>{@code GET /bin/inpaint.jobs.json?path=<image>}: the ingestion jobs of an image.</li>
 * </ul>
 */
@Component(service = Servlet.class)
@SlingServletPaths(EndpointServlet.PATH)
public class EndpointServlet extends SlingAllMethodsServlet {

    static final String PATH = "/bin/inpaint";
    private static final long serialVersionUID = 1L;

    @Reference
    private transient RequestReader reader;

    @Reference
    private transient InpaintingService service;

    @Reference
    private transient JobManager jobManager;

    /** Optional: the status leaves out where work runs rather than the servlet going away. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile DiscoveryService discovery;

    @Override
    protected void doGet(SlingHttpServletRequest request, SlingHttpServletResponse response) throws IOException {
        try {
            reader.requireUser(request);
        } catch (HttpError e) {
            Json.sendError(response, e);
            return;
        }
        if ("jobs".equals(request.getRequestPathInfo().getSelectorString())) {
            String path = request.getParameter("path");
            if (path == null || path.isBlank()) {
                Json.sendError(response, new HttpError(400, "name the image with ?path="));
            } else {
                Reports.jobs(jobManager, path).send(response, 200);
            }
        } else {
            Instances.describe(Reports.status(service.status()), discovery).send(response, 200);
        }
    }

    @Override
    protected void doPost(SlingHttpServletRequest request, SlingHttpServletResponse response) throws IOException {
        try {
            reader.requireUser(request);
            reader.checkContentLength(request);
            // busy or without a model: answered before the upload was read (AdmissionGate)
            try (Admission admission = AdmissionGate.admission(request, service)) {
                InpaintingOptions options = RequestReader.options(request);
                byte[] image = reader.upload(request, "image");
                byte[] mask = reader.upload(request, "mask");
                if (image == null || mask == null) {
                    throw new InvalidRequestException("POST multipart/form-data with the files 'image' and 'mask'");
                }
                Images.send(response, admission.inpaint(image, mask, options), options.isFlow());
            }
        } catch (HttpError e) {
            Json.sendError(response, e);
        } catch (InpaintingException e) {
            Json.sendError(response, HttpError.of(e));
        }
    }
}
