package io.inpaint.engine;

import io.inpaint.api.InpaintingOptions;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.inpaint.engine.image.Buckets;
import io.inpaint.engine.image.Compositor;
import io.inpaint.engine.image.FlowPicture;
import io.inpaint.engine.image.HoleDepth;
import io.inpaint.engine.image.HoleDepth.DeepPass;
import io.inpaint.engine.image.HoleMask;
import io.inpaint.engine.image.ImageLoader;
import io.inpaint.engine.image.TileTensors;
import io.inpaint.engine.image.NetworkTile;
import io.inpaint.engine.image.Pixels;
import io.inpaint.engine.image.RegionPlanner;
import io.inpaint.engine.image.RegionPlanner.Region;
import io.inpaint.engine.image.SeamMatch;
import io.inpaint.engine.image.TileFill;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Fills the holes of pictures with one loaded DeepFill v1 model, in three stages: {@link #prepare} and
 * {@link #composite} need no model and run on any thread, in parallel; {@link #forward} runs the network, whose
 * forward passes are not thread-safe, one at a time. The model service queues only the forward stage.
 */
public final class Inpainter implements AutoCloseable {
    /**
     * Pixels of the network's output beyond a hole's bounding box that the composite reads: the seam match's ring of
     * known pixels and the upscale's bilinear neighbour (one each), with room for the seam match's coarse start.
     * The network's other rows are left inexact (see {@link DeepFillModel#forward(NDArray, NDArray, int)}).
     */
    public static final int OUTPUT_REACH = 16;

    private final DeepFillModel model;
    private final Object forwardLock = new Object();
    private volatile boolean closed;

    /** Takes ownership of {@code model}: closing the inpainter closes it. */
    public Inpainter(DeepFillModel model) {
        this.model = model;
    }

    /**
     * Loads the model a descriptor names.
     *
     * @param engineName the DJL engine, {@code "MXNet"} or {@code "PyTorch"}
     * @param device     where to run, or null for the engine's default
     */
    public static Inpainter open(Path modelJson, String engineName, Device device) {
        return new Inpainter(DeepFillModel.load(modelJson, engineName, device));
    }

    /** What the loaded model is, including its training status. */
    public ModelDescriptor descriptor() {
        return model.descriptor();
    }

    /**
     * Fills the hole the mask marks: {@link #prepare}, {@link #forward} and {@link #composite} in a row.
     *
     * @param image any picture ImageIO produces; alpha is dropped from the result
     * @param mask  the same size as {@code image}; see {@link InpaintingOptions.MaskMode} for what marks the hole
     * @throws InvalidInputException when the sizes differ or the mask marks no hole
     */
    public InpaintResult inpaint(BufferedImage image, BufferedImage mask, InpaintingOptions options) {
        Prepared prepared = prepare(image, mask, options);
        return composite(prepared, forward(prepared));
    }

    /**
     * Stage 1, no model needed: {@link #plan}, then {@link #prepare(Plan)}.
     *
     * @throws InvalidInputException when the sizes differ or the mask marks no hole
     */
    public static Prepared prepare(BufferedImage image, BufferedImage mask, InpaintingOptions options) {
        return prepare(plan(image, mask, options));
    }

    /**
     * Stage 1a, no model needed: the hole (threshold, dilation) and the regions the network is run on, with the heap
     * their tiles and fills will take ({@link Plan#heapBytes}) before any of it is allocated.
     *
     * @throws InvalidInputException when the sizes differ or the mask marks no hole
     */
    public static Plan plan(BufferedImage image, BufferedImage mask, InpaintingOptions options) {
        checkSizes(image, mask);
        HoleMask holes = HoleMask.threshold(mask, options.getMaskMode(), options.getThreshold());
        if (holes.count() == 0) {
            throw new InvalidInputException("the mask marks no hole pixels (mask mode " + options.getMaskMode()
                    + ", threshold " + options.getThreshold() + "): paint the hole white on black,"
                    + " or opaque on a transparent mask");
        }
        HoleMask dilated = holes.dilate(options.getDilate());
        List<Region> regions = RegionPlanner.plan(dilated, options.getMaxSide(), options.getContextMargin());
        return new Plan(image, dilated, regions, options.isFlow());
    }

    /** Stage 1b, no model needed: the planned regions' tiles, and the second tiles of deep holes. */
    public static Prepared prepare(Plan plan) {
        List<NetworkTile> tiles = new ArrayList<>(plan.regions.size());
        List<DeepPass> deepPasses = new ArrayList<>(plan.regions.size());
        for (Region region : plan.regions) {
            // sampled from the input, never from a partly filled result: the order of the regions does not matter
            NetworkTile tile = NetworkTile.sample(plan.image, plan.holes, region);
            tiles.add(tile);
            deepPasses.add(HoleDepth.plan(plan.image, plan.holes, region, tile));
        }
        return new Prepared(plan.image, plan.holes, plan.regions, tiles, deepPasses, plan.flow);
    }

    /**
     * Stage 2, the only one that needs the model: the network's forward pass on every tile (and on the smaller
     * second tile of a {@link HoleDepth deep hole}), one pass at a time (a caller that queues this stage, as the model
     * service does, never waits here).
     */
    public Forwarded forward(Prepared prepared) {
        List<TileFill> fills = new ArrayList<>(prepared.tiles.size());
        List<TileFill> deepFills = new ArrayList<>(prepared.tiles.size());
        long[] inferenceNanos = {0};
        checkOpen();
        try (NDManager manager = model.newManager()) {
            for (int i = 0; i < prepared.tiles.size(); i++) {
                fills.add(run(manager, prepared.tiles.get(i), inferenceNanos));
                DeepPass deep = prepared.deepPasses.get(i);
                deepFills.add(deep == null ? null : run(manager, deep.tile(), inferenceNanos));
            }
        }
        return new Forwarded(fills, deepFills, inferenceNanos[0] / 1_000_000);
    }

    /** One forward pass, its time added to {@code inferenceNanos[0]}. */
    private TileFill run(NDManager manager, NetworkTile tile, long[] inferenceNanos) {
        // A sub-manager per pass frees each crop's native memory before the next one is run.
        try (NDManager passManager = manager.newSubManager()) {
            NDList input = TileTensors.toNetwork(passManager, tile);
            NDList output;
            synchronized (forwardLock) {
                checkOpen();
                long start = System.nanoTime();
                output = model.forward(input.get(0), input.get(1), OUTPUT_REACH);
                inferenceNanos[0] += System.nanoTime() - start;
            }
            return TileTensors.fromNetwork(tile, output);
        }
    }

    /**
     * Runs one forward pass in the {@link Buckets bucket} of a {@code width} x {@code height} tile, on a blank
     * picture with a hole in its middle: an engine's first pass at a shape costs extra (kernel choice, memory
     * plans), so a service runs the shapes it expects before a request needs them. The hole is no deeper than the
     * network learnt to fill, so this one shape is all that runs.
     */
    public void warmUp(int width, int height) {
        int w = Buckets.side(width);
        int h = Buckets.side(height);
        BufferedImage blank = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        int rx = Math.min(w / 4, HoleDepth.TRAINED_DEPTH);
        int ry = Math.min(h / 4, HoleDepth.TRAINED_DEPTH);
        g.fillRect(w / 2 - rx, h / 2 - ry, 2 * rx, 2 * ry);
        g.dispose();
        forward(prepare(blank, mask, InpaintingOptions.builder().maxSide(Math.max(w, h)).build()));
    }

    /** Stage 3, no model needed: seam match, paste into exactly the hole, and the flow picture when asked for. */
    public static InpaintResult composite(Prepared prepared, Forwarded forwarded) {
        BufferedImage image = prepared.image;
        int w = image.getWidth();
        BufferedImage result = rgbCopy(image);
        byte[] pixels = ((DataBufferByte) result.getRaster().getDataBuffer()).getData();
        FlowPicture flow = prepared.flow ? new FlowPicture(w, image.getHeight()) : null;
        for (int i = 0; i < prepared.regions.size(); i++) {
            Region region = prepared.regions.get(i);
            TileFill fill = SeamMatch.match(prepared.tiles.get(i), forwarded.fills.get(i));
            DeepPass deep = prepared.deepPasses.get(i);
            if (deep == null) {
                Compositor.paste(pixels, w, prepared.holes, region, fill, null, null);
            } else {
                Compositor.paste(pixels, w, prepared.holes, region, fill,
                        SeamMatch.match(deep.tile(), forwarded.deepFills.get(i)), deep.weights());
            }
            if (flow != null) {
                flow.add(region, fill);
            }
        }
        return new InpaintResult(result, flow == null ? null : flow.render(), prepared.holes.count(),
                prepared.regions.size(), prepared.passes().size(), forwarded.inferenceMillis);
    }

    /** What {@link #plan} found: the hole and the regions, nothing sampled yet. */
    public static final class Plan {
        /**
         * Heap per network pixel that a region holds from {@link #prepare(Plan)} to {@link #composite}: its tile (RGB
         * floats and the mask, 13 bytes) and its fill (RGB floats and the attention offsets, 13).
         */
        static final long HELD_BYTES = 26;
        /**
         * More for a region that may have a second pass ({@link HoleDepth}; a tile of a long hole never has one): its
         * weights (4) and its tile and fill at under (48/64)^2 of the pixels (15).
         */
        static final long DEEP_BYTES = 19;
        /**
         * Heap per pixel of a region's bucket while it is at work, one region at a time: the network's input and
         * output arrays (28), or the seam match's offsets, matched fill and relaxation (up to about 64 where all of
         * the crop is hole).
         */
        static final long WORKING_BYTES = 64;

        private final BufferedImage image;
        private final HoleMask holes;
        private final List<Region> regions;
        private final boolean flow;

        private Plan(BufferedImage image, HoleMask holes, List<Region> regions, boolean flow) {
            this.image = image;
            this.holes = holes;
            this.regions = regions;
            this.flow = flow;
        }

        /** The crops the network will be run on, in image pixels, with the size each is scaled to. */
        public List<Region> regions() {
            return regions;
        }

        /**
         * About how much heap the prepared tiles and their fills take at most, from {@link #prepare(Plan)} until the
         * result is composited, in bytes: the picture, the mask and the result are not counted.
         */
        public long heapBytes() {
            long held = 0;
            long working = 0;
            for (Region region : regions) {
                long pixels = (long) region.netWidth() * region.netHeight();
                held += pixels * (region.pastesAll() ? HELD_BYTES + DEEP_BYTES : HELD_BYTES);
                working = Math.max(working,
                        (long) Buckets.side(region.netWidth()) * Buckets.side(region.netHeight()) * WORKING_BYTES);
            }
            return held + working;
        }
    }

    /** What {@link #prepare} made of a request, for {@link #forward} and {@link #composite}. */
    public static final class Prepared {
        private final BufferedImage image;
        private final HoleMask holes;
        private final List<Region> regions;
        private final List<NetworkTile> tiles;
        /** Per region, its second pass, or null where its holes are not deep. */
        private final List<DeepPass> deepPasses;
        private final boolean flow;

        private Prepared(BufferedImage image, HoleMask holes, List<Region> regions, List<NetworkTile> tiles,
                List<DeepPass> deepPasses, boolean flow) {
            this.image = image;
            this.holes = holes;
            this.regions = regions;
            this.tiles = tiles;
            this.deepPasses = deepPasses;
            this.flow = flow;
        }

        /** The crops the network is run on, in image pixels, with the size each is scaled to. */
        public List<Region> regions() {
            return regions;
        }

        /**
         * Every forward pass the request takes: each region at its size, then again smaller where its holes are deep
         * ({@link HoleDepth}).
         */
        public List<Region> passes() {
            List<Region> passes = new ArrayList<>(regions);
            deepPasses.stream().filter(Objects::nonNull).forEach(d -> passes.add(d.region()));
            return passes;
        }
    }

    /** What {@link #forward} gave for a prepared request. */
    public static final class Forwarded {
        private final List<TileFill> fills;
        /** Per region, its second pass's fill, or null. */
        private final List<TileFill> deepFills;
        private final long inferenceMillis;

        private Forwarded(List<TileFill> fills, List<TileFill> deepFills, long inferenceMillis) {
            this.fills = fills;
            this.deepFills = deepFills;
            this.inferenceMillis = inferenceMillis;
        }

        /** Wall time in the network's forward passes, in milliseconds. */
        public long inferenceMillis() {
            return inferenceMillis;
        }
    }

    /**
     * The one rule for the mask's size: the same as the image's, exactly, both upright (as decoded). Public so that
     * callers that queue for the model can refuse before waiting.
     *
     * @throws InvalidInputException a picture is missing or the sizes differ
     */
    public static void checkSizes(BufferedImage image, BufferedImage mask) {
        if (image == null || mask == null) {
            throw new InvalidInputException(image == null ? "no image given" : "no mask given");
        }
        if (mask.getWidth() != image.getWidth() || mask.getHeight() != image.getHeight()) {
            throw new InvalidInputException("the mask is " + mask.getWidth() + "x" + mask.getHeight()
                    + " but the image is " + image.getWidth() + "x" + image.getHeight()
                    + "; they must have the same size");
        }
    }

    /** Reads both files with {@link #readImage(Path)} and fills the hole. */
    public InpaintResult inpaint(Path image, Path mask, InpaintingOptions options) {
        return inpaint(readImage(image), readImage(mask), options);
    }

    /**
     * Decodes a picture and turns it upright by its EXIF orientation.
     *
     * @throws InvalidInputException when the file is missing, unreadable or not an image
     */
    public static BufferedImage readImage(Path file) {
        try {
            return ImageLoader.read(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("cannot read image " + file + ": no such file", e);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #readImage(Path)}, from a stream (read to its end, not closed); {@code name} is for messages. */
    public static BufferedImage readImage(InputStream in, String name) {
        try {
            return ImageLoader.read(in.readAllBytes(), name);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read image " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The known pixels of the result: the input's colour values with alpha dropped, as {@code TYPE_3BYTE_BGR}, the
     * layout ImageIO's JPEG decoder gives and its encoder takes fastest (a third faster than {@code TYPE_INT_RGB}).
     */
    private static BufferedImage rgbCopy(BufferedImage image) {
        int w = image.getWidth();
        BufferedImage copy = new BufferedImage(w, image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] data = ((DataBufferByte) copy.getRaster().getDataBuffer()).getData();
        int[] row = new int[w];
        for (int y = 0, at = 0; y < image.getHeight(); y++) {
            Pixels.readRow(image, 0, y, w, row);
            for (int x = 0; x < w; x++, at += 3) {
                data[at] = (byte) row[x];
                data[at + 1] = (byte) (row[x] >> 8);
                data[at + 2] = (byte) (row[x] >> 16);
            }
        }
        return copy;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the inpainter is closed");
        }
    }

    /** Waits for a running forward pass, then releases the model. */
    @Override
    public void close() {
        synchronized (forwardLock) {
            if (!closed) {
                closed = true;
                model.close();
            }
        }
    }
}
