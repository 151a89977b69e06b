package io.inpaint.sling.spi;

import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Writes a result as a rendition of a {@code dam:Asset} through the DAM's own API, so that the DAM sees a rendition
 * added as its own code would add one (AEM: {@code Asset.addRendition}, with its events). Without such a service,
 * the plugin writes the rendition's nodes itself, in the same layout ({@code jcr:content/renditions/<name>}).
 */
@ConsumerType
public interface AssetRenditionWriter {

    /**
     * Writes {@code data} as the rendition {@code name} of {@code asset}, replacing one of that name, through the
     * asset's resource resolver without saving: the caller commits or reverts.
     *
     * @return the rendition's path, or null where this DAM does not take {@code asset} as one of its assets (the
     *         plugin then writes the nodes itself)
     * @throws PersistenceException the DAM refused the rendition
     */
    String write(Resource asset, String name, byte[] data, String mimeType) throws PersistenceException;
}
