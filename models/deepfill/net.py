"""DeepFill v1 generator with contextual attention, exactly as in models/NETWORK.md.

The Java engine must reproduce these numbers, so every step follows the spec literally.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

SOFTMAX_SCALE = 10.0
PATCH_NORM_EPS = 1e-4

STAGE1 = [f"conv{i}" for i in range(1, 18)]
CONV_BRANCH = [f"xconv{i}" for i in range(1, 11)]
ATTENTION_ENCODER = [f"pmconv{i}" for i in range(1, 7)]
ATTENTION_DECODER = ["pmconv9", "pmconv10"]
DECODER = [f"allconv{i}" for i in range(11, 18)]

# Nearest x2 upsample before these convs ("up" in the spec).
UPSAMPLED = {"conv13", "conv15", "allconv13", "allconv15"}
# Activation after each conv; anything not listed uses ELU. In place, on the conv's fresh output: a training
# step then allocates one tensor less per layer (7 % of a step, models/train/README.md).
ACTIVATIONS = {"conv17": None, "allconv17": None, "pmconv6": F.relu_}


def layer_table(c):
    """(name, in, out, kernel, stride, dilation) for every conv, in spec order."""
    half = c // 2
    four = 4 * c
    return [
        ("conv1", 5, c, 5, 1, 1), ("conv2", c, 2 * c, 3, 2, 1), ("conv3", 2 * c, 2 * c, 3, 1, 1),
        ("conv4", 2 * c, four, 3, 2, 1), ("conv5", four, four, 3, 1, 1), ("conv6", four, four, 3, 1, 1),
        ("conv7", four, four, 3, 1, 2), ("conv8", four, four, 3, 1, 4), ("conv9", four, four, 3, 1, 8),
        ("conv10", four, four, 3, 1, 16), ("conv11", four, four, 3, 1, 1), ("conv12", four, four, 3, 1, 1),
        ("conv13", four, 2 * c, 3, 1, 1), ("conv14", 2 * c, 2 * c, 3, 1, 1), ("conv15", 2 * c, c, 3, 1, 1),
        ("conv16", c, half, 3, 1, 1), ("conv17", half, 3, 3, 1, 1),

        ("xconv1", 5, c, 5, 1, 1), ("xconv2", c, c, 3, 2, 1), ("xconv3", c, 2 * c, 3, 1, 1),
        ("xconv4", 2 * c, 2 * c, 3, 2, 1), ("xconv5", 2 * c, four, 3, 1, 1), ("xconv6", four, four, 3, 1, 1),
        ("xconv7", four, four, 3, 1, 2), ("xconv8", four, four, 3, 1, 4), ("xconv9", four, four, 3, 1, 8),
        ("xconv10", four, four, 3, 1, 16),

        ("pmconv1", 5, c, 5, 1, 1), ("pmconv2", c, c, 3, 2, 1), ("pmconv3", c, 2 * c, 3, 1, 1),
        ("pmconv4", 2 * c, four, 3, 2, 1), ("pmconv5", four, four, 3, 1, 1), ("pmconv6", four, four, 3, 1, 1),
        ("pmconv9", four, four, 3, 1, 1), ("pmconv10", four, four, 3, 1, 1),

        ("allconv11", 2 * four, four, 3, 1, 1), ("allconv12", four, four, 3, 1, 1),
        ("allconv13", four, 2 * c, 3, 1, 1), ("allconv14", 2 * c, 2 * c, 3, 1, 1),
        ("allconv15", 2 * c, c, 3, 1, 1), ("allconv16", c, half, 3, 1, 1), ("allconv17", half, 3, 3, 1, 1),
    ]


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


def _fuse_diagonal(s):
    """S'[p, l] = S[p-1, l-1] + S[p, l] + S[p+1, l+1] on flattened indices, zero outside."""
    # Shifted in-place adds, summed in the same order as the spec's (S[p-1] + S[p]) + S[p+1]: same bits,
    # without the padded copies that autograd would zero-fill again for every slice's gradient.
    out = s.clone()
    out[:, 1:, 1:] += s[:, :-1, :-1]
    out[:, :-1, :-1] += s[:, 1:, 1:]
    return out


def _swap_position_order(s, rows, cols):
    """Re-index both p and l between raster (y*cols + x) and column-major (x*rows + y) order."""
    n, p, l = s.shape
    return s.reshape(n, rows, cols, rows, cols).permute(0, 2, 1, 4, 3).reshape(n, p, l)


class _Fuse(torch.autograd.Function):
    """Step 6: fuse in raster order, then in column-major order. Each fuse and the swap pair are their own
    adjoints, so the gradient is the same steps in reverse order (a quarter of a training step's attention time
    went into autograd's slices and copies before)."""

    @staticmethod
    def forward(ctx, s, rows, cols):
        ctx.shape = rows, cols
        s = _swap_position_order(_fuse_diagonal(s), rows, cols)
        return _swap_position_order(_fuse_diagonal(s), cols, rows)

    @staticmethod
    def backward(ctx, g):
        rows, cols = ctx.shape
        g = _swap_position_order(_fuse_diagonal(_swap_position_order(g, rows, cols)), cols, rows)
        return _fuse_diagonal(g), None, None


def contextual_attention(f, ms):
    """Contextual attention of feature map f (N,C,h,w) with itself; ms (N,1,h,w) is 1 in the hole.

    Returns (y (N,C,h,w), offsets (N,2,h/2,w/2) int32 (dy, dx), attention A (N,P,L)),
    A[n, p, l] with p, l raster indices on the h/2 x w/2 grid. Computes in at least float32; under autocast
    (training) only the paste (step 9) runs in the autocast dtype, y still returned in float32.
    """
    # Fused, scaled scores reach the thousands and the softmax spans every position: too much for float16, and
    # bfloat16's 8-bit mantissa would shift the logits by tenths, so the matching stays float32. The paste is a
    # weighted sum of patches like any convolution's: in bf16 its products run on the CPU's bf16 units (AMX),
    # 0.53 -> 0.2-0.3 s of a training step at 256 px x 8 (models/train/README.md, *CPU speed*).
    dtype = torch.promote_types(f.dtype, torch.float32)
    paste_dtype = _autocast_dtype(f.device.type) or dtype
    with torch.autocast(device_type=f.device.type, enabled=False):
        return _attention(f.to(dtype), ms.to(dtype), paste_dtype)


def _autocast_dtype(device_type):
    """The autocast dtype in effect on this device type, None outside autocast (torch 2.4 renamed the calls)."""
    if hasattr(torch, "get_autocast_dtype"):
        return torch.get_autocast_dtype(device_type) if torch.is_autocast_enabled(device_type) else None
    if device_type == "cpu":
        return torch.get_autocast_cpu_dtype() if torch.is_autocast_cpu_enabled() else None
    return torch.get_autocast_gpu_dtype() if torch.is_autocast_enabled() else None


def _attention(f, ms, paste_dtype):
    n, c, h, w = f.shape
    if h % 2 or w % 2:
        raise ValueError(f"attention features need even height and width, got {h}x{w}")
    hf, wf = h // 2, w // 2
    positions = hf * wf

    # 1. raw 4x4 patches at stride 2 of f padded by 1; unfold lists them in raster order l = i*wf + j.
    raw = F.unfold(f, 4, padding=1, stride=2)

    # 2. matching runs at half resolution
    fd = f[:, :, ::2, ::2]
    md = ms[:, :, ::2, ::2]

    # 3. zero-padded 3x3 patches (N, C*9, L), L2-normalised as filters
    patches = F.unfold(fd, 3, padding=1)
    filters = patches / patches.norm(dim=1, keepdim=True).clamp_min(PATCH_NORM_EPS)

    # 4. a background patch is valid only if its whole 3x3 mask patch is outside the hole
    valid = (F.unfold(md, 3, padding=1) == 0).all(dim=1).to(f.dtype)

    # 5. conv2d(fd, filters, padding 1): its input windows are the same unfolded patches,
    # so the convolution is one batched matrix product, S[n, p, l].
    s = torch.bmm(patches.transpose(1, 2), filters)

    # 6. fuse in raster order, then in column-major order, then back
    s = _Fuse.apply(s, hf, wf)

    # 7. masked softmax over background positions
    valid = valid[:, None, :]
    a = F.softmax((s * valid) * SOFTMAX_SCALE, dim=2) * valid

    # 8. offsets of the most attended patch (argmax returns the first maximum)
    best = a.argmax(dim=2)
    p = torch.arange(positions, device=f.device)
    dy = torch.div(best, wf, rounding_mode="floor") - torch.div(p, wf, rounding_mode="floor")
    dx = torch.remainder(best, wf) - torch.remainder(p, wf)
    offsets = torch.stack([dy, dx], dim=1).reshape(n, 2, hf, wf).to(torch.int32)

    # 9. paste raw patches weighted by attention: the spec's transposed convolution (stride 2, padding 1) over
    # A's maps with each image's own patches as filters, written as its matrix product and fold (the same sums in
    # the same order in float32), which also runs in bf16 where the grouped transposed convolution does not
    cols = torch.bmm(raw.to(paste_dtype), a.transpose(1, 2).to(paste_dtype))
    y = F.fold(cols, (h, w), 4, padding=1, stride=2).to(f.dtype) / 4
    return y, offsets, a


class Generator(nn.Module):
    """DeepFill v1 generator: forward(x, mask) -> (stage1, stage2, offsets)."""

    def __init__(self, cnum=32):
        super().__init__()
        if cnum < 2 or cnum % 2:
            raise ValueError(f"cnum must be an even number >= 2, got {cnum}")
        self.cnum = cnum
        for name, cin, cout, k, stride, dilation in layer_table(cnum):
            padding = dilation * (k - 1) // 2
            self.add_module(name, nn.Conv2d(cin, cout, k, stride, padding, dilation))

    def _chain(self, names, t):
        for name in names:
            if name in UPSAMPLED:
                t = F.interpolate(t, scale_factor=2, mode="nearest")
            t = getattr(self, name)(t)
            activation = ACTIVATIONS.get(name, F.elu_)
            if activation is not None:
                t = activation(t)
        return t

    def forward_with_attention(self, x, mask):
        """As forward, plus the attention matrix A (N,P,L) (used for the fixtures' decisive map)."""
        if x.dim() != 4 or x.shape[1] != 3 or mask.shape != (x.shape[0], 1) + x.shape[2:]:
            raise ValueError(f"expected x (N,3,H,W) and mask (N,1,H,W), got {tuple(x.shape)} and {tuple(mask.shape)}")
        if x.shape[2] % 8 or x.shape[3] % 8:
            raise ValueError(f"height and width must be multiples of 8, got {x.shape[2]}x{x.shape[3]}")
        xin = x * (1 - mask)
        ones = torch.ones_like(mask)
        stage1 = torch.clamp(self._chain(STAGE1, torch.cat([xin, ones, mask], dim=1)), -1, 1)

        x2 = stage1 * mask + xin * (1 - mask)
        refine_in = torch.cat([x2, ones, mask], dim=1)
        conv_features = self._chain(CONV_BRANCH, refine_in)
        attended, offsets, attention = contextual_attention(
            self._chain(ATTENTION_ENCODER, refine_in), mask[:, :, ::4, ::4])
        attention_features = self._chain(ATTENTION_DECODER, attended)
        stage2 = torch.clamp(
            self._chain(DECODER, torch.cat([conv_features, attention_features], dim=1)), -1, 1)
        return stage1, stage2, offsets, attention

    def forward(self, x, mask):
        stage1, stage2, offsets, _ = self.forward_with_attention(x, mask)
        return stage1, stage2, offsets
