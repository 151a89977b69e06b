package io.inpaint.service.internal;

import java.io.File;
import java.nio.file.Paths;

import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles DJL's environment before its first use. DJL reads only environment variables and system properties, while
 * a feature or launcher usually sets framework properties: those are copied over, and safe defaults are filled in
 * (offline: a server must never download natives; caches under the Sling home rather than the user's home).
 * Whatever is set already, as environment variable or system property, is left alone.
 */
final class DjlEnvironment {
    static final String OFFLINE = "ai.djl.offline";
    static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";
    static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";
    static final String JNA_TMPDIR = "jna.tmpdir";

    private static final Logger LOG = LoggerFactory.getLogger(DjlEnvironment.class);

    private DjlEnvironment() {
    }

    static void prepare(BundleContext context) {
        if (System.getenv("DJL_OFFLINE") == null) {
            adopt(context, OFFLINE, "true");
        }
        if (!isSet(DJL_CACHE_DIR) && !isSet(ENGINE_CACHE_DIR)) {
            adopt(context, DJL_CACHE_DIR, null);
            adopt(context, ENGINE_CACHE_DIR, defaultCacheDir(context));
        }
        String cache = firstSet(ENGINE_CACHE_DIR, DJL_CACHE_DIR);
        adopt(context, JNA_TMPDIR, cache == null ? null : Paths.get(cache, "jna").toString());
    }

    /** {@code ${sling.home}/djl}, else the bundle's data area, else DJL's own default (the user's home). */
    private static String defaultCacheDir(BundleContext context) {
        String slingHome = context.getProperty("sling.home");
        if (slingHome != null && !slingHome.isEmpty()) {
            return Paths.get(slingHome, "djl").toString();
        }
        File data = context.getDataFile("djl");
        return data == null ? null : data.getPath();
    }

    /** Takes a framework property (or the default) as system property, unless already set. */
    private static void adopt(BundleContext context, String name, String fallback) {
        if (isSet(name)) {
            return;
        }
        String value = context.getProperty(name);
        if (value == null || value.isEmpty()) {
            value = fallback;
        }
        if (value != null) {
            System.setProperty(name, value);
            LOG.info("DJL setting {}={}", name, value);
        }
    }

    private static boolean isSet(String name) {
        String env = System.getenv(name);
        String prop = System.getProperty(name);
        return env != null && !env.isEmpty() || prop != null && !prop.isEmpty();
    }

    private static String firstSet(String... names) {
        for (String name : names) {
            String env = System.getenv(name);
            if (env != null && !env.isEmpty()) {
                return env;
            }
            String prop = System.getProperty(name);
            if (prop != null && !prop.isEmpty()) {
                return prop;
            }
        }
        return null;
    }
}
