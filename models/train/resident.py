"""Training data held on the training device: for a GPU that a CPU's loader workers cannot keep busy.

A packed file (`python3 -m train.data pack`, raw or JPEG records, crops a little larger than the training crop)
is decoded once, with a thread pool, into one uint8 tensor on the device; a bank of masks is drawn once with the
same mask code as the folder loader. Every batch is then made on the device: a random crop of each packed crop,
a random horizontal flip, and a bank mask under a random flip or transpose (eight variants of each).
"""
import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from PIL import Image

from . import data


def decode_pack(packed):
    """(N, S, S, 3) uint8 array of every crop in a packed file."""
    array, offsets, _ = data.open_pack(packed)
    if offsets is None:
        return np.array(array)  # a writable copy in memory, not the read-only map

    def decode(span):
        with Image.open(io.BytesIO(array[span[0]:span[1]].tobytes())) as img:
            return np.asarray(img.convert("RGB"), np.uint8)

    with ThreadPoolExecutor() as pool:  # PIL releases the GIL while decoding
        crops = list(pool.map(decode, offsets))
    if len({c.shape for c in crops}) != 1:
        raise ValueError(f"{packed}: crops of different sizes")
    return np.stack(crops)


class ResidentSource:
    """The trainer's data source (see data.LoaderSource) with everything on `device`."""

    def __init__(self, cfg, device, bank=2048):
        self.crop = cfg["data"]["crop"]
        self.batch = cfg["train"]["batch"]
        self.hflip = cfg["data"]["hflip"]
        self.seed = cfg["seed"]
        self.device = torch.device(device)
        crops = decode_pack(cfg["data"]["packed"])
        if crops.shape[1] < self.crop or crops.shape[2] < self.crop:
            raise ValueError(f"packed crops are {crops.shape[1]}x{crops.shape[2]}, smaller than data.crop {self.crop}")
        if len(crops) < self.batch:
            raise ValueError(f"{len(crops)} packed crops, fewer than one batch of {self.batch}")
        self.images = torch.from_numpy(crops).to(self.device).permute(0, 3, 1, 2).contiguous()
        rng = np.random.default_rng(self.seed)
        mask_cfg = data.scale_masks(cfg["mask"], self.crop)
        masks = [data.random_mask(self.crop, self.crop, mask_cfg, rng)[0] for _ in range(bank)]
        self.masks = torch.from_numpy(np.stack(masks)[:, None]).to(self.device, torch.uint8)

    def __len__(self):
        return len(self.images)

    def _make(self, count, gen):
        """count (image, mask, box) triples drawn with the CPU generator gen (so runs are reproducible)."""
        n, _, side_h, side_w = self.images.shape
        pick = torch.randint(0, n, (count,), generator=gen)
        top = torch.randint(0, side_h - self.crop + 1, (count,), generator=gen)
        left = torch.randint(0, side_w - self.crop + 1, (count,), generator=gen)
        span = torch.arange(self.crop)
        rows = (top[:, None] + span).to(self.device)
        cols = (left[:, None] + span).to(self.device)
        # images[pick, :, rows, cols] as one gather: (count, crop, crop, 3) -> (count, 3, crop, crop)
        x = self.images[pick.to(self.device)[:, None, None], :, rows[:, :, None], cols[:, None, :]]
        x = x.permute(0, 3, 1, 2)
        if self.hflip:
            flip = (torch.rand(count, generator=gen) < 0.5).to(self.device)
            x = torch.where(flip[:, None, None, None], x.flip(3), x)
        m = self.masks[torch.randint(0, len(self.masks), (count,), generator=gen).to(self.device)]
        variant = torch.randint(0, 8, (count,), generator=gen).to(self.device)[:, None, None, None]
        m = torch.where(variant % 2 == 1, m.flip(3), m)
        m = torch.where(variant // 2 % 2 == 1, m.flip(2), m)
        m = torch.where(variant >= 4, m.transpose(2, 3), m)
        return x.contiguous(), m.float(), self.boxes(m)

    @staticmethod
    def boxes(m):
        """(top, left, height, width) of each mask's hole, as data.bounding_box does on the CPU."""
        rows = m[:, 0].amax(2) > 0
        cols = m[:, 0].amax(1) > 0
        index = torch.arange(rows.shape[1], device=m.device)
        top = torch.where(rows, index, rows.shape[1]).amin(1)
        bottom = torch.where(rows, index, -1).amax(1)
        left = torch.where(cols, index, cols.shape[1]).amin(1)
        right = torch.where(cols, index, -1).amax(1)
        return torch.stack([top, left, bottom - top + 1, right - left + 1], 1).long()

    def epoch(self, number):
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + number)
        for _ in range(len(self) // self.batch):
            yield self._make(self.batch, gen)

    def fixed(self, count, seed):
        images, masks, boxes = self._make(count, torch.Generator().manual_seed(seed))
        return images.cpu(), masks.cpu(), boxes.cpu()
