package io.inpaint.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.png.PngDirectory;

import io.inpaint.api.Admission;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InputTooLargeException;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.ServiceBusyException;
import io.inpaint.api.ServiceStatus;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;

import org.apache.sling.testing.mock.osgi.MockOsgi;
import org.apache.sling.testing.mock.osgi.junit5.OsgiContext;
import org.apache.sling.testing.mock.osgi.junit5.OsgiContextExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The component in OSGi mocks, running the packaged model on MXNet with small pictures. */
@ExtendWith(OsgiContextExtension.class)
class ModelServiceImplTest {
    private static final int SIZE = 64;

    private final OsgiContext context = new OsgiContext();

    @TempDir
    Path tmp;

    /** The status once {@code reached} holds of it (a configuration change's model loads in the background). */
    private static ServiceStatus awaitStatus(ModelServiceImpl service, java.util.function.Predicate<ServiceStatus> reached)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        ServiceStatus status = service.status();
        while (!reached.test(status) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            status = service.status();
        }
        return status;
    }

    private ModelServiceImpl activate(Object... properties) {
        return context.registerInjectActivateService(ModelServiceImpl.class, properties);
    }

    @Test
    void warmsItsShapesInTheBackgroundWhileServingAndSaysHowFar() throws Exception {
        InpaintingService service = activate("warmup.shapes", new String[] {"64x64", "100x60"});
        assertEquals(2, service.status().getWarmUpShapes());
        // requests are served from the start; the warm-up runs when none waits
        service.inpaint(png(picture(SIZE, SIZE)), png(mask(SIZE, SIZE)), null);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (service.status().getWarmedUp() < 2 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertEquals(2, service.status().getWarmedUp());
    }

    @Test
    void noShapeIsWarmedUpByDefaultAndABadShapeIsRefused() {
        assertEquals(0, activate().status().getWarmUpShapes());
        assertThrows(RuntimeException.class,
                () -> activate("warmup.shapes", new String[] {"512 by 512"}));
    }

    @Test
    void inpaintsTheHoleAndKeepsTheRest() throws Exception {
        InpaintingService service = activate();
        BufferedImage image = picture(SIZE, SIZE);
        InpaintingResult result = service.inpaint(png(image), png(mask(SIZE, SIZE)), null);

        assertEquals("image/png", result.getMimeType());
        assertEquals(16 * 16, result.getHolePixels());
        BufferedImage out = ImageIO.read(new ByteArrayInputStream(result.getImage()));
        assertEquals(SIZE, out.getWidth());
        int changed = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                boolean hole = x >= 24 && x < 40 && y >= 24 && y < 40;
                int before = image.getRGB(x, y) & 0xffffff;
                int after = out.getRGB(x, y) & 0xffffff;
                if (!hole) {
                    assertEquals(before, after, "pixel outside the hole at " + x + "," + y);
                } else if (before != after) {
                    changed++;
                }
            }
        }
        assertTrue(changed > 100, "the hole was filled: " + changed + " pixels changed");

        ServiceStatus status = service.status();
        assertEquals(ServiceStatus.State.READY, status.getState());
        assertEquals("MXNet", status.getEngine());
        assertEquals("cpu()", status.getDevice());
        assertEquals("deepfill-v1", status.getModelName());
        assertEquals("trained", status.getModelTrainingStatus());
        assertEquals(1, status.getCompleted());
        assertEquals(0, status.getFailed());
        assertEquals(8, status.getQueueCapacity());
        service.admit().close(); // an idle service with its model takes work
    }

    @Test
    void aRequestWaitsForItsCropsShareOfTheHeapAndGivesItBack() throws Exception {
        ModelServiceImpl service = activate("request.timeout.ms", 300L);
        int free = service.pictureMemory.availableForCrops();
        try (PictureMemory.Share other = service.pictureMemory.take(1, false, 1000)) {
            other.takeCrops(1L << 50, 1000);
            RequestTimeoutException e = assertThrows(RequestTimeoutException.class,
                    () -> service.inpaint(png(picture(SIZE, SIZE)), png(mask(SIZE, SIZE)), null));
            assertTrue(e.getMessage().contains("network crops"), e.getMessage());
        }
        assertEquals(16 * 16, service.inpaint(png(picture(SIZE, SIZE)), png(mask(SIZE, SIZE)), null).getHolePixels());
        assertEquals(free, service.pictureMemory.availableForCrops(), "every crops' share given back");
        assertEquals(1, service.status().getTimedOut());
        assertEquals(1, service.status().getCompleted());
    }

    @Test
    void anAdmissionHoldsItsPlaceUntilUsedOrGivenBack() throws Exception {
        InpaintingService service = activate("queue.capacity", 1);
        Admission first = service.admit();
        // a request arriving while the first still reads its upload is refused before reading its own
        assertThrows(ServiceBusyException.class, service::admit);
        assertThrows(ServiceBusyException.class, () -> service.inpaint(new byte[0], new byte[0], null));
        assertEquals(2, service.status().getRejectedBusy());
        first.close();
        assertThrows(IllegalStateException.class, () -> first.inpaint(new byte[0], new byte[0], null),
                "given back");
        try (Admission admitted = service.admit()) {
            assertEquals(SIZE, admitted.inpaint(png(picture(SIZE, SIZE)), png(mask(SIZE, SIZE)), null).getWidth());
            assertThrows(IllegalStateException.class,
                    () -> admitted.inpaint(png(picture(SIZE, SIZE)), png(mask(SIZE, SIZE)), null), "used once");
        }
        service.admit().close();
        assertEquals(1, service.status().getCompleted());
    }

    @Test
    void badInputIsAnInvalidRequestAndCounted() throws Exception {
        InpaintingService service = activate("max.pixels", 100_000L);
        byte[] image = png(picture(SIZE, SIZE));
        byte[] mask = png(mask(SIZE, SIZE));
        record Bad(byte[] image, byte[] mask, String message, Class<? extends InvalidRequestException> type) {
        }
        List<Bad> bad = List.of(
                new Bad("not an image at all".getBytes(StandardCharsets.UTF_8), mask,
                        "the image is text/plain by its content, not a supported image (PNG, JPEG, GIF or BMP)",
                        InvalidRequestException.class),
                new Bad(java.util.Arrays.copyOf(image, image.length / 2), mask,
                        "the image is truncated or damaged: its PNG data ends before the end marker",
                        InvalidRequestException.class),
                new Bad(pngHeaderOnly(50_000, 50_000), mask, "the image is 50000x50000 pixels by its header; at most"
                        + " 16384 pixels a side and 100000 pixels in all are accepted", InputTooLargeException.class),
                new Bad(image, png(mask(SIZE, SIZE / 2)),
                        "the mask is 64x32 but the image is 64x64; they must have the same size",
                        InvalidRequestException.class),
                new Bad(image, png(new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY)),
                        "the mask marks no hole pixels (mask mode AUTO, threshold 127): paint the hole white on black,"
                        + " or opaque on a transparent mask", InvalidRequestException.class),
                new Bad(new byte[0], mask, "the image is empty (0 bytes)", InvalidRequestException.class));
        for (Bad request : bad) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> service.inpaint(request.image(), request.mask(), null));
            assertEquals(request.message(), e.getMessage());
            assertEquals(request.type(), e.getClass(), e.getMessage());
        }
        // an option out of range never reaches the service: the api's builder refuses it (InpaintingOptionsTest)
        IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
                () -> service.inpaint(image, mask, InpaintingOptions.builder().threshold(300).build()));
        assertTrue(option.getMessage().contains("threshold"), option.getMessage());
        assertEquals(bad.size(), service.status().getFailed());
        assertEquals(0, service.status().getCompleted());
    }

    @Test
    void modelSwapDoesNotFailRequestsInFlight() throws Exception {
        ModelServiceImpl service = activate("queue.capacity", 16);
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        Path packaged = Path.of(service.status().getModelPath()).getParent();
        try (var files = Files.list(packaged)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        byte[] image = png(picture(128, 128));
        byte[] mask = png(mask(128, 128));
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<Future<InpaintingResult>> requests = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                requests.add(callers.submit(() -> service.inpaint(image, mask, null)));
            }
            while (service.status().getCompleted() < 1) {
                Thread.sleep(5);
            }
            // a new model and a new queue size while requests are queued and one is running
            Map<String, Object> changed = new HashMap<>();
            changed.put("model.path", copy.resolve("model.json").toString());
            changed.put("queue.capacity", 20);
            MockOsgi.modified(service, context.bundleContext(), changed);
            // the new model loads in the background: Config Admin's thread does not wait for the queue
            assertTrue(service.status().getCompleted() < 12, "modified() returned before the queued work ended");
            for (Future<InpaintingResult> request : requests) {
                assertEquals(128, request.get(120, TimeUnit.SECONDS).getWidth());
            }
        } finally {
            callers.shutdownNow();
        }
        ServiceStatus status = awaitStatus(service, s -> s.getModelPath().equals(copy.resolve("model.json").toString()));
        assertEquals(copy.resolve("model.json").toString(), status.getModelPath());
        assertEquals(20, status.getQueueCapacity());
        assertEquals(12, status.getCompleted());
        assertEquals(0, status.getFailed() + status.getRejectedBusy() + status.getTimedOut());
        assertEquals(ServiceStatus.State.READY, status.getState());
        assertTrue(status.getMeanInferenceMillis() > 0);
    }

    @Test
    void withoutAModelRequestsAreRefusedBeforeAnythingIsRead() throws Exception {
        ModelServiceImpl service = activate("model.path", tmp.resolve("missing.json").toString());
        assertEquals(ServiceStatus.State.UNAVAILABLE, service.status().getState());
        ModelUnavailableException refused = assertThrows(ModelUnavailableException.class, service::admit);
        assertTrue(refused.getMessage().contains("missing.json"), refused.getMessage());
        assertThrows(ModelUnavailableException.class, () -> service.inpaint(new byte[0], new byte[0], null),
                "refused before the (empty) pictures are looked at");
    }

    @Test
    void badNewModelKeepsTheOldOne() throws Exception {
        ModelServiceImpl service = activate();
        String before = service.status().getModelPath();
        MockOsgi.modified(service, context.bundleContext(), "model.path", tmp.resolve("missing.json").toString());
        ServiceStatus status = awaitStatus(service, s -> s.getError() != null);
        assertEquals(ServiceStatus.State.READY, status.getState());
        assertEquals(before, status.getModelPath());
        assertTrue(status.getError().contains("missing.json"), status.getError());
        service.inpaint(png(picture(SIZE, SIZE)), png(mask(SIZE, SIZE)), null);
    }

    @Test
    void jpegOnItsSideComesBackUprightWithItsMetadata() throws Exception {
        InpaintingService service = activate();
        // a 64x32 JPEG stored on its side (EXIF orientation 6: turn 90 degrees clockwise to view)
        byte[] jpeg = withExif(jpeg(picture(SIZE, SIZE / 2)), 6);
        byte[] mask = png(mask(SIZE / 2, SIZE));
        InpaintingResult result = service.inpaint(jpeg, mask, null);

        assertEquals("image/jpeg", result.getMimeType());
        assertEquals("jpeg", result.getExtension());
        assertEquals(SIZE / 2, result.getWidth(), "stored upright");
        assertEquals(SIZE / 2, ImageIO.read(new ByteArrayInputStream(result.getImage())).getWidth(), "stored upright");
        Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(result.getImage()));
        ExifIFD0Directory exif = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        assertEquals(1, exif.getInt(ExifIFD0Directory.TAG_ORIENTATION), "orientation reset");
        assertEquals("inpaint-test", exif.getString(ExifIFD0Directory.TAG_ARTIST), "EXIF kept");
        // the check before decoding gives the same upright size
        assertEquals(SIZE / 2, service.check(jpeg, "image").getWidth());
    }

    @Test
    void pngTextIsKeptAndFormatsCanBeChosen() throws Exception {
        InpaintingService service = activate();
        byte[] image = withPngText(png(picture(SIZE, SIZE)), "Comment", "kept");
        byte[] mask = png(mask(SIZE, SIZE));
        InpaintingResult same = service.inpaint(image, mask, null);
        Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(same.getImage()));
        assertTrue(metadata.getDirectoriesOfType(PngDirectory.class).stream()
                .anyMatch(d -> String.valueOf(d.getObject(PngDirectory.TAG_TEXTUAL_DATA)).contains("kept")));
        assertEquals(SIZE, ImageIO.read(new ByteArrayInputStream(same.getImage())).getWidth(), "still a valid PNG");

        InpaintingResult jpeg = service.inpaint(image, mask, InpaintingOptions.builder()
                .outputFormat(InpaintingOptions.OutputFormat.JPEG).flow(true).build());
        assertEquals("image/jpeg", jpeg.getMimeType());
        assertEquals(SIZE, ImageIO.read(new ByteArrayInputStream(jpeg.getImage())).getWidth());
        assertTrue(jpeg.getFlowImage().isPresent());
        assertNotEquals(0, jpeg.getFlowImage().get().length);
    }

    // --- pictures ---

    static BufferedImage picture(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 4 & 0xff) << 16 | (y * 4 & 0xff) << 8 | ((x ^ y) * 8 & 0xff));
            }
        }
        return image;
    }

    /** White on black: a square in the middle, a quarter of the side. */
    static BufferedImage mask(int w, int h) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = h * 3 / 8; y < h * 5 / 8; y++) {
            for (int x = w * 3 / 8; x < w * 5 / 8; x++) {
                mask.getRaster().setSample(x, y, 0, 255);
            }
        }
        return mask;
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    /** A valid PNG signature and header chunk, then nothing: claims any size. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(chunk("IHDR", ihdr.array()));
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length).putInt(data.length)
                .put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        return b.putInt((int) crc.getValue()).array();
    }

    static byte[] withPngText(byte[] png, String key, String text) {
        byte[] data = (key + "\0" + text).getBytes(StandardCharsets.ISO_8859_1);
        int afterIhdr = 8 + 25;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        out.writeBytes(chunk("tEXt", data));
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }

    /** Inserts an EXIF APP1 (big-endian) with an orientation and an artist after the JFIF segment. */
    static byte[] withExif(byte[] jpeg, int orientation) {
        byte[] artist = "inpaint-test\0".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 2 * 12 + 4 + artist.length);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8).putShort((short) 2);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putShort((short) 0x013B).putShort((short) 2).putInt(artist.length).putInt(8 + 2 + 24 + 4);
        tiff.putInt(0).put(artist);
        byte[] payload = tiff.array();
        ByteBuffer app1 = ByteBuffer.allocate(4 + 6 + payload.length);
        app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + payload.length))
                .put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1)).put(payload);
        int afterApp0 = 4 + ((jpeg[4] & 0xff) << 8 | jpeg[5] & 0xff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, afterApp0);
        out.writeBytes(app1.array());
        out.write(jpeg, afterApp0, jpeg.length - afterApp0);
        return out.toByteArray();
    }
}
