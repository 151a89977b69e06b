package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;

import org.apache.sling.servlethelpers.MockSlingHttpServletResponse;
import org.junit.jupiter.api.Test;

import io.inpaint.api.Admission;
import io.inpaint.api.ImageInfo;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.ServiceBusyException;
import io.inpaint.api.ServiceStatus;

class AdmissionGateTest {

    private final Service service = new Service();
    private final AdmissionGate gate = new AdmissionGate();

    AdmissionGateTest() throws ReflectiveOperationException {
        Field field = AdmissionGate.class.getDeclaredField("service");
        field.setAccessible(true);
        field.set(gate, service);
    }

    @Test
    void aBusyServiceIsAnsweredBeforeAuthenticationWithTheBodyUnread() throws Exception {
        service.busy = true;
        MockSlingHttpServletResponse response = new MockSlingHttpServletResponse();
        AtomicBoolean passed = new AtomicBoolean();
        gate.doFilter(request("POST", "/bin/inpaint"), response, (req, res) -> passed.set(true));
        assertFalse(passed.get(), "neither authenticated nor parsed");
        assertEquals(503, response.getStatus());
        assertEquals("7", response.getHeader("Retry-After"));
        assertTrue(response.getOutputAsString().contains("the queue is full"), response.getOutputAsString());
    }

    @Test
    void anAdmittedRequestKeepsItsPlaceForTheServletAndGivesItBackAfter() throws Exception {
        HttpServletRequest request = request("POST", "/content/dam/a.jpg.inpaint.jpg");
        AtomicInteger returnedWhileRunning = new AtomicInteger(-1);
        AtomicReference<Admission> servletPlace = new AtomicReference<>();
        gate.doFilter(request, new MockSlingHttpServletResponse(), (req, res) -> {
            returnedWhileRunning.set(service.returned.get());
            try (Admission place = AdmissionGate.admission(req, service)) {
                servletPlace.set(place);
            } catch (InpaintingException e) {
                throw new ServletException(e);
            }
        });
        assertEquals(0, returnedWhileRunning.get(), "held while the request runs");
        assertSame(service.admitted, servletPlace.get(), "the servlet inpaints in the gate's place");
        assertEquals(1, service.admissions.get(), "no second place");
        assertEquals(1, service.returned.get(), "given back once, by the servlet");
    }

    @Test
    void aPlaceIsHeldForASlowRequestOnlySoLongThenItsServletAsksAgain() throws Exception {
        AdmissionGate quick = new AdmissionGate(50);
        Field field = AdmissionGate.class.getDeclaredField("service");
        field.setAccessible(true);
        field.set(quick, service);
        AtomicInteger returnedBeforeServlet = new AtomicInteger(-1);
        quick.doFilter(request("POST", "/bin/inpaint"), new MockSlingHttpServletResponse(), (req, res) -> {
            // the upload still arriving: the hold runs out meanwhile
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.returned.get() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            returnedBeforeServlet.set(service.returned.get());
            try (Admission place = AdmissionGate.admission(req, service)) {
                assertSame(service.admitted, place);
            } catch (InpaintingException e) {
                throw new ServletException(e);
            }
        });
        assertEquals(1, returnedBeforeServlet.get(), "given back while the request was still being read");
        assertEquals(2, service.admissions.get(), "the servlet took a new place");
        assertEquals(2, service.returned.get(), "and gave it back; nothing was given back twice");
    }

    @Test
    void otherRequestsPassWithoutAPlace() throws Exception {
        for (HttpServletRequest request : new HttpServletRequest[] {request("GET", "/bin/inpaint.status.json"),
                request("POST", "/content/dam/a.jpg"), request("POST", "/content/dam/a.jpg.inpaint-job.json")}) {
            AtomicBoolean passed = new AtomicBoolean();
            gate.doFilter(request, new MockSlingHttpServletResponse(), (req, res) -> passed.set(true));
            assertTrue(passed.get());
        }
        assertEquals(0, service.admissions.get());
    }

    /** Method, URL and attributes; anything else (reading the body, say) fails the test. */
    private static HttpServletRequest request(String method, String uri) {
        Map<String, Object> attributes = new HashMap<>();
        return (HttpServletRequest) Proxy.newProxyInstance(AdmissionGateTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getRequestURI" -> uri;
                    case "getContextPath" -> "";
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static final class Service implements InpaintingService {
        boolean busy;
        final AtomicInteger admissions = new AtomicInteger();
        final AtomicInteger returned = new AtomicInteger();
        final Admission admitted = new Admission() {
            @Override
            public InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                returned.incrementAndGet();
            }
        };

        @Override
        public Admission admit() throws ServiceBusyException {
            if (busy) {
                throw new ServiceBusyException("the queue is full", 7);
            }
            admissions.incrementAndGet();
            return admitted;
        }

        @Override
        public InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImageInfo check(byte[] data, String what) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServiceStatus status() {
            throw new UnsupportedOperationException();
        }
    }
}
