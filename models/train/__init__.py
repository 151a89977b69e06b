"""Training code for the DeepFill v1 generator (see README.md)."""
import deepfill  # noqa: F401 - first, so that OpenBLAS's kernels are chosen before torch loads (deepfill/cpu.py)
