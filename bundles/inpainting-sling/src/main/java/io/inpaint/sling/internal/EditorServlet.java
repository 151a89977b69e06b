package io.inpaint.sling.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletResponse;

import org.apache.sling.api.SlingHttpServletRequest;
import org.apache.sling.api.SlingHttpServletResponse;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.servlets.SlingSafeMethodsServlet;
import org.apache.sling.servlets.annotations.SlingServletResourceTypes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The editor's pages: {@code GET <asset>.inpaint.html} opens the brush editor on an image asset or file,
 * {@code GET <folder>.inpaint.html} lists a folder's images as thumbnails linking to their editors. The pages are
 * templates in the bundle ({@code ui/*.html}); their script and style come from {@link UiResourceServlet}.
 */
@Component(service = Servlet.class)
@SlingServletResourceTypes(
        resourceTypes = {StoredImage.DAM_ASSET, StoredImage.NT_FILE, EditorServlet.FOLDER, EditorServlet.ORDERED_FOLDER},
        selectors = AssetInpaintServlet.SELECTOR,
        extensions = "html",
        methods = "GET")
public class EditorServlet extends SlingSafeMethodsServlet {

    static final String FOLDER = "sling:Folder";
    static final String ORDERED_FOLDER = "sling:OrderedFolder";
    private static final long serialVersionUID = 1L;

    @Reference
    private transient RequestReader reader;

    @Override
    protected void doGet(SlingHttpServletRequest request, SlingHttpServletResponse response) throws IOException {
        Resource resource = request.getResource();
        String context = request.getContextPath();
        try {
            reader.requireUser(request);
        } catch (HttpError e) {
            String login = context + "/system/sling/form/login?resource="
                    + URLEncoder.encode(context + request.getRequestURI().substring(context.length()), StandardCharsets.UTF_8);
            send(response, e.status(), page("error.html", Map.of("title", "Not allowed", "message",
                    "You are not allowed to edit pictures without logging in.", "login", login)));
            return;
        }
        StoredImage asset = StoredImage.of(resource);
        if (asset != null) {
            String image = context + asset.originalPath();
            send(response, 200, page("editor.html", Map.of("context", context, "asset", context + asset.path(),
                    "name", resource.getName(), "image", image, "ext", extension(asset.mimeType()))));
        } else if (resource.isResourceType(FOLDER) || resource.isResourceType(ORDERED_FOLDER)) {
            StringBuilder items = new StringBuilder();
            for (Resource child : resource.getChildren()) {
                StoredImage a = StoredImage.of(child);
                if (a != null && a.mimeType() != null && a.mimeType().startsWith("image/")) {
                    String href = escape(context + a.path()) + ".inpaint.html";
                    items.append("<li><a href=\"").append(href).append("\"><img loading=\"lazy\" alt=\"\" src=\"")
                            .append(escape(context + a.originalPath())).append("\"><span>")
                            .append(escape(child.getName())).append("</span></a></li>\n");
                } else if (child.isResourceType(FOLDER) || child.isResourceType(ORDERED_FOLDER)) {
                    items.append("<li class=\"folder\"><a href=\"").append(escape(context + child.getPath()))
                            .append(".inpaint.html\"><span>").append(escape(child.getName())).append("/</span></a></li>\n");
                }
            }
            send(response, 200, page("list.html", Map.of("context", context, "folder", resource.getPath(),
                    "items", items.length() == 0 ? "<li class=\"empty\">No pictures here.</li>" : items.toString())));
        } else {
            send(response, 404, page("error.html", Map.of("title", "Not found", "message",
                    "There is no picture or folder at " + resource.getPath() + ".", "login", context + "/")));
        }
    }

    /** The template {@code ui/<name>} with {@code {{key}}} replaced: "items" as markup, every other value escaped. */
    private static String page(String name, Map<String, String> values) throws IOException {
        String html;
        try (InputStream in = EditorServlet.class.getResourceAsStream("/ui/" + name)) {
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            String value = "items".equals(e.getKey()) ? e.getValue() : escape(e.getValue());
            html = html.replace("{{" + e.getKey() + "}}", value);
        }
        return html;
    }

    private static String extension(String mimeType) {
        if (mimeType == null) {
            return "png";
        }
        switch (mimeType) {
            case "image/jpeg": return "jpg";
            case "image/gif": return "gif";
            case "image/bmp": return "bmp";
            default: return "png";
        }
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static void send(HttpServletResponse response, int status, String html) throws IOException {
        response.setStatus(status);
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(html);
    }
}
