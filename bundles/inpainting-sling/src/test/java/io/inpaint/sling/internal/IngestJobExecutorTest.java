package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.apache.sling.api.resource.LoginException;
import org.apache.sling.api.resource.ModifiableValueMap;
import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceResolverFactory;
import org.apache.sling.api.resource.ResourceWrapper;
import org.apache.sling.api.wrappers.ResourceResolverWrapper;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.consumer.JobExecutionContext;
import org.apache.sling.event.jobs.consumer.JobExecutionResult;
import org.apache.sling.testing.mock.sling.ResourceResolverType;
import org.apache.sling.testing.mock.sling.junit5.SlingContext;
import org.apache.sling.testing.mock.sling.junit5.SlingContextExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.inpaint.api.Admission;
import io.inpaint.api.ImageInfo;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InputTooLargeException;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;
import io.inpaint.api.ServiceBusyException;
import io.inpaint.api.ServiceStatus;

/**
 * The retry contract with the queue in features/.../inpainting.json (3 retries): a failed attempt is retried, a
 * cancelled job never is. The executor runs as a DS component on sling-mock's resource resolver (changes stay
 * pending until commit and go on close); the model is a fake, and failures are injected by wrapping the service
 * user's resolver.
 */
@ExtendWith(SlingContextExtension.class)
class IngestJobExecutorTest {

    private static final String IMAGE = "/content/dam/inbox/photo.png";
    private static final String MASK = "/content/dam/inbox/photo.mask.png";
    private static final String RENDITION = "/content/dam/inbox/photo.clean.png";

    private final SlingContext context = new SlingContext(ResourceResolverType.RESOURCERESOLVER_MOCK);

    private final Repository repo = new Repository();
    private final Model model = new Model();
    private LoginException loginFailure;
    private IngestJobExecutor executor;
    private List<String> files;

    @BeforeEach
    void setUp() throws Exception {
        // a fresh repository each time (a test may call this again for its next case)
        Resource content = context.resourceResolver().getResource("/content");
        if (content != null) {
            context.resourceResolver().delete(content);
        }
        context.create().resource("/content/dam/inbox", "jcr:primaryType", "sling:Folder");
        file(IMAGE, png(8, 8));
        file(MASK, png(8, 8));
        context.resourceResolver().commit();
        files = paths();
        repo.failOnCreate = null;
        repo.failOnCommit = null;
        repo.failOnRead = null;
        repo.commits = 0;
        repo.closed = false;
        model.failure = null;
        loginFailure = null;
        if (executor == null) {
            context.registerService(InpaintingService.class, model);
            context.registerInjectActivateService(RequestReader.class);
            // ranked above sling-mock's own: hands out the wrapped service resolvers
            context.registerService(ResourceResolverFactory.class, repo.factory(), "service.ranking", 100);
            executor = context.registerInjectActivateService(IngestJobExecutor.class);
        }
    }

    @Test
    void successWritesAndCommitsTheRendition() throws Exception {
        Outcome outcome = run(Map.of("image", IMAGE, "mask", MASK, "rendition", "clean"));
        assertEquals("succeeded", outcome.state, outcome.message);
        assertEquals(RENDITION, outcome.message);
        Resource written = context.resourceResolver().getResource(RENDITION);
        assertEquals("nt:file", written.getValueMap().get("jcr:primaryType", String.class));
        try (InputStream in = written.adaptTo(InputStream.class)) {
            assertArrayEquals(png(8, 8), in.readAllBytes());
        }
        assertEquals(1, repo.commits);
        assertTrue(repo.closed);
    }

    @Test
    void aRetryAfterTheRenditionWasCommittedWritesNoSecondOne() throws Exception {
        // the instance died after the commit, before the job was marked done: the queue runs it again
        String earlier = "/content/dam/inbox/photo.inpainted-1.png";
        file(earlier, png(8, 8));
        model.failure = new InpaintingException("the model must not be asked again");
        Outcome outcome = run(Map.of("image", IMAGE, "mask", MASK));
        assertEquals("succeeded", outcome.state, outcome.message);
        assertEquals(earlier, outcome.message);
        assertEquals(0, repo.commits);

        // a named rendition is the caller's choice (the workflow step replaces it each run): always written
        model.failure = null;
        assertEquals("succeeded", run(Map.of("image", IMAGE, "mask", MASK, "rendition", "clean")).state);
        assertEquals(1, repo.commits);
    }

    @Test
    void transientModelFailuresFailTheAttemptSoTheQueueRetries() throws Exception {
        for (InpaintingException failure : new InpaintingException[] {
            new ServiceBusyException("the queue is full", 2), new RequestTimeoutException("waited 60 s"),
            new ModelUnavailableException("no model is loaded"), new InpaintingException("the model failed")}) {
            setUp();
            model.failure = failure;
            assertFailedWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), failure.getMessage());
        }
    }

    @Test
    void repositoryFailuresFailTheAttemptSoTheQueueRetries() throws Exception {
        repo.failOnCreate = new PersistenceException("cannot add a node");
        assertFailedWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), "cannot add a node");

        setUp();
        repo.failOnCommit = new PersistenceException("the save failed");
        assertFailedWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), "the save failed");

        setUp();
        repo.failOnRead = new IOException("the blob store is unreachable");
        assertFailedWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), "the blob store is unreachable");

        setUp();
        // the service user's mapping may not be active yet while the instance starts
        loginFailure = new LoginException("no service user mapped");
        assertFailedWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), "no service user mapped");
    }

    @Test
    void badInputIsCancelledWithNothingWritten() throws Exception {
        model.failure = new InvalidRequestException("the mask marks no hole");
        assertCancelledWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), "the mask marks no hole");

        setUp();
        assertCancelledWithNothingWritten(run(Map.of("image", "/content/dam/inbox/gone.png", "mask", MASK)),
                "/content/dam/inbox/gone.png is gone");
        assertCancelledWithNothingWritten(run(Map.of("image", IMAGE, "mask", "/content/dam/inbox/gone.mask.png")),
                "/content/dam/inbox/gone.mask.png is gone");
        assertCancelledWithNothingWritten(run(Map.of("image", IMAGE)), "no mask");
        assertCancelledWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK, "rendition", "../original")),
                "'../original' is not a plain node name");
        assertCancelledWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK, "dilate", "big")),
                "dilate must be a whole number");

        // the service's refusals of the pictures themselves (ModelServiceImplTest and ImageCheckTest say which)
        for (InpaintingException refusal : new InpaintingException[] {
            new InvalidRequestException("the mask is 4x4 but the image is 8x8; they must have the same size"),
            new InputTooLargeException("the image is 50000x50000 pixels by its header")}) {
            setUp();
            model.failure = refusal;
            assertCancelledWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), refusal.getMessage());
        }
    }

    @Test
    void theOutcomeIsRecordedInThePairsClaim() throws Exception {
        claim("job-1");
        assertEquals("succeeded", run(Map.of("image", IMAGE, "mask", MASK)).state);
        assertEquals("succeeded", claimOutcome());
        assertEquals(1, repo.commits, "the rendition and the outcome are saved together");

        setUp();
        claim("job-1");
        model.failure = new InvalidRequestException("the mask marks no hole");
        assertEquals("cancelled", run(Map.of("image", IMAGE, "mask", MASK)).state);
        assertEquals("cancelled", claimOutcome());
        assertEquals(files, paths());

        // a job the claim does not name (a newer version's claim, or the workflow step's job) leaves it alone
        setUp();
        claim("job-2");
        assertEquals("succeeded", run(Map.of("image", IMAGE, "mask", MASK)).state);
        assertEquals(null, claimOutcome());
    }

    /** The inbox trigger's claim of the pair, naming the job that was queued for it. */
    private void claim(String job) throws PersistenceException {
        Resource old = context.resourceResolver().getResource(IngestQueue.CLAIMS + IMAGE);
        if (old != null) {
            context.resourceResolver().delete(old);
        }
        context.create().resource(IngestQueue.CLAIMS + IMAGE, "version", "v1", "job", job);
        context.resourceResolver().commit();
    }

    private String claimOutcome() {
        context.resourceResolver().refresh();
        return context.resourceResolver().getResource(IngestQueue.CLAIMS + IMAGE).getValueMap()
                .get("outcome", String.class);
    }

    private void assertFailedWithNothingWritten(Outcome outcome, String why) {
        assertEquals("failed", outcome.state, outcome.message);
        assertNothingWritten(outcome, why);
    }

    private void assertCancelledWithNothingWritten(Outcome outcome, String why) {
        assertEquals("cancelled", outcome.state, outcome.message);
        assertNothingWritten(outcome, why);
    }

    private void assertNothingWritten(Outcome outcome, String why) {
        assertTrue(outcome.message.contains(why), outcome.message);
        assertEquals(files, paths());
        assertEquals(0, repo.commits);
        assertTrue(repo.closed || loginFailure != null, "the resolver is closed");
    }

    /** An nt:file as uploads are stored, written now. */
    private void file(String path, byte[] data) throws PersistenceException {
        context.load().binaryFile(new ByteArrayInputStream(data), path, "image/png");
        Resource content = context.resourceResolver().getResource(path + "/jcr:content");
        content.adaptTo(ModifiableValueMap.class).put("jcr:lastModified", Calendar.getInstance());
        context.resourceResolver().commit();
    }

    /** Everything saved below the inbox. */
    private List<String> paths() {
        List<String> paths = new ArrayList<>();
        for (Resource child : context.resourceResolver().getResource("/content/dam/inbox").getChildren()) {
            paths.add(child.getPath());
        }
        return paths;
    }

    private Outcome run(Map<String, Object> properties) {
        Job job = proxy(Job.class, (p, m, a) -> {
            switch (m.getName()) {
                case "getId":
                    return "job-1";
                case "getRetryCount":
                    return 0;
                case "getPropertyNames":
                    return properties.keySet();
                case "getProperty":
                    return a.length == 1 ? properties.get(a[0]) : ((Class<?>) a[1]).cast(properties.get(a[0]));
                default:
                    throw new UnsupportedOperationException(m.getName());
            }
        });
        String[] message = new String[1];
        JobExecutionContext jobContext = proxy(JobExecutionContext.class, (p, m, a) ->
                proxy(JobExecutionContext.ResultBuilder.class, (builder, n, b) -> {
                    if (n.getName().equals("message")) {
                        message[0] = (String) b[0];
                        return builder;
                    }
                    return new Outcome(n.getName(), message[0]);
                }));
        return (Outcome) executor.process(job, jobContext);
    }

    private static <T> T proxy(Class<T> type, java.lang.reflect.InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static byte[] png(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private record Outcome(String state, String message) implements JobExecutionResult {
        @Override
        public boolean succeeded() {
            return state.equals("succeeded");
        }

        @Override
        public boolean cancelled() {
            return state.equals("cancelled");
        }

        @Override
        public boolean failed() {
            return state.equals("failed");
        }

        @Override
        public String getMessage() {
            return message;
        }

        @Override
        public Long getRetryDelayInMs() {
            return null;
        }
    }

    /** Answers the image it is given as the filled picture, or fails as told. */
    private static final class Model implements InpaintingService {
        InpaintingException failure;

        @Override
        public InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options)
                throws InpaintingException {
            if (failure != null) {
                throw failure;
            }
            return new InpaintingResult(image, "image/png", 8, 8, 1, 1, 1, null);
        }

        @Override
        public ImageInfo check(byte[] data, String what) {
            return new ImageInfo("image/png", 8, 8);
        }

        @Override
        public Admission admit() {
            throw new UnsupportedOperationException("the executor does not ask: inpaint admits itself");
        }

        @Override
        public ServiceStatus status() {
            throw new UnsupportedOperationException();
        }
    }

    /** The service user's resolvers, each a wrapper of a fresh sling-mock resolver that can be made to fail. */
    private final class Repository {
        PersistenceException failOnCreate;
        PersistenceException failOnCommit;
        IOException failOnRead;
        int commits;
        boolean closed;

        ResourceResolverFactory factory() {
            ResourceResolverFactory real = context.getService(ResourceResolverFactory.class);
            return proxy(ResourceResolverFactory.class, (p, m, a) -> {
                if (m.getDeclaringClass() == Object.class) {
                    // the service registry's own use: hashCode, equals, toString
                    return m.getName().equals("equals") ? p == a[0]
                            : m.getName().equals("hashCode") ? System.identityHashCode(p) : "service-user factory";
                }
                assertEquals("getServiceResourceResolver", m.getName());
                assertEquals(Map.of(ResourceResolverFactory.SUBSERVICE, "ingest"), a[0]);
                if (loginFailure != null) {
                    throw loginFailure;
                }
                closed = false;
                return new Failing(real.getServiceResourceResolver(null));
            });
        }

        private final class Failing extends ResourceResolverWrapper {
            Failing(ResourceResolver resolver) {
                super(resolver);
            }

            @Override
            public Resource getResource(String path) {
                Resource resource = super.getResource(path);
                return resource == null || failOnRead == null ? resource : new ResourceWrapper(resource) {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T adaptTo(Class<T> type) {
                        return type != InputStream.class ? super.adaptTo(type) : (T) new InputStream() {
                            @Override
                            public int read() throws IOException {
                                throw failOnRead;
                            }
                        };
                    }
                };
            }

            @Override
            public Resource create(Resource parent, String name, Map<String, Object> properties)
                    throws PersistenceException {
                if (failOnCreate != null) {
                    throw failOnCreate;
                }
                return super.create(parent, name, properties);
            }

            @Override
            public void commit() throws PersistenceException {
                if (failOnCommit != null) {
                    throw failOnCommit;
                }
                super.commit();
                commits++;
            }

            @Override
            public void close() {
                super.close();
                closed = true;
            }
        }
    }
}
