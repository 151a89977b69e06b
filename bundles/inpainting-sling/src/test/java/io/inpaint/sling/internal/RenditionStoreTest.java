package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.sling.api.resource.Resource;
import org.apache.sling.testing.mock.sling.ResourceResolverType;
import org.apache.sling.testing.mock.sling.junit5.SlingContext;
import org.apache.sling.testing.mock.sling.junit5.SlingContextExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InvalidRequestException;

/** A stored rendition's name says the format of what it holds, whichever picture was filled. */
@ExtendWith(SlingContextExtension.class)
class RenditionStoreTest {

    private static final byte[] PNG = {1, 2, 3};
    private static final byte[] JPEG = {4, 5, 6};

    private final SlingContext context = new SlingContext(ResourceResolverType.RESOURCERESOLVER_MOCK);

    @Test
    void renditionExtensionFollowsTheResultNotTheOriginal() throws Exception {
        StoredImage asset = file("/content/dam/a/photo.jpg", "image/jpeg");

        // an editor's repeat sends a PNG of the JPEG asset's size: the result is a PNG, and so is its name
        String png = RenditionStore.write(asset, "inpainted-1", result("image/png", PNG));
        assertEquals("/content/dam/a/photo.inpainted-1.png", png);
        assertStored(png, "image/png", PNG);

        String jpeg = RenditionStore.write(asset, "x", result("image/jpeg", JPEG));
        assertEquals("/content/dam/a/photo.x.jpeg", jpeg);
        assertStored(jpeg, "image/jpeg", JPEG);

        // the same name again replaces it
        assertEquals(jpeg, RenditionStore.write(asset, "x", result("image/jpeg", PNG)));
        assertStored(jpeg, "image/jpeg", PNG);
        context.resourceResolver().commit();
    }

    @Test
    void damAssetsGetThemInTheirRenditionsFolderAndTheOriginalIsNeverWritten() throws Exception {
        context.create().resource("/content/dam/b/photo.jpg", "jcr:primaryType", "dam:Asset");
        context.create().resource("/content/dam/b/photo.jpg/jcr:content", "jcr:primaryType", "dam:AssetContent");
        context.load().binaryFile(new ByteArrayInputStream(JPEG),
                "/content/dam/b/photo.jpg/jcr:content/renditions/original", "image/jpeg");
        StoredImage asset = StoredImage.of(context.resourceResolver().getResource("/content/dam/b/photo.jpg"));

        // "original" as a base still gets the result's extension: the original itself cannot be named
        String path = RenditionStore.write(asset, "original", result("image/png", PNG));
        assertEquals("/content/dam/b/photo.jpg/jcr:content/renditions/original.png", path);
        assertStored("/content/dam/b/photo.jpg/jcr:content/renditions/original", "image/jpeg", JPEG);
    }

    @Test
    void namesThatLeaveTheFolderAreRefusedAndNothingIsWritten() throws Exception {
        StoredImage asset = file("/content/dam/c/photo.jpg", "image/jpeg");
        for (String base : new String[] {"a/b", "../x", "jcr:data", ".hidden"}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> RenditionStore.write(asset, base, result("image/png", PNG)));
            assertTrue(e.getMessage().startsWith("the rendition name must be a plain node name"), e.getMessage());
        }
        assertFalse(context.resourceResolver().hasChanges());
    }

    @Test
    void resultsAreFoundByTheirPrefixAndTime() throws Exception {
        StoredImage asset = file("/content/dam/d/photo.jpg", "image/jpeg");
        assertNull(RenditionStore.resultSince(asset, 0));
        String path = RenditionStore.write(asset, RenditionStore.newBase(), result("image/png", PNG));
        context.resourceResolver().commit();
        assertEquals(path, RenditionStore.resultSince(asset, 0));
        assertNull(RenditionStore.resultSince(asset, System.currentTimeMillis() + 60_000));
        assertTrue(RenditionStore.isResultName(path.substring(path.lastIndexOf('/') + 1)));
        assertFalse(RenditionStore.isResultName("photo.jpg"));
    }

    private StoredImage file(String path, String mimeType) {
        context.load().binaryFile(new ByteArrayInputStream(JPEG), path, mimeType);
        return StoredImage.of(context.resourceResolver().getResource(path));
    }

    private void assertStored(String path, String mimeType, byte[] data) throws IOException {
        Resource file = context.resourceResolver().getResource(path);
        assertEquals(mimeType, file.getChild("jcr:content").getValueMap().get("jcr:mimeType", String.class));
        try (InputStream in = file.adaptTo(InputStream.class)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    private static InpaintingResult result(String mimeType, byte[] image) {
        return new InpaintingResult(image, mimeType, 16, 8, 1, 1, 1, null);
    }
}
