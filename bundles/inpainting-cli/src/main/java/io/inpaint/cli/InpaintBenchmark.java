package io.inpaint.cli;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.engine.InpaintResult;
import io.inpaint.engine.Inpainter;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One inpainting request, end to end (mask thresholding, crops, network, compositing), with default options.
 * Single-shot: each iteration is one request, so the iterations' median is the request latency.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InpaintBenchmark {
    /** DJL engine name; {@link BenchRunner} sets it. */
    @Param("PyTorch")
    public String engine;

    @Param
    public BenchCase benchCase;

    /** Model descriptor path; {@link BenchRunner} sets it. */
    @Param("models/deepfill-v1/model.json")
    public String model;

    private Inpainter inpainter;
    private BufferedImage image;
    private BufferedImage mask;

    @Setup(Level.Trial)
    public void setUp() {
        image = benchCase.image();
        mask = benchCase.mask();
        inpainter = Inpainter.open(Path.of(model), engine, null);
    }

    @Benchmark
    public InpaintResult inpaint() {
        return inpainter.inpaint(image, mask, InpaintingOptions.defaults());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inpainter.close();
    }
}
