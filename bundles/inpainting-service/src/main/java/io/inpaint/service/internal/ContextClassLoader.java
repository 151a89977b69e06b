package io.inpaint.service.internal;

import java.util.function.Supplier;

/**
 * Runs code with a given thread context class loader. DJL finds its engines (ServiceLoader) and natives through
 * the context class loader; in OSGi that is not the bundle's own, and DJL then reports "No deep learning engine found".
 */
final class ContextClassLoader {
    private ContextClassLoader() {
    }

    static <T> T call(ClassLoader loader, Supplier<T> code) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return code.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
