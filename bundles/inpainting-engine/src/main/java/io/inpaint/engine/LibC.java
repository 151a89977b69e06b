package io.inpaint.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The C library the engines' natives share, for the settings they read from it. */
interface LibC extends Library {
    int setenv(String name, String value, int overwrite);

    String getenv(String name);

    /** glibc only. */
    int mallopt(int param, int value);

    /** Whether this process runs on Linux, where the C library is glibc (the engines' natives need it). */
    static boolean linux() {
        return "Linux".equals(System.getProperty("os.name"));
    }

    /** The C library on Linux and macOS; null elsewhere. */
    static LibC load() {
        return linux() || System.getProperty("os.name").startsWith("Mac") ? Native.load("c", LibC.class) : null;
    }
}
