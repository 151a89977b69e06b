package io.inpaint.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeMemoryTest {
    /**
     * Over the largest threshold at which glibc maps a block on its own (32 MB), under the size of a thread's heap
     * (64 MB), where a block larger still is always mapped.
     */
    private static final long BLOCK = 48L << 20;

    @TempDir
    Path dir;

    /** glibc's allocator and its statistics (summed over all arenas). */
    public interface Malloc extends Library {
        Pointer malloc(long size);

        void free(Pointer block);

        Mallinfo2.ByValue mallinfo2();
    }

    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost"})
    public static class Mallinfo2 extends Structure {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        /** Bytes in blocks mapped on their own. */
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        /** Free bytes the heap keeps. */
        public long fordblks;
        public long keepcost;

        public static class ByValue extends Mallinfo2 implements Structure.ByValue {
        }
    }

    /**
     * Once a model is loaded (on Linux, with the environment silent about malloc), a 48 MB block comes from the heap,
     * not from pages mapped for it alone, and the heap keeps it when it is freed, for the next pass.
     */
    @Test
    void aLoadedModelKeepsLargeFreedBlocksForTheNextPass() throws IOException {
        try (DeepFillModel model = DeepFillModel.load(TestSupport.writeModel(dir, 2, 1), null, null)) {
            if (!LibC.linux() || NativeMemory.setByEnvironment(System.getenv())) {
                return; // glibc's own settings, or the environment's
            }
            Malloc libc = Native.load("c", Malloc.class);
            long mappedBefore = libc.mallinfo2().hblkhd;
            Pointer block = libc.malloc(BLOCK);
            try {
                block.setMemory(0, BLOCK, (byte) 1);
                long mapped = libc.mallinfo2().hblkhd - mappedBefore;
                assertTrue(mapped < BLOCK, "bytes mapped for the block alone: " + mapped);
            } finally {
                libc.free(block);
            }
            long kept = libc.mallinfo2().fordblks;
            assertTrue(kept >= BLOCK, "free bytes the heap keeps: " + kept);
        }
    }

    @Test
    void aSettingOfTheEnvironmentForMallocWins() {
        assertTrue(NativeMemory.setByEnvironment(Map.of("MALLOC_TRIM_THRESHOLD_", "131072")));
        assertTrue(NativeMemory.setByEnvironment(Map.of("MALLOC_MMAP_MAX_", "65536")));
        assertTrue(NativeMemory.setByEnvironment(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=1048576")));
        assertFalse(NativeMemory.setByEnvironment(Map.of("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F")));
        assertFalse(NativeMemory.setByEnvironment(Map.of("PATH", "/usr/bin")));
    }
}
