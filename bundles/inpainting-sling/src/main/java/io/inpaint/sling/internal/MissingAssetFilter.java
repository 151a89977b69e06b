package io.inpaint.sling.internal;

import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletResponse;

import org.apache.sling.api.SlingHttpServletRequest;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceUtil;
import org.apache.sling.api.servlets.HttpConstants;
import org.apache.sling.servlets.annotations.SlingServletFilter;
import org.apache.sling.servlets.annotations.SlingServletFilterScope;
import org.osgi.service.component.annotations.Component;

/**
 * Answers 404 to an inpainting POST on a path where no image asset or file is. Sling resolves a missing path to a
 * resource without selectors, and a folder has no inpainting servlet, so neither reaches {@link AssetInpaintServlet}:
 * the Sling POST servlet would take them and write the request's parameters (the mask included) there.
 */
@Component(service = Filter.class)
@SlingServletFilter(scope = SlingServletFilterScope.REQUEST, methods = HttpConstants.METHOD_POST)
public class MissingAssetFilter implements Filter {

    private static final Set<String> SELECTORS = Set.of(AssetInpaintServlet.SELECTOR, AssetInpaintServlet.JOB_SELECTOR);
    private static final Pattern INPAINT_URL = Pattern.compile(".*\\.(" + AssetInpaintServlet.SELECTOR + "|"
            + AssetInpaintServlet.JOB_SELECTOR + ")\\.[A-Za-z]+$");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        SlingHttpServletRequest sling = (SlingHttpServletRequest) request;
        Resource resource = sling.getResource();
        String missing = null;
        if (ResourceUtil.isNonExistingResource(resource)) {
            String path = resource.getPath();
            if (INPAINT_URL.matcher(path).matches()) {
                missing = path.substring(0, path.lastIndexOf('.', path.lastIndexOf('.') - 1));
            }
        } else if (isInpaintRequest(sling) && StoredImage.of(resource) == null) {
            // a folder or page, say: the POST servlet would modify it
            missing = resource.getPath();
        }
        if (missing != null) {
            Json.sendError((HttpServletResponse) response, new HttpError(404, "no image asset or file at " + missing));
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean isInpaintRequest(SlingHttpServletRequest request) {
        String selectors = request.getRequestPathInfo().getSelectorString();
        return selectors != null && SELECTORS.contains(selectors);
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
