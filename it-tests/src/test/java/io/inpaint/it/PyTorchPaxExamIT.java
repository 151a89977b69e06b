package io.inpaint.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import org.junit.Test;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;

/**
 * The same checks on DJL's PyTorch engine, as feature-app-pytorch.json runs it: its natives fragment instead of
 * MXNet's, and the setting engine-pytorch.json makes. That the aggregate resolves is checked by the feature analyser.
 */
public class PyTorchPaxExamIT extends InpaintingPaxExamIT {

    @Override
    protected String nativesBundle() {
        return System.getProperty("pytorch.natives.bundle");
    }

    @Configuration
    @Override
    public Option[] configuration() {
        return OptionUtils.combine(super.configuration(),
                newConfiguration("io.inpaint.service.internal.ModelServiceImpl").put("engine", "PyTorch").asOption());
    }

    @Test
    public void statusNamesThePyTorchEngine() throws Exception {
        assertEquals("PyTorch", awaitReady().getEngine());
        Http admin = new Http("http://localhost:" + httpPort(), "admin", "admin");
        Http.Response status = awaitOk(() -> admin.get("/bin/inpaint.status.json"));
        assertTrue(status.text(), status.text().contains("\"engine\":\"PyTorch\""));
    }
}
