"""Write the twin -> Java parity fixtures into bundles/inpainting-engine/src/test/resources/fixtures/.

Run: /usr/bin/python3 models/make_fixtures.py   (again whenever the shipped weights change: two cases use them)
Everything is seeded; tests/test_twin.py checks the files on disk equal a fresh build.

One case follows a picture larger than the network's max side through the Java pipeline's steps, written out here
from their definitions: area-average downscale (a network pixel is hole if any pixel under it is), the twin,
the seam match (SeamMatch.java), bilinear upscale and paste into exactly the hole.
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from deepfill import Generator, load_generator
from deepfill.net import ACTIVATIONS
from deepfill.weights import read_safetensors, write_safetensors

REPO = Path(__file__).resolve().parent.parent
FIXTURE_DIR = REPO / "bundles" / "inpainting-engine" / "src" / "test" / "resources" / "fixtures"
SHIPPED_WEIGHTS = "models/deepfill-v1/deepfill-v1.safetensors"
SMALL_WEIGHTS = "weights-c8.safetensors"
SMALL_CNUM = 8
SMALL_SEED = 7
SMALL_ATTENTION_FEATURE_SCALE = 0.1
DECISIVE_GAP = 1e-3
RELATIVE_TOLERANCE = 1e-4
SCALED_REGION = "shipped-scaled-region"
# the whole 128x96 picture is the region (the margin reaches past every side), scaled by 1/2 to 64x48, run in its
# bucket 64x64 (Buckets.java: each side up to a multiple of 64)
BUCKET = 64
SCALED_REGION_OPTIONS = {"maxSide": 64, "contextMargin": 4096}
# a pixel of the result may differ from the twin's unrounded value by the rounding and the network's tolerance
PIXEL_TOLERANCE = 0.6


def rectangle(h, w, top, left, height, width):
    mask = np.zeros((h, w), dtype=np.float32)
    mask[top:top + height, left:left + width] = 1
    return mask


def random_rectangle(rng, h, w):
    height = int(rng.integers(h // 4, h // 2 + 1))
    width = int(rng.integers(w // 4, w // 2 + 1))
    top = int(rng.integers(0, h - height + 1))
    left = int(rng.integers(0, w - width + 1))
    return rectangle(h, w, top, left, height, width)


def brush_stroke(rng, h, w, vertices=4, radius=3.0):
    """A thick polyline through random points: 1 within radius of any segment."""
    points = rng.uniform((0, 0), (h - 1, w - 1), size=(vertices, 2))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    pixels = np.stack([yy, xx], axis=-1)
    mask = np.zeros((h, w), dtype=bool)
    for a, b in zip(points[:-1], points[1:]):
        ab = b - a
        t = np.clip(((pixels - a) @ ab) / max(ab @ ab, 1e-12), 0, 1)
        nearest = a + t[..., None] * ab
        mask |= np.linalg.norm(pixels - nearest, axis=-1) <= radius
    return mask.astype(np.float32)


def synthetic_image(h, w):
    """Smooth 8-bit-quantised picture: sky-to-ground gradient, tilted stripes and a soft disc."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    v = yy / (h - 1)
    u = xx / (w - 1)
    stripes = 0.25 * np.sin(2 * np.pi * (xx * 0.8 + yy * 0.6) / 9.0)
    disc = np.exp(-(((yy - 0.35 * h) ** 2 + (xx - 0.7 * w) ** 2) / (0.02 * h * w)))
    r = 0.6 - 1.2 * v + 0.3 * u + stripes + 0.5 * disc
    g = 0.2 - 0.6 * v + 0.2 * np.cos(2 * np.pi * u * 1.5) + 0.5 * stripes
    b = 0.9 - 1.4 * v - 0.3 * disc + 0.3 * stripes
    image = np.clip(np.stack([r, g, b]), -1, 1)
    pixels = np.round((image + 1) * 127.5)
    return (pixels / 127.5 - 1).astype(np.float32)


def scaled_region_picture():
    """The case's picture (3,96,128) in 0..255 and hole (96,128), odd edges so that the downscaled mask must
    round outwards, and the network input the pipeline makes of them: 2x2 area means and 2x2 any-hole."""
    image = np.round((synthetic_image(96, 128).astype(np.float64) + 1) * 127.5)
    hole = rectangle(96, 128, 35, 45, 26, 38)
    net_rgb = image.reshape(3, 48, 2, 64, 2).mean(axis=(2, 4))
    net_mask = hole.reshape(48, 2, 64, 2).max(axis=(1, 3))
    return image, hole, net_rgb, net_mask


def bucket_padded(net_rgb, net_mask):
    """TileTensors.java: each side padded to its bucket by repeating the last row and column, the padding known."""
    h, w = net_mask.shape
    ph, pw = -(-h // BUCKET) * BUCKET, -(-w // BUCKET) * BUCKET
    return (np.pad(net_rgb, ((0, 0), (0, ph - h), (0, pw - w)), mode="edge"),
            np.pad(net_mask, ((0, ph - h), (0, pw - w))))


def seam_match(known, fill, hole):
    """SeamMatch.java solved exactly: the offset known - fill, fixed on the known pixels, harmonic over the hole
    (4-neighbours inside the tile); returns the known pixels as they are and the hole as fill + offset, in 0..255."""
    h, w = hole.shape
    index = -np.ones((h, w), dtype=np.int64)
    ys, xs = np.nonzero(hole)
    index[ys, xs] = np.arange(len(ys))
    offset = known - fill
    a = np.zeros((len(ys), len(ys)))
    b = np.zeros((len(ys), 3))
    for k, (y, x) in enumerate(zip(ys, xs)):
        for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
            if 0 <= ny < h and 0 <= nx < w:
                a[k, k] += 1
                if hole[ny, nx]:
                    a[k, index[ny, nx]] -= 1
                else:
                    b[k] += offset[:, ny, nx]
    solved = offset.copy()
    solved[:, ys, xs] = np.linalg.solve(a, b).T
    return np.where(hole[None] > 0, np.clip(fill + solved, 0, 255), known)


def scaled_region_result(stage2):
    """The pipeline's result for the case from the twin's stage 2: known pixels as they were, the hole the
    seam-matched fill upscaled bilinearly (pixel centres aligned, edges clamped), unrounded."""
    image, hole, net_rgb, net_mask = scaled_region_picture()
    h, w = net_mask.shape
    fill = (stage2[0, :, :h, :w].double().numpy() + 1) * 127.5
    matched = torch.from_numpy(seam_match(net_rgb, fill, net_mask))[None]
    upscaled = F.interpolate(matched, size=hole.shape, mode="bilinear", align_corners=False)[0].numpy()
    result = np.where(hole[None] > 0, upscaled, image)
    as_tensor = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))  # noqa: E731
    return {"image": as_tensor(image), "hole": as_tensor(hole), "result": as_tensor(result)}


def small_generator():
    """Seeded default init, with pmconv6 scaled down: at default scale the attention softmax is
    nearly one-hot, and the fixtures would not notice errors in the scores or the validity mask."""
    torch.manual_seed(SMALL_SEED)
    gen = Generator(SMALL_CNUM)
    with torch.no_grad():
        gen.pmconv6.weight.mul_(SMALL_ATTENTION_FEATURE_SCALE)
        gen.pmconv6.bias.mul_(SMALL_ATTENTION_FEATURE_SCALE)
    return gen


def run_case(gen, x, mask):
    """Network outputs, the decisive map (attention top-1 and top-2 differ by more than the gap), and
    the contextual attention's own input and output: its share of stage2 is too small for the stage2
    tolerance to catch every attention error, so Java tests that block on its own too."""
    captured = {}
    hooks = [
        gen.pmconv6.register_forward_hook(
            lambda module, inputs, output: captured.update(attention_in=ACTIVATIONS["pmconv6"](output.clone()))),
        gen.pmconv9.register_forward_pre_hook(lambda module, inputs: captured.update(attention_out=inputs[0])),
    ]
    try:
        with torch.no_grad():
            stage1, stage2, offsets, attention = gen.forward_with_attention(x, mask)
    finally:
        for hook in hooks:
            hook.remove()
    top2 = attention.topk(2, dim=2).values
    n, _, hf, wf = offsets.shape
    decisive = (top2[..., 0] - top2[..., 1] > DECISIVE_GAP).to(torch.float32).reshape(n, 1, hf, wf)
    return {"x": x, "mask": mask, "stage1": stage1, "stage2": stage2,
            "offsets": offsets.to(torch.float32), "decisive": decisive, **captured}


def _case_inputs(name, seed):
    rng = np.random.default_rng(seed)
    if name == "random-c8-64x64":
        x = rng.uniform(-1, 1, size=(1, 3, 64, 64))
        masks = [random_rectangle(rng, 64, 64)]
    elif name == "random-c8-48x80":
        x = rng.uniform(-1, 1, size=(1, 3, 48, 80))
        masks = [np.maximum(random_rectangle(rng, 48, 80), brush_stroke(rng, 48, 80))]
    elif name == "random-c8-2x32x32":
        x = rng.uniform(-1, 1, size=(2, 3, 32, 32))
        masks = [random_rectangle(rng, 32, 32), random_rectangle(rng, 32, 32)]
    elif name == "shipped-64x64":
        x = synthetic_image(64, 64)[None]
        masks = [rectangle(64, 64, 22, 18, 24, 26)]
    elif name == SCALED_REGION:
        net_rgb, net_mask = bucket_padded(*scaled_region_picture()[2:])
        x = (net_rgb / 127.5 - 1)[None]
        masks = [net_mask]
    else:
        raise ValueError(name)
    x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    mask = torch.from_numpy(np.stack(masks)[:, None])
    return x, mask


CASES = [  # (name, seed, uses shipped weights)
    ("random-c8-64x64", 11, False),
    ("random-c8-48x80", 12, False),
    ("random-c8-2x32x32", 13, False),
    ("shipped-64x64", 14, True),
    (SCALED_REGION, 15, True),
]


def build():
    """Return (small generator, {case name: tensors}, fixtures.json content)."""
    small = small_generator()
    shipped_path = REPO / SHIPPED_WEIGHTS
    shipped = load_generator(shipped_path)
    shipped_sha256 = hashlib.sha256(shipped_path.read_bytes()).hexdigest()
    outputs = {}
    index = []
    for name, seed, uses_shipped in CASES:
        x, mask = _case_inputs(name, seed)
        outputs[name] = run_case(shipped if uses_shipped else small, x, mask)
        entry = {"name": name, "file": f"{name}.safetensors", "seed": seed, "shape": list(x.shape)}
        if name == SCALED_REGION:
            outputs[name].update(scaled_region_result(outputs[name]["stage2"]))
            entry.update(pipeline=dict(SCALED_REGION_OPTIONS, pixelTolerance=PIXEL_TOLERANCE))
        if uses_shipped:
            entry.update(weights=SHIPPED_WEIGHTS, weightsRoot="repository", weightsDtype="F16",
                         weightsSha256=shipped_sha256, cnum=shipped.cnum)
        else:
            entry.update(weights=SMALL_WEIGHTS, weightsRoot="fixtures", weightsDtype="F32", cnum=SMALL_CNUM)
        decisive = outputs[name]["decisive"]
        entry.update(decisiveCells=int(decisive.sum()), cells=decisive.numel())
        index.append(entry)
    fixtures = {
        "format": 1,
        "generator": "models/make_fixtures.py",
        "relativeTolerance": RELATIVE_TOLERANCE,
        "decisiveGap": DECISIVE_GAP,
        "cases": index,
    }
    return small, outputs, fixtures


def main():
    torch.set_num_threads(1)
    small, outputs, fixtures = build()
    FIXTURE_DIR.mkdir(parents=True, exist_ok=True)
    write_safetensors(FIXTURE_DIR / SMALL_WEIGHTS, small.state_dict(), "F32",
                      {"architecture": "deepfill-v1", "cnum": str(SMALL_CNUM), "seed": str(SMALL_SEED)})
    for entry in fixtures["cases"]:
        write_safetensors(FIXTURE_DIR / entry["file"], outputs[entry["name"]], "F32",
                          {"case": entry["name"], "seed": str(entry["seed"])})
    (FIXTURE_DIR / "fixtures.json").write_text(json.dumps(fixtures, indent=2) + "\n", encoding="utf-8")
    for path in sorted(FIXTURE_DIR.iterdir()):
        print(f"{path.stat().st_size:9d}  {path.name}")
    for entry in fixtures["cases"]:
        print(f"{entry['name']}: {entry['decisiveCells']}/{entry['cells']} decisive offset cells")


def read_case(name):
    return read_safetensors(FIXTURE_DIR / f"{name}.safetensors")[0]


if __name__ == "__main__":
    main()
