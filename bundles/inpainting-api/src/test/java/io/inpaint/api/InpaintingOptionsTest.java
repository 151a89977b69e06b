package io.inpaint.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InpaintingOptionsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "threshold     | -1   | 0 to 254",
        "threshold     | 255  | 0 to 254",
        "dilate        | 1025 | 0 to 1024",
        "maxSide       | 63   | 64 to 1024",
        "maxSide       | 1025 | 64 to 1024",
        "contextMargin | -1   | 0 to 4096",
        "jpegQuality   | 0    | 1 to 100",
        "jpegQuality   | 101  | 1 to 100"
    })
    void outOfRangeIsRefusedByTheBuilderAndByTheParserWithOneMessage(String name, int value, String range) {
        String message = name + " must be a whole number from " + range + ", got '" + value + "'";
        IllegalArgumentException built = assertThrows(IllegalArgumentException.class, () -> {
            InpaintingOptions.Builder b = InpaintingOptions.builder();
            switch (name) {
                case "threshold" -> b.threshold(value);
                case "dilate" -> b.dilate(value);
                case "maxSide" -> b.maxSide(value);
                case "contextMargin" -> b.contextMargin(value);
                default -> b.jpegQuality(value);
            }
        });
        assertEquals(message, built.getMessage());
        InvalidRequestException parsed = assertThrows(InvalidRequestException.class,
                () -> InpaintingOptions.parse(Map.of(name, Integer.toString(value))::get));
        assertEquals(message, parsed.getMessage());
    }

    @Test
    void bordersOfTheRangesPass() {
        InpaintingOptions o = InpaintingOptions.builder().threshold(254).dilate(1024).maxSide(64)
                .contextMargin(4096).jpegQuality(1).build();
        assertEquals(254, o.getThreshold());
        assertEquals(64, o.getMaxSide());
        assertEquals(1, InpaintingOptions.builder().jpegQuality(1).build().getJpegQuality());
    }

    @Test
    void parsedTextIsTrimmedAndAnyCase() throws InvalidRequestException {
        InpaintingOptions o = InpaintingOptions.parse(Map.of("dilate", " 4 ", "maskMode", "Alpha",
                "keepMetadata", "FALSE")::get).build();
        assertEquals(InpaintingOptions.builder().dilate(4).maskMode(InpaintingOptions.MaskMode.ALPHA)
                .keepMetadata(false).build(), o);
        assertEquals(InpaintingOptions.defaults(), InpaintingOptions.parse(Map.<String, String>of()::get).build());
    }

    @Test
    void badTextIsRefusedWithItsName() {
        assertEquals("dilate must be a whole number from 0 to 1024, got 'big'",
                assertThrows(InvalidRequestException.class,
                        () -> InpaintingOptions.parse(Map.of("dilate", "big")::get)).getMessage());
        assertEquals("maskMode must be auto, luminance or alpha, got 'soft'",
                assertThrows(InvalidRequestException.class,
                        () -> InpaintingOptions.parse(Map.of("maskMode", "soft")::get)).getMessage());
        assertEquals("keepMetadata must be true or false, got 'yes'",
                assertThrows(InvalidRequestException.class,
                        () -> InpaintingOptions.parse(Map.of("keepMetadata", "yes")::get)).getMessage());
    }

    @Test
    void booleansAreTrueOrFalseAndNothingElse() throws InvalidRequestException {
        assertTrue(InpaintingOptions.bool(" TRUE ", "store"));
        assertFalse(InpaintingOptions.bool("false", "store"));
        assertEquals(null, InpaintingOptions.bool(null, "store"));
        for (String value : new String[] {"maybe", "1", "on", "yes", ""}) {
            assertEquals("flow must be true or false, got '" + value + "'",
                    assertThrows(InvalidRequestException.class, () -> InpaintingOptions.bool(value, "flow"))
                            .getMessage());
        }
    }

    @Test
    void renditionNamesStayInTheRenditionsFolder() throws InvalidRequestException {
        assertTrue(RenditionName.isPlain("inpainted"));
        assertTrue(RenditionName.isPlain("cq5dam.clean"));
        assertEquals("a b", RenditionName.check("a b", "rendition"));
        for (String name : new String[] {"", " ", " x", "../x", "a/b", "jcr:data", ".hidden", "a*", "a\nb", "a'b",
                "a\\b", null}) {
            assertFalse(RenditionName.isPlain(name), name);
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> RenditionName.check(name, "rendition"));
            assertTrue(e.getMessage().startsWith("rendition must be a plain node name"), e.getMessage());
        }
    }
}
