"""PyTorch twin of the Java DeepFill v1 engine (contract: models/NETWORK.md)."""
from .cpu import choose_openblas_core

choose_openblas_core()  # before the first torch import: OpenBLAS reads it when it loads

from .net import Generator, contextual_attention, count_parameters
from .flow import offsets_to_rgb
from .weights import (load_generator, read_safetensors, save_generator,
                      write_descriptor, write_safetensors)

__all__ = [
    "Generator", "contextual_attention", "count_parameters", "offsets_to_rgb",
    "load_generator", "read_safetensors", "save_generator", "write_descriptor",
    "write_safetensors",
]
