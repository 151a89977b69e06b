package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.apache.sling.api.SlingHttpServletRequest;
import org.junit.jupiter.api.Test;

import io.inpaint.api.InpaintingException;

class RequestReaderTest {

    @Test
    void booleanParametersAreTrueOrFalseAndNothingElse() throws InpaintingException {
        assertTrue(RequestReader.flag(request(Map.of("store", "true")), "store"));
        assertTrue(RequestReader.flag(request(Map.of("store", " TRUE ")), "store"));
        assertFalse(RequestReader.flag(request(Map.of("store", "false")), "store"));
        assertFalse(RequestReader.flag(request(Map.of()), "store"));
        assertFalse(RequestReader.flag(request(Map.of("store", "")), "store"));
        // one rule for every boolean: store, flow and keepMetadata refuse the same values with the same message
        for (String name : new String[] {"store", "flow", "keepMetadata"}) {
            for (String value : new String[] {"maybe", "1", "on", "yes"}) {
                SlingHttpServletRequest request = request(Map.of(name, value));
                HttpError e = httpError(() -> {
                    RequestReader.options(request);
                    RequestReader.flag(request, name);
                }, name + "=" + value);
                assertEquals(400, e.status());
                assertEquals(name + " must be true or false, got '" + value + "'", e.getMessage());
            }
        }
    }

    private static SlingHttpServletRequest request(Map<String, String> parameters) {
        return (SlingHttpServletRequest) Proxy.newProxyInstance(SlingHttpServletRequest.class.getClassLoader(),
                new Class<?>[] {SlingHttpServletRequest.class}, (p, m, a) -> {
                    if (m.getName().equals("getParameter")) {
                        return parameters.get(a[0]);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    /** What an HTTP caller gets for the error thrown. */
    private static HttpError httpError(org.junit.jupiter.api.function.Executable action, String message) {
        return HttpError.of(assertThrows(InpaintingException.class, action, message));
    }
}
