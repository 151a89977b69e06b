package io.inpaint.sling.internal;

import java.util.Map;

import io.inpaint.api.InpaintingOptions;

/** Test-only window on the ingestion job's package-private contract, so the AEM step is checked against it. */
public final class IngestJobContract {

    public static final String TOPIC = IngestJobExecutor.TOPIC;
    public static final String IMAGE = IngestJobExecutor.PROP_IMAGE;
    public static final String MASK = IngestJobExecutor.PROP_MASK;
    public static final String RENDITION = IngestJobExecutor.PROP_RENDITION;

    private IngestJobContract() {
    }

    /** The options the executor reads from these job properties. */
    public static InpaintingOptions options(Map<String, Object> jobProperties) throws Exception {
        return IngestJobExecutor.options(jobProperties);
    }

    public static boolean isPlainName(String name) {
        return IngestJobExecutor.isPlainName(name);
    }
}
