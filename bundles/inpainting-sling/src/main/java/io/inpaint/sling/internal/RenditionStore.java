package io.inpaint.sling.internal;

import java.io.ByteArrayInputStream;
import java.util.Calendar;
import java.util.HashMap;
import java.util.Map;

import javax.jcr.RepositoryException;
import javax.jcr.Session;

import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.RenditionName;
import io.inpaint.sling.spi.AssetRenditionWriter;

/**
 * Where results are stored and what they are called:
 * <ul>
 * <li>{@code dam:Asset}: {@code jcr:content/renditions/<name>} (AEM's rendition layout);</li>
 * <li>{@code nt:file}: next to the file as {@code <base>.<name>}, e.g. {@code photo.inpainted-1732450000000.png}
 * beside {@code photo.jpg}.</li>
 * </ul>
 * A rendition's name is {@code <base>.<ext>}, the extension being the result's real format, so it can never be the
 * original's ({@value RenditionName#ORIGINAL}), which is never written.
 */
final class RenditionStore {

    /** How the renditions the plugin names itself begin: {@code inpainted-<millis>.<ext>}. */
    private static final String RESULT_PREFIX = "inpainted-";

    private RenditionStore() {
    }

    /** A new rendition base name: {@code inpainted-<millis>}. */
    static String newBase() {
        return RESULT_PREFIX + System.currentTimeMillis();
    }

    /** Whether a file's name makes it a result written beside a file, never an input. */
    static boolean isResultName(String name) {
        return name.contains("." + RESULT_PREFIX);
    }

    /**
     * Writes {@code result} as the rendition {@code <base>.<ext>} of {@code asset}, replacing one of that name,
     * through the asset's resolver without committing: the caller commits or reverts. A DAM asset's goes through
     * {@code dam}, the DAM's own API, where there is one and it takes the asset.
     *
     * @param base the name without extension, {@link RenditionName plain}; {@link #newBase()} for a new one
     * @param dam the DAM's writer, or null (plain Sling: the nodes are written here)
     * @return the rendition's path
     * @throws InvalidRequestException the base name is not plain
     * @throws InpaintingException the repository refused the write (transient)
     */
    static String write(StoredImage asset, String base, InpaintingResult result, AssetRenditionWriter dam)
            throws InpaintingException {
        String name = RenditionName.check(base, "the rendition name") + "." + result.getExtension();
        Resource resource = asset.resource();
        ResourceResolver resolver = resource.getResourceResolver();
        String path = path(asset, name);
        int slash = path.lastIndexOf('/');
        try {
            String written = asset.isDam() && dam != null
                    ? dam.write(resource, name, result.getImage(), result.getMimeType()) : null;
            if (written != null) {
                return written;
            }
            Resource parent = asset.isDam() ? renditionsFolder(resolver, resource) : resource.getParent();
            if (parent == null) {
                throw new PersistenceException("cannot write below " + path.substring(0, slash) + ": not visible");
            }
            Resource existing = parent.getChild(path.substring(slash + 1));
            if (existing != null) {
                resolver.delete(existing);
            }
            Resource created = resolver.create(parent, path.substring(slash + 1),
                    Map.of("jcr:primaryType", StoredImage.NT_FILE));
            Map<String, Object> content = new HashMap<>();
            content.put("jcr:primaryType", "nt:resource");
            content.put("jcr:mimeType", result.getMimeType());
            content.put("jcr:lastModified", Calendar.getInstance());
            content.put("jcr:data", new ByteArrayInputStream(result.getImage()));
            resolver.create(created, "jcr:content", content);
            return path;
        } catch (PersistenceException e) {
            throw new InpaintingException("cannot store rendition " + name + " of " + asset.path() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The path of the rendition of this version of a pair: one the plugin named itself, written since both files
     * last changed; null when there is none (never done, deleted, or a file replaced since).
     */
    static String resultOf(StoredImage image, StoredImage mask) {
        return resultSince(image, Math.max(image.lastModified(), mask.lastModified()));
    }

    /**
     * The path of a rendition the plugin named itself that was written at or after {@code since} (epoch millis, by
     * its {@code jcr:lastModified}), or null when there is none.
     */
    static String resultSince(StoredImage asset, long since) {
        Resource folder = asset.resultFolder();
        if (folder == null) {
            return null;
        }
        String prefix = path(asset, RESULT_PREFIX).substring(folder.getPath().length() + 1);
        for (Resource child : folder.getChildren()) {
            StoredImage result = child.getName().startsWith(prefix) ? StoredImage.of(child) : null;
            if (result != null && result.lastModified() >= since) {
                return child.getPath();
            }
        }
        return null;
    }

    /** Whether {@code resolver}'s user may create a rendition of {@code asset}; asked before any work is done. */
    static boolean mayWrite(StoredImage asset, ResourceResolver resolver) {
        Session session = resolver.adaptTo(Session.class);
        if (session == null) {
            return false;
        }
        try {
            return session.hasPermission(path(asset, newBase()),
                    Session.ACTION_ADD_NODE + "," + Session.ACTION_SET_PROPERTY);
        } catch (RepositoryException e) {
            return false;
        }
    }

    /** The repository path the rendition {@code name} of {@code asset} gets. */
    private static String path(StoredImage asset, String name) {
        Resource resource = asset.resource();
        if (asset.isDam()) {
            return resource.getPath() + "/" + StoredImage.RENDITIONS + "/" + name;
        }
        String file = resource.getName();
        int dot = file.lastIndexOf('.');
        String base = dot > 0 ? file.substring(0, dot) : file;
        return resource.getParent().getPath() + "/" + base + "." + name;
    }

    private static Resource renditionsFolder(ResourceResolver resolver, Resource asset) throws PersistenceException {
        Resource content = asset.getChild("jcr:content");
        if (content == null) {
            return null;
        }
        Resource renditions = content.getChild("renditions");
        return renditions != null ? renditions
                : resolver.create(content, "renditions", Map.of("jcr:primaryType", "nt:folder"));
    }
}
