package io.inpaint.service.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.inpaint.engine.ModelDescriptor;
import io.inpaint.engine.ModelLoadException;

import org.osgi.framework.BundleContext;

/**
 * The model shipped inside this bundle. DJL and the weight loader read files, so the descriptor and the weights it
 * names are copied to the bundle's data area, once per content size.
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
            URLConnection connection = url.openConnection();
            long size = connection.getContentLengthLong();
            if (Files.isRegularFile(target) && size >= 0 && Files.size(target) == size) {
                return target;
            }
            Files.createDirectories(folder);
            Path part = Files.createTempFile(folder, name, ".part");
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
            // a reader never sees a half-written file
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + name + " into " + folder, e);
        }
    }
}
