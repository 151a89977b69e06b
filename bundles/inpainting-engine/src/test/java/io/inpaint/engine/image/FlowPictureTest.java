package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class FlowPictureTest {

    @Test
    void wheelColoursFollowTheMiddleburyScheme() {
        assertEquals(0xffffff, FlowPicture.colour(0, 0));
        assertEquals(0xff0000, FlowPicture.colour(1, 0)); // right: red, the wheel's first entry
        assertEquals(0x00d1ff, FlowPicture.colour(-1, 0)); // left: entry 27, cyan-blue
        assertEquals(0xbf0000, FlowPicture.colour(2, 0)); // beyond the largest offset: darkened
        assertEquals(0xff7f7f, FlowPicture.colour(0.5, 0)); // half way: half saturated
    }

    @Test
    void holeCellsAreColouredAndEverythingElseIsWhite() {
        // 16x8 network tile = 2x1 cells; the left cell is hole and attends 1 cell to the right
        boolean[] holeCells = {true, false};
        int[] dyDx = {0, 0, 1, 0};
        TileFill fill = new TileFill(16, 8, new float[3 * 16 * 8],
                new TileFill.Offsets(2, 1, dyDx, holeCells));
        FlowPicture flow = new FlowPicture(40, 20);
        flow.add(new Region(4, 2, 32, 16, 16, 8), fill); // scaled by 1/2
        BufferedImage picture = flow.render();
        assertEquals(40, picture.getWidth());
        assertEquals(20, picture.getHeight());
        assertEquals(0xff0000, picture.getRGB(4, 2) & 0xffffff);
        assertEquals(0xff0000, picture.getRGB(19, 17) & 0xffffff);
        assertEquals(0xffffff, picture.getRGB(20, 2) & 0xffffff);
        assertEquals(0xffffff, picture.getRGB(3, 2) & 0xffffff);
        assertNotEquals(0xffffff, picture.getRGB(10, 10) & 0xffffff);
    }
}
