"""Safetensors read/write (own minimal implementation) and the model.json descriptor."""
import json
import struct
from pathlib import Path

import numpy as np
import torch

from .net import Generator

ARCHITECTURE = "deepfill-v1"
ARCHITECTURE_VERSION = 1
TRAINING_STATUSES = ("untrained-initial", "trained")

# safetensors dtype -> (little-endian numpy dtype, torch dtype)
DTYPES = {
    "F16": (np.dtype("<f2"), torch.float16),
    "F32": (np.dtype("<f4"), torch.float32),
}


def write_safetensors(path, tensors, dtype="F32", metadata=None):
    """Write {name: tensor} converted to dtype ("F16" or "F32"), in the given order."""
    if dtype not in DTYPES:
        raise ValueError(f"unsupported dtype {dtype}, expected one of {sorted(DTYPES)}")
    np_dtype, torch_dtype = DTYPES[dtype]
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        # torch's float32 -> float16 cast rounds to nearest even, like every other reader expects
        array = tensor.detach().to("cpu", torch_dtype).contiguous().numpy().astype(np_dtype, copy=False)
        blob = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # the format allows trailing spaces; padding to 8 bytes keeps the data aligned
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(encoded)))
        fh.write(encoded)
        for blob in blobs:
            fh.write(blob)


def read_safetensors(path):
    """Return ({name: tensor in its stored dtype}, metadata dict), tensors ordered by file position."""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    header_len = struct.unpack_from("<Q", data, 0)[0]
    if 8 + header_len > len(data):
        raise ValueError(f"{path}: header length {header_len} exceeds file size {len(data)}")
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    base = 8 + header_len
    tensors = {}
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        np_dtype = DTYPES[info["dtype"]][0]
        shape = tuple(info["shape"])
        begin, end = info["data_offsets"]
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * np_dtype.itemsize or base + end > len(data):
            raise ValueError(f"{path}: tensor {name} has inconsistent data_offsets {begin}..{end} for shape {shape}")
        array = np.frombuffer(data, dtype=np_dtype, count=count, offset=base + begin).reshape(shape)
        tensors[name] = torch.from_numpy(array.astype(np_dtype.newbyteorder("="), copy=True))
    return tensors, metadata


def save_generator(gen, path, dtype="F16", metadata=None):
    meta = {"architecture": ARCHITECTURE, "cnum": str(gen.cnum)}
    meta.update(metadata or {})
    write_safetensors(path, gen.state_dict(), dtype, meta)


def load_generator(path):
    """Build a float32 Generator from a weight file; cnum comes from the file's metadata."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("architecture") != ARCHITECTURE:
        raise ValueError(f"{path}: architecture {metadata.get('architecture')!r}, expected {ARCHITECTURE!r}")
    gen = Generator(int(metadata["cnum"]))
    gen.load_state_dict({name: t.to(torch.float32) for name, t in tensors.items()}, strict=True)
    return gen


def write_descriptor(path, name, cnum, weights, status, steps=0, summary=""):
    """Write model.json; weights is the weight file's name relative to the descriptor."""
    if status not in TRAINING_STATUSES:
        raise ValueError(f"training status must be one of {TRAINING_STATUSES}, got {status!r}")
    descriptor = {
        "name": name,
        "architecture": ARCHITECTURE,
        "architectureVersion": ARCHITECTURE_VERSION,
        "cnum": int(cnum),
        "weights": weights,
        "training": {"status": status, "steps": int(steps), "summary": summary},
    }
    Path(path).write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
