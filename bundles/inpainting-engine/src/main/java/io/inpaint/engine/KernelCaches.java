package io.inpaint.engine;

import java.util.Map;

/**
 * Bounds the engines' caches of oneDNN primitives (a compiled kernel with its buffers, one per layer and shape). A
 * forward pass for the composite runs its layers on the part of the picture near the hole, so each new hole size
 * brings new shapes, and unbounded caches grew with every one: 24 pictures with holes of 24 sizes took MXNet from
 * 1.1 to 2.3 GB peak and PyTorch from 0.8 to 1.8 GB; bounded as here, 1.5 and 1.2 GB at the same speed. The engines
 * read these variables when they first build a primitive, so they are set before a model loads; a value the
 * environment already gives wins.
 */
final class KernelCaches {
    /** MXNet's cache per kind of operation, PyTorch's oneDNN cache for the process: a few passes' shapes. */
    static final Map<String, String> LIMITS = Map.of(
            "MXNET_MKLDNN_CACHE_NUM", "64",
            "ONEDNN_PRIMITIVE_CACHE_CAPACITY", "128");

    private KernelCaches() {
    }

    /** Sets each limit the process environment does not set already (Linux and macOS; elsewhere nothing). */
    static synchronized void bound() {
        LibC libc = LibC.load();
        if (libc != null) {
            LIMITS.forEach((name, value) -> libc.setenv(name, value, 0));
        }
    }

    /** The process environment's value, as the engines' natives see it (Java's own view is fixed at start). */
    static String get(String name) {
        LibC libc = LibC.load();
        return libc == null ? null : libc.getenv(name);
    }
}
