package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.Map;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;

class SameOriginTest {

    private static final String OWN = "http://localhost:8080";

    @Test
    void foreignOriginsCannotWrite() throws Exception {
        SameOrigin filter = filter();
        // another port on the same host is another origin (Sling's referrer filter lets it through)
        assertRefused(filter, "POST", OWN, "http://localhost:9999");
        assertRefused(filter, "POST", OWN, "http://evil.example");
        assertRefused(filter, "POST", OWN, "https://localhost:8080");
        // sent by sandboxed frames and pages with no-referrer
        assertRefused(filter, "POST", OWN, "null");
        assertRefused(filter, "DELETE", OWN, "http://127.0.0.1:8080");
        assertRefused(filter, "PUT", OWN, "not a url");
    }

    @Test
    void ownOriginReadsAndScriptsPass() throws Exception {
        SameOrigin filter = filter();
        assertPassed(filter, "POST", OWN, OWN);
        assertPassed(filter, "POST", OWN, "HTTP://LocalHost:8080");
        assertPassed(filter, "POST", "https://dam.example.com:443", "https://dam.example.com");
        // neither Origin nor Referer: curl, scripts, other servers
        assertPassed(filter, "POST", OWN, Map.of());
        assertPassed(filter, "GET", OWN, "http://evil.example");
        assertPassed(filter, "HEAD", OWN, "http://evil.example");
    }

    @Test
    void allowHostsInTheReferrerFiltersNotation() throws Exception {
        SameOrigin filter = filter("https://dam.example.com:443", "http://cms.example.com:0", "intranet", " ", "x://");
        assertPassed(filter, "POST", OWN, "https://dam.example.com");
        assertRefused(filter, "POST", OWN, "http://dam.example.com");
        assertRefused(filter, "POST", OWN, "https://dam.example.com:8443");
        assertPassed(filter, "POST", OWN, "http://cms.example.com:4502");
        assertRefused(filter, "POST", OWN, "https://cms.example.com");
        assertPassed(filter, "POST", OWN, "https://intranet:8443");
        assertRefused(filter, "POST", OWN, "https://evil.intranet");
    }

    @Test
    void withoutOriginTheRefererIsJudged() throws Exception {
        SameOrigin filter = filter();
        assertRefused(filter, "POST", OWN, Map.of("Referer", "http://localhost:9999/prize.html"));
        assertPassed(filter, "POST", OWN, Map.of("Referer", OWN + "/content/dam/a.png.inpaint.html"));
        // Origin is what the browser vouches for; a Referer of the instance does not outweigh it
        assertRefused(filter, "POST", OWN, Map.of("Origin", "http://localhost:9999", "Referer", OWN + "/x.html"));
    }

    @Test
    void ownPageIsProvedByOriginOnly() {
        SameOrigin filter = filter();
        assertTrue(filter.hasOwnOrigin(request("POST", OWN, Map.of("Origin", OWN))));
        assertFalse(filter.hasOwnOrigin(request("POST", OWN, Map.of("Origin", "http://localhost:9999"))));
        // a Referer can be dropped or kept by the page's referrer policy: no proof
        assertFalse(filter.hasOwnOrigin(request("POST", OWN, Map.of("Referer", OWN + "/a.png.inpaint.html"))));
        assertFalse(filter.hasOwnOrigin(request("POST", OWN, Map.of())));
        assertTrue(SameOrigin.isBrowser(request("POST", OWN, Map.of("User-Agent", "Mozilla/5.0 (X11) Chrome/131"))));
        assertFalse(SameOrigin.isBrowser(request("POST", OWN, Map.of("User-Agent", "curl/8.5.0"))));
        assertFalse(SameOrigin.isBrowser(request("POST", OWN, Map.of())));
    }

    private static void assertRefused(SameOrigin filter, String method, String own, String origin) throws Exception {
        assertRefused(filter, method, own, Map.of("Origin", origin));
    }

    private static void assertRefused(SameOrigin filter, String method, String own, Map<String, String> headers)
            throws Exception {
        StringWriter body = new StringWriter();
        int[] status = {0};
        assertFalse(run(filter, request(method, own, headers), status, body), method + " " + headers + " passed");
        assertEquals(403, status[0]);
        String source = headers.getOrDefault("Origin", headers.get("Referer"));
        assertTrue(body.toString().contains("cross-origin " + method + " from " + source), body.toString());
    }

    private static void assertPassed(SameOrigin filter, String method, String own, String origin) throws Exception {
        assertPassed(filter, method, own, Map.of("Origin", origin));
    }

    private static void assertPassed(SameOrigin filter, String method, String own, Map<String, String> headers)
            throws Exception {
        StringWriter body = new StringWriter();
        int[] status = {0};
        assertTrue(run(filter, request(method, own, headers), status, body), method + " " + headers + " refused: " + body);
        assertEquals(0, status[0]);
    }

    /** Whether the filter passed the request on down the chain. */
    private static boolean run(SameOrigin filter, HttpServletRequest request, int[] status, StringWriter body)
            throws Exception {
        boolean[] passed = {false};
        filter.doFilter(request, response(status, body), (req, res) -> passed[0] = true);
        return passed[0];
    }

    private static SameOrigin filter(String... allowHosts) {
        SameOrigin filter = new SameOrigin();
        filter.activate(new SameOrigin.Config() {
            @Override
            public String[] allow_hosts() {
                return allowHosts;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SameOrigin.Config.class;
            }
        });
        return filter;
    }

    /** A request to {@code own} (scheme://host:port, as the Host header gives it) with these headers. */
    private static HttpServletRequest request(String method, String own, Map<String, String> headers) {
        URI uri = URI.create(own);
        return (HttpServletRequest) Proxy.newProxyInstance(SameOriginTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "getMethod": return method;
                        case "getScheme": return uri.getScheme();
                        case "getServerName": return uri.getHost();
                        case "getServerPort": return uri.getPort();
                        case "getHeader": return headers.get((String) args[0]);
                        default: throw new UnsupportedOperationException(m.getName());
                    }
                });
    }

    private static HttpServletResponse response(int[] status, StringWriter body) {
        PrintWriter writer = new PrintWriter(body);
        return (HttpServletResponse) Proxy.newProxyInstance(SameOriginTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "setStatus": status[0] = (Integer) args[0]; return null;
                        case "getWriter": return writer;
                        case "setContentType": case "setCharacterEncoding": case "setHeader": return null;
                        default: throw new UnsupportedOperationException(m.getName());
                    }
                });
    }
}
