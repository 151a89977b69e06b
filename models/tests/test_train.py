"""Tests of the training code (tiny sizes). Run: cd models && /usr/bin/python3 -m unittest discover -s tests -v"""
import contextlib
import csv
import io
import json
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deepfill import load_generator  # noqa: E402
from train import critics, data, losses  # noqa: E402
from train.train import DEFAULT_CONFIG, load_config, main  # noqa: E402

torch.set_num_threads(1)

MASK = {"p_box": 0.5, "box_max": 32, "box_shrink": 4, "strokes": [1, 3], "vertices": [4, 11],
        "width": [4, 8], "segment": [4, 12]}


def tiny_settings(image_dir):
    """--set overrides for a 64x64, cnum 4 run on the CPU."""
    values = {
        "data.dir": f'"{image_dir}"', "data.crop": 64, "data.workers": 0,
        "mask.box_max": 32, "mask.box_shrink": 4, "mask.width": "[4, 8]", "mask.segment": "[4, 12]",
        "model.cnum": 4, "model.critic_cnum": 4, "model.local_size": 32,
        "optim.critic_steps": 1, "train.batch": 2, "train.samples": 2, "train.log_every": 1,
        "train.sample_every": 1, "train.checkpoint_every": 1, "device.device": "cpu",
    }
    args = []
    for key, value in values.items():
        args += ["--set", f"{key}={value}"]
    return args


class TrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.images = Path(cls.tmp.name) / "images"
        cls.images.mkdir()
        rng = np.random.default_rng(0)
        for i, (w, h) in enumerate([(80, 72), (96, 64), (64, 100), (120, 90), (70, 70)]):
            yy, xx = np.mgrid[0:h, 0:w]
            picture = np.stack([xx * 255 // w, yy * 255 // h, (xx + yy) % 256], axis=-1)
            picture = np.clip(picture + rng.integers(-20, 21, picture.shape), 0, 255).astype(np.uint8)
            Image.fromarray(picture).save(cls.images / f"img{i}.{'png' if i % 2 else 'jpg'}")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_box_masks_in_range_and_boxes_match(self):
        rng = np.random.default_rng(1)
        for _ in range(50):
            mask, (top, left, h, w) = data.random_mask(64, 64, dict(MASK, p_box=1.0), rng)
            self.assertEqual(mask.shape, (64, 64))
            self.assertTrue(set(np.unique(mask)) <= {0.0, 1.0})
            self.assertTrue(28 <= h <= 32 and 28 <= w <= 32)
            self.assertTrue(top >= 0 and left >= 0 and top + h <= 64 and left + w <= 64)
            self.assertEqual(mask.sum(), h * w)
            self.assertTrue(mask[top:top + h, left:left + w].all())

    def test_free_form_masks_in_range_and_boxes_match(self):
        rng = np.random.default_rng(2)
        for _ in range(50):
            mask, (top, left, h, w) = data.random_mask(64, 64, dict(MASK, p_box=0.0), rng)
            self.assertTrue(set(np.unique(mask)) <= {0.0, 1.0})
            self.assertGreaterEqual(mask.sum(), 28 * 28)  # the OR'ed rectangle is always there
            inside = np.zeros_like(mask)
            inside[top:top + h, left:left + w] = 1
            self.assertEqual((mask * (1 - inside)).sum(), 0)
            self.assertTrue(mask[top].any() and mask[top + h - 1].any())
            self.assertTrue(mask[:, left].any() and mask[:, left + w - 1].any())

    def test_dataset_from_folder_and_packed_files(self):
        cfg = load_config(DEFAULT_CONFIG, [f"data.dir={self.images}", "data.crop=64"])
        sources = {"folder": cfg["data"]}
        for name, quality in (("raw", None), ("jpeg", 90)):
            path = Path(self.tmp.name) / f"{name}.npy"
            data.pack(data.list_images(self.images), path, 7, 64, [0.7, 1.0], seed=3, jpeg_quality=quality)
            sources[name] = dict(cfg["data"], packed=str(path))
        self.assertEqual(np.load(Path(self.tmp.name) / "raw.npy").shape, (7, 64, 64, 3))
        for name, data_cfg in sources.items():
            with self.subTest(source=name):
                dataset = data.CropDataset(data_cfg, MASK)
                self.assertEqual(len(dataset), 5 if name == "folder" else 7)
                image, mask, box = dataset[1]
                self.assertEqual((image.shape, image.dtype), ((3, 64, 64), torch.uint8))
                self.assertEqual((mask.shape, mask.dtype), ((1, 64, 64), torch.float32))
                self.assertEqual(tuple(box.tolist()), data.bounding_box(mask[0].numpy()))
                batch = next(iter(data.make_loader(dataset, 2, 0, False, torch.Generator().manual_seed(0))))
                self.assertEqual(batch[0].shape, (2, 3, 64, 64))

    def test_discounted_weights_are_one_at_the_rim_and_decay_inside(self):
        mask = torch.zeros(1, 1, 64, 64)
        mask[..., 10:40, 20:50] = 1
        w = losses.discount_weights(mask, 0.9)[0, 0]
        self.assertEqual(w[mask[0, 0] == 0].abs().max().item(), 0)
        for rim in (w[10, 20:50], w[39, 20:50], w[10:40, 20], w[10:40, 49]):
            self.assertTrue(torch.allclose(rim, torch.ones_like(rim)))
        row = w[25, 20:35]  # from the left side to the middle
        self.assertTrue((row[1:] < row[:-1]).all())
        self.assertAlmostEqual(w[25, 34].item(), 0.9 ** 14, places=5)
        # free-form: an L-shaped hole measures distance inside the hole
        mask = torch.zeros(1, 1, 32, 32)
        mask[..., 4:28, 4:10] = 1
        mask[..., 22:28, 4:28] = 1
        w = losses.discount_weights(mask, 0.5)[0, 0]
        self.assertEqual(w[4, 4].item(), 1.0)
        self.assertEqual(w[6, 6].item(), 0.25)
        self.assertEqual(w[24, 20].item(), 0.25)

    def test_crop_boxes_matches_slicing_at_native_size(self):
        images = torch.rand(2, 3, 64, 64)
        boxes = torch.tensor([[8, 16, 32, 32], [0, 32, 32, 32]])
        crops = critics.crop_boxes(images, boxes, 32)
        self.assertTrue(torch.allclose(crops[0], images[0, :, 8:40, 16:48], atol=1e-5))
        self.assertTrue(torch.allclose(crops[1], images[1, :, 0:32, 32:64], atol=1e-5))

    def test_gradient_penalty_is_finite_and_positive(self):
        torch.manual_seed(0)
        critic = critics.local_critic(4, 32)
        real, fake = torch.rand(3, 3, 32, 32) * 2 - 1, torch.rand(3, 3, 32, 32) * 2 - 1
        mask = torch.zeros(3, 1, 32, 32)
        mask[..., 8:24, 8:24] = 1
        d_real, d_fake, gp = losses.wgan_gp_terms(critic, real, fake, mask)
        self.assertTrue(torch.isfinite(gp) and gp.item() > 0)
        (gp - d_real + d_fake).backward()
        grads = torch.cat([p.grad.flatten() for p in critic.parameters()])
        self.assertTrue(torch.isfinite(grads).all() and grads.abs().sum() > 0)

    def test_config_override_rejects_unknown_keys(self):
        cfg = load_config(DEFAULT_CONFIG, ["train.batch=3", "data.packed=crops.npy"])
        self.assertEqual((cfg["train"]["batch"], cfg["data"]["packed"]), (3, "crops.npy"))
        with self.assertRaises(KeyError):
            load_config(DEFAULT_CONFIG, ["train.bacth=3"])

    def test_two_steps_checkpoint_resume_and_export(self):
        out = Path(self.tmp.name) / "run"
        base = ["--out", str(out)] + tiny_settings(self.images)
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(main(base + ["--steps", "2"]), 0)
        self.assertEqual(torch.load(out / "checkpoint.pt")["step"], 2)
        self.assertTrue((out / "samples" / "step-0000002.png").exists())

        with contextlib.redirect_stdout(io.StringIO()) as printed:
            self.assertEqual(main(base + ["--steps", "3", "--resume"]), 0)
        self.assertIn("starting at step 2", printed.getvalue())
        state = torch.load(out / "checkpoint.pt")
        self.assertEqual((state["step"], state["images"]), (3, 3 * 2 * 2))

        with open(out / "log.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        self.assertEqual([int(r["step"]) for r in rows], [1, 2, 3])
        for row in rows:
            self.assertTrue(all(np.isfinite(float(row[k])) for k in ("g_loss", "l1", "ae", "d_loss", "gp")))

        gen = load_generator(out / "deepfill-v1.safetensors")
        self.assertEqual(gen.cnum, 4)
        for name, value in gen.state_dict().items():
            self.assertTrue(torch.allclose(value, state["generator"][name].half().float()))
        descriptor = json.loads((out / "model.json").read_text())
        self.assertEqual((descriptor["cnum"], descriptor["training"]["status"]), (4, "trained"))
        self.assertEqual((descriptor["training"]["steps"], descriptor["training"]["imagesSeen"]), (3, 12))
        self.assertGreater(descriptor["training"]["imagesPerSecond"], 0)  # one step in the resumed part
        with torch.no_grad():
            stage1, stage2, offsets = gen(torch.zeros(1, 3, 64, 64), torch.ones(1, 1, 64, 64))
        self.assertEqual(offsets.shape, (1, 2, 8, 8))

    def test_reconstruction_only_phase_leaves_the_critics_alone(self):
        out = Path(self.tmp.name) / "run-l1"
        # tiny_settings keeps critic_steps 1: adv 0 alone must turn the critic updates off
        args = ["--out", str(out), "--steps", "2"] + tiny_settings(self.images) + ["--set", "loss.adv=0"]
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(main(args), 0)
        state = torch.load(out / "checkpoint.pt")
        self.assertEqual((state["step"], state["images"]), (2, 2 * 2))
        # no critic update and no Adam state for them: the critics never took part
        self.assertEqual(state["opt_d"]["state"], {})
        self.assertNotEqual(state["opt_g"]["state"], {})
        with open(out / "log.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        self.assertEqual([float(r["adv"]) for r in rows], [0.0, 0.0])
        self.assertTrue(all(float(r["l1"]) > 0 for r in rows))
        descriptor = json.loads((out / "model.json").read_text())
        self.assertEqual(descriptor["training"]["config"]["criticSteps"], 0)
        self.assertIn("reconstruction losses only", descriptor["training"]["summary"])


if __name__ == "__main__":
    unittest.main()
