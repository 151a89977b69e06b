package io.inpaint.sling.internal;

import java.io.InputStream;
import java.util.Calendar;


import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceUtil;

import io.inpaint.api.InputNotFoundException;
import io.inpaint.api.RenditionName;

/**
 * An image in the repository, as the plugin sees it: a {@code dam:Asset} (the original is
 * {@code jcr:content/renditions/original}) or an {@code nt:file} (the file is the original). Where its results go
 * is {@link RenditionStore}'s.
 */
final class StoredImage {

    static final String DAM_ASSET = "dam:Asset";
    static final String NT_FILE = "nt:file";
    static final String RENDITIONS = "jcr:content/renditions";

    private final Resource resource;
    private final Resource original;
    private final boolean dam;

    private StoredImage(Resource resource, Resource original, boolean dam) {
        this.resource = resource;
        this.original = original;
        this.dam = dam;
    }

    /** The asset at {@code resource}, or null when it is neither a DAM asset with an original nor a file. */
    static StoredImage of(Resource resource) {
        if (resource == null || ResourceUtil.isNonExistingResource(resource)) {
            return null;
        }
        if (resource.isResourceType(DAM_ASSET)) {
            Resource original = resource.getChild(RENDITIONS + "/" + RenditionName.ORIGINAL);
            return original == null ? null : new StoredImage(resource, original, true);
        }
        if (resource.isResourceType(NT_FILE)) {
            return new StoredImage(resource, resource, false);
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

    /** The folder results are written to: the renditions folder of a DAM asset, the file's own folder else. */
    Resource resultFolder() {
        return dam ? resource.getChild(RENDITIONS) : resource.getParent();
    }

    boolean isDam() {
        return dam;
    }

    Resource resource() {
        return resource;
    }
}
