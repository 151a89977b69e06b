package io.inpaint.it;

import static org.apache.sling.testing.paxexam.SlingOptions.slingDiscoveryStandalone;
import static org.apache.sling.testing.paxexam.SlingOptions.slingEvent;
import static org.apache.sling.testing.paxexam.SlingOptions.slingQuickstartOakTar;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.factoryConfiguration;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Callable;

import javax.inject.Inject;
import javax.servlet.Servlet;

import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;
import org.apache.sling.testing.paxexam.TestSupport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.ServiceStatus;
import io.inpaint.api.ingest.IngestJob;

/**
 * The four bundles in a Sling quickstart (Oak segment-tar): the model service itself, the plain endpoint over HTTP,
 * and an ingestion job started by files arriving in the inbox.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InpaintingPaxExamIT extends TestSupport {

    private static final String INBOX = "/content/dam/inpaint-inbox";

    @Inject
    @Filter(timeout = 300_000)
    private InpaintingService service;

    /** Waiting for this is what waits for Sling and our bundle to come up. */
    @Inject
    @Filter(value = "(sling.servlet.paths=/bin/inpaint)", timeout = 300_000)
    private Servlet endpoint;

    @Inject
    private JobManager jobManager;

    @Inject
    private BundleContext bundleContext;

    @Configuration
    public Option[] configuration() {
        String djlCache = System.getProperty("djl.cache.dir");
        return options(
                baseConfiguration(),
                slingQuickstartOakTar(workingDirectory(), findFreePort()),
                slingEvent(),
                // jobs are only assigned once a topology is known
                slingDiscoveryStandalone(),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("INFO"),
                // unpack the engine's natives once for all runs
                systemProperty("DJL_CACHE_DIR").value(djlCache),
                systemProperty("ENGINE_CACHE_DIR").value(djlCache),
                vmOption("-Xmx2g"),
                vmOption("--add-opens=java.base/java.lang=ALL-UNNAMED"),
                mavenBundle().groupId("org.apache.tika").artifactId("tika-core").versionAsInProject(),
                testBundle("api.bundle"),
                // a fragment: installed, attached to the service bundle, never started
                bundle("file:" + nativesBundle()).noStart(),
                testBundle("service.bundle"),
                testBundle("sling.bundle"),
                factoryConfiguration("org.apache.sling.jcr.repoinit.RepositoryInitializer")
                        .put("scripts", new String[] {String.join("\n",
                                "create path (sling:OrderedFolder) /content/dam/inpaint-inbox",
                                "create path (sling:Folder) /var/inpaint/ingest",
                                "create service user inpaint-service with path system/inpaint",
                                "set ACL for inpaint-service",
                                "    allow jcr:read,rep:write on /content/dam",
                                "    allow jcr:read,rep:write on /var/inpaint",
                                "end")})
                        .asOption(),
                factoryConfiguration("org.apache.sling.serviceusermapping.impl.ServiceUserMapperImpl.amended")
                        .put("user.mapping", new String[] {"io.inpaint.sling:ingest=[inpaint-service]"})
                        .asOption(),
                factoryConfiguration("org.apache.sling.event.jobs.QueueConfiguration")
                        .put("queue.name", "Inpaint ingestion")
                        .put("queue.topics", new String[] {IngestJob.TOPIC})
                        .put("queue.type", "UNORDERED")
                        .put("queue.maxparallel", 1.0)
                        .put("queue.retries", 3)
                        .put("queue.keepJobs", true)
                        .asOption(),
                newConfiguration("org.apache.sling.event.impl.jobs.jcr.PersistenceHandler")
                        .put("startup.delay", 3L)
                        .asOption());
    }

    /** The engine's natives fragment; PyTorchPaxExamIT swaps it. */
    protected String nativesBundle() {
        return System.getProperty("natives.bundle");
    }

    @Test
    public void modelServiceLoadsTheShippedModelAndInpaints() throws Exception {
        ServiceStatus status = awaitReady();
        assertEquals(ServiceStatus.State.READY, status.getState());
        InpaintingResult result = service.inpaint(TestImages.photoPng(), TestImages.maskPng(),
                InpaintingOptions.defaults());
        assertEquals("image/png", result.getMimeType());
        int[] changed = TestImages.compare(TestImages.photo(), TestImages.decode(result.getImage()), 0);
        assertEquals("pixels changed outside the hole", 0, changed[0]);
        assertTrue("hole pixels changed: " + changed[1], changed[1] > TestImages.HOLE[2] * TestImages.HOLE[3] / 2);
        assertTrue(service.status().getCompleted() >= 1);
        try {
            service.inpaint(TestImages.photoPng(), TestImages.encode(TestImages.mask(100, 100, false), "png"), null);
            throw new AssertionError("a mask of another size was accepted");
        } catch (InvalidRequestException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("100"));
        }
    }

    @Test
    public void endpointAnswersOverHttp() throws Exception {
        awaitReady();
        Http admin = new Http("http://localhost:" + httpPort(), "admin", "admin");
        Http.Response ok = awaitOk(() -> admin.post("/bin/inpaint", photoAndMask()));
        assertEquals(ok.toString(), 200, ok.status);
        assertEquals("image/png", ok.contentType);
        assertEquals(TestImages.WIDTH, TestImages.decode(ok.body).getWidth());

        Http.Response notImage = admin.post("/bin/inpaint", new Http.Form()
                .file("image", "photo.png", "not a picture".getBytes("UTF-8"))
                .file("mask", "mask.png", TestImages.maskPng()));
        assertEquals(notImage.toString(), 400, notImage.status);
        assertTrue(notImage.text(), notImage.text().contains("\"error\""));

        Http.Response anonymous = admin.anonymous().post("/bin/inpaint", photoAndMask());
        assertEquals(anonymous.toString(), 403, anonymous.status);

        Http.Response status = admin.get("/bin/inpaint.status.json");
        assertEquals(200, status.status);
        assertTrue(status.text(), status.text().contains("\"state\":\"READY\""));
    }

    @Test
    public void filesArrivingInTheInboxAreInpaintedByAJob() throws Exception {
        awaitReady();
        Http admin = new Http("http://localhost:" + httpPort(), "admin", "admin");
        awaitOk(() -> admin.post("/bin/inpaint", photoAndMask()));
        String name = "pax-" + System.currentTimeMillis();
        Http.Response upload = admin.post(INBOX, new Http.Form()
                .file(name + ".png", name + ".png", TestImages.photoPng())
                .file(name + ".mask.png", name + ".mask.png", TestImages.maskPng()));
        assertEquals(upload.toString(), 200, upload.status);

        String image = INBOX + "/" + name + ".png";
        Job done = awaitSucceeded(image);
        String rendition = done.getResultMessage();
        assertTrue(rendition, rendition.startsWith(INBOX + "/" + name + ".inpainted-"));
        Http.Response result = admin.get(rendition);
        assertEquals(200, result.status);
        int[] changed = TestImages.compare(TestImages.photo(), TestImages.decode(result.body), 0);
        assertEquals(0, changed[0]);
        assertTrue(changed[1] > 0);
        Http.Response state = admin.get(image + ".inpaint-job.json");
        assertTrue(state.text(), state.text().contains("\"state\":\"SUCCEEDED\""));
    }

    /**
     * Pairs that arrive while the plugin's bundle is stopped raise change events no one hears (as after a crash, or
     * during an update): the reconciliation at start finds them. A pair that has its rendition gets no job.
     */
    @Test
    public void pairsUploadedWhileTheBundleWasStoppedAreInpaintedOnceItStarts() throws Exception {
        awaitReady();
        Http admin = new Http("http://localhost:" + httpPort(), "admin", "admin");
        awaitOk(() -> admin.post("/bin/inpaint", photoAndMask()));
        Bundle plugin = null;
        for (Bundle b : bundleContext.getBundles()) {
            if ("io.inpaint.sling".equals(b.getSymbolicName())) {
                plugin = b;
            }
        }
        assertTrue("the plugin's bundle is installed", plugin != null);
        plugin.stop();
        String name = "stopped-" + System.currentTimeMillis();
        Http.Form upload = new Http.Form();
        for (int i = 0; i < 3; i++) {
            upload.file(name + i + ".png", "p.png", TestImages.photoPng())
                    .file(name + i + ".mask.png", "m.png", TestImages.maskPng());
        }
        upload.file(name + "-done.png", "p.png", TestImages.photoPng())
                .file(name + "-done.mask.png", "m.png", TestImages.maskPng())
                .file(name + "-done.inpainted-1.png", "r.png", TestImages.photoPng());
        Http.Response response = admin.post(INBOX, upload);
        assertEquals(response.toString(), 200, response.status);
        plugin.start();

        for (int i = 0; i < 3; i++) {
            String rendition = awaitSucceeded(INBOX + "/" + name + i + ".png").getResultMessage();
            assertTrue(rendition, rendition.startsWith(INBOX + "/" + name + i + ".inpainted-"));
            assertEquals(200, admin.get(rendition).status);
        }
        // the three were queued by one walk that saw the fourth as well; another walk changes nothing
        plugin.stop();
        plugin.start();
        Thread.sleep(5_000); // time for a wrong job to show: the walk at start takes milliseconds here
        String listing = awaitOk(() -> admin.get(INBOX + ".1.json")).text();
        for (int i = 0; i < 3; i++) {
            String image = INBOX + "/" + name + i + ".png";
            assertEquals(listing, 1, listing.split("\"" + name + i + ".inpainted-", -1).length - 1);
            assertEquals(1, jobs(image).size());
        }
        assertEquals(listing, 1, listing.split("\"" + name + "-done.inpainted-", -1).length - 1);
        assertTrue("a job for a pair with a rendition", jobs(INBOX + "/" + name + "-done.png").isEmpty());

        // a deleted rendition is made again by the next walk; the claim of a deleted image goes
        String first = awaitSucceeded(INBOX + "/" + name + "0.png").getResultMessage();
        assertEquals(200, admin.post(first, new Http.Form().field(":operation", "delete")).status);
        String gone = INBOX + "/" + name + "2";
        for (String file : new String[] {gone + ".png", gone + ".mask.png"}) {
            assertEquals(200, admin.post(file, new Http.Form().field(":operation", "delete")).status);
        }
        plugin.stop();
        plugin.start();
        long end = System.currentTimeMillis() + 180_000;
        String again = null;
        while (again == null && System.currentTimeMillis() < end) {
            String now = admin.get(INBOX + ".1.json").text();
            int start = now.indexOf("\"" + name + "0.inpainted-");
            again = start < 0 ? null : now.substring(start + 1, now.indexOf('"', start + 1));
            Thread.sleep(500);
        }
        assertTrue("the deleted rendition was not made again", again != null && !first.endsWith("/" + again));
        listing = admin.get(INBOX + ".1.json").text();
        assertEquals(listing, 1, listing.split("\"" + name + "0.inpainted-", -1).length - 1);
        String claims = admin.get("/var/inpaint/ingest" + INBOX + ".1.json").text();
        assertTrue(claims, claims.contains("\"" + name + "1.png\"") && !claims.contains("\"" + name + "2.png\""));
    }

    /** The image's ingestion jobs, waiting, running or finished. */
    private Collection<Job> jobs(String image) {
        Collection<Job> jobs = new ArrayList<>();
        for (JobManager.QueryType type : new JobManager.QueryType[] {JobManager.QueryType.ALL,
            JobManager.QueryType.HISTORY}) {
            jobs.addAll(jobManager.findJobs(type, IngestJob.TOPIC, 10, Map.of(IngestJob.IMAGE, image)));
        }
        return jobs;
    }

    private Job awaitSucceeded(String image) throws InterruptedException {
        long end = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < end) {
            for (Job job : jobManager.findJobs(JobManager.QueryType.HISTORY, IngestJob.TOPIC, 5,
                    Map.of(IngestJob.IMAGE, image))) {
                if (job.getJobState() == Job.JobState.SUCCEEDED) {
                    return job;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no finished ingestion job for " + image);
    }

    /**
     * A photo larger than the default max side, its hole painted white, then magenta, posted with default options:
     * the scaled fill shows no halo of the paint at the hole's edge, no magenta anywhere, and is the same for both.
     */
    @Test
    public void aLargePhotoShowsNothingOfWhatItsPaintedHoleHeld() throws Exception {
        awaitReady();
        Http admin = new Http("http://localhost:" + httpPort(), "admin", "admin");
        int[] hole = TestImages.LARGE_HOLE;
        byte[] mask = TestImages.encode(TestImages.mask(TestImages.WIDTH * TestImages.LARGE,
                TestImages.HEIGHT * TestImages.LARGE, hole), "png");
        int white = 0xffffff;
        int magenta = 0xff00ff;
        BufferedImage[] results = new BufferedImage[2];
        int[] paints = {white, magenta};
        for (int i = 0; i < 2; i++) {
            byte[] photo = TestImages.encode(TestImages.painted(TestImages.photo(TestImages.LARGE), hole, paints[i]),
                    "png");
            Http.Response ok = awaitOk(() -> admin.post("/bin/inpaint", new Http.Form()
                    .file("image", "photo.png", photo).file("mask", "mask.png", mask)));
            assertEquals(ok.toString(), 200, ok.status);
            results[i] = TestImages.decode(ok.body);
        }
        TestImages.assertNoHaloAtTheHoleEdge(results[0], hole, white, TestImages::luma);
        TestImages.assertNoHaloAtTheHoleEdge(results[1], hole, magenta, TestImages::magentaness);
        int w = results[1].getWidth();
        int[] magentaResult = results[1].getRGB(0, 0, w, results[1].getHeight(), null, 0, w);
        for (int p : magentaResult) {
            int dr = (p >> 16 & 0xff) - 255;
            int dg = p >> 8 & 0xff;
            int db = (p & 0xff) - 255;
            assertTrue("magenta in the result: " + Integer.toHexString(p), dr * dr + dg * dg + db * db > 64 * 64);
        }
        assertArrayEquals("the hole's paint changed the result",
                results[0].getRGB(0, 0, w, results[0].getHeight(), null, 0, w), magentaResult);
    }

    private static Http.Form photoAndMask() {
        return new Http.Form().file("image", "photo.png", TestImages.photoPng())
                .file("mask", "mask.png", TestImages.maskPng());
    }

    protected ServiceStatus awaitReady() throws InterruptedException {
        long end = System.currentTimeMillis() + 180_000;
        ServiceStatus status = service.status();
        while (status.getState() != ServiceStatus.State.READY && System.currentTimeMillis() < end) {
            Thread.sleep(500);
            status = service.status();
        }
        assertEquals(status.toString(), ServiceStatus.State.READY, status.getState());
        return status;
    }

    /**
     * Sling answers 404, 500 or 503 for a moment after our servlets register, while its resolver and authentication
     * settle: poll until the request succeeds.
     */
    protected static Http.Response awaitOk(Callable<Http.Response> request) throws Exception {
        long end = System.currentTimeMillis() + 120_000;
        Http.Response response;
        do {
            response = request.call();
            if (response.status == 200) {
                return response;
            }
            Thread.sleep(500);
        } while (System.currentTimeMillis() < end);
        return response;
    }
}
