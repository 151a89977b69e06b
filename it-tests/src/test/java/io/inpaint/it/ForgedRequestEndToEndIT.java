package io.inpaint.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Cross-site request forgery against the launched instance. In a real browser ({@code ui/forgery.e2e.mjs}), logged
 * in with Sling's form login, pages from another origin on loopback auto-submit a form POST with {@code store=true}
 * and one with {@code :operation=delete}: both refused, nothing written, the asset still there, while a save from a
 * page of the instance works. Over plain HTTP: a foreign {@code Origin} is refused on the plugin's endpoints and on
 * the Sling POST servlet, so is a foreign {@code Referer}, a request with neither (a script) is accepted, and a
 * browser's {@code store=true} must carry the instance's {@code Origin}.
 */
public class ForgedRequestEndToEndIT {

    private static final String BASE = System.getProperty("sling.url", "http://localhost:8080");
    private static final Http ADMIN = new Http(BASE, "admin", "admin");
    private static final Http FOREIGN = ADMIN.header("Origin", "http://evil.example");
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0";
    private static final Pattern RENDITION = Pattern.compile("\"(photo\\.inpainted-[0-9]+\\.png)\"");

    private static String folder;
    private String dir;
    private String asset;
    private String mask;

    @BeforeClass
    public static void setUpClass() throws Exception {
        long end = System.currentTimeMillis() + 300_000;
        while (!ADMIN.get("/bin/inpaint.status.json").text().contains("\"state\":\"READY\"")) {
            assertTrue("plugin not ready", System.currentTimeMillis() < end);
            Thread.sleep(1000);
        }
        folder = "/content/dam/forgery-" + System.currentTimeMillis();
        assertEquals(201, ADMIN.post(folder, new Http.Form().field("jcr:primaryType", "sling:Folder")).status);
    }

    /** Each test its own folder with a photo and its mask, so that renditions are counted per test. */
    @Before
    public void setUp() throws Exception {
        dir = folder + "/t" + System.nanoTime();
        assertEquals(201, ADMIN.post(dir, new Http.Form().field("jcr:primaryType", "sling:Folder")).status);
        assertEquals(200, ADMIN.post(dir, new Http.Form().file("photo.png", "photo.png", TestImages.photoPng())
                .file("photo.mask.png", "photo.mask.png", TestImages.maskPng())).status);
        asset = dir + "/photo.png";
        mask = dir + "/photo.mask.png";
    }

    @Test
    public void forgedFormsFromAnotherOriginInTheBrowserAreRefused() throws Exception {
        File result = File.createTempFile("forgery-e2e", ".txt");
        result.deleteOnExit();
        File target = new File(System.getProperty("editor.screenshots", "target/screenshots")).getParentFile();
        File log = new File(target, "forgery-e2e.log");
        ProcessBuilder node = new ProcessBuilder("node", "forgery.e2e.mjs")
                .directory(new File(System.getProperty("editor.ui.dir", "ui")))
                .redirectErrorStream(true).redirectOutput(log);
        node.environment().put("BASE_URL", BASE);
        node.environment().put("ASSET", asset);
        node.environment().put("MASK", mask);
        node.environment().put("RESULT", result.getPath());
        Process process = node.start();
        assertTrue("the browser test did not finish in 5 minutes", process.waitFor(5, TimeUnit.MINUTES));
        assertEquals("node forgery.e2e.mjs failed:\n" + Files.readString(log.toPath()), 0, process.exitValue());

        List<String> lines = Files.readAllLines(result.toPath(), StandardCharsets.UTF_8);
        assertEquals(List.of("store=403", "delete=403"), lines.subList(0, 2));
        String saved = lines.get(2).substring("saved=".length());
        // the one rendition is the own page's save: the forged store wrote none, the forged delete removed nothing
        assertEquals(List.of(saved.substring(saved.lastIndexOf('/') + 1)), renditions());
        assertArrayEquals("the asset changed", TestImages.photoPng(), ADMIN.get(asset).body);
    }

    @Test
    public void foreignOriginIsRefusedOnThePluginsEndpoints() throws Exception {
        Http.Response store = FOREIGN.post(asset + ".inpaint.json",
                new Http.Form().field("store", "true").field("maskPath", mask));
        assertForeignRefused(store);
        Http.Response endpoint = FOREIGN.post("/bin/inpaint", new Http.Form()
                .file("image", "photo.png", TestImages.photoPng()).file("mask", "mask.png", TestImages.maskPng()));
        assertForeignRefused(endpoint);
        assertEquals(List.of(), renditions());
    }

    @Test
    public void foreignOriginIsRefusedOnTheSlingPostServlet() throws Exception {
        assertForeignRefused(FOREIGN.post(asset, new Http.Form().field(":operation", "delete")));
        assertForeignRefused(FOREIGN.post(dir, new Http.Form().field("forged", "yes")));
        assertArrayEquals("the asset changed", TestImages.photoPng(), ADMIN.get(asset).body);
        assertEquals(404, ADMIN.get(dir + "/forged.json").status);
    }

    @Test
    public void scriptsWithoutOriginAndPagesOfTheInstanceStillWrite() throws Exception {
        Http.Response script = ADMIN.post(asset + ".inpaint.json",
                new Http.Form().field("store", "true").field("maskPath", mask));
        assertEquals(script.text(), 201, script.status);
        // what the editor's Save sends: its page's origin and address
        Http.Response own = ADMIN.header("User-Agent", BROWSER).header("Origin", BASE)
                .header("Referer", BASE + asset + ".inpaint.html").post(asset + ".inpaint.json", new Http.Form().field("store", "true").field("maskPath", mask));
        assertEquals(own.text(), 201, own.status);
        assertEquals(2, renditions().size());
        Http.Response property = ADMIN.post(dir, new Http.Form().field("note", "by a script"));
        assertEquals(property.text(), 200, property.status);
        assertTrue(ADMIN.get(dir + "/note.json").text().contains("by a script"));
        assertEquals(200, ADMIN.post(asset, new Http.Form().field(":operation", "delete")).status);
        assertEquals(404, ADMIN.get(asset).status);
    }

    @Test
    public void browserStoreMustCarryTheOriginOfTheInstance() throws Exception {
        // the instance's own page as Referer passes both filters, but is no proof: a page can choose its Referer
        Http.Response noOrigin = ADMIN.header("User-Agent", BROWSER).header("Referer", BASE + asset + ".inpaint.html")
                .post(asset + ".inpaint.json", new Http.Form().field("store", "true").field("maskPath", mask));
        assertEquals(noOrigin.text(), 403, noOrigin.status);
        assertTrue(noOrigin.text(), noOrigin.text().contains("editor page"));
        assertEquals(List.of(), renditions());
    }

    @Test
    public void refererFromAnotherOriginIsRefused() throws Exception {
        // another port on the same host: Sling's referrer filter lets this Referer through, the plugin's does not
        assertForeignRefused(ADMIN.header("User-Agent", BROWSER).header("Referer", "http://localhost:1/prize.html")
                .post(asset, new Http.Form().field(":operation", "delete")));
        // a foreign host without Origin: Sling's referrer filter refuses it first
        Http.Response foreignHost = ADMIN.header("User-Agent", BROWSER).header("Referer", "http://evil.example/")
                .post(asset, new Http.Form().field(":operation", "delete"));
        assertEquals(403, foreignHost.status);
        // a browser that sends neither header: Sling's referrer filter refuses it (allow.empty is false)
        assertEquals(403, ADMIN.header("User-Agent", BROWSER)
                .post(asset, new Http.Form().field(":operation", "delete")).status);
        assertArrayEquals("the asset changed", TestImages.photoPng(), ADMIN.get(asset).body);
    }

    private static void assertForeignRefused(Http.Response response) {
        assertEquals(response.text(), 403, response.status);
        assertTrue(response.text(), response.contentType.startsWith("application/json"));
        assertTrue(response.text(), response.text().contains("cross-origin"));
    }

    /** The names of the photo's renditions (a plain file's are its siblings {@code photo.inpainted-<millis>.png}). */
    private List<String> renditions() throws Exception {
        String listing = ADMIN.get(dir + ".1.json").text();
        Matcher m = RENDITION.matcher(listing);
        return m.results().map(r -> r.group(1)).collect(Collectors.toList());
    }
}
