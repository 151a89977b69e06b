package io.inpaint.service.internal;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The requests a newly loaded model runs before it goes into service (see ModelServiceImpl): a PNG and a JPEG of a
 * photo's size whose hole's region is scaled to the network's largest bucket, as a large photo's is. With 64x64 test
 * pictures the first 6000x4000 photo still met cold code (its network pass 1.5x a warm one, its decoding, preparing and
 * encoding 1.3-2x): at that size every layer ran on the whole picture and the pixel loops never ran long enough to
 * be compiled. The engine's code near a hole warms over a few passes, and the JIT compiles behind them: with two such
 * passes before it the first photo's pass took 1.0-1.6x a warm one (PyTorch; 1.0x when it came 20 s later), so the
 * last request repeats until its time {@link #settled settles}.
 *
 * @param hole the side of the square hole in the middle
 */
record ProbePicture(String format, int width, int height, int hole) {
    private static final int WIDTH = 1536;
    private static final int HEIGHT = 1024;
    /** With the context around it, more than the largest bucket's side. */
    private static final int HOLE = 192;

    /** At most this many repeats of the last request. */
    static final int MAX_REPEATS = 3;

    /** The requests, in order, scaled down where the service accepts fewer pixels than they have. */
    static List<ProbePicture> requests(long maxPixels, int maxSide) {
        double byPixels = Math.sqrt((double) maxPixels / (WIDTH * HEIGHT));
        double scale = Math.min(1, Math.min(byPixels, (double) maxSide / WIDTH));
        int width = Math.max(1, (int) (WIDTH * scale));
        int height = Math.max(1, (int) (HEIGHT * scale));
        int hole = Math.max(1, (int) (HOLE * scale));
        return List.of(new ProbePicture("png", width, height, hole), new ProbePicture("jpeg", width, height, hole));
    }

    /** Whether a repeat took no less than 0.9x the pass before it: passes stopped getting faster. */
    static boolean settled(long previousNanos, long nanos) {
        return nanos * 10 >= previousNanos * 9;
    }

    /**
     * The picture, with colour gradients and fine texture, encoded as {@link #format}, and its mask as PNG: what the
     * request path expects of an upload.
     */
    byte[][] request() {
        BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        int fromX = (width - hole) / 2;
        int fromY = (height - hole) / 2;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int texture = ((x * 7 + y * 13) % 11) * 3;
                picture.setRGB(x, y, (x * 200 / width + texture) << 16 | (y * 255 / height) << 8 | (128 + texture));
                boolean inHole = x >= fromX && x < fromX + hole && y >= fromY && y < fromY + hole;
                mask.getRaster().setSample(x, y, 0, inHole ? 255 : 0);
            }
        }
        return new byte[][] {ImageCodec.encode(picture, format, 90), ImageCodec.encode(mask, "png", 100)};
    }
}
