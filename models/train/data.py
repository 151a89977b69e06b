"""Training data: random square crops of photos with random hole masks.

Photos come from a folder (PIL) or from one packed .npy (for machines that cannot see the folder):
  python3 -m train.data pack --out ../.work/crops.npy [--count N] [--size 256] [--jpeg 90]
A packed file is either raw crops, uint8 (N, S, S, 3), or with --jpeg a 1-D uint8 array of records
[uint32 little-endian length][JPEG bytes], which holds about ten times more crops in the same space.
"""
import argparse
import io
import math
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch.utils.data import DataLoader, Dataset

from .config import DEFAULT_CONFIG, load_config

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
# Pillow >= 9.1 names these in enums; older versions only as module constants
BICUBIC = getattr(Image, "Resampling", Image).BICUBIC
FLIP_LEFT_RIGHT = getattr(Image, "Transpose", Image).FLIP_LEFT_RIGHT
RECORD_HEADER = 4


def list_images(folder):
    files = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"no images in {folder}")
    return files


def random_crop(img, size, scale, rng):
    """Resize by a random factor from scale (raised so that a size x size crop fits), then crop at random."""
    img = img.convert("RGB")
    w, h = img.size
    factor = max(rng.uniform(scale[0], scale[1]), size / min(w, h))
    if factor != 1.0:
        w, h = max(size, round(w * factor)), max(size, round(h * factor))
        img = img.resize((w, h), BICUBIC)
    top = int(rng.integers(0, h - size + 1))
    left = int(rng.integers(0, w - size + 1))
    return img.crop((left, top, left + size, top + size))


def box_mask(h, w, cfg, rng):
    """The paper's hole: a rectangle up to box_max a side, each side shrunk by 0..box_shrink px."""
    bh = min(cfg["box_max"], h) - int(rng.integers(0, cfg["box_shrink"] + 1))
    bw = min(cfg["box_max"], w) - int(rng.integers(0, cfg["box_shrink"] + 1))
    top = int(rng.integers(0, h - bh + 1))
    left = int(rng.integers(0, w - bw + 1))
    mask = np.zeros((h, w), np.float32)
    mask[top:top + bh, left:left + bw] = 1
    return mask


def stroke_mask(h, w, cfg, rng):
    """DeepFill v2-style free-form strokes: polylines with random turns and brush widths."""
    canvas = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(cfg["strokes"][0], cfg["strokes"][1] + 1))):
        width = int(rng.integers(cfg["width"][0], cfg["width"][1] + 1))
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        points = [(x, y)]
        for _ in range(int(rng.integers(cfg["vertices"][0], cfg["vertices"][1] + 1)) - 1):
            angle = rng.uniform(0, 2 * math.pi)
            length = rng.uniform(cfg["segment"][0], cfg["segment"][1])
            x = float(np.clip(x + length * math.cos(angle), 0, w - 1))
            y = float(np.clip(y + length * math.sin(angle), 0, h - 1))
            points.append((x, y))
        draw.line(points, fill=1, width=width, joint="curve")
        # round caps, so stroke ends are not cut square
        r = width / 2
        for px, py in (points[0], points[-1]):
            draw.ellipse((px - r, py - r, px + r, py + r), fill=1)
    return np.asarray(canvas, np.float32)


def bounding_box(mask):
    """(top, left, height, width) of the nonzero pixels of a 2-D mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


MASK_LENGTHS = ("box_max", "box_shrink", "width", "segment")


def scale_masks(mask_cfg, crop):
    """The [mask] lengths are given for reference_crop; scale them so a smaller crop gets the same hole shares."""
    factor = crop / mask_cfg["reference_crop"]
    scaled = dict(mask_cfg)
    for key in MASK_LENGTHS:
        value = mask_cfg[key]
        scaled[key] = [max(1, round(v * factor)) for v in value] if isinstance(value, list) else max(
            0 if key == "box_shrink" else 1, round(value * factor))
    return scaled


def random_mask(h, w, cfg, rng):
    """Float32 (h, w) mask (1 = hole) and the hole's bounding box (top, left, height, width)."""
    mask = box_mask(h, w, cfg, rng)
    if rng.random() >= cfg["p_box"]:
        mask = np.maximum(mask, stroke_mask(h, w, cfg, rng))
    return mask, bounding_box(mask)


def open_pack(packed):
    """(memory-mapped array, JPEG record offsets or None for raw crops, crop count) of a packed file."""
    array = np.load(packed, mmap_mode="r")
    if array.ndim == 4:
        offsets, count = None, array.shape[0]
    elif array.ndim == 1:
        offsets = jpeg_offsets(array)
        count = len(offsets)
    else:
        raise ValueError(f"{packed}: expected (N,S,S,3) crops or 1-D JPEG records, got {array.shape}")
    if count == 0:
        raise ValueError(f"{packed}: no crops")
    return array, offsets, count


def jpeg_offsets(records):
    """Start and end of each JPEG in a packed 1-D record array."""
    offsets, pos = [], 0
    while pos < len(records):
        length = int.from_bytes(bytes(records[pos:pos + RECORD_HEADER]), "little")
        offsets.append((pos + RECORD_HEADER, pos + RECORD_HEADER + length))
        pos += RECORD_HEADER + length
    return np.asarray(offsets, np.int64)


class CropDataset(Dataset):
    """Items: image uint8 (3, crop, crop), mask float32 (1, crop, crop), box int64 (4,) = top, left, h, w.

    Randomness (crop, flip, mask) is drawn from torch's generator, which DataLoader seeds per worker.
    """

    def __init__(self, data_cfg, mask_cfg):
        self.crop = data_cfg["crop"]
        self.scale = data_cfg["scale"]
        self.hflip = data_cfg["hflip"]
        self.mask_cfg = scale_masks(mask_cfg, self.crop)
        self.packed = data_cfg.get("packed") or None
        self._array = None
        if self.packed:
            _, self.offsets, self.count = open_pack(self.packed)
        else:
            self.files = list_images(data_cfg["dir"])
            self.count = len(self.files)

    def __getstate__(self):
        # each worker maps the packed file itself instead of receiving a pickled copy
        state = dict(self.__dict__)
        state["_array"] = None
        return state

    def __len__(self):
        return self.count

    def _image(self, index):
        if not self.packed:
            with Image.open(self.files[index]) as img:
                img.load()
                return img
        if self._array is None:
            self._array = np.load(self.packed, mmap_mode="r")
        if self.offsets is None:
            return Image.fromarray(np.asarray(self._array[index]))
        begin, end = self.offsets[index]
        return Image.open(io.BytesIO(self._array[begin:end].tobytes()))

    def __getitem__(self, index):
        rng = np.random.default_rng(int(torch.randint(0, 2 ** 62, ()).item()))
        img = random_crop(self._image(index), self.crop, self.scale, rng)
        if self.hflip and rng.random() < 0.5:
            img = img.transpose(FLIP_LEFT_RIGHT)
        image = torch.from_numpy(np.array(img, np.uint8)).permute(2, 0, 1).contiguous()
        mask, box = random_mask(self.crop, self.crop, self.mask_cfg, rng)
        return image, torch.from_numpy(mask)[None], torch.tensor(box, dtype=torch.int64)


class LoaderSource:
    """Batches from a folder or a packed file through a DataLoader: images decoded and masks drawn on the CPU.

    The trainer's data source: len(), fixed(count, seed) for the sample grid, epoch(n) for one shuffled pass.
    """

    def __init__(self, cfg, pin_memory):
        self.dataset = CropDataset(cfg["data"], cfg["mask"])
        batch = cfg["train"]["batch"]
        if len(self.dataset) < batch:
            raise ValueError(f"dataset has {len(self.dataset)} images, fewer than one batch of {batch}")
        workers = cfg["data"]["workers"]
        self.seed = cfg["seed"]
        self.order = torch.Generator()
        extra = {"persistent_workers": True, "prefetch_factor": 4} if workers > 0 else {}
        self.loader = DataLoader(self.dataset, batch_size=batch, shuffle=True, drop_last=True, num_workers=workers,
                                 pin_memory=pin_memory, generator=self.order, **extra)

    def __len__(self):
        return len(self.dataset)

    def epoch(self, number):
        self.order.manual_seed(self.seed * 1_000_003 + number)
        return iter(self.loader)

    def fixed(self, count, seed):
        """A reproducible batch (same crops and masks on every call), without disturbing torch's RNG."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            step = max(1, len(self.dataset) // count)
            items = [self.dataset[(i * step) % len(self.dataset)] for i in range(count)]
        return tuple(torch.stack(parts) for parts in zip(*items))


def pack(files, out, count, size, scale, seed, jpeg_quality=None):
    """Write count random size x size crops of files into one .npy; returns its size in bytes."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(files))

    def crops():
        for k in range(count):
            with Image.open(files[order[k % len(files)]]) as img:
                yield random_crop(img, size, scale, rng)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if jpeg_quality is None:
        array = np.lib.format.open_memmap(out, mode="w+", dtype=np.uint8, shape=(count, size, size, 3))
        for k, crop in enumerate(crops()):
            array[k] = np.asarray(crop, np.uint8)
        array.flush()
        del array
    else:
        records = []
        for crop in crops():
            buffer = io.BytesIO()
            crop.save(buffer, "JPEG", quality=jpeg_quality)
            records.append(len(buffer.getvalue()).to_bytes(RECORD_HEADER, "little") + buffer.getvalue())
        np.save(out, np.frombuffer(b"".join(records), np.uint8))
    return out.stat().st_size


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m train.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("pack", help="write random crops into one .npy")
    p.add_argument("--out", required=True, help="output .npy")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="defaults for --dir, --size and the scale range")
    p.add_argument("--dir", help="image folder (default: the config's data.dir)")
    p.add_argument("--count", type=int, help="number of crops (default: one per photo)")
    p.add_argument("--size", type=int, help="crop side (default: the config's data.crop)")
    p.add_argument("--jpeg", type=int, metavar="QUALITY", help="store JPEG records of this quality instead of raw")
    p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    cfg = load_config(args.config)
    files = list_images(args.dir or cfg["data"]["dir"])
    size = args.size or cfg["data"]["crop"]
    count = args.count or len(files)
    written = pack(files, args.out, count, size, cfg["data"]["scale"], args.seed, args.jpeg)
    print(f"{count} crops {size}x{size} from {len(files)} images -> {args.out} ({written / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
