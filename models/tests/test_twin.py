"""Tests of the PyTorch twin. Run: cd models && /usr/bin/python3 -m unittest discover -s tests -v"""
import json
import struct
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import make_fixtures  # noqa: E402
from deepfill import (Generator, contextual_attention, count_parameters, load_generator,  # noqa: E402
                      offsets_to_rgb, read_safetensors, save_generator, write_safetensors)
from deepfill.flow import color_wheel  # noqa: E402

torch.set_num_threads(1)
MODEL_DIR = Path(__file__).resolve().parents[1] / "deepfill-v1"


def naive_attention(f, ms):
    """Spec steps 1-9 written out with loops in float64, for one image: f (C,h,w), ms (h,w)."""
    c, h, w = f.shape
    hf, wf = h // 2, w // 2
    count = hf * wf
    fpad = np.zeros((c, h + 2, w + 2))
    fpad[:, 1:-1, 1:-1] = f
    raw = [fpad[:, 2 * i:2 * i + 4, 2 * j:2 * j + 4] for i in range(hf) for j in range(wf)]
    fd = f[:, ::2, ::2]
    md = ms[::2, ::2]

    def patch3(a, y, x):
        out = np.zeros(a.shape[:-2] + (3, 3))
        for ky in range(3):
            for kx in range(3):
                yy, xx = y + ky - 1, x + kx - 1
                if 0 <= yy < hf and 0 <= xx < wf:
                    out[..., ky, kx] = a[..., yy, xx]
        return out

    filters, valid = [], np.zeros(count)
    for l in range(count):
        by, bx = divmod(l, wf)
        wl = patch3(fd, by, bx)
        filters.append(wl / max(np.sqrt((wl ** 2).sum()), 1e-4))
        valid[l] = 1.0 if np.all(patch3(md, by, bx) == 0) else 0.0

    fdpad = np.zeros((c, hf + 2, wf + 2))
    fdpad[:, 1:-1, 1:-1] = fd
    s = np.zeros((count, count))
    for p in range(count):
        y, x = divmod(p, wf)
        for l in range(count):
            s[p, l] = (fdpad[:, y:y + 3, x:x + 3] * filters[l]).sum()

    def fuse(m):
        out = np.zeros_like(m)
        for p in range(count):
            for l in range(count):
                for k in (-1, 0, 1):
                    if 0 <= p + k < count and 0 <= l + k < count:
                        out[p, l] += m[p + k, l + k]
        return out

    def column_major(p):
        y, x = divmod(p, wf)
        return x * hf + y

    s = fuse(s)
    t = np.zeros_like(s)
    for p in range(count):
        for l in range(count):
            t[column_major(p), column_major(l)] = s[p, l]
    t = fuse(t)
    for p in range(count):
        for l in range(count):
            s[p, l] = t[column_major(p), column_major(l)]

    s = s * valid[None, :]
    e = np.exp(10 * s - (10 * s).max(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True) * valid[None, :]

    offsets = np.zeros((2, hf, wf), dtype=np.int64)
    out = np.zeros((c, h, w))
    for p in range(count):
        y, x = divmod(p, wf)
        best = int(np.argmax(a[p]))
        offsets[:, y, x] = (best // wf - y, best % wf - x)
        for l in range(count):
            for ky in range(4):
                for kx in range(4):
                    oy, ox = 2 * y - 1 + ky, 2 * x - 1 + kx
                    if 0 <= oy < h and 0 <= ox < w:
                        out[:, oy, ox] += a[p, l] * raw[l][:, ky, kx]
    return out / 4, offsets, a


def relative_error(actual, expected):
    return ((actual - expected).abs().max() / expected.abs().max().clamp_min(1e-6)).item()


class GeneratorTest(unittest.TestCase):
    def test_shapes_dtypes_and_ranges(self):
        torch.manual_seed(0)
        gen = Generator(8)
        x = torch.rand(2, 3, 32, 48) * 2 - 1
        mask = torch.zeros(2, 1, 32, 48)
        mask[0, :, 8:24, 16:40] = 1
        mask[1, :, 0:16, 0:16] = 1
        stage1, stage2, offsets = gen(x, mask)
        for out in (stage1, stage2):
            self.assertEqual(out.shape, (2, 3, 32, 48))
            self.assertEqual(out.dtype, torch.float32)
            self.assertLessEqual(out.abs().max().item(), 1.0)
        self.assertEqual(offsets.shape, (2, 2, 4, 6))
        self.assertEqual(offsets.dtype, torch.int32)
        ys = torch.arange(4).view(1, 4, 1) + offsets[:, 0]
        xs = torch.arange(6).view(1, 1, 6) + offsets[:, 1]
        self.assertTrue(bool(((ys >= 0) & (ys < 4) & (xs >= 0) & (xs < 6)).all()), "offsets leave the grid")
        with self.assertRaises(ValueError):
            gen(torch.zeros(1, 3, 30, 32), torch.zeros(1, 1, 30, 32))

    def test_known_pixels_do_not_leak_into_hole(self):
        # the network sees x * (1 - mask): changing hole pixels must not change anything
        torch.manual_seed(1)
        gen = Generator(4)
        x = torch.rand(1, 3, 32, 32) * 2 - 1
        mask = torch.zeros(1, 1, 32, 32)
        mask[:, :, 8:24, 8:24] = 1
        other = x + mask * 0.7
        for a, b in zip(gen(x, mask), gen(other, mask)):
            self.assertTrue(torch.equal(a, b))

    def test_gradients_reach_every_layer(self):
        torch.manual_seed(2)
        gen = Generator(4)
        x = torch.rand(2, 3, 32, 32) * 2 - 1
        mask = torch.zeros(2, 1, 32, 32)
        mask[:, :, 8:24, 8:24] = 1
        stage1, stage2, _ = gen(x, mask)
        (stage1.sum() + stage2.sum()).backward()
        missing = [n for n, p in gen.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
        self.assertEqual(missing, [])

    def test_parameter_names_shapes_and_count(self):
        gen = Generator(32)
        total = count_parameters(gen)
        print(f"\nGenerator(cnum=32): {total} parameters")
        self.assertEqual(total, 3601542)
        layers = ([f"conv{i}" for i in range(1, 18)] + [f"xconv{i}" for i in range(1, 11)]
                  + [f"pmconv{i}" for i in (1, 2, 3, 4, 5, 6, 9, 10)] + [f"allconv{i}" for i in range(11, 18)])
        expected = {f"{layer}.{kind}" for layer in layers for kind in ("weight", "bias")}
        shapes = {k: tuple(v.shape) for k, v in gen.state_dict().items()}
        self.assertEqual(set(shapes), expected)
        self.assertEqual(shapes["conv1.weight"], (32, 5, 5, 5))
        self.assertEqual(shapes["conv17.weight"], (3, 16, 3, 3))
        self.assertEqual(shapes["xconv2.weight"], (32, 32, 3, 3))
        self.assertEqual(shapes["pmconv4.weight"], (128, 64, 3, 3))
        self.assertEqual(shapes["allconv11.weight"], (128, 256, 3, 3))
        self.assertEqual(gen.conv10.dilation, (16, 16))
        self.assertEqual(gen.conv10.padding, (16, 16))
        self.assertEqual(gen.conv1.padding, (2, 2))

    def test_batched_equals_per_image(self):
        torch.manual_seed(3)
        gen = Generator(4)
        x = torch.rand(3, 3, 32, 40) * 2 - 1
        mask = torch.zeros(3, 1, 32, 40)
        mask[0, :, 8:24, 8:24] = 1
        mask[1, :, 0:16, 16:40] = 1
        mask[2, :, 16:32, 0:8] = 1
        batched = gen(x, mask)
        for n in range(3):
            single = gen(x[n:n + 1], mask[n:n + 1])
            for b, s in zip(batched, single):
                self.assertTrue(torch.allclose(b[n:n + 1].float(), s.float(), atol=1e-5, rtol=0))
            self.assertTrue(torch.equal(batched[2][n:n + 1], single[2]))


class AttentionTest(unittest.TestCase):
    def test_matches_naive_reference(self):
        torch.manual_seed(4)
        # small features keep the softmax soft, so every weight of the reconstruction matters
        f = torch.randn(2, 3, 8, 12, dtype=torch.float64) * 0.01
        ms = torch.zeros(2, 1, 8, 12, dtype=torch.float64)
        # odd hole edges, so sampling the wrong pixel of each 2x2 block changes validity
        ms[0, :, 3:6, 5:8] = 1
        ms[1, :, 4:8, 0:3] = 1
        y, offsets, a = contextual_attention(f, ms)
        for n in range(2):
            ref_y, ref_offsets, ref_a = naive_attention(f[n].numpy(), ms[n, 0].numpy())
            self.assertLess(np.median(ref_a.max(axis=1)), 0.9, "reference attention is too sharp to test much")
            self.assertGreater((ref_a.sum(axis=0) == 0).sum(), 0, "no masked-out background patch")
            np.testing.assert_allclose(a[n].numpy(), ref_a, rtol=0, atol=1e-12)
            np.testing.assert_allclose(y[n].numpy(), ref_y, rtol=0, atol=1e-12)
            np.testing.assert_array_equal(offsets[n].numpy(), ref_offsets)

    def test_gradients_match_finite_differences(self):
        # the fuse step has a hand-written backward (training); finite differences check it and the rest
        torch.manual_seed(8)
        f = (torch.randn(2, 3, 8, 12, dtype=torch.float64) * 0.1).requires_grad_()
        ms = torch.zeros(2, 1, 8, 12, dtype=torch.float64)
        ms[0, :, 2:6, 4:8] = 1
        ms[1, :, 4:8, 0:6] = 1
        self.assertTrue(torch.autograd.gradcheck(lambda t: contextual_attention(t, ms)[::2], (f,)))

    def test_batched_equals_per_image(self):
        torch.manual_seed(5)
        f = torch.randn(3, 6, 16, 20)
        ms = torch.zeros(3, 1, 16, 20)
        ms[0, :, 4:10, 4:12] = 1
        ms[1, :, 0:8, 10:20] = 1
        y, offsets, a = contextual_attention(f, ms)
        for n in range(3):
            y1, offsets1, a1 = contextual_attention(f[n:n + 1], ms[n:n + 1])
            self.assertTrue(torch.allclose(y[n:n + 1], y1, atol=1e-6, rtol=0))
            self.assertTrue(torch.allclose(a[n:n + 1], a1, atol=1e-6, rtol=0))
            self.assertTrue(torch.equal(offsets[n:n + 1], offsets1))

    def test_hole_copies_duplicated_region(self):
        torch.manual_seed(6)
        f = torch.randn(1, 8, 24, 48)
        # pixels 2..21 x 2..21 duplicate pixels 2..21 x 26..45: 12 cells to the right on the h/2 grid
        f[:, :, 2:22, 2:22] = f[:, :, 2:22, 26:46]
        ms = torch.zeros(1, 1, 24, 48)
        ms[:, :, 8:16, 8:16] = 1
        y, offsets, a = contextual_attention(f, ms)
        hole = (slice(4, 8), slice(4, 8))
        self.assertTrue(bool((offsets[0, 0][hole] == 0).all()), offsets[0, 0])
        self.assertTrue(bool((offsets[0, 1][hole] == 12).all()), offsets[0, 1])
        self.assertGreater(a[0].reshape(12, 24, -1)[hole].max(dim=-1).values.min().item(), 0.99)
        reconstructed = y[:, :, 8:16, 8:16]
        original = f[:, :, 8:16, 8:16]
        self.assertLess((reconstructed - original).abs().max().item(), 1e-4)
        # and the known region is not just passed through: away from the copy it is a blend
        self.assertGreater((y - f).abs().max().item(), 1e-2)

    def test_under_autocast_only_the_paste_runs_in_bf16(self):
        torch.manual_seed(10)
        f = torch.randn(2, 4, 8, 12, requires_grad=True)
        ms = torch.zeros(2, 1, 8, 12)
        ms[:, :, 2:6, 2:6] = 1
        expected = contextual_attention(f, ms)
        (expected_grad,) = torch.autograd.grad(expected[0].sum(), f)
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            mixed = contextual_attention(f, ms)
        (mixed_grad,) = torch.autograd.grad(mixed[0].sum(), f)
        # the matching, softmax and offsets are float32 and exact
        self.assertTrue(torch.equal(mixed[1], expected[1]))
        self.assertTrue(torch.equal(mixed[2], expected[2]))
        # the paste ran in bf16 (8-bit mantissa: its patches and weights rounded), returned as float32
        self.assertEqual(mixed[0].dtype, torch.float32)
        scale = expected[0].abs().max().item()
        self.assertGreater((mixed[0] - expected[0]).abs().max().item(), 0)
        self.assertLess((mixed[0] - expected[0]).abs().max().item(), scale / 64)
        self.assertLess((mixed_grad - expected_grad).abs().max().item(), expected_grad.abs().max().item() / 64)

    def test_no_valid_background_gives_zero_output_and_first_index(self):
        # every attention value is 0, so argmax ties everywhere: the first index, l = 0, wins
        f = torch.randn(1, 4, 8, 12)
        y, offsets, a = contextual_attention(f, torch.ones(1, 1, 8, 12))
        self.assertEqual(a.abs().max().item(), 0.0)
        self.assertEqual(y.abs().max().item(), 0.0)
        self.assertTrue(torch.equal(offsets[0, 0], -torch.arange(4, dtype=torch.int32).view(4, 1).expand(4, 6)))
        self.assertTrue(torch.equal(offsets[0, 1], -torch.arange(6, dtype=torch.int32).view(1, 6).expand(4, 6)))

    def test_transposed_conv_phase_rewrite_for_java(self):
        # the spec's Java rewrite of step 9: one 2x2 conv over A (padding 1) giving four phases
        torch.manual_seed(7)
        hf, wf, count, c = 3, 5, 15, 4
        a = torch.rand(1, count, hf, wf, dtype=torch.float64)
        raw = torch.randn(count, c, 4, 4, dtype=torch.float64)
        expected = F.conv_transpose2d(a, raw, stride=2, padding=1)
        taps = {0: [3, 1], 1: [2, 0]}  # even outputs: ky=3 at A[m-1], ky=1 at A[m]; odd: ky=2 at A[m], ky=0 at A[m+1]
        phases = [(ry, rx) for ry in (0, 1) for rx in (0, 1)]
        kernel = torch.cat([raw[:, :, taps[ry]][:, :, :, taps[rx]].transpose(0, 1) for ry, rx in phases])
        out = F.conv2d(a, kernel, padding=1)
        rewritten = torch.zeros_like(expected)
        for i, (ry, rx) in enumerate(phases):
            rewritten[:, :, ry::2, rx::2] = out[:, i * c:(i + 1) * c, ry:ry + hf, rx:rx + wf]
        self.assertTrue(torch.allclose(rewritten, expected, atol=1e-12, rtol=0))


class WeightsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_f32_round_trip_is_exact(self):
        torch.manual_seed(8)
        gen = Generator(4)
        path = self.dir / "g.safetensors"
        save_generator(gen, path, "F32", {"note": "x"})
        loaded = load_generator(path)
        self.assertEqual(loaded.cnum, 4)
        for name, tensor in gen.state_dict().items():
            self.assertTrue(torch.equal(loaded.state_dict()[name], tensor), name)
        _, metadata = read_safetensors(path)
        self.assertEqual(metadata, {"architecture": "deepfill-v1", "cnum": "4", "note": "x"})

    def test_f16_round_trip_within_rounding(self):
        torch.manual_seed(9)
        gen = Generator(4)
        path = self.dir / "g16.safetensors"
        save_generator(gen, path, "F16")
        tensors, _ = read_safetensors(path)
        loaded = load_generator(path)
        for name, tensor in gen.state_dict().items():
            self.assertEqual(tensors[name].dtype, torch.float16)
            restored = loaded.state_dict()[name]
            self.assertEqual(restored.dtype, torch.float32)
            self.assertTrue(torch.equal(restored, tensor.half().float()), name)
            # half precision keeps 11 significant bits: relative error <= 2^-11 (plus subnormal slack)
            self.assertTrue(bool(((restored - tensor).abs() <= tensor.abs() * 2 ** -11 + 2 ** -25).all()), name)

    def test_file_layout_follows_the_format(self):
        tensors = {"b": torch.arange(6, dtype=torch.float32).reshape(2, 3), "a": torch.tensor([1.5, -2.0])}
        path = self.dir / "t.safetensors"
        write_safetensors(path, tensors, "F16", {"k": "v"})
        data = path.read_bytes()
        header_len = struct.unpack("<Q", data[:8])[0]
        self.assertEqual(header_len % 8, 0)
        header = json.loads(data[8:8 + header_len])
        self.assertEqual(header["__metadata__"], {"k": "v"})
        self.assertEqual(header["b"], {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]})
        self.assertEqual(header["a"], {"dtype": "F16", "shape": [2], "data_offsets": [12, 16]})
        self.assertEqual(len(data), 8 + header_len + 16)
        self.assertEqual(data[8 + header_len + 12:], np.array([1.5, -2.0], dtype="<f2").tobytes())
        read, _ = read_safetensors(path)
        self.assertEqual(list(read), ["b", "a"])
        self.assertTrue(torch.equal(read["b"].float(), tensors["b"]))

    def test_rejects_inconsistent_offsets(self):
        path = self.dir / "bad.safetensors"
        header = json.dumps({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}).encode()
        header += b" " * (-len(header) % 8)
        path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
        with self.assertRaises(ValueError):
            read_safetensors(path)

    def test_shipped_model(self):
        tensors, metadata = read_safetensors(MODEL_DIR / "deepfill-v1.safetensors")
        self.assertEqual(metadata["architecture"], "deepfill-v1")
        self.assertEqual(metadata["cnum"], "32")
        self.assertEqual({t.dtype for t in tensors.values()}, {torch.float16})
        self.assertEqual(sum(t.numel() for t in tensors.values()), 3601542)
        descriptor = json.loads((MODEL_DIR / "model.json").read_text())
        self.assertEqual(descriptor["architecture"], "deepfill-v1")
        self.assertEqual(descriptor["architectureVersion"], 1)
        self.assertEqual(descriptor["cnum"], 32)
        self.assertEqual(descriptor["weights"], "deepfill-v1.safetensors")
        self.assertIn(descriptor["training"]["status"], ("untrained-initial", "trained"))


class FixturesTest(unittest.TestCase):
    def test_fixtures_on_disk_match_a_fresh_build(self):
        small, outputs, fixtures = make_fixtures.build()
        on_disk = json.loads((make_fixtures.FIXTURE_DIR / "fixtures.json").read_text())
        self.assertEqual(on_disk, fixtures)
        weights, _ = read_safetensors(make_fixtures.FIXTURE_DIR / make_fixtures.SMALL_WEIGHTS)
        for name, tensor in small.state_dict().items():
            self.assertTrue(torch.equal(weights[name], tensor), name)
        for entry in fixtures["cases"]:
            stored = make_fixtures.read_case(entry["name"])
            fresh = outputs[entry["name"]]
            self.assertEqual(set(stored), set(fresh))
            for key in ("x", "mask", "decisive"):
                self.assertTrue(torch.equal(stored[key], fresh[key]), f"{entry['name']} {key}")
            for key in ("stage1", "stage2", "attention_in", "attention_out"):
                self.assertLess(relative_error(stored[key], fresh[key]), 1e-5, f"{entry['name']} {key}")
            # the captured attention tensors really are the block's input and output
            attention_out, _, _ = contextual_attention(stored["attention_in"], stored["mask"][:, :, ::4, ::4])
            self.assertLess(relative_error(attention_out, stored["attention_out"]), 1e-5, entry["name"])
            if "pipeline" in entry:
                for key in ("image", "hole"):
                    self.assertTrue(torch.equal(stored[key], fresh[key]), f"{entry['name']} {key}")
                self.assertLess(relative_error(stored["result"], fresh["result"]), 1e-5, entry["name"])
            decisive = stored["decisive"].expand_as(stored["offsets"]) > 0
            self.assertTrue(torch.equal(stored["offsets"][decisive], fresh["offsets"][decisive]))
            self.assertGreater(entry["decisiveCells"], entry["cells"] // 2, "too few decisive cells to test offsets")
        total = sum(p.stat().st_size for p in make_fixtures.FIXTURE_DIR.iterdir())
        self.assertLess(total, 3 * 1024 * 1024)

    def test_fixture_masks(self):
        for name, seed, _ in make_fixtures.CASES:
            _, mask = make_fixtures._case_inputs(name, seed)
            self.assertTrue(bool(((mask == 0) | (mask == 1)).all()))
            self.assertTrue(bool((mask.sum(dim=(1, 2, 3)) > 0).all()), name)
        _, batch_mask = make_fixtures._case_inputs("random-c8-2x32x32", 13)
        self.assertFalse(torch.equal(batch_mask[0], batch_mask[1]))


class FlowTest(unittest.TestCase):
    def test_colour_wheel(self):
        wheel = color_wheel()
        self.assertEqual(wheel.shape, (55, 3))
        # every wheel colour is fully saturated: one channel at 0, one at 255
        self.assertTrue(np.all(wheel.min(axis=1) == 0) and np.all(wheel.max(axis=1) == 255))

    def test_picture(self):
        offsets = torch.zeros(2, 2, 3, dtype=torch.int32)
        offsets[:, 0, 0] = torch.tensor([0, 4])   # largest magnitude: saturated
        offsets[:, 0, 1] = torch.tensor([0, -2])  # half magnitude: pastel
        offsets[:, 1, 0] = torch.tensor([3, 0])
        offsets[:, 1, 2] = torch.tensor([1, 1])   # outside the hole
        mask = torch.zeros(1, 16, 24)
        mask[:, 0:16, 0:16] = 1
        picture = offsets_to_rgb(offsets, mask)
        self.assertEqual(picture.shape, (16, 24, 3))
        self.assertEqual(picture.dtype, np.uint8)
        cell = lambda y, x: picture[8 * y, 8 * x]  # noqa: E731
        self.assertTrue(np.all(picture[0:8, 0:8] == cell(0, 0)), "cells are uniform 8x8 blocks")
        self.assertEqual(cell(0, 0).min(), 0)
        self.assertTrue(120 <= cell(0, 1).min() <= 130)
        self.assertFalse(np.array_equal(cell(0, 0), cell(1, 0)))
        np.testing.assert_array_equal(cell(1, 1), [255, 255, 255])  # zero offset in the hole
        np.testing.assert_array_equal(cell(1, 2), [255, 255, 255])  # not in the hole
        batch = offsets_to_rgb(offsets[None].repeat(2, 1, 1, 1), mask[None].repeat(2, 1, 1, 1))
        self.assertEqual(batch.shape, (2, 16, 24, 3))
        np.testing.assert_array_equal(batch[1], picture)


if __name__ == "__main__":
    unittest.main()
