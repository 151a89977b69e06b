package io.inpaint.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import io.inpaint.engine.ModelDescriptor;

import org.apache.sling.testing.mock.osgi.MockOsgi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

class PackagedModelTest {
    @TempDir
    Path tmp;

    @Test
    void anUpdatedBundlesWeightsReplaceTheUnpackedOnesEvenAtTheSameSize() throws Exception {
        // the bundle's resources: the shipped descriptor, and weights standing in for two rounds' (same size)
        Path folder = tmp.resolve("bundle").resolve(PackagedModel.FOLDER);
        Files.createDirectories(folder);
        try (InputStream json = getClass().getClassLoader().getResourceAsStream(PackagedModel.FOLDER + "/model.json")) {
            Files.copy(json, folder.resolve("model.json"));
        }
        String weights = ModelDescriptor.read(folder.resolve("model.json")).weights().getFileName().toString();
        Files.write(folder.resolve(weights), new byte[] {1, 2, 3, 4});
        BundleContext context = MockOsgi.newBundleContext();
        try (URLClassLoader bundle = new URLClassLoader(new URL[] {tmp.resolve("bundle").toUri().toURL()}, null)) {
            Path unpacked = PackagedModel.extract(context, bundle).resolveSibling(weights);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(unpacked));

            Files.write(folder.resolve(weights), new byte[] {5, 6, 7, 8});
            PackagedModel.extract(context, bundle);
            assertArrayEquals(new byte[] {5, 6, 7, 8}, Files.readAllBytes(unpacked), "the new round's weights");
        }
    }
}
