"""Attention offsets -> RGB picture on the Middlebury colour wheel (white = attends to itself)."""
import numpy as np
import torch

# hue segments of the wheel: red-yellow, yellow-green, green-cyan, cyan-blue, blue-magenta, magenta-red
RY, YG, GC, CB, BM, MR = 15, 6, 4, 11, 13, 6


def color_wheel():
    """(55, 3) float64 RGB values 0..255."""
    rows = []
    for i in range(RY):
        rows.append((255, np.floor(255 * i / RY), 0))
    for i in range(YG):
        rows.append((255 - np.floor(255 * i / YG), 255, 0))
    for i in range(GC):
        rows.append((0, 255, np.floor(255 * i / GC)))
    for i in range(CB):
        rows.append((0, 255 - np.floor(255 * i / CB), 255))
    for i in range(BM):
        rows.append((np.floor(255 * i / BM), 0, 255))
    for i in range(MR):
        rows.append((255, 0, 255 - np.floor(255 * i / MR)))
    return np.array(rows, dtype=np.float64)


def _to_numpy(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _one_picture(offsets, hole, scale, wheel):
    dy = offsets[0].astype(np.float64)
    dx = offsets[1].astype(np.float64)
    magnitude = np.sqrt(dx * dx + dy * dy)
    largest = magnitude[hole].max() if hole.any() else 0.0
    largest = largest if largest > 0 else 1.0
    u, v = dx / largest, dy / largest
    radius = np.sqrt(u * u + v * v)
    angle = np.arctan2(-v, -u) / np.pi
    position = (angle + 1) / 2 * (len(wheel) - 1)
    k0 = np.floor(position).astype(np.int64)
    k1 = (k0 + 1) % len(wheel)
    frac = (position - k0)[..., None]
    col = ((1 - frac) * wheel[k0] + frac * wheel[k1]) / 255
    # inside the unit circle the colour fades to white towards zero offset
    col = np.where((radius <= 1)[..., None], 1 - radius[..., None] * (1 - col), col * 0.75)
    rgb = np.floor(255 * col).astype(np.uint8)
    rgb[~hole] = 255
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)


def offsets_to_rgb(offsets, mask=None, scale=8):
    """Colour picture of attention offsets.

    offsets: (2,h,w) or (N,2,h,w) (dy, dx) per cell; mask: pixel hole mask (H,W), (1,H,W) or (N,1,H,W)
    with H = h*scale, or None to draw every cell. A cell counts as hole where mask[scale*y, scale*x] > 0.5,
    the same sampling the network's attention uses. Offsets are normalised per picture by the largest
    magnitude among hole cells. Returns uint8 (H,W,3) or (N,H,W,3).
    """
    offsets = _to_numpy(offsets)
    batched = offsets.ndim == 4
    if not batched:
        offsets = offsets[None]
    n, _, h, w = offsets.shape
    if mask is None:
        holes = np.ones((n, h, w), dtype=bool)
    else:
        mask = _to_numpy(mask)
        mask = mask.reshape((-1,) + mask.shape[-2:])
        holes = np.broadcast_to(mask[:, ::scale, ::scale] > 0.5, (n, h, w))
    wheel = color_wheel()
    pictures = np.stack([_one_picture(offsets[i], holes[i], scale, wheel) for i in range(n)])
    return pictures if batched else pictures[0]
