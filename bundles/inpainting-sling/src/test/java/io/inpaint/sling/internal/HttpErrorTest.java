package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;
import io.inpaint.api.ServiceBusyException;

class HttpErrorTest {

    @Test
    void mapsTheServiceErrorsToStatusAndRetryAfter() {
        assertStatus(400, 0, new InvalidRequestException("mask marks no hole"));
        assertStatus(503, 7, new ServiceBusyException("queue full", 7));
        assertStatus(504, 5, new RequestTimeoutException("waited too long"));
        assertStatus(503, 30, new ModelUnavailableException("no model"));
        assertStatus(500, 0, new InpaintingException("native crash"));
    }

    @Test
    void errorBodyIsSmallValidJson() {
        Json json = new Json().put("error", "a \"quoted\" \\ path\nnext").put("status", 400).put("absent", null);
        assertEquals("{\"error\":\"a \\\"quoted\\\" \\\\ path\\u000anext\",\"status\":400}", json.toString());
    }

    private static void assertStatus(int status, long retryAfter, InpaintingException e) {
        HttpError error = HttpError.of(e);
        assertEquals(status, error.status(), e.toString());
        assertEquals(retryAfter, error.retryAfterSeconds(), e.toString());
        assertEquals(status == 500 ? "inpainting failed: " + e.getMessage() : e.getMessage(), error.getMessage());
    }
}
