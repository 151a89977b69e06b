package io.inpaint.sling.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.sling.api.servlets.HttpConstants;
import org.apache.sling.servlets.annotations.SlingServletFilter;
import org.apache.sling.servlets.annotations.SlingServletFilterScope;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

/**
 * Refuses with 403 every state-changing request to the repository that names another origin (scheme, host and port)
 * than the instance's own as where it comes from: its {@code Origin} header, or without one its {@code Referer},
 * whoever sends it. Sling's referrer filter, shipped beside it, reads only {@code Referer}, only from browsers, and
 * accepts any port on the instance's host names and on every local address, so a page served from another port on
 * the same machine passes it: this filter closes that. Requests with neither header (curl, scripts, other servers)
 * pass here; the referrer filter refuses browsers that send neither.
 * <p>
 * It also tells whether a request carries the browser's proof that one of the instance's own pages sent it
 * ({@link #hasOwnOrigin}), which the editor's Save must give. The origins allowed besides the request's own are read
 * from the referrer filter's configuration ({@code allow.hosts}), so that a public host name behind a proxy is
 * configured once for both.
 */
@Component(service = {Filter.class, SameOrigin.class}, configurationPid = SameOrigin.REFERRER_FILTER_PID)
@SlingServletFilter(scope = SlingServletFilterScope.REQUEST)
public class SameOrigin implements Filter {

    static final String REFERRER_FILTER_PID = "org.apache.sling.security.impl.ReferrerFilter";
    static final String ORIGIN = "Origin";
    static final String REFERER = "Referer";
    private static final Set<String> SAFE_METHODS = Set.of(HttpConstants.METHOD_GET, HttpConstants.METHOD_HEAD,
            HttpConstants.METHOD_OPTIONS, HttpConstants.METHOD_TRACE);

    /**
     * The part of Sling's referrer filter configuration this filter shares (its metatype describes it):
     * {@code allow.hosts}, origins allowed besides the request's own, each a host name (http and https, any port)
     * or {@code scheme://host:port} (port 0 = any), e.g. {@code https://dam.example.com:443} behind a proxy.
     */
    public @interface Config {
        String[] allow_hosts() default {};
    }

    /** An allowed origin; port 0 stands for any port, a null scheme for http and https. */
    private static final class Allowed {
        final String scheme;
        final String host;
        final int port;

        Allowed(String scheme, String host, int port) {
            this.scheme = scheme;
            this.host = host;
            this.port = port;
        }

        /** The referrer filter's notation; null for a blank or malformed entry. */
        static Allowed parse(String entry) {
            if (!entry.contains("://")) {
                return entry.isEmpty() ? null : new Allowed(null, entry.toLowerCase(Locale.ROOT), 0);
            }
            Origin origin = Origin.parse(entry);
            if (origin == null) {
                return null;
            }
            boolean anyPort = URI.create(entry).getPort() == 0;
            return new Allowed(origin.scheme, origin.host, anyPort ? 0 : origin.port);
        }

        boolean matches(Origin origin) {
            return host.equals(origin.host) && (scheme == null || scheme.equals(origin.scheme))
                    && (port == 0 || port == origin.port);
        }
    }

    /** Scheme, host and port, the default port spelled out so that {@code https://a} equals {@code https://a:443}. */
    static final class Origin {
        final String scheme;
        final String host;
        final int port;

        Origin(String scheme, String host, int port) {
            this.scheme = scheme.toLowerCase(Locale.ROOT);
            this.host = host.toLowerCase(Locale.ROOT);
            this.port = port > 0 ? port : "https".equals(this.scheme) ? 443 : 80;
        }

        /** The origin of a URL or origin header value; null for {@code null}, a relative or a malformed one. */
        static Origin parse(String url) {
            try {
                URI uri = new URI(url.trim());
                if (uri.getScheme() == null || uri.getHost() == null) {
                    return null;
                }
                return new Origin(uri.getScheme(), uri.getHost(), uri.getPort());
            } catch (URISyntaxException e) {
                return null;
            }
        }

        static Origin of(HttpServletRequest request) {
            return new Origin(request.getScheme(), request.getServerName(), request.getServerPort());
        }

        boolean sameAs(Origin other) {
            return scheme.equals(other.scheme) && host.equals(other.host) && port == other.port;
        }
    }

    private volatile List<Allowed> allowed = List.of();

    @Activate
    @Modified
    void activate(Config config) {
        List<Allowed> list = new ArrayList<>();
        for (String entry : config.allow_hosts()) {
            Allowed a = entry == null ? null : Allowed.parse(entry.trim());
            if (a != null) {
                list.add(a);
            }
        }
        this.allowed = List.copyOf(list);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        String origin = http.getHeader(ORIGIN);
        String source = origin != null ? origin : http.getHeader(REFERER);
        if (source != null && !SAFE_METHODS.contains(http.getMethod()) && !isAllowed(http, Origin.parse(source))) {
            Json.sendError((HttpServletResponse) response, new HttpError(403, "cross-origin " + http.getMethod()
                    + " from " + source + " refused: changes are accepted from this instance's own pages only"));
            return;
        }
        chain.doFilter(request, response);
    }

    /**
     * Whether the request's {@code Origin} is the instance's own or an allowed one: the browser sets it on every
     * POST a page makes (fetch included) and no page can change it, unlike {@code Referer}, which a page can drop.
     */
    boolean hasOwnOrigin(HttpServletRequest request) {
        String origin = request.getHeader(ORIGIN);
        return origin != null && isAllowed(request, Origin.parse(origin));
    }

    /** Browsers as Sling's referrer filter tells them: by a Mozilla or Opera user agent. */
    static boolean isBrowser(HttpServletRequest request) {
        String agent = request.getHeader("User-Agent");
        return agent != null && (agent.contains("Mozilla") || agent.contains("Opera"));
    }

    private boolean isAllowed(HttpServletRequest request, Origin origin) {
        if (origin == null) {
            return false;
        }
        if (origin.sameAs(Origin.of(request))) {
            return true;
        }
        for (Allowed a : allowed) {
            if (a.matches(origin)) {
                return true;
            }
        }
        return false;
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
