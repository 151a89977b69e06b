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
import java.util.ArrayList;
import java.util.List;

import org.apache.sling.api.resource.Resource;
import org.apache.sling.testing.mock.sling.ResourceResolverType;
import org.apache.sling.testing.mock.sling.junit5.SlingContext;
import org.apache.sling.testing.mock.sling.junit5.SlingContextExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.sling.spi.AssetRenditionWriter;

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
        String png = RenditionStore.write(asset, "inpainted-1", result("image/png", PNG), null);
        assertEquals("/content/dam/a/photo.inpainted-1.png", png);
        assertStored(png, "image/png", PNG);

        String jpeg = RenditionStore.write(asset, "x", result("image/jpeg", JPEG), null);
        assertEquals("/content/dam/a/photo.x.jpeg", jpeg);
        assertStored(jpeg, "image/jpeg", JPEG);

        // the same name again replaces it
        assertEquals(jpeg, RenditionStore.write(asset, "x", result("image/jpeg", PNG), null));
        assertStored(jpeg, "image/jpeg", PNG);
        context.resourceResolver().commit();
    }

    @Test
    void damAssetsGetThemInTheirRenditionsFolderAndTheOriginalIsNeverWritten() throws Exception {
        StoredImage asset = damAsset("/content/dam/b/photo.jpg");

        // "original" as a base still gets the result's extension: the original itself cannot be named
        String path = RenditionStore.write(asset, "original", result("image/png", PNG), null);
        assertEquals("/content/dam/b/photo.jpg/jcr:content/renditions/original.png", path);
        assertStored("/content/dam/b/photo.jpg/jcr:content/renditions/original", "image/jpeg", JPEG);
    }

    @Test
    void aDamsOwnWriterTakesItsAssetsRenditionsAndFilesStayWithThePlugin() throws Exception {
        StoredImage asset = damAsset("/content/dam/e/photo.jpg");
        List<String> calls = new ArrayList<>();
        AssetRenditionWriter dam = (resource, name, data, mimeType) -> {
            calls.add(resource.getPath() + " " + name + " " + mimeType + " " + data.length);
            return resource.getPath() + "/jcr:content/renditions/" + name;
        };
        String path = RenditionStore.write(asset, "inpainted", result("image/png", PNG), dam);
        assertEquals("/content/dam/e/photo.jpg/jcr:content/renditions/inpainted.png", path);
        assertEquals(List.of("/content/dam/e/photo.jpg inpainted.png image/png 3"), calls);
        assertNull(context.resourceResolver().getResource(path), "the DAM wrote it, not the plugin");

        // an asset the DAM does not take: the plugin writes the nodes
        path = RenditionStore.write(asset, "other", result("image/png", PNG), (resource, name, data, type) -> null);
        assertStored(path, "image/png", PNG);

        // files are no DAM's assets
        StoredImage file = file("/content/dam/e/plain.jpg", "image/jpeg");
        assertEquals("/content/dam/e/plain.x.png", RenditionStore.write(file, "x", result("image/png", PNG), dam));
        assertEquals(1, calls.size());
    }

    @Test
    void namesThatLeaveTheFolderAreRefusedAndNothingIsWritten() throws Exception {
        StoredImage asset = file("/content/dam/c/photo.jpg", "image/jpeg");
        for (String base : new String[] {"a/b", "../x", "jcr:data", ".hidden"}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> RenditionStore.write(asset, base, result("image/png", PNG), null));
            assertTrue(e.getMessage().startsWith("the rendition name must be a plain node name"), e.getMessage());
        }
        assertFalse(context.resourceResolver().hasChanges());
    }

    @Test
    void resultsAreFoundByTheirPrefixAndTime() throws Exception {
        StoredImage asset = file("/content/dam/d/photo.jpg", "image/jpeg");
        assertNull(RenditionStore.resultSince(asset, 0));
        String path = RenditionStore.write(asset, RenditionStore.newBase(), result("image/png", PNG), null);
        context.resourceResolver().commit();
        assertEquals(path, RenditionStore.resultSince(asset, 0));
        assertNull(RenditionStore.resultSince(asset, System.currentTimeMillis() + 60_000));
        assertTrue(RenditionStore.isResultName(path.substring(path.lastIndexOf('/') + 1)));
        assertFalse(RenditionStore.isResultName("photo.jpg"));
    }

    private StoredImage damAsset(String path) {
        context.create().resource(path, "jcr:primaryType", "dam:Asset");
        context.create().resource(path + "/jcr:content", "jcr:primaryType", "dam:AssetContent");
        context.load().binaryFile(new ByteArrayInputStream(JPEG), path + "/jcr:content/renditions/original",
                "image/jpeg");
        return StoredImage.of(context.resourceResolver().getResource(path));
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
