package io.inpaint.sling.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p>A place taken before the caller is known is held for it at most {@link #HOLD_MILLIS}: a client that sends its
 * upload slowly, or never, and may not even be allowed to inpaint, cannot keep a place from other work for longer.
 * Past that its servlet asks for a place again once the upload is in.
 *
 * <p>The entry points are told by their URL as Sling will resolve them: {@code POST /bin/inpaint} and
 * {@code POST <path>.inpaint.<ext>}. A request not told so (another URL form) is admitted by its servlet, after the
 * parse. A busy answer comes before the caller is known: it says no more than that the model is busy.
 */
@Component(service = Preprocessor.class)
public class AdmissionGate implements Preprocessor {

    private static final String ATTRIBUTE = AdmissionGate.class.getName();
    private static final Pattern ASSET_URL = Pattern.compile(".*\\." + AssetInpaintServlet.SELECTOR + "\\.[A-Za-z]+$");

    /** Uploads of tens of megabytes arrive well within it on a local network. */
    static final long HOLD_MILLIS = 10_000;

    @Reference
    private InpaintingService service;

    private final long holdMillis;

    public AdmissionGate() {
        this(HOLD_MILLIS);
    }

    AdmissionGate(long holdMillis) {
        this.holdMillis = holdMillis;
    }

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
        Held held = new Held(admission);
        CompletableFuture.delayedExecutor(holdMillis, TimeUnit.MILLISECONDS).execute(held::giveBack);
        try {
            request.setAttribute(ATTRIBUTE, held);
            chain.doFilter(request, response);
        } finally {
            held.giveBack(); // unless its servlet took it
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
     * The place taken for this request before authentication if it is still held, else (held too long, or a URL
     * form not recognised) one taken now. The caller closes it.
     */
    static Admission admission(ServletRequest request, InpaintingService service) throws InpaintingException {
        Object held = request.getAttribute(ATTRIBUTE);
        Admission taken = held instanceof Held ? ((Held) held).take() : null;
        return taken != null ? taken : service.admit();
    }

    /** The gate's place until its servlet takes it, or is given back when the request ends or the hold runs out. */
    private static final class Held {
        private final AtomicReference<Admission> place;

        Held(Admission admission) {
            place = new AtomicReference<>(admission);
        }

        Admission take() {
            return place.getAndSet(null);
        }

        void giveBack() {
            Admission admission = place.getAndSet(null);
            if (admission != null) {
                admission.close();
            }
        }
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
