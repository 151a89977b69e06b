package io.inpaint.api;

import java.io.IOException;
import java.io.InputStream;

import org.osgi.annotation.versioning.ConsumerType;

/** An asset to inpaint, read through the caller's own session. */
@ConsumerType
public interface AssetSource {

    /** Identifies the asset in messages and logs, e.g. its repository path. */
    String getPath();

    /** The original's MIME type as stored, or {@code null}; the service checks the bytes, not this. */
    String getMimeType();

    /** The original binary; the service closes the stream. */
    InputStream openOriginal() throws IOException;

    /** The mask binary; the service closes the stream. */
    InputStream openMask() throws IOException;
}
