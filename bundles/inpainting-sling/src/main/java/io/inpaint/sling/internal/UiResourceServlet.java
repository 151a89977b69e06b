package io.inpaint.sling.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import javax.servlet.Servlet;

import org.apache.sling.api.SlingHttpServletRequest;
import org.apache.sling.api.SlingHttpServletResponse;
import org.apache.sling.api.servlets.SlingSafeMethodsServlet;
import org.apache.sling.servlets.annotations.SlingServletPaths;
import org.osgi.service.component.annotations.Component;

/**
 * The editor's script and style from the bundle: {@code GET /bin/inpaint-ui.<name>.<js|css>} answers
 * {@code ui/<name>.<ext>}. Only the files named here are served, so no other bundle entry can be read this way.
 */
@Component(service = Servlet.class)
@SlingServletPaths(UiResourceServlet.PATH)
public class UiResourceServlet extends SlingSafeMethodsServlet {

    static final String PATH = "/bin/inpaint-ui";
    private static final long serialVersionUID = 1L;
    private static final Map<String, String> FILES = Map.of(
            "editor.js", "text/javascript", "editor.css", "text/css", "list.css", "text/css");

    @Override
    protected void doGet(SlingHttpServletRequest request, SlingHttpServletResponse response) throws IOException {
        String file = request.getRequestPathInfo().getSelectorString() + "." + request.getRequestPathInfo().getExtension();
        String type = FILES.get(file);
        if (type == null) {
            Json.sendError(response, new HttpError(404, "no such editor file: " + file));
            return;
        }
        try (InputStream in = UiResourceServlet.class.getResourceAsStream("/ui/" + file)) {
            byte[] body = in.readAllBytes();
            response.setContentType(type);
            response.setCharacterEncoding("UTF-8");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
