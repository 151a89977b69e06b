package io.inpaint.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.ImageInfo;
import io.inpaint.engine.image.HoleMask;
import io.inpaint.engine.image.RegionPlanner;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbePictureTest {

    @ParameterizedTest
    @CsvSource({"50000000, 16384", "100000, 16384", "4096, 16384", "50000000, 300"})
    void theRequestsPassTheServicesOwnCheckWhateverItsLimits(long maxPixels, int maxSide) throws Exception {
        ImageCheck check = new ImageCheck(maxPixels, maxSide);
        List<ProbePicture> probes = ProbePicture.requests(maxPixels, maxSide);
        assertEquals(List.of("png", "jpeg"), probes.stream().map(ProbePicture::format).toList());
        for (ProbePicture probe : probes) {
            byte[][] request = probe.request();
            ImageInfo image = check.check(request[0], "image");
            assertEquals(probe.width(), image.getWidth());
            ImageInfo mask = check.check(request[1], "mask");
            assertEquals(probe.height(), mask.getHeight());
        }
    }

    @ParameterizedTest
    @CsvSource({"1000, 1000", "1000, 950", "1000, 900", "1000, 1400"})
    void aRepeatNoLongerTenPercentFasterThanThePassBeforeHasSettled(long previous, long took) {
        assertTrue(ProbePicture.settled(previous, took));
    }

    @ParameterizedTest
    @CsvSource({"1000, 899", "1000, 600", "2000000000, 1000000000"})
    void aRepeatTenPercentFasterHasNot(long previous, long took) {
        assertFalse(ProbePicture.settled(previous, took));
    }

    @ParameterizedTest
    @CsvSource({"png", "jpeg"})
    void withTheDefaultLimitsTheHolesRegionIsScaledToTheLargestBucketAsALargePhotosIs(String format)
            throws IOException {
        ProbePicture probe = ProbePicture.requests(50_000_000L, 16_384).stream()
                .filter(p -> p.format().equals(format)).findFirst().orElseThrow();
        byte[][] request = probe.request();
        InpaintingOptions defaults = InpaintingOptions.defaults();
        HoleMask holes = HoleMask.threshold(ImageIO.read(new ByteArrayInputStream(request[1])),
                defaults.getMaskMode(), defaults.getThreshold());
        assertEquals((long) probe.hole() * probe.hole(), holes.count());
        List<Region> regions = RegionPlanner.plan(holes, defaults.getMaxSide(), defaults.getContextMargin());
        assertEquals(1, regions.size());
        Region region = regions.get(0);
        assertTrue(region.width() > defaults.getMaxSide(), region.toString());
        assertEquals(defaults.getMaxSide(), Math.max(region.netWidth(), region.netHeight()), region.toString());
    }
}
