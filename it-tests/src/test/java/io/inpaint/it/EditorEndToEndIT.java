package io.inpaint.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The editor page in a real browser: {@code ui/editor.e2e.mjs} (playwright-core driving Debian's chromium) opens a
 * folder's list page, the photo's editor, paints a stroke over the sun, removes it and saves; this test then checks
 * over HTTP that the rendition differs from the original under the stroke, equals it elsewhere, and that the
 * original is unchanged. The script itself goes on to check Before/After, a second Remove on the result and its save,
 * Discard, the box tool, the eraser and a busy server's message, and fails the test if any of them is wrong.
 */
public class EditorEndToEndIT {

    private static final String BASE = System.getProperty("sling.url", "http://localhost:8080");
    private static final Http ADMIN = new Http(BASE, "admin", "admin");
    private static final Http ANONYMOUS = ADMIN.anonymous();
    /** Across the sun (centre 258,43, diameter 36): x0, y0, x1, y1 and the brush's width, in image pixels. */
    private static final int[] STROKE = {248, 43, 268, 43, 44};

    private static String folder;

    @BeforeClass
    public static void setUp() throws Exception {
        long end = System.currentTimeMillis() + 300_000;
        while (!ADMIN.get("/bin/inpaint.status.json").text().contains("\"state\":\"READY\"")) {
            assertTrue("plugin not ready", System.currentTimeMillis() < end);
            Thread.sleep(1000);
        }
        folder = "/content/dam/editor-" + System.currentTimeMillis();
        assertEquals(201, ADMIN.post(folder, new Http.Form().field("jcr:primaryType", "sling:Folder")).status);
        assertEquals(200, ADMIN.post(folder, new Http.Form().file("photo.png", "photo.png", TestImages.photoPng())).status);
    }

    @Test
    public void anonymousGetsNoEditor() throws Exception {
        assertEquals(403, ANONYMOUS.get(folder + "/photo.png.inpaint.html").status);
        assertEquals(403, ANONYMOUS.get(folder + ".inpaint.html").status);
    }

    @Test
    public void strokeRemovedAndSavedAsANewRendition() throws Exception {
        File result = File.createTempFile("editor-e2e", ".txt");
        result.deleteOnExit();
        String ui = System.getProperty("editor.ui.dir", "ui");
        File shots = new File(System.getProperty("editor.screenshots", "target/screenshots"));
        File log = new File(shots.getParentFile(), "editor-e2e.log");
        ProcessBuilder node = new ProcessBuilder("node", "editor.e2e.mjs").directory(new File(ui))
                .redirectErrorStream(true).redirectOutput(log);
        node.environment().put("BASE_URL", BASE);
        node.environment().put("FOLDER", folder);
        node.environment().put("ASSET", "photo.png");
        node.environment().put("STROKE", STROKE[0] + "," + STROKE[1] + "," + STROKE[2] + "," + STROKE[3] + "," + STROKE[4]);
        node.environment().put("SCREENSHOTS", shots.getPath());
        node.environment().put("RESULT", result.getPath());
        Process process = node.start();
        assertTrue("the browser test did not finish in 5 minutes", process.waitFor(5, TimeUnit.MINUTES));
        assertEquals("node editor.e2e.mjs failed:\n" + Files.readString(log.toPath()), 0, process.exitValue());

        String rendition = Files.readString(result.toPath(), StandardCharsets.UTF_8).trim();
        assertTrue(rendition, rendition.startsWith(folder + "/photo.inpainted-") && rendition.endsWith(".png"));
        BufferedImage original = TestImages.photo();
        BufferedImage filled = TestImages.decode(ADMIN.get(rendition).body);
        assertEquals(original.getWidth(), filled.getWidth());
        assertEquals(original.getHeight(), filled.getHeight());
        int changedOnLine = 0;
        int line = STROKE[2] - STROKE[0] + 1;
        for (int y = 0; y < original.getHeight(); y++) {
            for (int x = 0; x < original.getWidth(); x++) {
                boolean same = original.getRGB(x, y) == filled.getRGB(x, y);
                // beyond the brush's radius plus a pixel of anti-aliasing nothing may change
                if (distanceToStroke(x, y) > STROKE[4] / 2.0 + 1.5) {
                    assertTrue("changed outside the stroke at " + x + "," + y, same);
                } else if (y == STROKE[1] && !same) {
                    changedOnLine++;
                }
            }
        }
        assertTrue("only " + changedOnLine + " of " + line + " pixels under the stroke changed", changedOnLine > line / 2);
        assertArrayEquals("the original changed", TestImages.photoPng(), ADMIN.get(folder + "/photo.png").body);
    }

    private static double distanceToStroke(int x, int y) {
        double dx = STROKE[2] - STROKE[0];
        double dy = STROKE[3] - STROKE[1];
        double t = Math.max(0, Math.min(1, ((x - STROKE[0]) * dx + (y - STROKE[1]) * dy) / (dx * dx + dy * dy)));
        return Math.hypot(x - STROKE[0] - t * dx, y - STROKE[1] - t * dy);
    }
}
