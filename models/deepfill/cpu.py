"""What the CPU offers, read before torch loads: its flags, and OpenBLAS's kernel set for them.

Debian's torch runs its matrix products (the attention's matching and pasting, transposed convolutions) on the
system BLAS, OpenBLAS, which picks its kernels by CPU model and does not know models newer than itself: 0.3.21
(Debian 12) took an Intel Xeon of family 6 model 207 for a "Prescott" and ran SSE3 kernels, 64 GFLOP/s on two cores
where its AVX-512 ones ("SkylakeX") reach 324, and a training step at 256 px x 8 took 8.2 s instead of 6.4.
OpenBLAS reads OPENBLAS_CORETYPE once, when it loads, so the package sets it before importing torch; a value the
environment already gives wins. No torch import here.
"""
import os

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
