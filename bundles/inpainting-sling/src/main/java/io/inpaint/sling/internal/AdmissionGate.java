package io.inpaint.sling.internal;

import java.io.IOException;
import java.util.regex.Pattern;

import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.Preprocessor;

import io.inpaint.api.Admission;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InpaintingService;

/**
 * Takes the model service's {@link Admission} for an inpainting POST before Sling authenticates it. Sling's
 * authenticator reads request parameters ({@code sudo}, {@code j_validate}), and reading one parses a multipart body
 * whole: a servlet that asked the service first still answered its 503 only once the upload had arrived and been
 * parsed (up to a second for 16 clients at once on two cores). Here a busy service (or one without a model) answers
 * 503 with {@code Retry-After} with the body unread; an admitted request holds its place through authentication and
 * parsing, and its servlet inpaints in it ({@link #admission}). A preprocessor, because it runs before
 * authentication.
 *
 * <p>The entry points are told by their URL as Sling will resolve them: {@code POST /bin/inpaint} and
 * {@code POST <path>.inpaint.<ext>}. A request not told so (another URL form) is admitted by its servlet, after the
 * parse. A busy answer comes before the caller is known: it says no more than that the model is busy.
 */
@Component(service = Preprocessor.class)
public class AdmissionGate implements Preprocessor {

    private static final String ATTRIBUTE = AdmissionGate.class.getName();
    private static final Pattern ASSET_URL = Pattern.compile(".*\\." + AssetInpaintServlet.SELECTOR + "\\.[A-Za-z]+$");

    @Reference
    private InpaintingService service;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest) || !isInpaintPost((HttpServletRequest) request)) {
            chain.doFilter(request, response);
            return;
        }
        Admission admission;
        try {
            admission = service.admit();
        } catch (InpaintingException e) {
            Json.sendError((HttpServletResponse) response, HttpError.of(e));
            return;
        }
        // given back here unless the servlet inpainted in it (or the request ended before reaching it)
        try (admission) {
            request.setAttribute(ATTRIBUTE, admission);
            chain.doFilter(request, response);
        }
    }

    static boolean isInpaintPost(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return EndpointServlet.PATH.equals(path) || ASSET_URL.matcher(path).matches();
    }

    /**
     * The place taken for this request before authentication, else (a URL form not recognised) one taken now. The
     * caller closes it (closing twice does nothing).
     */
    static Admission admission(ServletRequest request, InpaintingService service) throws InpaintingException {
        Object taken = request.getAttribute(ATTRIBUTE);
        return taken instanceof Admission ? (Admission) taken : service.admit();
    }

    @Override
    public void init(FilterConfig config) {
        // nothing to set up
    }

    @Override
    public void destroy() {
        // nothing to release
    }
}
