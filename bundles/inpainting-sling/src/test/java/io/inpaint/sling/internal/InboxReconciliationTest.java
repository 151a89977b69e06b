package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.sling.api.resource.ModifiableValueMap;
import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceResolverFactory;
import org.apache.sling.api.resource.observation.ResourceChange;
import org.apache.sling.api.resource.observation.ResourceChange.ChangeType;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;
import org.apache.sling.testing.mock.osgi.MockOsgi;
import org.apache.sling.testing.mock.sling.ResourceResolverType;
import org.apache.sling.testing.mock.sling.junit5.SlingContext;
import org.apache.sling.testing.mock.sling.junit5.SlingContextExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.inpaint.api.ingest.IngestJob;

/**
 * Reconciliation of the inbox on an Oak repository in memory, with the job manager faked: pairs that arrived while
 * nothing listened get one job, pairs with a rendition or a waiting job get none, and the repository claim keeps
 * two instances (or the listener and a walk) from queueing one pair twice.
 */
@ExtendWith(SlingContextExtension.class)
class InboxReconciliationTest {

    private static final String INBOX = "/content/dam/inbox";

    private final SlingContext context = new SlingContext(ResourceResolverType.JCR_OAK);

    /** Jobs waiting or running, as the job manager's ALL query sees them. */
    private final List<Map<String, Object>> queued = new ArrayList<>();
    /** Called when an instance asks whether a job waits: lets a test interleave a second instance there. */
    private Runnable onFindJobs = () -> { };

    @BeforeEach
    void setUp() {
        context.registerService(JobManager.class, jobManager());
        context.create().resource(INBOX, "jcr:primaryType", "nt:folder");
    }

    @Test
    void pairsUploadedWhileNothingListenedGetOneJobEach() {
        // uploaded while the bundle was stopped: no change event was ever heard
        for (String name : new String[] {"a", "b", "c"}) {
            file(INBOX + "/" + name + ".jpg");
            file(INBOX + "/" + name + ".mask.png");
        }
        file(INBOX + "/lonely.jpg");
        file(INBOX + "/orphan.mask.png");
        context.create().resource(INBOX + "/sub", "jcr:primaryType", "nt:folder");
        file(INBOX + "/sub/d.png");
        file(INBOX + "/sub/d.mask.png");

        instance().run();
        assertEquals(List.of(INBOX + "/a.jpg|" + INBOX + "/a.mask.png", INBOX + "/b.jpg|" + INBOX + "/b.mask.png",
                INBOX + "/c.jpg|" + INBOX + "/c.mask.png", INBOX + "/sub/d.png|" + INBOX + "/sub/d.mask.png"),
                pairs());

        // the next period, and a restarted instance: the jobs are still queued, and claimed in the repository
        instance().run();
        queued.clear(); // once they ran, while their claims are fresh, they are not queued again
        instance().run();
        assertEquals(4, jobsAdded);
    }

    @Test
    void aPairWithARenditionOrAWaitingJobGetsNone() {
        file(INBOX + "/done.jpg");
        file(INBOX + "/done.mask.png");
        file(INBOX + "/done.inpainted-1732450000000.jpeg");
        file(INBOX + "/waiting.jpg");
        file(INBOX + "/waiting.mask.png");
        // queued before claims existed, or by the workflow step
        queued.add(Map.of(IngestJob.IMAGE, INBOX + "/waiting.jpg",
                IngestJob.MASK, INBOX + "/waiting.mask.png"));

        instance().run();
        assertEquals(0, jobsAdded);
    }

    @Test
    void twoInstancesReconcilingAtOnceQueueOneJob() {
        InboxListener first = instance();
        InboxListener second = instance();
        // the second instance walks the folder while the first is between its look and its claim: on another
        // thread, as in another JVM, or on the same one (where Oak refreshes a session once another one saved),
        // for a pair never claimed and for a new version of a claimed one
        String[] names = {"one", "two", "one", "two"};
        boolean[] otherThread = {true, false, false, true};
        for (int round = 0; round < names.length; round++) {
            String image = INBOX + "/" + names[round] + ".jpg";
            String mask = INBOX + "/" + names[round] + ".mask.png";
            if (round < 2) {
                file(image);
                file(mask);
            } else {
                touch(image);
            }
            boolean thread = otherThread[round];
            onFindJobs = () -> {
                onFindJobs = () -> { };
                Thread walk = new Thread(second);
                if (thread) {
                    walk.start();
                    join(walk);
                } else {
                    walk.run();
                }
            };
            first.run();
            assertEquals(List.of(image + "|" + mask), pairs(), "round " + round);
            queued.clear(); // the job ran
        }
    }

    @Test
    void claimsMadeInTheSameMillisecondStillConflict() throws Exception {
        file(INBOX + "/photo.jpg");
        file(INBOX + "/photo.mask.png");
        // two instances whose clocks read the same millisecond write the same version and time: Oak would merge
        // those identical claims without a conflict, and both would queue a job
        IngestQueue queue = new IngestQueue(context.getService(JobManager.class),
                Clock.fixed(Instant.now(), ZoneOffset.UTC));
        ResourceResolverFactory factory = context.getService(ResourceResolverFactory.class);
        try (ResourceResolver first = factory.getServiceResourceResolver(null);
                ResourceResolver second = factory.getServiceResourceResolver(null)) {
            onFindJobs = () -> {
                onFindJobs = () -> { };
                // the other instance claims and queues between this one's look and its claim
                Thread other = new Thread(() -> {
                    try {
                        enqueuePhoto(queue, second);
                    } catch (PersistenceException e) {
                        throw new IllegalStateException(e);
                    }
                });
                other.start();
                join(other);
            };
            assertThrows(PersistenceException.class, () -> enqueuePhoto(queue, first));
        }
        assertEquals(List.of(INBOX + "/photo.jpg|" + INBOX + "/photo.mask.png"), pairs());
    }

    private static boolean enqueuePhoto(IngestQueue queue, ResourceResolver resolver) throws PersistenceException {
        return queue.enqueue(resolver, StoredImage.of(resolver.getResource(INBOX + "/photo.jpg")),
                StoredImage.of(resolver.getResource(INBOX + "/photo.mask.png")));
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void touch(String file) {
        context.resourceResolver().getResource(file + "/jcr:content").adaptTo(ModifiableValueMap.class)
                .put("jcr:lastModified", later(5_000));
        commit();
    }

    @Test
    void changeEventsAndTheWalkShareTheClaim() {
        file(INBOX + "/photo.jpg");
        file(INBOX + "/photo.mask.png");
        InboxListener listener = instance();
        // one upload raises several events, for the file and below its jcr:content
        listener.onChange(List.of(new ResourceChange(ChangeType.ADDED, INBOX + "/photo.mask.png", false),
                new ResourceChange(ChangeType.CHANGED, INBOX + "/photo.mask.png/jcr:content", false),
                new ResourceChange(ChangeType.ADDED, INBOX + "/photo.jpg", false)));
        listener.run();
        assertEquals(1, jobsAdded);

        // replacing a file is a new version of the pair: one more job
        queued.clear();
        touch(INBOX + "/photo.mask.png");
        listener.onChange(List.of(new ResourceChange(ChangeType.CHANGED, INBOX + "/photo.mask.png", false)));
        listener.onChange(List.of(new ResourceChange(ChangeType.CHANGED, INBOX + "/photo.mask.png", false)));
        assertEquals(2, jobsAdded);
    }

    @Test
    void aClaimLeftWithoutAJobIsTakenOverOnceAbandoned() throws Exception {
        file(INBOX + "/photo.jpg");
        file(INBOX + "/photo.mask.png");
        // an instance that died between its claim and its job: the job manager refused, here
        assertEquals(false,
                enqueuePhoto(new IngestQueue(refusingJobManager(), Clock.systemUTC()), context.resourceResolver()));
        instance().run();
        assertEquals(0, jobsAdded, "a fresh claim may still get its job from the instance that made it");

        age(INBOX + "/photo.jpg");
        instance().run();
        assertEquals(1, jobsAdded);
    }

    @Test
    void aDeletedRenditionIsMadeAgainAndBadInputIsNot() throws Exception {
        for (String name : new String[] {"kept", "deleted", "refused", "lost"}) {
            file(INBOX + "/" + name + ".jpg");
            file(INBOX + "/" + name + ".mask.png");
        }
        instance().run();
        assertEquals(4, jobsAdded);
        queued.clear();
        // what the jobs did (IngestJobExecutorTest: the executor records it): two wrote a rendition, one was
        // cancelled for bad input, and one gave up after its retries, or was removed, leaving no outcome
        ResourceResolver resolver = context.resourceResolver();
        for (String name : new String[] {"kept", "deleted"}) {
            file(INBOX + "/" + name + ".inpainted-1732450000000.jpeg");
            IngestQueue.settle(resolver, INBOX + "/" + name + ".jpg", jobOf(name), true);
        }
        IngestQueue.settle(resolver, INBOX + "/refused.jpg", jobOf("refused"), false);
        commit();
        resolver.delete(resolver.getResource(INBOX + "/deleted.inpainted-1732450000000.jpeg"));
        commit();

        instance().run();
        assertEquals(List.of(INBOX + "/deleted.jpg|" + INBOX + "/deleted.mask.png"), pairs());
        // the lost job's pair once its claim is older than a job takes to be added
        queued.clear();
        age(INBOX + "/lost.jpg");
        age(INBOX + "/refused.jpg");
        instance().run();
        assertEquals(List.of(INBOX + "/lost.jpg|" + INBOX + "/lost.mask.png"), pairs());
        // the listener keeps to the same rule: a change event on a done pair queues nothing
        queued.clear();
        instance().onChange(List.of(new ResourceChange(ChangeType.CHANGED, INBOX + "/kept.jpg/jcr:content", false),
                new ResourceChange(ChangeType.CHANGED, INBOX + "/refused.jpg", false)));
        assertEquals(List.of(), pairs());
        assertEquals(6, jobsAdded);
    }

    @Test
    void aFileReplacedWhileItsJobWaitedIsQueuedOnceThatJobIsDone() throws Exception {
        file(INBOX + "/photo.jpg");
        file(INBOX + "/photo.mask.png");
        InboxListener listener = instance();
        listener.run();
        // replaced while the first job waits: the same image is never processed twice at once
        touch(INBOX + "/photo.jpg");
        listener.onChange(List.of(new ResourceChange(ChangeType.CHANGED, INBOX + "/photo.jpg", false)));
        assertEquals(1, jobsAdded);
        // the first job wrote the rendition of the old version and ended
        file(INBOX + "/photo.inpainted-1732450000000.jpeg");
        IngestQueue.settle(context.resourceResolver(), INBOX + "/photo.jpg", jobOf("photo"), true);
        commit();
        queued.clear();
        listener.run();
        assertEquals(List.of(INBOX + "/photo.jpg|" + INBOX + "/photo.mask.png"), pairs());
        // and its rendition, written after the new version, ends it
        queued.clear();
        file(INBOX + "/photo.inpainted-1732450009000.jpeg");
        context.resourceResolver().getResource(INBOX + "/photo.inpainted-1732450009000.jpeg/jcr:content")
                .adaptTo(ModifiableValueMap.class).put("jcr:lastModified", later(10_000));
        commit();
        age(INBOX + "/photo.jpg"); // the rendition alone keeps it from a third job
        listener.run();
        assertEquals(2, jobsAdded);
    }

    @Test
    void claimsOfImagesThatAreGoneAreRemoved() throws Exception {
        context.create().resource(INBOX + "/sub", "jcr:primaryType", "nt:folder");
        for (String name : new String[] {"/gone", "/busy", "/sub/gone", "/kept"}) {
            file(INBOX + name + ".jpg");
            file(INBOX + name + ".mask.png");
        }
        instance().run();
        assertEquals(4, jobsAdded);
        // the jobs of all but "busy" ran; then three images were deleted (one of them while its job still waits)
        queued.removeIf(job -> !job.get(IngestJob.IMAGE).equals(INBOX + "/busy.jpg"));
        ResourceResolver resolver = context.resourceResolver();
        for (String name : new String[] {"/gone", "/busy", "/sub/gone"}) {
            resolver.delete(resolver.getResource(INBOX + name + ".jpg"));
        }
        commit();

        instance().run();
        resolver.refresh();
        assertEquals(List.of(IngestQueue.CLAIMS + INBOX + "/busy.jpg", IngestQueue.CLAIMS + INBOX + "/kept.jpg"),
                claims(resolver.getResource(IngestQueue.CLAIMS), new ArrayList<>()));
        assertEquals(null, resolver.getResource(IngestQueue.CLAIMS + INBOX + "/sub"), "emptied folders go too");
        assertEquals(4, jobsAdded);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The claim nodes (those with a version) below {@code node}, in document order. */
    private static List<String> claims(Resource node, List<String> into) {
        for (Resource child : node.getChildren()) {
            if (child.getValueMap().containsKey("version")) {
                into.add(child.getPath());
            }
            claims(child, into);
        }
        return into;
    }

    private String jobOf(String name) {
        return context.resourceResolver().getResource(IngestQueue.CLAIMS + INBOX + "/" + name + ".jpg")
                .getValueMap().get("job", String.class);
    }

    private void age(String image) {
        context.resourceResolver().getResource(IngestQueue.CLAIMS + image).adaptTo(ModifiableValueMap.class)
                .put("claimed", later(-IngestQueue.CLAIM_TIMEOUT_MS - 1000));
        commit();
    }


    private int jobsAdded;

    /**
     * An instance's trigger; each walk logs in on its own, as the ingestion service user would. Not registered as a
     * service: Oak's observation would then also call it, on a thread of its own, for every commit a test makes, and
     * race the interleavings the tests set up (it made them flaky).
     */
    private InboxListener instance() {
        InboxListener listener = new InboxListener();
        Map<String, Object> config = Map.of("resource.paths", new String[] {INBOX});
        MockOsgi.injectServices(listener, context.bundleContext(), config);
        MockOsgi.activate(listener, context.bundleContext(), config);
        return listener;
    }

    private List<String> pairs() {
        return queued.stream()
                .map(job -> job.get(IngestJob.IMAGE) + "|" + job.get(IngestJob.MASK))
                .sorted().collect(Collectors.toList());
    }

    private void file(String path) {
        context.load().binaryFile(new ByteArrayInputStream(new byte[] {1, 2, 3}), path, "application/octet-stream");
        commit();
    }

    private void commit() {
        try {
            context.resourceResolver().commit();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Calendar later(long millis) {
        Calendar c = Calendar.getInstance();
        c.setTimeInMillis(System.currentTimeMillis() + millis);
        return c;
    }

    private JobManager jobManager() {
        return proxy(JobManager.class, (p, m, a) -> {
            switch (m.getName()) {
                case "findJobs":
                    assertEquals(JobManager.QueryType.ALL, a[0]);
                    assertEquals(IngestJob.TOPIC, a[1]);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> template = ((Map<String, Object>[]) a[3])[0];
                    Collection<Job> found = new ArrayList<>();
                    for (Map<String, Object> job : queued) {
                        if (job.entrySet().containsAll(template.entrySet())) {
                            found.add(job(job));
                        }
                    }
                    onFindJobs.run(); // after the look, before the caller acts on it
                    return found;
                case "addJob":
                    assertEquals(IngestJob.TOPIC, a[0]);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> properties = (Map<String, Object>) a[1];
                    queued.add(properties);
                    jobsAdded++;
                    return job(properties);
                default:
                    throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    private static JobManager refusingJobManager() {
        return proxy(JobManager.class, (p, m, a) -> m.getName().equals("findJobs") ? List.of() : null);
    }

    private Job job(Map<String, Object> properties) {
        String id = "job-" + System.identityHashCode(properties);
        return proxy(Job.class, (p, m, a) -> {
            if (m.getName().equals("getId")) {
                return id;
            }
            if (m.getName().equals("getProperty")) {
                return properties.get(a[0]);
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }

    /** A fake of {@code type}; as a service it also needs the identity methods. */
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            switch (m.getName()) {
                case "hashCode":
                    return System.identityHashCode(p);
                case "equals":
                    return p == a[0];
                case "toString":
                    return "fake " + type.getSimpleName();
                default:
                    return handler.invoke(p, m, a);
            }
        }));
    }
}
