package io.inpaint.sling.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

import org.apache.sling.api.SlingHttpServletRequest;
import org.apache.sling.api.request.RequestParameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.InputTooLargeException;

/**
 * Reads what an entry point is given, within the byte limit of a file: for HTTP, who may call, uploads and options;
 * for the servlets and the ingestion job, repository binaries. The picture rules are the model service's
 * ({@link io.inpaint.api.InpaintingService#check}); every entry point refuses the same inputs with the same messages.
 */
@Component(service = RequestReader.class)
@Designate(ocd = RequestReader.Config.class)
public class RequestReader {

    @ObjectClassDefinition(name = "Inpaint - Upload limits",
            description = "What the inpainting servlets and the ingestion job accept, checked before anything is read"
                    + " into memory; the pixel limits are the model service's.")
    public @interface Config {
        @AttributeDefinition(name = "Largest file", description = "Bytes per image or mask; larger ones get 413.")
        long max_file_bytes() default 50L * 1024 * 1024;

        @AttributeDefinition(name = "Allow anonymous",
                description = "Let anonymous requests inpaint and read the status; storing still needs write access.")
        boolean allow_anonymous() default false;
    }

    private volatile Config config;

    @Activate
    @Modified
    void activate(Config config) {
        this.config = config;
    }

    /**
     * 403 for anonymous callers unless configured otherwise: inpainting costs seconds of CPU, and the status names
     * files on the server.
     */
    void requireUser(SlingHttpServletRequest request) throws HttpError {
        String user = request.getResourceResolver().getUserID();
        if (!config.allow_anonymous() && (user == null || "anonymous".equals(user))) {
            throw new HttpError(403, "anonymous requests are not allowed here: log in");
        }
    }

    /** Refuses a body that cannot hold two files within the limit before Sling parses (and spools) it. */
    void checkContentLength(SlingHttpServletRequest request) throws InputTooLargeException {
        long limit = 2 * config.max_file_bytes() + 1024 * 1024;
        if (request.getContentLengthLong() > limit) {
            throw new InputTooLargeException("the request body has " + request.getContentLengthLong()
                    + " bytes; at most " + limit + " are accepted");
        }
    }

    /** The uploaded file in multipart part {@code name}, or null when there is none. */
    byte[] upload(SlingHttpServletRequest request, String name) throws InvalidRequestException {
        RequestParameter part = request.getRequestParameter(name);
        if (part == null) {
            return null;
        }
        if (part.isFormField()) {
            throw new InvalidRequestException("'" + name + "' must be an uploaded file (multipart/form-data), not a text field");
        }
        if (part.getSize() > config.max_file_bytes()) {
            throw new InputTooLargeException("the " + name + " has " + part.getSize() + " bytes; at most "
                    + config.max_file_bytes() + " are accepted");
        }
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new InvalidRequestException("cannot read the uploaded " + name + ": " + e.getMessage());
        }
    }

    /**
     * Reads a repository binary, refusing it once it passes the limit.
     *
     * @throws InputTooLargeException over the limit
     * @throws InpaintingException the repository failed to give the bytes (transient)
     */
    byte[] read(InputStream in, String what) throws InpaintingException {
        long max = config.max_file_bytes();
        try (in) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (data.length > max) {
                throw new InputTooLargeException("the " + what + " has more than " + max + " bytes");
            }
            return data;
        } catch (IOException e) {
            throw new InpaintingException("cannot read the " + what + ": " + e.getMessage(), e);
        }
    }

    /** Options from request parameters, named and checked as {@link InpaintingOptions#parse} says, and {@code flow}. */
    static InpaintingOptions options(SlingHttpServletRequest request) throws InvalidRequestException {
        return InpaintingOptions.parse(parameters(request)).flow(flag(request, InpaintingOptions.FLOW)).build();
    }

    /** The request's parameters by name as text; null when absent or blank. */
    private static Function<String, String> parameters(SlingHttpServletRequest request) {
        return name -> {
            String value = request.getParameter(name);
            return value == null || value.isBlank() ? null : value;
        };
    }

    /** A boolean request parameter ({@code store}, {@code flow}): false when absent, else by {@link InpaintingOptions#bool}. */
    static boolean flag(SlingHttpServletRequest request, String name) throws InvalidRequestException {
        return Boolean.TRUE.equals(InpaintingOptions.bool(parameters(request).apply(name), name));
    }
}
