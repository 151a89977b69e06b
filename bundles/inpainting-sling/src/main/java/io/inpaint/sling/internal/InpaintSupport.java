package io.inpaint.sling.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

import org.apache.sling.api.SlingHttpServletRequest;
import org.apache.sling.api.request.RequestParameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.inpaint.api.AssetInpaintingResult;
import io.inpaint.api.AssetSource;
import io.inpaint.api.ImageInfo;
import io.inpaint.api.InpaintingException;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingResult;
import io.inpaint.api.InpaintingService;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.InputTooLargeException;

/**
 * What the servlets and the ingestion job share: the byte limit of a file (the picture rules are the model
 * service's, asked through {@link InpaintingService#check}), who may call, and reading uploads and options, so that
 * every entry point refuses the same inputs with the same messages.
 */
@Component(service = InpaintSupport.class)
@Designate(ocd = InpaintSupport.Config.class)
public class InpaintSupport {

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

    @Reference
    private InpaintingService service;

    private volatile Config config;

    @Activate
    @Modified
    void activate(Config config) {
        this.config = config;
    }

    InpaintingService service() {
        return service;
    }

    /** Inpaints two uploads; the result has the image's format. */
    InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) throws InpaintingException {
        return service.inpaint(image, mask, options);
    }

    /**
     * Inpaints the asset into a rendition through the asset's own resolver, uncommitted: the caller commits or
     * reverts. The rendition is {@code <name>.<ext>}, replacing it, or a new {@code inpainted-<millis>.<ext>} when
     * {@code name} is null. {@code from}, when not null, is a picture of the original's size upright (an earlier
     * result, say, so that an editor who inpainted twice stores the second fill) that is filled instead of the
     * original.
     */
    AssetInpaintingResult inpaint(Asset asset, byte[] from, byte[] mask, InpaintingOptions options, String name)
            throws InpaintingException {
        byte[] original = read(asset.openOriginal(), "asset " + asset.path());
        String what = "asset " + asset.path();
        ImageInfo filled = from != null ? service.check(from, "image") : service.check(original, what);
        if (from != null) {
            ImageInfo stored = service.check(original, what);
            if (!filled.sameSize(stored)) {
                throw new InvalidRequestException("the image is " + filled.getWidth() + "x" + filled.getHeight()
                        + " but the asset is " + stored.getWidth() + "x" + stored.getHeight()
                        + "; they must have the same size");
            }
        }
        byte[] image = from != null ? from : original;
        // the result has the format of the picture filled, which may not be the original's
        String rendition = (name == null ? Asset.newRenditionBase() : name) + "." + filled.getExtension();
        AssetSource source = new AssetSource() {
            @Override
            public String getPath() {
                return asset.path();
            }

            @Override
            public String getMimeType() {
                return asset.mimeType();
            }

            @Override
            public InputStream openOriginal() {
                return new ByteArrayInputStream(image);
            }

            @Override
            public InputStream openMask() {
                return new ByteArrayInputStream(mask);
            }
        };
        return service.inpaintAsset(source, asset.target(), rendition, options);
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
