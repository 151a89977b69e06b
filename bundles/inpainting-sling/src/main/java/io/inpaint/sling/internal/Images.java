package io.inpaint.sling.internal;

import java.io.IOException;

import javax.servlet.http.HttpServletResponse;

import io.inpaint.api.InpaintingResult;

/** Sends an inpainted picture as the response body. */
final class Images {

    private Images() {
    }

    /** The result, or with {@code flow} its attention-offset picture (PNG). */
    static void send(HttpServletResponse response, InpaintingResult result, boolean flow) throws IOException {
        byte[] body = flow ? result.getFlowImage().orElse(result.getImage()) : result.getImage();
        response.setStatus(200);
        response.setContentType(flow && result.getFlowImage().isPresent() ? "image/png" : result.getMimeType());
        response.setContentLength(body.length);
        response.setHeader("X-Inpaint-Hole-Pixels", Long.toString(result.getHolePixels()));
        response.setHeader("X-Inpaint-Inference-Millis", Long.toString(result.getInferenceMillis()));
        response.getOutputStream().write(body);
    }
}
