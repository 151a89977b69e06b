package io.inpaint.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InvalidRequestException;

class IngestJobTest {

    @Test
    void optionsComeFromTheJobAsStoredThere() throws InvalidRequestException {
        // a persisted job gives numbers back as Long; a hand-made one may hold text
        InpaintingOptions options = IngestJob.options(Map.of(
                "image", "/content/dam/a.jpg", "mask", "/content/dam/a.mask.png", "dilate", 4L, "threshold", "100",
                "maskMode", "luminance", "keepMetadata", false, "jpegQuality", 80));
        assertEquals(InpaintingOptions.builder().dilate(4).threshold(100)
                .maskMode(InpaintingOptions.MaskMode.LUMINANCE).keepMetadata(false).jpegQuality(80).build(), options);
        assertEquals(InpaintingOptions.defaults(), IngestJob.options(Map.of()));
    }

    @Test
    void badOptionsAreRefusedWithTheirName() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> IngestJob.options(Map.of("dilate", "big")));
        assertEquals("dilate must be a whole number from 0 to 1024, got 'big'", e.getMessage());
        e = assertThrows(InvalidRequestException.class, () -> IngestJob.options(Map.of("maskMode", "soft")));
        assertEquals("maskMode must be auto, luminance or alpha, got 'soft'", e.getMessage());
        e = assertThrows(InvalidRequestException.class, () -> IngestJob.options(Map.of("keepMetadata", "yes")));
        assertEquals("keepMetadata must be true or false, got 'yes'", e.getMessage());
        e = assertThrows(InvalidRequestException.class, () -> IngestJob.options(Map.of("threshold", 300L)));
        assertEquals("threshold must be a whole number from 0 to 254, got '300'", e.getMessage());
    }

    @Test
    void theMaskIsNamedAfterItsImage() {
        assertEquals("photo.mask.png", IngestJob.maskName("photo.jpg"));
        assertEquals("photo.v2.mask.png", IngestJob.maskName("photo.v2.png"));
        assertEquals("photo.mask.png", IngestJob.maskName("photo"));
        assertTrue(IngestJob.isMaskName(IngestJob.maskName("photo.jpg")));
        assertFalse(IngestJob.isMaskName("photo.jpg"));
    }
}
