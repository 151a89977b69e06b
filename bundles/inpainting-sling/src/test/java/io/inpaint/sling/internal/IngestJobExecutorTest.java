package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import javax.imageio.ImageIO;

import org.apache.sling.api.resource.LoginException;
import org.apache.sling.api.resource.PersistenceException;
import org.apache.sling.api.resource.Resource;
import org.apache.sling.api.resource.ResourceResolver;
import org.apache.sling.api.resource.ResourceResolverFactory;
import org.apache.sling.api.resource.SyntheticResource;
import org.apache.sling.api.resource.ValueMap;
import org.apache.sling.api.wrappers.ValueMapDecorator;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.consumer.JobExecutionContext;
import org.apache.sling.event.jobs.consumer.JobExecutionResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.inpaint.api.AssetInpaintingResult;
import io.inpaint.api.AssetSource;
import io.inpaint.api.AssetTarget;
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

class IngestJobExecutorTest {

    // The retry contract with the queue in features/.../inpainting.json (3 retries): a failed attempt is retried,
    // a cancelled job never is. Driven through hand-written fakes of the job, the resolver and the model.

    private static final String IMAGE = "/content/dam/inbox/photo.png";
    private static final String MASK = "/content/dam/inbox/photo.mask.png";
    private static final String RENDITION = "/content/dam/inbox/photo.clean.png";

    private Repository repo;
    private Model model;
    private LoginException loginFailure;

    @BeforeEach
    void setUp() {
        repo = new Repository();
        repo.saved.put("/content/dam/inbox", new HashMap<>(Map.of("jcr:primaryType", "sling:Folder")));
        repo.file(IMAGE, png(8, 8));
        repo.file(MASK, png(8, 8));
        model = new Model();
        loginFailure = null;
    }

    @Test
    void successWritesAndCommitsTheRendition() throws IOException {
        Outcome outcome = run(Map.of("image", IMAGE, "mask", MASK, "rendition", "clean"));
        assertEquals("succeeded", outcome.state, outcome.message);
        assertEquals(RENDITION, outcome.message);
        assertEquals("nt:file", repo.saved.get(RENDITION).get("jcr:primaryType"));
        byte[] stored = ((InputStream) repo.saved.get(RENDITION + "/jcr:content").get("jcr:data")).readAllBytes();
        assertArrayEquals(png(8, 8), stored);
        assertTrue(repo.closed);
    }

    @Test
    void aRetryAfterTheRenditionWasCommittedWritesNoSecondOne() {
        // the instance died after the commit, before the job was marked done: the queue runs it again
        String earlier = "/content/dam/inbox/photo.inpainted-1.png";
        repo.file(earlier, png(8, 8));
        repo.saved.put(earlier + "/jcr:content", new HashMap<>(Map.of("jcr:primaryType", "nt:resource",
                "jcr:lastModified", Calendar.getInstance())));
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
    void transientModelFailuresFailTheAttemptSoTheQueueRetries() throws IOException {
        for (InpaintingException failure : new InpaintingException[] {
            new ServiceBusyException("the queue is full", 2), new RequestTimeoutException("waited 60 s"),
            new ModelUnavailableException("no model is loaded"), new InpaintingException("the model failed")}) {
            setUp();
            model.failure = failure;
            assertFailedWithNothingWritten(run(Map.of("image", IMAGE, "mask", MASK)), failure.getMessage());
        }
    }

    @Test
    void repositoryFailuresFailTheAttemptSoTheQueueRetries() throws IOException {
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
    void badInputIsCancelledWithNothingWritten() throws IOException {
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
        assertEquals(Set.of("/content/dam/inbox", IMAGE, MASK), repo.saved.keySet());
        assertEquals(0, repo.commits);
        assertTrue(repo.closed || loginFailure != null, "the resolver is closed");
    }

    private Outcome run(Map<String, Object> properties) {
        IngestJobExecutor executor = new IngestJobExecutor();
        InpaintSupport support = new InpaintSupport();
        // the limits' defaults, as DS hands them over without a configuration
        support.activate(proxy(InpaintSupport.Config.class, (p, m, a) -> m.getDefaultValue()));
        inject(support, "service", model);
        inject(executor, "support", support);
        inject(executor, "resolverFactory", proxy(ResourceResolverFactory.class, (p, m, a) -> {
            assertEquals("getServiceResourceResolver", m.getName());
            assertEquals(Map.of(ResourceResolverFactory.SUBSERVICE, "ingest"), a[0]);
            if (loginFailure != null) {
                throw loginFailure;
            }
            repo.closed = false;
            return repo.resolver;
        }));
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
        JobExecutionContext context = proxy(JobExecutionContext.class, (p, m, a) -> {
            assertEquals("result", m.getName());
            return proxy(JobExecutionContext.ResultBuilder.class, (builder, n, b) -> {
                if (n.getName().equals("message")) {
                    message[0] = (String) b[0];
                    return builder;
                }
                return new Outcome(n.getName(), message[0]);
            });
        });
        return (Outcome) executor.process(job, context);
    }

    private static void inject(Object component, String field, Object value) {
        try {
            Field f = component.getClass().getDeclaredField(field);
            f.setAccessible(true);
            f.set(component, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
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

    private static final class Outcome implements JobExecutionResult {
        final String state;
        final String message;

        Outcome(String state, String message) {
            this.state = state;
            this.message = message;
        }

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

    /** Stores what it is given, as the model service does: through the target, a failed write wrapped. */
    private static final class Model implements InpaintingService {
        InpaintingException failure;

        @Override
        public InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AssetInpaintingResult inpaintAsset(AssetSource source, AssetTarget target, String name,
                InpaintingOptions options) throws InpaintingException {
            if (failure != null) {
                throw failure;
            }
            try (InputStream in = source.openOriginal()) {
                byte[] image = in.readAllBytes();
                String location = target.writeRendition(name, "image/png", image);
                return new AssetInpaintingResult(location, name,
                        new InpaintingResult(image, "image/png", 8, 8, 1, 1, 1, null));
            } catch (IOException e) {
                throw new InpaintingException("cannot store rendition " + name + ": " + e.getMessage(), e);
            }
        }

        @Override
        public ImageInfo check(byte[] data, String what) {
            return new ImageInfo("image/png", 8, 8);
        }

        @Override
        public ServiceStatus status() {
            throw new UnsupportedOperationException();
        }
    }

    /** Files behind one resolver; as in a JCR session, changes stay pending until commit and go on close. */
    private static final class Repository implements InvocationHandler {
        final Map<String, Map<String, Object>> saved = new TreeMap<>();
        final Map<String, Map<String, Object>> pending = new TreeMap<>();
        final ResourceResolver resolver = proxy(ResourceResolver.class, this);
        PersistenceException failOnCreate;
        PersistenceException failOnCommit;
        IOException failOnRead;
        int commits;
        boolean closed;

        void file(String path, byte[] data) {
            saved.put(path, new HashMap<>(Map.of("jcr:primaryType", "nt:file", "data", data)));
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] a) throws Throwable {
            switch (m.getName()) {
                case "getResource":
                    return resource((String) a[0]);
                case "create":
                    if (failOnCreate != null) {
                        throw failOnCreate;
                    }
                    String path = ((Resource) a[0]).getPath() + "/" + a[1];
                    @SuppressWarnings("unchecked")
                    Map<String, Object> properties = new HashMap<>((Map<String, Object>) a[2]);
                    pending.put(path, properties);
                    return resource(path);
                case "commit":
                    if (failOnCommit != null) {
                        throw failOnCommit;
                    }
                    saved.putAll(pending);
                    pending.clear();
                    commits++;
                    return null;
                case "listChildren":
                case "getChildren":
                    String parent = ((Resource) a[0]).getPath() + "/";
                    List<Resource> children = new ArrayList<>();
                    for (String key : all().keySet()) {
                        if (key.startsWith(parent) && key.indexOf('/', parent.length()) < 0) {
                            children.add(resource(key));
                        }
                    }
                    return m.getName().equals("getChildren") ? children : children.iterator();
                case "close":
                    pending.clear();
                    closed = true;
                    return null;
                default:
                    throw new UnsupportedOperationException(m.getName());
            }
        }

        private Map<String, Map<String, Object>> all() {
            Map<String, Map<String, Object>> all = new TreeMap<>(saved);
            all.putAll(pending);
            return all;
        }

        private Resource resource(String path) {
            Objects.requireNonNull(path, "path"); // as Sling's resolver fails on it, rather than finding nothing
            Map<String, Object> properties = pending.containsKey(path) ? pending.get(path) : saved.get(path);
            return properties == null ? null : new Node(path, properties);
        }

        private final class Node extends SyntheticResource {
            private final Map<String, Object> properties;

            Node(String path, Map<String, Object> properties) {
                super(resolver, path, (String) properties.get("jcr:primaryType"));
                this.properties = properties;
            }

            @Override
            public boolean isResourceType(String type) {
                return type.equals(getResourceType());
            }

            @Override
            public Resource getChild(String name) {
                return resource(getPath() + "/" + name);
            }

            @Override
            public Resource getParent() {
                return resource(getPath().substring(0, getPath().lastIndexOf('/')));
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T adaptTo(Class<T> type) {
                if (type == ValueMap.class) {
                    return (T) new ValueMapDecorator(properties);
                }
                byte[] data = (byte[]) properties.get("data");
                if (type != InputStream.class || data == null) {
                    return null;
                }
                return (T) (failOnRead == null ? new ByteArrayInputStream(data) : new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw failOnRead;
                    }
                });
            }
        }
    }
}
