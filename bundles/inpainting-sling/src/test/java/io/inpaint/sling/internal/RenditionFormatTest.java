package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;

import javax.imageio.ImageIO;

import org.apache.sling.api.resource.Resource;
import org.apache.sling.testing.mock.sling.ResourceResolverType;
import org.apache.sling.testing.mock.sling.junit5.SlingContext;
import org.apache.sling.testing.mock.sling.junit5.SlingContextExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.inpaint.api.AssetInpaintingResult;
import io.inpaint.api.AssetSource;
import io.inpaint.api.AssetTarget;
import io.inpaint.api.ImageInfo;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;

/** A stored rendition's name says the format of what it holds, whichever picture was filled. */
@ExtendWith(SlingContextExtension.class)
class RenditionFormatTest {

    private final SlingContext context = new SlingContext(ResourceResolverType.RESOURCERESOLVER_MOCK);

    @Test
    void renditionExtensionFollowsTheFilledPictureNotTheOriginal() throws Exception {
        context.load().binaryFile(new ByteArrayInputStream(encode("jpeg")), "/content/dam/a/photo.jpg", "image/jpeg");
        InpaintSupport support = support();
        Asset asset = Asset.of(context.resourceResolver().getResource("/content/dam/a/photo.jpg"));

        // an editor's repeat sends a PNG of the JPEG asset's size: the result is a PNG, and so is its name
        AssetInpaintingResult stored = support.inpaint(asset, encode("png"), encode("png"),
                InpaintingOptions.defaults(), null);
        assertTrue(stored.getLocation().endsWith(".png"), stored.getLocation());
        assertEquals("png", formatOf(stored.getLocation()));

        AssetInpaintingResult plain = support.inpaint(asset, null, encode("png"), InpaintingOptions.defaults(), "x");
        assertEquals("/content/dam/a/photo.x.jpeg", plain.getLocation());
        assertEquals("jpeg", formatOf(plain.getLocation()));
    }

    private String formatOf(String path) throws IOException {
        Resource file = context.resourceResolver().getResource(path);
        try (InputStream in = file.adaptTo(InputStream.class)) {
            return ImageIO.getImageReaders(ImageIO.createImageInputStream(in)).next().getFormatName().toLowerCase();
        }
    }

    private InpaintSupport support() throws ReflectiveOperationException {
        InpaintSupport support = new InpaintSupport();
        support.activate((InpaintSupport.Config) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {InpaintSupport.Config.class}, (p, m, a) -> m.getDefaultValue()));
        Field service = InpaintSupport.class.getDeclaredField("service");
        service.setAccessible(true);
        service.set(support, new SameFormatModel());
        return support;
    }

    private static byte[] encode(String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB), format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** As the model service with default options: the result is encoded in the format of the picture filled. */
    private static final class SameFormatModel implements InpaintingService {
        @Override
        public InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AssetInpaintingResult inpaintAsset(AssetSource source, AssetTarget target, String name,
                InpaintingOptions options) {
            try (InputStream in = source.openOriginal()) {
                byte[] image = in.readAllBytes();
                String format = ImageIO.getImageReaders(ImageIO.createImageInputStream(new ByteArrayInputStream(
                        image))).next().getFormatName().toLowerCase();
                String location = target.writeRendition(name, "image/" + format, image);
                return new AssetInpaintingResult(location, name,
                        new InpaintingResult(image, "image/" + format, 16, 8, 1, 1, 1, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The type by the bytes, as the service's check says it. */
        @Override
        public ImageInfo check(byte[] data, String what) {
            try {
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
                String format = ImageIO.getImageReaders(ImageIO.createImageInputStream(new ByteArrayInputStream(
                        data))).next().getFormatName().toLowerCase();
                return new ImageInfo("image/" + format, image.getWidth(), image.getHeight());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public io.inpaint.api.ServiceStatus status() {
            throw new UnsupportedOperationException();
        }
    }
}
