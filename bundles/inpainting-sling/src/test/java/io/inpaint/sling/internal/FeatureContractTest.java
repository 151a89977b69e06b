package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.inpaint.api.ingest.IngestJob;

/** The feature is JSON and cannot use the constants: it is checked against them here. */
class FeatureContractTest {

    private static final Path FEATURE = Path.of("../../features/src/main/features/inpainting.json");

    @Test
    void theFeatureQueuesTheIngestionTopicAndMapsTheSubservice() throws Exception {
        String feature = Files.readString(FEATURE);
        Matcher queue = Pattern.compile("\"org\\.apache\\.sling\\.event\\.jobs\\.QueueConfiguration~inpaint-ingest\""
                + "\\s*:\\s*\\{[^}]*\"queue\\.topics\"\\s*:\\s*\\[\\s*\"([^\"]*)\"\\s*\\]").matcher(feature);
        assertTrue(queue.find(), "no queue configuration for the ingestion job in " + FEATURE);
        assertEquals(IngestJob.TOPIC, queue.group(1));
        assertTrue(feature.contains("\"io.inpaint.sling:" + IngestJobExecutor.SUBSERVICE + "=[inpaint-service]\""),
                "the feature maps no service user to the sub-service " + IngestJobExecutor.SUBSERVICE);
    }
}
