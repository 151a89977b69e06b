package io.inpaint.service.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

import io.inpaint.engine.ModelDescriptor;
import io.inpaint.engine.ModelLoadException;

import org.osgi.framework.BundleContext;

/**
 * The model shipped inside this bundle. DJL and the weight loader read files, so the descriptor and the weights it
 * names are copied to the bundle's data area, again whenever the bundle's copy differs: the data area outlives
 * bundle updates, and a newly trained model's weights have the very size of the old ones.
 */
final class PackagedModel {
    static final String FOLDER = "models/deepfill-v1";

    private PackagedModel() {
    }

    /** @return the extracted {@code model.json} */
    static Path extract(BundleContext context, ClassLoader loader) {
        File data = context.getDataFile(FOLDER);
        if (data == null) {
            throw new ModelLoadException("the framework gives this bundle no data area to unpack its model into;"
                    + " configure a model path instead");
        }
        Path folder = data.toPath();
        Path modelJson = copy(loader, folder, "model.json");
        copy(loader, folder, ModelDescriptor.read(modelJson).weights().getFileName().toString());
        return modelJson;
    }

    private static Path copy(ClassLoader loader, Path folder, String name) {
        URL url = loader.getResource(FOLDER + "/" + name);
        if (url == null) {
            throw new ModelLoadException("the bundle has no " + FOLDER + "/" + name);
        }
        Path target = folder.resolve(name);
        try {
            if (sameContent(url, target)) {
                return target;
            }
            Files.createDirectories(folder);
            Path part = Files.createTempFile(folder, name, ".part");
            try (InputStream in = url.openStream()) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
            // a reader never sees a half-written file
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + name + " into " + folder, e);
        }
    }

    private static boolean sameContent(URL url, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream a = url.openStream(); InputStream b = Files.newInputStream(file)) {
            byte[] x = new byte[1 << 16];
            byte[] y = new byte[1 << 16];
            while (true) {
                int n = a.readNBytes(x, 0, x.length);
                int m = b.readNBytes(y, 0, y.length);
                if (n != m || !Arrays.equals(x, 0, n, y, 0, m)) {
                    return false;
                }
                if (n == 0) {
                    return true;
                }
            }
        }
    }
}
