package io.inpaint.aem.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;

import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.testing.mock.sling.ResourceResolverType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.day.cq.dam.api.Asset;
import com.day.cq.dam.api.Rendition;

import io.inpaint.sling.spi.AssetRenditionWriter;
import io.wcm.testing.mock.aem.junit5.AemContext;
import io.wcm.testing.mock.aem.junit5.AemContextExtension;

@ExtendWith(AemContextExtension.class)
class AemRenditionWriterTest {

    private static final String PHOTO = "/content/dam/demo/photo.jpg";

    private final AemContext context = new AemContext(ResourceResolverType.JCR_OAK);
    private AssetRenditionWriter writer;
    private ResourceResolver resolver;

    @BeforeEach
    void setUp() throws Exception {
        context.create().asset(PHOTO, 8, 6, "image/jpeg");
        resolver = context.resourceResolver();
        resolver.commit();
        writer = context.registerInjectActivateService(AemRenditionWriter.class);
    }

    @Test
    void aRenditionGoesThroughTheAssetApiAndWaitsForTheCallersCommit() throws Exception {
        String path = writer.write(resolver.getResource(PHOTO), "inpainted.png", new byte[] {1, 2, 3}, "image/png");
        assertEquals(PHOTO + "/jcr:content/renditions/inpainted.png", path);
        assertTrue(resolver.hasChanges(), "nothing saved: the plugin commits with the rest of its work");
        assertRendition("inpainted.png", "image/png", new byte[] {1, 2, 3});

        // the caller's revert (a failed job) leaves nothing behind
        resolver.revert();
        assertNull(resolver.getResource(path));
        assertFalse(asset().isBatchMode(), "the asset's own mode is restored");

        writer.write(resolver.getResource(PHOTO), "inpainted.png", new byte[] {1, 2, 3}, "image/png");
        resolver.commit();
        // the same name again replaces it
        writer.write(resolver.getResource(PHOTO), "inpainted.png", new byte[] {4, 5}, "image/png");
        resolver.commit();
        assertRendition("inpainted.png", "image/png", new byte[] {4, 5});
        assertRendition("original", "image/jpeg", null);
    }

    @Test
    void whatIsNoAssetIsLeftToThePlugin() throws Exception {
        assertNull(writer.write(resolver.getResource("/content/dam/demo"), "x.png", new byte[] {1}, "image/png"));
        assertFalse(resolver.hasChanges());
    }

    private Asset asset() {
        return resolver.getResource(PHOTO).adaptTo(Asset.class);
    }

    private void assertRendition(String name, String mimeType, byte[] data) throws Exception {
        Rendition rendition = asset().getRendition(name);
        assertEquals(mimeType, rendition.getMimeType());
        if (data != null) {
            try (InputStream in = rendition.getStream()) {
                assertArrayEquals(data, in.readAllBytes());
            }
        }
    }
}
