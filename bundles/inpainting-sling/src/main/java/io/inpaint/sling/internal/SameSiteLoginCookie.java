package io.inpaint.sling.internal;

import java.io.IOException;

import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpServletResponseWrapper;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.http.whiteboard.Preprocessor;

/**
 * Gives Sling's form login cookie {@code SameSite=Lax}, so that browsers leave it off cross-site POSTs (a second
 * line behind {@link SameOrigin}; pages on another port of the same host are the same site and still get it).
 * Starter 12 has no setting for it: the form authentication handler (1.0.24) sets only {@code HttpOnly} and, over
 * HTTPS, {@code Secure}; Jetty 9.4 takes a default SameSite only from a servlet context attribute that the Felix
 * HTTP service offers no configuration for. Jetty 9.4 reads the attribute from a cookie's comment instead
 * ({@code __SAME_SITE_LAX__}, dropped from the header it writes), which is set here as the cookie is added; a
 * preprocessor, because the handler adds the cookie while authenticating, before any Sling filter runs. The cookie's
 * name is read from the handler's own configuration ({@code form.auth.name}).
 */
@Component(service = Preprocessor.class, configurationPid = SameSiteLoginCookie.FORM_AUTH_PID)
public class SameSiteLoginCookie implements Preprocessor {

    static final String FORM_AUTH_PID = "org.apache.sling.auth.form.FormAuthenticationHandler";
    /** Jetty 9.4's marker (HttpCookie.SAME_SITE_LAX_COMMENT) for SameSite=Lax. */
    static final String JETTY_SAME_SITE_LAX = "__SAME_SITE_LAX__";

    /** The part of the form authentication handler's configuration read here (its metatype describes it). */
    public @interface Config {
        String form_auth_name() default "sling.formauth";
    }

    private volatile String cookieName;

    @Activate
    @Modified
    void activate(Config config) {
        this.cookieName = config.form_auth_name();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(response instanceof HttpServletResponse)) {
            chain.doFilter(request, response);
            return;
        }
        String name = cookieName;
        chain.doFilter(request, new HttpServletResponseWrapper((HttpServletResponse) response) {
            @Override
            public void addCookie(Cookie cookie) {
                if (name.equals(cookie.getName()) && cookie.getComment() == null) {
                    cookie.setComment(JETTY_SAME_SITE_LAX);
                }
                super.addCookie(cookie);
            }
        });
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
