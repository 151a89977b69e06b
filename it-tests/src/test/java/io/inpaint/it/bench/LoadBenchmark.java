package io.inpaint.it.bench;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

/**
 * Load run against a launched Sling with the plugin: N clients post a 512x512 photo-like JPEG with a 128x128 hole to
 * {@code /bin/inpaint} in a loop for a fixed time, while the Sling JVM's resident memory is sampled once a second.
 * Prints throughput, latencies of the 200s, how quick the 503 "busy" answers were, and memory at start and end.
 *
 * <p>Not a test (no surefire/failsafe name pattern matches it); {@code ./sling bench} runs it with the JDK's
 * source launcher, so it depends on the JDK alone. Only talks to the given (loopback) URL.
 *
 * <pre>
 * java LoadBenchmark.java --pid PID [--url http://localhost:8080] [--user admin:admin] [--clients 8]
 *      [--seconds 60] [--client-timeout 180]
 * </pre>
 */
public final class LoadBenchmark {

    private static final int SIDE = 512;
    private static final int HOLE = 128;
    private static final String BOUNDARY = "----inpaint-load-benchmark";
    private static final long MIB = 1024 * 1024;

    /** A 503 slower than this is listed with its start: the busy answer should be quicker than that. */
    private static final long SLOW_BUSY_MILLIS = 50;

    /**
     * One answered (or failed) request; status -1 is a client-side failure (timeout, connection). {@code startMillis}:
     * when it was sent, from the start of the run; {@code headersMillis}: when the answer's headers had arrived
     * (-1 without an answer), so that a slow answer can be told from a slow read of its body.
     */
    record Sample(int status, long startMillis, long millis, long headersMillis, long retryAfterSeconds,
            String failure) {
    }

    private final String url;
    private final String authorization;
    private final int clients;
    private final int seconds;
    private final Duration clientTimeout;
    private final long pid;
    private final HttpClient http;
    private final byte[] body;
    /** Start of the timed run, for the samples' start times. */
    private volatile long runStart = System.nanoTime();

    private LoadBenchmark(String url, String user, int clients, int seconds, int clientTimeoutSeconds, long pid) {
        this.url = url;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
        this.clients = clients;
        this.seconds = seconds;
        this.clientTimeout = Duration.ofSeconds(clientTimeoutSeconds);
        this.pid = pid;
        // HTTP/1.1: plain-http HTTP/2 upgrade attempts would only add noise
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.body = multipart(encode(photo(), "jpeg"), encode(mask(), "png"));
    }

    public static void main(String[] args) throws Exception {
        String url = "http://localhost:8080";
        String user = "admin:admin";
        int clients = 8;
        int seconds = 60;
        int clientTimeout = 180;
        long pid = -1;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> url = value;
                case "--user" -> user = value;
                case "--clients" -> clients = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--client-timeout" -> clientTimeout = Integer.parseInt(value);
                case "--pid" -> pid = Long.parseLong(value);
                default -> {
                    System.err.println("usage: LoadBenchmark --pid PID [--url U] [--user u:p] [--clients N]"
                            + " [--seconds S] [--client-timeout S]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (pid < 1 || clients < 1 || seconds < 1 || clientTimeout < 1) {
            System.err.println("LoadBenchmark: --pid, --clients, --seconds and --client-timeout must be positive");
            System.exit(2);
        }
        new LoadBenchmark(url, user, clients, seconds, clientTimeout, pid).run();
    }

    private void run() throws Exception {
        // the first inference pays for the engine's lazy set-up; it is not part of the load
        Sample warmUp = post();
        System.out.printf(Locale.ROOT, "warm-up request: %d in %d ms%n", warmUp.status(), warmUp.millis());
        if (warmUp.status() != 200) {
            throw new IllegalStateException("warm-up request failed: " + warmUp);
        }
        String statusBefore = get("/bin/inpaint.status.json");
        long heapStart = heapAfterGc();
        long rssStart = memoryKib("VmRSS");
        AtomicLong rssPeak = new AtomicLong(rssStart);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> rssPeak.accumulateAndGet(memoryKib("VmRSS"), Math::max),
                1, 1, TimeUnit.SECONDS);

        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        runStart = start;
        // the wall clock of the samples' start times, to line them up with the server's logs
        System.out.printf(Locale.ROOT, "run started %s%n", Instant.now());
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> client(deadline, samples), "load-client-" + c);
            t.start();
            threads.add(t);
        }
        // no request starts after the deadline; those under way finish, each within the client timeout
        long joinBy = deadline + clientTimeout.toNanos() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime())));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        sampler.shutdown();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        long rssEnd = memoryKib("VmRSS");
        rssPeak.accumulateAndGet(rssEnd, Math::max);
        long heapEnd = heapAfterGc();
        String statusAfter = get("/bin/inpaint.status.json");

        boolean stuck = threads.stream().anyMatch(Thread::isAlive);
        report(new ArrayList<>(samples), elapsed, stuck, rssStart, rssEnd, rssPeak.get(), memoryKib("VmHWM"),
                heapStart, heapEnd, statusBefore, statusAfter);
        System.exit(stuck ? 1 : 0);
    }

    private void client(long deadline, ConcurrentLinkedQueue<Sample> samples) {
        while (System.nanoTime() < deadline) {
            Sample s = post();
            samples.add(s);
            long pause = 0;
            if (s.status() == 503) {
                // a polite client: come back when the server said to (or at the deadline, whichever is first)
                pause = TimeUnit.SECONDS.toNanos(Math.max(1, s.retryAfterSeconds()));
            } else if (s.status() != 200) {
                pause = TimeUnit.SECONDS.toNanos(1); // no tight loop on errors
            }
            long sleep = Math.min(pause, deadline - System.nanoTime());
            if (sleep > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private Sample post() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/bin/inpaint"))
                .timeout(clientTimeout)
                .header("Authorization", authorization)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long t0 = System.nanoTime();
        long startMillis = TimeUnit.NANOSECONDS.toMillis(t0 - runStart);
        AtomicLong headersAt = new AtomicLong(-1);
        try {
            HttpResponse<byte[]> response = http.send(request, info -> {
                headersAt.set(System.nanoTime());
                return HttpResponse.BodySubscribers.ofByteArray();
            });
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long retryAfter = response.headers().firstValue("Retry-After").filter(v -> v.matches("\\d+"))
                    .map(Long::parseLong).orElse(-1L);
            return new Sample(response.statusCode(), startMillis, millis,
                    TimeUnit.NANOSECONDS.toMillis(headersAt.get() - t0), retryAfter, null);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Sample(-1, startMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), -1, -1,
                    e.getClass().getSimpleName());
        }
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A field of /proc/PID/status in KiB (VmRSS: now, VmHWM: the peak over the process's life). */
    private long memoryKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the memory of process " + pid, e);
        }
    }

    /**
     * Used heap right after a full collection (jcmd GC.run, then GC.heap_info), in KiB: only what is still reachable,
     * so start and end compare what the service holds on to. Outside the timed window. -1 when jcmd is unavailable.
     */
    private long heapAfterGc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            jcmdOutput(jcmd, "GC.run");
            Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(jcmdOutput(jcmd, "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String jcmdOutput(Path jcmd, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    private void report(List<Sample> samples, double elapsed, boolean stuck, long rssStart, long rssEnd, long rssPeak,
            long hwm, long heapStart, long heapEnd, String statusBefore, String statusAfter) {
        List<Long> ok = latencies(samples, 200);
        List<Long> busy = latencies(samples, 503);
        long busyWithRetryAfter = samples.stream().filter(s -> s.status() == 503 && s.retryAfterSeconds() > 0).count();
        List<String> others = samples.stream().filter(s -> s.status() != 200 && s.status() != 503)
                .map(s -> s.status() == -1 ? s.failure() : Integer.toString(s.status())).distinct().toList();
        long otherCount = samples.size() - ok.size() - busy.size();
        LongSummaryStatistics retryAfter = samples.stream().filter(s -> s.status() == 503)
                .mapToLong(Sample::retryAfterSeconds).summaryStatistics();

        System.out.printf(Locale.ROOT, "%nLoad benchmark: %d clients, %d s, %dx%d JPEG with a %dx%d hole -> POST %s/bin/inpaint"
                + "%nengine %s; queue capacity %s, request timeout %s ms%n%n", clients, seconds, SIDE, SIDE, HOLE,
                HOLE, url, field(statusBefore, "engine"), field(statusBefore, "queueCapacity"),
                field(statusBefore, "requestTimeoutMillis"));
        row("requests (started in the window)", Integer.toString(samples.size()));
        row("200 OK", Integer.toString(ok.size()));
        row("503 busy, with Retry-After", busy.size() + " (" + busyWithRetryAfter + " with the header"
                + (busy.isEmpty() ? "" : ", " + retryAfter.getMin() + "-" + retryAfter.getMax() + " s") + ")");
        row("503 latency median / p99 / max", busy.isEmpty() ? "-"
                : pct(busy, 50) + " / " + pct(busy, 99) + " / " + max(busy) + " ms");
        List<Sample> slowBusy = samples.stream().filter(s -> s.status() == 503 && s.millis() > SLOW_BUSY_MILLIS)
                .sorted(Comparator.comparingLong(Sample::startMillis)).toList();
        row("503 over " + SLOW_BUSY_MILLIS + " ms (at s: headers/total ms)", slowBusy.size() + slowBusy.stream()
                .map(s -> String.format(Locale.ROOT, "%.1f: %d/%d", s.startMillis() / 1000.0, s.headersMillis(),
                        s.millis()))
                .collect(Collectors.joining(", ", slowBusy.isEmpty() ? "" : " (", slowBusy.isEmpty() ? "" : ")")));
        row("other statuses / client failures", otherCount + (others.isEmpty() ? "" : " " + others));
        row("successful inpaints per second", String.format(Locale.ROOT, "%.3f (%d in %.1f s, last answer included)",
                ok.size() / elapsed, ok.size(), elapsed));
        row("200 latency median / p95 / max", ok.isEmpty() ? "-"
                : pct(ok, 50) + " / " + pct(ok, 95) + " / " + max(ok) + " ms");
        row("peak RSS (VmRSS, sampled 1/s)", rssPeak / 1024 + " MiB");
        row("RSS at start / end", rssStart / 1024 + " / " + rssEnd / 1024 + " MiB");
        row("VmHWM (whole process life)", hwm / 1024 + " MiB");
        row("heap used after full GC start / end", heapStart < 0 || heapEnd < 0 ? "n/a (no jcmd)"
                : heapStart / 1024 + " / " + heapEnd / 1024 + " MiB");
        row("server counters during the run", "completed +" + delta(statusBefore, statusAfter, "completed")
                + ", rejectedBusy +" + delta(statusBefore, statusAfter, "rejectedBusy")
                + ", timedOut +" + delta(statusBefore, statusAfter, "timedOut")
                + ", failed +" + delta(statusBefore, statusAfter, "failed")
                + "; mean inference " + field(statusAfter, "meanInferenceMillis") + " ms");
        if (stuck) {
            System.out.println("WARNING: some clients were still waiting past the client timeout");
        }
    }

    private static void row(String name, String value) {
        System.out.printf(Locale.ROOT, "%-38s %s%n", name, value);
    }

    private static List<Long> latencies(List<Sample> samples, int status) {
        List<Long> l = new ArrayList<>(samples.stream().filter(s -> s.status() == status).map(Sample::millis).toList());
        Collections.sort(l);
        return l;
    }

    /** Nearest-rank percentile of a sorted list. */
    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static long max(List<Long> sorted) {
        return sorted.get(sorted.size() - 1);
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    private static String delta(String before, String after, String name) {
        try {
            return Long.toString(Long.parseLong(field(after, name)) - Long.parseLong(field(before, name)));
        } catch (NumberFormatException e) {
            return "?";
        }
    }

    /** A landscape with the texture of a photo: graded sky, sun, two ridges, a lake with ripples, sensor noise. */
    private static BufferedImage photo() {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(40, 90, 170), 0, 300, new Color(235, 200, 170)));
        g.fillRect(0, 0, SIDE, SIDE);
        g.setColor(new Color(255, 240, 200));
        g.fillOval(350, 150, 60, 60);
        ridge(g, 260, 50, 0.013, new Color(110, 120, 150));
        ridge(g, 310, 35, 0.021, new Color(60, 90, 60));
        g.setPaint(new GradientPaint(0, 380, new Color(70, 110, 140), 0, SIDE, new Color(20, 50, 80)));
        g.fillRect(0, 380, SIDE, SIDE - 380);
        Random random = new Random(512);
        g.setColor(new Color(180, 200, 215));
        for (int i = 0; i < 120; i++) {
            int y = 385 + random.nextInt(SIDE - 390);
            g.drawLine(random.nextInt(SIDE), y, random.nextInt(SIDE), y);
        }
        g.dispose();
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int n = (int) Math.round(random.nextGaussian() * 5);
                int p = img.getRGB(x, y);
                img.setRGB(x, y, clamp((p >> 16 & 0xff) + n) << 16 | clamp((p >> 8 & 0xff) + n) << 8
                        | clamp((p & 0xff) + n));
            }
        }
        return img;
    }

    private static void ridge(Graphics2D g, int base, int amplitude, double frequency, Color color) {
        Path2D.Double path = new Path2D.Double();
        path.moveTo(0, SIDE);
        for (int x = 0; x <= SIDE; x += 4) {
            path.lineTo(x, base - amplitude * (Math.sin(x * frequency) + 0.4 * Math.sin(x * frequency * 3.7 + 1)));
        }
        path.lineTo(SIDE, SIDE);
        path.closePath();
        g.setColor(color);
        g.fill(path);
    }

    /** White (hole) on black: a centred square straddling the ridges and the shore. */
    private static BufferedImage mask() {
        BufferedImage mask = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect((SIDE - HOLE) / 2, (SIDE - HOLE) / 2 + 60, HOLE, HOLE);
        g.dispose();
        return mask;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] multipart(byte[] image, byte[] mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        part(out, "image", "photo.jpg", "image/jpeg", image);
        part(out, "mask", "mask.png", "image/png", mask);
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void part(ByteArrayOutputStream out, String name, String fileName, String type, byte[] data) {
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
                + fileName + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
}
