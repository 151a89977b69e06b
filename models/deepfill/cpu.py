"""What the CPU offers, read before torch loads: its flags, and OpenBLAS's kernel set for them.

Debian's torch runs its matrix products (the attention's matching and pasting, transposed convolutions) on the
system BLAS, OpenBLAS, which picks its kernels by CPU model and does not know models newer than itself: 0.3.21
(Debian 12) took an Intel Xeon of family 6 model 207 for a "Prescott" and ran SSE3 kernels, 64 GFLOP/s on two cores
where its AVX-512 ones ("SkylakeX") reach 324, and a training step at 256 px x 8 took 8.2 s instead of 6.4.
OpenBLAS reads OPENBLAS_CORETYPE once, when it loads, so the package sets it before importing torch; a value the
environment already gives wins. No torch import here.
"""
import os
import sys

_AVX512 = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
_AVX2 = frozenset({"avx2", "fma"})


def cpu_flags(path="/proc/cpuinfo"):
    """The first processor's flags ({} where there is no /proc/cpuinfo)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def openblas_core(flags):
    """OpenBLAS's kernel set for a CPU with these flags: AVX-512 ones, AVX2 ones, or None (OpenBLAS's own choice)."""
    if _AVX512 <= flags:
        return "SkylakeX"
    if _AVX2 <= flags:
        return "Haswell"
    return None


def choose_openblas_core(environ=os.environ, flags=None):
    """Sets OPENBLAS_CORETYPE from the CPU's flags unless the environment has it; returns the value in effect."""
    if "OPENBLAS_CORETYPE" not in environ:
        core = openblas_core(cpu_flags() if flags is None else flags)
        if core:
            environ["OPENBLAS_CORETYPE"] = core
    return environ.get("OPENBLAS_CORETYPE")


TCMALLOC = "libtcmalloc_minimal.so.4"  # Debian's libtcmalloc-minimal4
_LIBRARY_DIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")
_PRELOADED = "DEEPFILL_PRELOADED"


def tcmalloc_path(dirs=_LIBRARY_DIRS):
    """Where tcmalloc is installed, or None."""
    return next((p for p in (os.path.join(d, TCMALLOC) for d in dirs) if os.path.exists(p)), None)


def malloc(environ=os.environ):
    """The allocator this process runs with: "tcmalloc" where it is preloaded, else "the C library"."""
    return "tcmalloc" if "tcmalloc" in environ.get("LD_PRELOAD", "") else "the C library"


def cpu_runtime(environ=os.environ):
    """What a CPU run's speed depends on besides the model and the machine: OpenBLAS's kernels and the allocator."""
    return f"OpenBLAS kernels {environ.get('OPENBLAS_CORETYPE', 'its own choice')}, malloc {malloc(environ)}"


def rerun_with_tcmalloc(environ=os.environ, dirs=_LIBRARY_DIRS, execve=os.execve):
    """Runs this command again, in this process, with tcmalloc preloaded, where it is installed and not loaded yet.

    glibc's malloc hands every block over 32 MB back to the kernel when it is freed, and a training step frees and
    takes back dozens of them (activations of 8 x 32 x 256 x 256, the attention's scores): each comes back as fresh
    pages the kernel zero-fills. tcmalloc keeps them. A step at 256 px x 8 on a 2-core Intel Xeon: 3.8-3.9 s with
    glibc, 2.6-3.1 s with tcmalloc, 4.2-4.4 s with jemalloc (models/train/README.md). Only for a command's own
    process (python3 -m ...): the same process id, nice level and signals go on. Not where a GPU trains (the
    device machine): its tensors have CUDA's allocator, and that one call is no place for a new library.
    """
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return
    library = tcmalloc_path(dirs)
    if library is None or malloc(environ) == "tcmalloc":
        return
    preload = environ.get("LD_PRELOAD", "")
    env = dict(environ, LD_PRELOAD=f"{preload} {library}".strip(), **{_PRELOADED: library})
    execve(sys.executable, sys.orig_argv, env)


def without_preload(environ=os.environ):
    """The environment for child processes (the Java evaluation): without the tcmalloc rerun_with_tcmalloc added."""
    env = dict(environ)
    library = env.pop(_PRELOADED, None)
    if library:
        rest = " ".join(p for p in env.get("LD_PRELOAD", "").split() if p != library)
        if rest:
            env["LD_PRELOAD"] = rest
        else:
            env.pop("LD_PRELOAD", None)
    return env


def cpu_times(stat="/proc/stat"):
    """(machine busy, machine total, this process with its finished children) in CPU seconds, for the share of the
    CPU that other processes took beside a run (a round at nice 19 gets only what they leave); the machine's two are
    None where there is no /proc/stat."""
    own = os.times()
    own = own.user + own.system + own.children_user + own.children_system
    try:
        with open(stat) as f:
            jiffies = [int(v) for v in f.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    except OSError:
        return None, None, own
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / tick, sum(jiffies) / tick, own


def others_percent(before, after):
    """The share of the machine's CPU time between two cpu_times() that went to other processes, in %; None where
    unknown."""
    if before[0] is None or after[0] is None or after[1] <= before[1]:
        return None
    others = (after[0] - before[0]) - (after[2] - before[2])
    return round(max(0.0, min(100.0, 100 * others / (after[1] - before[1]))), 1)
