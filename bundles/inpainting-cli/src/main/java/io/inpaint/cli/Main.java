package io.inpaint.cli;

import io.inpaint.cli.CommandLine.Bench;
import io.inpaint.cli.CommandLine.Command;
import io.inpaint.cli.CommandLine.Evaluate;
import io.inpaint.cli.CommandLine.Help;
import io.inpaint.cli.CommandLine.Inpaint;
import io.inpaint.cli.CommandLine.InpaintBatch;
import io.inpaint.cli.CommandLine.ProfileCommand;
import io.inpaint.engine.InpaintException;
import io.inpaint.engine.InpaintResult;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.ModelDescriptor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.openjdk.jmh.runner.RunnerException;

/**
 * {@code inpaint}: fills the hole a mask marks in a picture (or a batch of them), benchmarks or profiles the engines,
 * or evaluates the model against classical inpainting. Exit codes: 0 done, 1 bad input or model (the message says
 * which) or, in batch mode, any picture failed, 2 wrong command line.
 */
public final class Main {
    /** System property naming the installation directory, where the default model is looked up. */
    static final String HOME_PROPERTY = "inpaint.home";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Command command;
        try {
            command = CommandLine.parse(args, Path.of(System.getProperty(HOME_PROPERTY, "")));
        } catch (UsageException e) {
            err.println("inpaint: " + e.getMessage());
            err.println("Try 'inpaint --help'.");
            return 2;
        }
        try {
            if (command instanceof Help) {
                out.println(CommandLine.USAGE);
            } else if (command instanceof Inpaint inpaint) {
                inpaint(inpaint, out);
            } else if (command instanceof InpaintBatch batch) {
                return Batch.run(batch, out, err) == 0 ? 0 : 1;
            } else if (command instanceof ProfileCommand profile) {
                Profile.run(profile, out);
            } else if (command instanceof Evaluate evaluate) {
                Evaluation.run(evaluate, out);
            } else {
                BenchRunner.run((Bench) command, out);
            }
            return 0;
        } catch (InpaintException | IOException | RunnerException e) {
            err.println("inpaint: " + e.getMessage());
            return 1;
        }
    }

    private static void inpaint(Inpaint command, PrintStream out) throws IOException {
        // check what is cheap first: bad input is reported without waiting for the model to load
        BufferedImage image = Inpainter.readImage(command.image());
        BufferedImage mask = Inpainter.readImage(command.mask());
        checkFolder(command.out());
        if (command.flow() != null) {
            checkFolder(command.flow());
        }
        InpaintResult result;
        ModelDescriptor model;
        try (Inpainter inpainter = Inpainter.open(command.model(), command.engine(), null)) {
            model = inpainter.descriptor();
            result = inpainter.inpaint(image, mask, command.options());
        }
        write(result.image(), command.out());
        if (command.flow() != null) {
            write(result.flow().orElseThrow(), command.flow());
        }
        out.printf("filled %d hole pixels in %d region(s), %d pass(es), %d ms in the network (%s, model %s: %s);"
                + " wrote %s%n", result.holePixels(), result.regions(), result.passes(), result.inferenceMillis(), command.engine(), model.name(),
                model.training().status(), command.out());
    }

    /** Fails before the model is loaded when the result could not be written anyway. */
    private static void checkFolder(Path file) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new IOException("cannot write " + file + ": there is no folder " + folder);
        }
    }

    static void write(BufferedImage picture, Path file) throws IOException {
        String format = CommandLine.extension(file).equals("jpeg") ? "jpg" : CommandLine.extension(file);
        try (OutputStream stream = Files.newOutputStream(file)) {
            ImageIO.write(picture, format, stream);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
