package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.InputNotFoundException;
import io.inpaint.api.InputTooLargeException;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;
import io.inpaint.api.ServiceBusyException;

class HttpErrorTest {

    @Test
    void mapsTheServiceErrorsToStatusAndRetryAfter() {
        assertStatus(400, 0, "mask marks no hole", new InvalidRequestException("mask marks no hole"));
        assertStatus(413, 0, "over the limit", new InputTooLargeException("over the limit"));
        assertStatus(404, 0, "no mask at /x", new InputNotFoundException("no mask at /x"));
        assertStatus(503, 7, "queue full", new ServiceBusyException("queue full", 7));
        assertStatus(504, 5, "waited too long", new RequestTimeoutException("waited too long"));
        assertStatus(503, 30, "no model", new ModelUnavailableException("no model"));
        assertStatus(500, 0, "inpainting failed: native crash", new InpaintingException("native crash"));
    }

    @Test
    void errorBodyIsSmallValidJson() {
        Json json = new Json().put("error", "a \"quoted\" \\ path\nnext").put("status", 400).put("absent", null);
        assertEquals("{\"error\":\"a \\\"quoted\\\" \\\\ path\\u000anext\",\"status\":400}", json.toString());
    }

    private static void assertStatus(int status, long retryAfter, String message, InpaintingException e) {
        HttpError error = HttpError.of(e);
        assertEquals(status, error.status(), e.toString());
        assertEquals(retryAfter, error.retryAfterSeconds(), e.toString());
        assertEquals(message, error.getMessage());
        // the job's side of the same taxonomy: a 4xx is never retried, a 5xx always
        assertEquals(status < 500, e.isPermanent(), e.toString());
    }
}
