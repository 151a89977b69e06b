package io.inpaint.sling.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Calendar;
import java.util.HashMap;
import java.util.Map;

import javax.jcr.RepositoryException;
import javax.jcr.Session;

import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceUtil;

import io.inpaint.api.AssetTarget;
import io.inpaint.api.InputNotFoundException;

/**
 * An image in the repository, as the plugin sees it, and where its inpainted renditions go:
 * <ul>
 * <li>{@code dam:Asset}: the original is {@code jcr:content/renditions/original}; results are written as
 * {@code jcr:content/renditions/<name>} (AEM's rendition layout);</li>
 * <li>{@code nt:file}: the file is the original; results are written next to it as {@code <base>.<name>}, e.g.
 * {@code photo.inpainted-1732450000000.png} beside {@code photo.jpg}.</li>
 * </ul>
 * The original is never written.
 */
final class Asset {

    static final String DAM_ASSET = "dam:Asset";
    static final String NT_FILE = "nt:file";
    private static final String RENDITIONS = "jcr:content/renditions";
    /** How the renditions the plugin names itself begin: {@code inpainted-<millis>.<ext>}. */
    private static final String RESULT_PREFIX = "inpainted-";

    private final Resource resource;
    private final Resource original;
    private final boolean dam;

    private Asset(Resource resource, Resource original, boolean dam) {
        this.resource = resource;
        this.original = original;
        this.dam = dam;
    }

    /** The asset at {@code resource}, or null when it is neither a DAM asset with an original nor a file. */
    static Asset of(Resource resource) {
        if (resource == null || ResourceUtil.isNonExistingResource(resource)) {
            return null;
        }
        if (resource.isResourceType(DAM_ASSET)) {
            Resource original = resource.getChild(RENDITIONS + "/original");
            return original == null ? null : new Asset(resource, original, true);
        }
        if (resource.isResourceType(NT_FILE)) {
            return new Asset(resource, resource, false);
        }
        return null;
    }

    String path() {
        return resource.getPath();
    }

    /** Where the original's bytes are read with a plain GET. */
    String originalPath() {
        return original.getPath();
    }

    String mimeType() {
        Resource content = original.getChild("jcr:content");
        return content == null ? null : content.getValueMap().get("jcr:mimeType", String.class);
    }

    /** When the original binary was last written, 0 when unknown. */
    long lastModified() {
        Resource content = original.getChild("jcr:content");
        Calendar date = content == null ? null : content.getValueMap().get("jcr:lastModified", Calendar.class);
        return date == null ? 0 : date.getTimeInMillis();
    }

    InputStream openOriginal() throws InputNotFoundException {
        InputStream in = original.adaptTo(InputStream.class);
        if (in == null) {
            throw new InputNotFoundException("the asset " + path() + " has no binary");
        }
        return in;
    }

    /** A new rendition name without extension: {@code inpainted-<millis>}. */
    static String newRenditionBase() {
        return RESULT_PREFIX + System.currentTimeMillis();
    }

    /** Whether a file's name makes it a result written beside a file, never an input. */
    static boolean isResultName(String name) {
        return name.contains("." + RESULT_PREFIX);
    }

    /**
     * The path of a rendition the plugin named itself that was written at or after {@code since} (epoch millis, by
     * its {@code jcr:lastModified}), or null when there is none.
     */
    String resultSince(long since) {
        Resource folder = dam ? resource.getChild(RENDITIONS) : resource.getParent();
        if (folder == null) {
            return null;
        }
        String prefix = dam ? RESULT_PREFIX : renditionPath(RESULT_PREFIX).substring(folder.getPath().length() + 1);
        for (Resource child : folder.getChildren()) {
            Asset result = child.getName().startsWith(prefix) ? Asset.of(child) : null;
            if (result != null && result.lastModified() >= since) {
                return child.getPath();
            }
        }
        return null;
    }

    /** The repository path the rendition {@code name} gets. */
    String renditionPath(String name) {
        if (dam) {
            return resource.getPath() + "/" + RENDITIONS + "/" + name;
        }
        String file = resource.getName();
        int dot = file.lastIndexOf('.');
        String base = dot > 0 ? file.substring(0, dot) : file;
        return resource.getParent().getPath() + "/" + base + "." + name;
    }

    /** Whether {@code resolver}'s user may create the rendition {@code name}; asked before any work is done. */
    boolean mayWriteRendition(ResourceResolver resolver, String name) {
        Session session = resolver.adaptTo(Session.class);
        if (session == null) {
            return false;
        }
        try {
            return session.hasPermission(renditionPath(name),
                    Session.ACTION_ADD_NODE + "," + Session.ACTION_SET_PROPERTY);
        } catch (RepositoryException e) {
            return false;
        }
    }

    /** Writes renditions through the asset's resolver without committing: the caller commits or reverts. */
    AssetTarget target() {
        return (name, mimeType, data) -> {
            ResourceResolver resolver = resource.getResourceResolver();
            String path = renditionPath(name);
            int slash = path.lastIndexOf('/');
            Resource parent = dam ? renditionsFolder(resolver) : resource.getParent();
            if (parent == null) {
                throw new IOException("cannot write below " + path.substring(0, slash) + ": it is not visible");
            }
            Resource existing = parent.getChild(path.substring(slash + 1));
            if (existing != null) {
                resolver.delete(existing);
            }
            Map<String, Object> file = new HashMap<>();
            file.put("jcr:primaryType", NT_FILE);
            Resource created = resolver.create(parent, path.substring(slash + 1), file);
            Map<String, Object> content = new HashMap<>();
            content.put("jcr:primaryType", "nt:resource");
            content.put("jcr:mimeType", mimeType);
            content.put("jcr:lastModified", Calendar.getInstance());
            content.put("jcr:data", new ByteArrayInputStream(data));
            resolver.create(created, "jcr:content", content);
            return path;
        };
    }

    private Resource renditionsFolder(ResourceResolver resolver) throws PersistenceException {
        Resource content = resource.getChild("jcr:content");
        if (content == null) {
            return null;
        }
        Resource renditions = content.getChild("renditions");
        return renditions != null ? renditions
                : resolver.create(content, "renditions", Map.of("jcr:primaryType", "nt:folder"));
    }
}
