package io.inpaint.service.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of the calling thread (the inference worker) to nice {@link #NICE}, and so of the engine's
 * threads it starts, since Linux threads take their creator's nice value. A forward pass keeps every core busy for
 * seconds; at nice 0 it shared them equally with the request threads, so a 503 or a status request waited its turn
 * behind it. Reniced, it still gets the cores whenever no request needs them.
 *
 * <p>Linux only: there the nice value belongs to one thread; elsewhere {@code setpriority} would lower the whole JVM.
 * Lowering one's own priority needs no privilege.
 */
final class WorkerPriority {
    /** Weight 110 against 1024 at nice 0 (the request threads): about a tenth of the CPU while they want it. */
    static final int NICE = 10;

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPriority.class);
    private static final int PRIO_PROCESS = 0;
    private static final int CALLING_THREAD = 0;

    private interface LibC extends Library {
        int setpriority(int which, int who, int prio);
    }

    private WorkerPriority() {
    }

    static void lower() {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            return;
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            if (libc.setpriority(PRIO_PROCESS, CALLING_THREAD, NICE) != 0) {
                LOG.warn("Cannot lower the priority of {}: errno {}", Thread.currentThread().getName(),
                        Native.getLastError());
            }
        } catch (LinkageError e) {
            LOG.warn("Cannot lower the priority of {}: {}", Thread.currentThread().getName(), e.toString());
        }
    }
}
