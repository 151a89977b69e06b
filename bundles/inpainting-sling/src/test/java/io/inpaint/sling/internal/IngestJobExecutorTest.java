package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.inpaint.api.InpaintingOptions;

class IngestJobExecutorTest {

    @Test
    void optionsComeFromTheJobAsStoredThere() throws HttpError {
        // a persisted job gives numbers back as Long; a hand-made one may hold text
        InpaintingOptions options = IngestJobExecutor.options(Map.of(
                "image", "/content/dam/a.jpg", "mask", "/content/dam/a.mask.png", "dilate", 4L, "threshold", "100",
                "maskMode", "luminance", "keepMetadata", false, "jpegQuality", 80));
        assertEquals(InpaintingOptions.builder().dilation(4).threshold(100)
                .maskMode(InpaintingOptions.MaskMode.LUMINANCE).keepMetadata(false).jpegQuality(80).build(), options);
        assertEquals(InpaintingOptions.defaults(), IngestJobExecutor.options(Map.of()));
    }

    @Test
    void badOptionsAreRefusedWithTheirName() {
        HttpError e = assertThrows(HttpError.class,
                () -> IngestJobExecutor.options(Map.of("dilate", "big")));
        assertEquals(400, e.status());
        assertEquals("dilate must be a whole number, got 'big'", e.getMessage());
        e = assertThrows(HttpError.class,
                () -> IngestJobExecutor.options(Map.of("maskMode", "soft")));
        assertEquals("maskMode must be auto, luminance or alpha, got 'soft'", e.getMessage());
        e = assertThrows(HttpError.class, () -> IngestJobExecutor.options(Map.of("keepMetadata", "yes")));
        assertEquals("keepMetadata must be true or false, got 'yes'", e.getMessage());
    }

    @Test
    void renditionNamesStayInTheRenditionsFolder() {
        assertTrue(IngestJobExecutor.isPlainName("inpainted"));
        assertTrue(IngestJobExecutor.isPlainName("cq5dam.clean"));
        for (String name : new String[] {"", " ", "../x", "a/b", "jcr:data", ".hidden", "a*", "a\nb"}) {
            assertFalse(IngestJobExecutor.isPlainName(name), name);
        }
    }
}
