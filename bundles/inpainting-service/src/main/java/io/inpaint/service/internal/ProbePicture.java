package io.inpaint.service.internal;

import java.awt.image.BufferedImage;

/** The small request a newly loaded model runs before it goes into service (see ModelServiceImpl). */
final class ProbePicture {
    static final int SIZE = 64;
    static final int HOLE = 16;

    private ProbePicture() {
    }

    /**
     * A picture with colour gradients and fine texture, encoded as {@code format}, and its mask as PNG, a square hole
     * in the middle: what the request path expects of an upload.
     */
    static byte[][] request(String format) {
        BufferedImage picture = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        int from = (SIZE - HOLE) / 2;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int texture = ((x * 7 + y * 13) % 11) * 3;
                picture.setRGB(x, y, (x * 4 + texture) << 16 | (y * 4) << 8 | (128 + texture));
                boolean hole = x >= from && x < from + HOLE && y >= from && y < from + HOLE;
                mask.getRaster().setSample(x, y, 0, hole ? 255 : 0);
            }
        }
        return new byte[][] {ImageCodec.encode(picture, format, 90), ImageCodec.encode(mask, "png", 100)};
    }
}
