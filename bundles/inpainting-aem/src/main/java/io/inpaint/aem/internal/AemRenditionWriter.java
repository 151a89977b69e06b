package io.inpaint.aem.internal;

import java.io.ByteArrayInputStream;

import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.osgi.service.component.annotations.Component;

import com.day.cq.dam.api.Asset;
import com.day.cq.dam.api.Rendition;

import io.inpaint.sling.spi.AssetRenditionWriter;

/**
 * The plugin's results as renditions through AEM's Asset API ({@code Asset.addRendition}), so that AEM records and
 * announces them as its own: the servlet's {@code store=true} and the ingestion job (also queued by the workflow
 * step) write through it on AEM.
 */
@Component(service = AssetRenditionWriter.class)
public class AemRenditionWriter implements AssetRenditionWriter {

    @Override
    public String write(Resource resource, String name, byte[] data, String mimeType) throws PersistenceException {
        Asset asset = resource.adaptTo(Asset.class);
        if (asset == null) {
            return null;
        }
        // in batch mode the Asset API saves nothing: the plugin commits the rendition with the rest of its work
        boolean batch = asset.isBatchMode();
        asset.setBatchMode(true);
        try {
            Rendition rendition = asset.addRendition(name, new ByteArrayInputStream(data), mimeType);
            if (rendition == null) {
                throw new PersistenceException("AEM added no rendition " + name + " to " + asset.getPath());
            }
            return rendition.getPath();
        } catch (RuntimeException e) {
            // the Asset API reports a failed write unchecked (AssetIOException)
            throw new PersistenceException("AEM refused the rendition " + name + " of " + asset.getPath() + ": "
                    + e.getMessage(), e);
        } finally {
            asset.setBatchMode(batch);
        }
    }
}
