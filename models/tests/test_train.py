"""Tests of the training code (tiny sizes). Run: cd models && /usr/bin/python3 -m unittest discover -s tests -v"""
import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from unittest import mock

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deepfill import cpu, load_generator  # noqa: E402
from train import card, critics, data, losses  # noqa: E402
from train import resident, round as round_, speed  # noqa: E402
from train.config import DEFAULT_CONFIG, load_config  # noqa: E402
from train.train import Trainer, choose_runtime, main, train  # noqa: E402

torch.set_num_threads(1)

MASK = {"reference_crop": 64, "p_box": 0.5, "box_max": 32, "box_shrink": 4, "strokes": [1, 3], "vertices": [4, 11],
        "width": [4, 8], "segment": [4, 12]}


def tiny_settings(image_dir):
    """--set overrides for a 64x64, cnum 4 run on the CPU."""
    values = {
        "data.dir": f'"{image_dir}"', "data.crop": 64, "data.workers": 0,
        "mask.reference_crop": 64, "mask.box_max": 32, "mask.box_shrink": 4, "mask.width": "[4, 8]", "mask.segment": "[4, 12]",
        "model.cnum": 4, "model.critic_cnum": 4, "model.local_size": 32,
        "optim.critic_steps": 1, "train.batch": 2, "train.samples": 2, "train.log_every": 1,
        "train.sample_every": 1, "train.checkpoint_every": 1, "device.device": "cpu",
        # one thread: a second one only waits for the first on a busy 2-core machine; fp32 without the bf16 probe
        "device.threads": 1, "device.amp": "false",
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
        cfg = load_config(DEFAULT_CONFIG, [f"data.dir={self.images}", "data.crop=64", "data.workers=0"])
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
                loader = data.LoaderSource({"data": data_cfg, "mask": MASK, "train": {"batch": 2}, "seed": 0},
                                           pin_memory=False)
                self.assertEqual(next(loader.epoch(0))[0].shape, (2, 3, 64, 64))

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
        # the image border counts as known; past SMALLEST_WEIGHT (88 steps at 0.9) the weights stop decaying
        w = losses.discount_weights(torch.ones(2, 1, 256, 200), 0.9)
        self.assertEqual(w[1, 0, 0, 100].item(), 1.0)
        self.assertEqual(w[1, 0, 3, 100].item(), torch.tensor(0.9 ** 3).item())
        self.assertEqual(w[0, 0, 128, 100].item(), torch.tensor(0.9 ** 88).item())

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
        # what is exported is the weights' moving average, kept across the resume
        for name, value in gen.state_dict().items():
            self.assertTrue(torch.allclose(value, state["generator_ema"][name].half().float()))
        descriptor = json.loads((out / "model.json").read_text())
        self.assertEqual((descriptor["cnum"], descriptor["training"]["status"]), (4, "trained"))
        self.assertEqual((descriptor["training"]["steps"], descriptor["training"]["imagesSeen"]), (3, 12))
        self.assertGreater(descriptor["training"]["imagesPerSecond"], 0)  # one step in the resumed part
        with torch.no_grad():
            stage1, stage2, offsets = gen(torch.zeros(1, 3, 64, 64), torch.ones(1, 1, 64, 64))
        self.assertEqual(offsets.shape, (1, 2, 8, 8))

    def test_exports_the_moving_average_of_the_weights(self):
        out = Path(self.tmp.name) / "run-ema"
        base = ["--out", str(out)] + tiny_settings(self.images) + ["--set", "optim.ema=0.75"]
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(main(base + ["--steps", "2"]), 0)
        before = torch.load(out / "checkpoint.pt")
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(main(base + ["--steps", "3", "--resume"]), 0)
        after = torch.load(out / "checkpoint.pt")
        moved = 0
        for name, average in after["generator_ema"].items():
            # each step moves the average a quarter of the way to the new weights
            expected = before["generator_ema"][name].lerp(after["generator"][name], 0.25)
            self.assertTrue(torch.allclose(average, expected, atol=1e-6), name)
            moved += int(not torch.equal(average, after["generator"][name]))
        self.assertGreater(moved, 0, "the average lags the weights")
        descriptor = json.loads((out / "model.json").read_text())
        self.assertEqual(descriptor["training"]["config"]["ema"], 0.75)

        plain = Path(self.tmp.name) / "run-no-ema"
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(main(["--out", str(plain), "--steps", "1"] + tiny_settings(self.images)
                                  + ["--set", "optim.ema=0"]), 0)
        state = torch.load(plain / "checkpoint.pt")
        self.assertNotIn("generator_ema", state, "without an average the generator is stored once")
        for name, value in load_generator(plain / "deepfill-v1.safetensors").state_dict().items():
            self.assertTrue(torch.allclose(value, state["generator"][name].half().float()), name)

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

    def test_masks_scale_with_the_crop(self):
        scaled = data.scale_masks(dict(MASK, reference_crop=256, box_max=128, box_shrink=16, width=[12, 40]), 128)
        self.assertEqual((scaled["box_max"], scaled["box_shrink"], scaled["width"]), (64, 8, [6, 20]))
        self.assertEqual((scaled["strokes"], scaled["vertices"]), (MASK["strokes"], MASK["vertices"]))
        self.assertIs(data.scale_masks(MASK, 64)["box_max"], 32)

    def packed(self, name, size, quality=90):
        path = Path(self.tmp.name) / name
        if not path.exists():
            data.pack(data.list_images(self.images), path, 6, size, [0.9, 1.0], seed=4, jpeg_quality=quality)
        return path

    def test_resident_batches_are_crops_of_the_pack_with_bank_masks(self):
        path = self.packed("resident.npy", 72, quality=None)  # raw, so that crops compare exactly
        crops = torch.from_numpy(np.load(path)).permute(0, 3, 1, 2)
        cfg = load_config(DEFAULT_CONFIG, [f"data.packed={path}", "data.crop=64", "train.batch=3"]
                          + [f"mask.{k}={json.dumps(v)}" for k, v in MASK.items()])
        source = resident.ResidentSource(cfg, "cpu", bank=16)
        self.assertEqual(len(source), 6)
        batches = list(source.epoch(0))
        self.assertEqual(len(batches), 2)
        for x, m, boxes in batches:
            self.assertEqual((x.shape, x.dtype, m.shape, m.dtype), ((3, 3, 64, 64), torch.uint8, (3, 1, 64, 64),
                                                                    torch.float32))
            self.assertTrue(set(m.unique().tolist()) <= {0.0, 1.0})
            for image, mask, box in zip(x, m, boxes):
                self.assertEqual(tuple(box.tolist()), data.bounding_box(mask[0].numpy()))
                windows = [c[:, t:t + 64, l:l + 64] for c in crops for t in range(9) for l in range(9)]
                self.assertTrue(any(torch.equal(image, w) or torch.equal(image, w.flip(2)) for w in windows))
        # the same epoch number draws the same batches; another one does not
        self.assertTrue(all(torch.equal(a[0], b[0]) for a, b in zip(batches, source.epoch(0))))
        self.assertFalse(all(torch.equal(a[0], b[0]) for a, b in zip(batches, source.epoch(1))))

    def test_a_nan_under_bf16_steps_back_and_goes_on_in_fp32(self):
        cfg = load_config(DEFAULT_CONFIG, tiny_settings(self.images)[1::2] + ["loss.adv=0"])
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            trainer = train(cfg, Path(self.tmp.name) / "run-nan", steps=1)
            trainer.rt.amp = True  # bf16 autocast runs on any CPU, fast or not
            original, calls = trainer.generator_step, []

            def poisoned(batch):
                calls.append(1)
                result = original(batch)
                if len(calls) == 2:  # a bf16 overflow: NaN loss and NaN weights after the update
                    next(trainer.gen.parameters()).data.fill_(float("nan"))
                    result["g_loss"] = torch.tensor(float("nan"))
                return result

            trainer.generator_step = poisoned
            trainer.run(4)
        self.assertIn("going on in fp32", printed.getvalue())
        self.assertFalse(trainer.rt.amp)
        self.assertEqual(trainer.step, 4)
        self.assertTrue(all(torch.isfinite(p).all() for p in trainer.gen.parameters()))
        with open(Path(self.tmp.name) / "run-nan" / "log.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        self.assertTrue(all(np.isfinite(float(r["g_loss"])) for r in rows))

    def test_critics_carry_over_between_runs(self):
        out = Path(self.tmp.name) / "run-critics"
        with contextlib.redirect_stdout(io.StringIO()):
            main(["--out", str(out), "--steps", "1"] + tiny_settings(self.images))
            first = torch.load(out / "checkpoint.pt")["local_critic"]
            again = Path(self.tmp.name) / "run-critics-2"
            trainer = train(load_config(DEFAULT_CONFIG, tiny_settings(self.images)[1::2]), again, steps=0,
                            init_critics=out / "critics.safetensors")
        for name, value in trainer.lcrit.state_dict().items():
            self.assertTrue(torch.allclose(value, first[name].half().float()))
        with self.assertRaises(ValueError):  # the global critic's shapes follow the crop
            with contextlib.redirect_stdout(io.StringIO()):
                train(load_config(DEFAULT_CONFIG, tiny_settings(self.images)[1::2] + ["data.crop=32"]),
                      Path(self.tmp.name) / "run-critics-3", steps=0, init_critics=out / "critics.safetensors")

    def test_gpu_round_rehearsed_on_the_cpu(self):
        """The GPU call's command line, on the CPU: packed crops, phases, export, no evaluation."""
        out = Path(self.tmp.name) / "round"
        pack = self.packed("round.npy", 72)
        # the shipped config with tiny phases: 48 px then 64 px crops (critics do not fit across crops)
        text = DEFAULT_CONFIG.read_text(encoding="utf-8")
        config = Path(self.tmp.name) / "round.toml"
        config.write_text(text[:text.index("[[round.cpu]]")] + "".join(
            f'[[round.cpu]]\nshare = 1\nset = {{ "data.crop" = {crop}, "train.batch" = 2 }}\n' for crop in (48, 64)))
        tiny = sum((["--set", a] for a in tiny_settings(self.images)[1::2] if not a.startswith("data.crop")), [])
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            self.assertEqual(round_.main(["--config", str(config), "--device", "cpu", "--pack", str(pack),
                                          "--minutes", "0.01", "--out", str(out), "--no-evaluate"] + tiny), 0)
        self.assertIn("--adopt-from", printed.getvalue())
        descriptor = json.loads((out / "final" / "model.json").read_text())
        phases = descriptor["training"]["round"]["phases"]
        self.assertEqual([(p["crop"], p["batch"]) for p in phases], [(48, 2), (64, 2)])
        self.assertTrue(all(p["steps"] >= 1 for p in phases))
        # each phase draws its samples from a seed of its own start weights (the shipped ones, then phase 1's export)
        # and the round's number, so that a round restarted from the same export does not replay the samples
        seed = load_config(DEFAULT_CONFIG)["seed"]
        number = card.next_round(round_.MODEL_CARD.read_text(encoding="utf-8"))
        self.assertEqual([p["seed"] for p in phases],
                         [round_.data_seed(seed, round_.SHIPPED / "deepfill-v1.safetensors", number),
                          round_.data_seed(seed, out / "phase1" / "deepfill-v1.safetensors", number)])
        self.assertNotEqual(phases[0]["seed"], phases[1]["seed"])
        self.assertNotEqual(phases[0]["seed"],
                            round_.data_seed(seed, round_.SHIPPED / "deepfill-v1.safetensors", number + 1))
        self.assertEqual(descriptor["training"]["imagesSeen"], sum(p["images"] for p in phases))
        # what the round's speed depended on: the kernels, the allocator, the load beside it
        summary = descriptor["training"]["round"]
        self.assertTrue(summary["runtime"].startswith("OpenBLAS kernels "), summary["runtime"])
        self.assertTrue(0 <= summary["othersCpuPercent"] <= 100, summary["othersCpuPercent"])
        # started from the shipped weights (cnum 32), not from the tiny config's cnum 4
        self.assertEqual(load_generator(out / "final" / "deepfill-v1.safetensors").cnum, 32)
        for name in ("critics.safetensors", "model.json", "deepfill-v1.safetensors"):
            self.assertTrue((out / "final" / name).exists(), name)
        self.assertTrue((out / "phase2" / "samples").is_dir())

    def test_a_signal_ends_the_running_phase_saved_and_the_round_skips_the_phases_left(self):
        out = Path(self.tmp.name) / "stopped-round"
        text = DEFAULT_CONFIG.read_text(encoding="utf-8")
        config = Path(self.tmp.name) / "two-phases.toml"
        config.write_text(text[:text.index("[[round.cpu]]")] + '[[round.cpu]]\nshare = 1\nset = {}\n' * 2)
        tiny = sum((["--set", a] for a in tiny_settings(self.images)[1::2]), [])
        step = Trainer.generator_step

        def step_then_stop(trainer, batch):
            result = step(trainer, batch)
            if trainer.step == 1:  # counted after this call: the signal comes during the second step
                os.kill(os.getpid(), signal.SIGTERM)
            return result
        caught = []
        previous = signal.signal(signal.SIGTERM, lambda signum, _: caught.append(signum))
        self.addCleanup(signal.signal, signal.SIGTERM, previous)
        with mock.patch.object(Trainer, "generator_step", step_then_stop), \
                contextlib.redirect_stdout(io.StringIO()) as printed:
            # minutes enough for many steps: only the signal can end the phase after 2
            self.assertEqual(round_.main(["--config", str(config), "--device", "cpu", "--minutes", "10",
                                          "--out", str(out), "--no-evaluate"] + tiny), 0)
        self.assertIn("skipping the phases left", printed.getvalue())
        phases = json.loads((out / "final" / "model.json").read_text())["training"]["round"]["phases"]
        self.assertEqual([(p["phase"], p["steps"]) for p in phases], [(1, 2)])
        self.assertEqual(torch.load(out / "phase1" / "checkpoint.pt")["step"], 2)
        self.assertFalse((out / "phase2").exists())
        # the trainer and the round took the signal; the handler from before is back, and never ran
        self.assertEqual(caught, [])
        self.assertEqual(signal.getsignal(signal.SIGTERM).__name__, "<lambda>")

    def test_a_round_goes_on_from_the_training_state_of_the_round_that_made_its_start_weights(self):
        rounds = Path(self.tmp.name) / "rounds"
        tiny = sum((["--set", a] for a in tiny_settings(self.images)[1::2]), [])
        start = Path(self.tmp.name) / "round-start"
        with contextlib.redirect_stdout(io.StringIO()):
            main(["--out", str(start), "--steps", "1"] + tiny_settings(self.images))

        def round_from(weights, name, *extra):
            with contextlib.redirect_stdout(io.StringIO()) as printed:
                self.assertEqual(round_.main(["--device", "cpu", "--minutes", "0.01", "--init", str(weights),
                                              "--out", str(rounds / name), "--no-evaluate", *extra] + tiny), 0)
            phases = json.loads((rounds / name / "final" / "model.json").read_text())["training"]["round"]["phases"]
            return printed.getvalue(), phases[0], torch.load(rounds / name / "phase1" / "checkpoint.pt")

        def adam_steps(state):
            return int(next(iter(state["opt_g"]["state"].values()))["step"])

        _, phase, first = round_from(start / "deepfill-v1.safetensors", "r1")
        self.assertNotIn("continued", phase)
        self.assertEqual(adam_steps(first), first["step"])
        printed, phase, second = round_from(rounds / "r1" / "final" / "deepfill-v1.safetensors", "r2")
        self.assertIn("continuing the training state of r1", printed)
        self.assertEqual(phase["continued"], "r1")
        # the optimiser's moments go on from the first round's; the round counts its own steps
        self.assertEqual(adam_steps(second), first["step"] + second["step"])
        self.assertEqual(phase["steps"], second["step"])
        _, phase, fresh = round_from(rounds / "r1" / "final" / "deepfill-v1.safetensors", "r3", "--fresh")
        self.assertNotIn("continued", phase)
        self.assertEqual(adam_steps(fresh), fresh["step"])

    def test_device_call_script_rehearsed_on_the_cpu(self):
        """The GPU call exactly as the device tool runs it (same script, GPU phases), on the CPU at tiny sizes."""
        out = Path(self.tmp.name) / "device-out"
        tiny = sum((["--set", a] for a in tiny_settings(self.images)[1::2]), [])
        script = Path(__file__).resolve().parents[1] / "train" / "device_round.sh"
        env = dict(os.environ, PYTHON=sys.executable, DEVICE="cpu", PACK=str(self.packed("device.npy", 72)),
                   OUT=str(out))
        done = subprocess.run(["bash", str(script), "0.01"] + tiny, env=env, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        files = [p for p in out.rglob("*") if p.is_file()]
        self.assertLessEqual(len(files), 8)  # what the device tool brings back: 8 files of 16 MiB, 2 folders deep
        self.assertTrue(all(p.stat().st_size < 16 * 2 ** 20 and len(p.relative_to(out).parts) <= 3 for p in files))
        names = {str(p.relative_to(out)) for p in files}
        self.assertTrue({"round/final/model.json", "round/final/deepfill-v1.safetensors", "round/phase1-log.csv",
                         "round/phase1-samples.png"} <= names, names)
        training = json.loads((out / "round" / "final" / "model.json").read_text())["training"]
        self.assertEqual(training["round"]["phases"][0]["crop"], 64)
        self.assertIn("img/s", done.stdout)
        # python3 -m train.round ran itself again with tcmalloc where Debian's is installed (.ci/run installs it)
        self.assertIn("malloc tcmalloc" if cpu.tcmalloc_path() else "malloc the C library", done.stdout)

    def test_openblas_kernels_follow_the_cpu_flags_unless_the_environment_names_them(self):
        avx512 = frozenset({"sse2", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
        self.assertEqual(cpu.openblas_core(avx512), "SkylakeX")
        self.assertEqual(cpu.openblas_core(avx512 - {"avx512bw"}), "Haswell")
        self.assertEqual(cpu.openblas_core(frozenset({"sse2", "sse3"})), None)
        environ = {}
        self.assertEqual(cpu.choose_openblas_core(environ, avx512), "SkylakeX")
        self.assertEqual(environ, {"OPENBLAS_CORETYPE": "SkylakeX"})
        environ = {"OPENBLAS_CORETYPE": "Zen"}
        self.assertEqual(cpu.choose_openblas_core(environ, avx512), "Zen")
        self.assertEqual(cpu.choose_openblas_core({}, frozenset()), None)

    def test_the_share_of_the_cpu_that_other_processes_took(self):
        stat = Path(self.tmp.name) / "stat"
        tick = os.sysconf("SC_CLK_TCK")
        # user nice system idle iowait irq softirq steal guest guest_nice: busy 600 + 300 + 100, idle 900 + 100
        stat.write_text(f"cpu  600 300 100 900 100 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
        busy, total, own = cpu.cpu_times(stat)
        self.assertEqual((busy, total), (1000 / tick, 2000 / tick))
        self.assertGreater(own, 0)
        # 10 s of the machine's CPU went by, 6 busy, 2 of them this process's: others took 40 %
        self.assertEqual(cpu.others_percent((100.0, 200.0, 5.0), (106.0, 210.0, 7.0)), 40.0)
        self.assertEqual(cpu.others_percent((100.0, 200.0, 5.0), (101.0, 210.0, 7.0)), 0.0)  # clocks' rounding
        self.assertIsNone(cpu.others_percent(cpu.cpu_times(stat.parent / "absent"), (1.0, 2.0, 3.0)))
        self.assertIsNone(cpu.others_percent((100.0, 200.0, 5.0), (100.0, 200.0, 5.0)))

    def test_commands_run_again_with_tcmalloc_once_and_their_children_run_without_it(self):
        calls = []
        lib_dir = Path(self.tmp.name) / "lib"
        lib_dir.mkdir()
        library = str(lib_dir / cpu.TCMALLOC)
        environ = {"LD_PRELOAD": "libother.so", "PATH": "/bin"}
        # nothing installed: nothing happens
        cpu.rerun_with_tcmalloc(environ, [str(lib_dir)], lambda *a: calls.append(a))
        self.assertEqual(calls, [])
        Path(library).touch()
        cpu.rerun_with_tcmalloc(environ, [str(lib_dir)], lambda *a: calls.append(a))
        self.assertEqual(len(calls), 1)
        executable, argv, env = calls[0]
        self.assertEqual((executable, argv), (sys.executable, sys.orig_argv))
        self.assertEqual(env["LD_PRELOAD"], "libother.so " + library)
        # the command run again finds it loaded and goes on
        cpu.rerun_with_tcmalloc(env, [str(lib_dir)], lambda *a: calls.append(a))
        self.assertEqual(len(calls), 1)
        # its children (the Java evaluation) get the environment it was started with
        self.assertEqual(cpu.without_preload(env), environ)
        self.assertEqual(cpu.without_preload({"PATH": "/bin"}), {"PATH": "/bin"})
        cpu.rerun_with_tcmalloc({"PATH": "/bin"}, [str(lib_dir)], lambda *a: calls.append(a))
        self.assertEqual(cpu.without_preload(calls[1][2]), {"PATH": "/bin"})

    def test_the_trainer_chooses_openblas_kernels_before_torch_loads_it(self):
        # OpenBLAS names the kernels it loaded with OPENBLAS_VERBOSE=2; set after torch's import they would be its own
        expected = cpu.openblas_core(cpu.cpu_flags())
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        env["OPENBLAS_VERBOSE"] = "2"
        run = subprocess.run([sys.executable, "-c", "import os, train.train, torch; torch.mm(torch.ones(64, 64), "
                              "torch.ones(64, 64)); print(os.environ.get('OPENBLAS_CORETYPE'))"],
                             cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True,
                             check=True)
        self.assertEqual(run.stdout.strip(), str(expected))
        if expected is not None:
            self.assertIn(f"Core: {expected}", run.stderr)

    def test_speed_probe_times_a_training_step(self):
        self.assertGreater(speed.images_per_second(64, 1, bf16=False, channels_last=True, flush=True, steps=1), 0)

    def test_adoption_needs_better_hole_l1_everywhere_and_no_psnr_loss(self):
        def means(l1, psnr):
            return {"model": {"holeL1": l1, "psnr": psnr}, "telea": {"holeL1": 10.0}}
        shipped = {"center": means(13.0, 21.0), "strokes": means(12.0, 21.5)}
        self.assertEqual(round_.verdict({"center": means(12.5, 21.1), "strokes": means(11.0, 21.5)}, shipped),
                         (True, []))
        adopt, reasons = round_.verdict({"center": means(12.5, 21.1), "strokes": means(12.0, 21.9)}, shipped)
        self.assertFalse(adopt)
        self.assertIn("strokes: hole l1", reasons[0])
        self.assertFalse(round_.verdict({"center": means(12.5, 20.9), "strokes": means(11.0, 21.6)}, shipped)[0])

    def test_a_rounds_lineage_counts_on_from_its_start_weights(self):
        text = round_.MODEL_CARD.read_text(encoding="utf-8")
        number = card.next_round(text)
        self.assertGreater(number, 27)  # the card names rounds up to 27 at least, stopped ones included
        start = Path(self.tmp.name) / "lineage" / "final"
        start.mkdir(parents=True)

        def summary(training):
            (start / "model.json").write_text(json.dumps({"training": training}))
            return {"start": str(start / "deepfill-v1.safetensors"), "minutes": 10.0,
                    "phases": [{"images": 80}, {"images": 40}]}
        self.assertEqual(card.lineage(summary({"lineage": {"round": number + 4, "from": number + 3, "images": 1000,
                                                           "minutes": 100}}), round_.MODELS, text),
                         {"round": number + 5, "from": number + 4, "images": 1120, "minutes": 110.0})
        # a start the card has gone past gets the next free number
        self.assertEqual(card.lineage(summary({"lineage": {"round": 3, "from": 2, "images": 1000, "minutes": 100}}),
                                      round_.MODELS, text)["round"], number)
        # init_model.py's weights: nothing before them
        self.assertEqual(card.lineage(summary({"status": "untrained-initial"}), round_.MODELS, text),
                         {"round": number, "from": 0, "images": 120, "minutes": 10.0})
        # an export from before lineages, or one whose folder is gone: unknown, not guessed
        self.assertIsNone(card.lineage(summary({"round": {"start": card.SHIPPED_START}}), round_.MODELS, text))
        self.assertIsNone(card.lineage({"start": str(start.parent / "gone" / "w.safetensors"), "minutes": 1,
                                        "phases": []}, round_.MODELS, text))
        # the shipped weights carry theirs
        shipped = card.lineage({"start": card.SHIPPED_START, "minutes": 0, "phases": []}, round_.MODELS, text)
        self.assertGreater(shipped["images"], 100_000)

    def test_an_adopted_round_writes_the_model_cards_figures(self):
        text = round_.MODEL_CARD.read_text(encoding="utf-8")
        number = card.next_round(text)

        def means(hole, psnr):
            return {"holeL1": hole, "l1": 2.5, "l2": 0.6, "psnr": psnr, "ssim": 0.84, "tv": 2.7, "seam": -1.9,
                    "ms": 600.0}
        results = {kind: {"model": means(model, 24.0), "telea": means(telea, 21.0),
                          "navier-stokes": means(telea + 0.5, 20.9), "mean-colour": means(17.0, 19.0),
                          "holeL1": {"modelToTelea": model / telea, "target": 0.6, "met": model / telea <= 0.6}}
                   for kind, model, telea in (("center", 7.0, 12.0), ("strokes", 9.0, 10.0))}
        totals = {"round": number, "from": number - 1, "images": 150_000, "minutes": 2000}
        summary = {"start": card.SHIPPED_START, "minutes": 120.0, "device": "CPU, 2 thread(s) (test)",
                   "runtime": "OpenBLAS kernels SkylakeX, malloc tcmalloc", "othersCpuPercent": 37.4,
                   "phases": [{"crop": 256, "batch": 8, "steps": 100, "images": 800, "adv": 0, "bf16": True,
                               "continued": f"round{number - 1}"}]}
        row = round_.history_row(summary, results, True, totals)
        self.assertIn(f"| round {number - 1}, going on from its training state", row)
        self.assertIn("| CPU, 2 thread(s) (test, bf16), OpenBLAS kernels SkylakeX, malloc tcmalloc; other processes took 37 % "
                      "of the machine's CPU time beside it | 120 min |", row)
        self.assertTrue(row.endswith(f"| 7.00 % (0.58x) / 9.00 % (0.90x) | adopted (round {number}) |"), row)
        # the precision the phases ran in, as each phase recorded it (a NaN under bf16 goes on in fp32)
        for flags, named in (((False,), "(test, fp32)"), ((True, False), "(test, bf16 and fp32)")):
            phases = [dict(summary["phases"][0], bf16=flag) for flag in flags]
            self.assertIn(f"| CPU, 2 thread(s) {named}, OpenBLAS", round_.history_row(
                dict(summary, phases=phases), results, True, totals))
        self.assertIn("| NVIDIA H200 (bf16) |", round_.history_row(
            {k: v for k, v in summary.items() if k not in ("runtime", "othersCpuPercent")} | {"device": "NVIDIA H200"},
            results, True, totals))
        lines = card.update(text, row, results, totals, ["2026-12-01 10:00", "10:07"], summary["device"]).split("\n")
        before = text.split("\n")

        first, end = card.table_lines(lines, card.HISTORY_HEADING)
        self.assertEqual((lines[end - 1], end), (row, card.table_lines(before, card.HISTORY_HEADING)[1] + 1))
        first, end = card.table_lines(lines, card.EVALUATION_HEADING)
        status = next(line for line in lines if line.startswith("| Status |"))
        self.assertIn(f"rounds 1-{number}: about 33 hours of training, 150,000 images.", status)
        self.assertIn("center 0.58x, strokes 0.90x (target 0.6x on center)", status)
        for kind, hole in (("center", "7.00"), ("strokes", "9.00")):
            bold = [i for i in range(first, end) if lines[i].startswith(f"| {kind} | **deepfill-v1")]
            self.assertEqual(len(bold), 1, kind)
            self.assertTrue(lines[bold[0]].startswith(f"| {kind} | **deepfill-v1, round {number}** | **{hole}** |"))
            # the round shipped before keeps its row, no longer bold
            earlier = next(line for line in before if line.startswith(f"| {kind} | **deepfill-v1"))
            self.assertEqual(lines[bold[0] + 1], earlier.replace("**", ""))
            telea = next(lines[i] for i in range(first, end)
                         if lines[i].startswith(f"| {kind} | OpenCV Telea, radius 5 |"))
            self.assertIn(f"| {'12.00' if kind == 'center' else '10.00'} | 2.50 |", telea)
        self.assertEqual(len(lines), len(before) + 3)  # the history row and two evaluation rows
        block = "\n".join(lines[lines.index(card.STANDING_START):lines.index(card.STANDING_END)])
        self.assertIn(f"Reached: 0.58x (7.00 / 12.00 %, round {number}): met.** Other mask kinds: strokes 0.90x", block)
        self.assertIn("CPU, 2 thread(s) (test)), 2026-12-01 10:00-10:07 UTC; a picture took the model 600 ms", block)
        # the boxes rows, which this judge did not measure, and the full-size tables stay as they were
        self.assertEqual([line for line in lines if line.startswith("| boxes |")],
                         [line for line in before if line.startswith("| boxes |")])
        self.assertEqual(lines[lines.index("### At full size, through the product's path (issue 13)"):],
                         before[before.index("### At full size, through the product's path (issue 13)"):])

    def test_the_judge_numbers_the_round_and_writes_the_card_only_when_it_adopts(self):
        folder = Path(self.tmp.name) / "judge"
        final = folder / "round" / "final"
        final.mkdir(parents=True)
        text = round_.MODEL_CARD.read_text(encoding="utf-8")
        copy = folder / "MODEL_CARD.md"
        copy.write_text(text, encoding="utf-8")
        number = card.next_round(text)
        shipped = json.loads((round_.SHIPPED / "model.json").read_text(encoding="utf-8"))["training"]["lineage"]
        summary = {"start": card.SHIPPED_START, "minutes": 60.0, "device": "CPU (test)", "set": ["mask.p_box=0.65"],
                   "phases": [{"crop": 256, "batch": 8, "steps": 10, "images": 80, "adv": 0}]}
        (final / "model.json").write_text(json.dumps({"training": {"round": summary}}))

        def means(hole):
            return {"holeL1": hole, "l1": 2.5, "l2": 0.6, "psnr": 22.0, "ssim": 0.84, "tv": 2.7, "seam": -1.9,
                    "ms": 600.0}

        def evaluate(model_json, masks, seed, out):
            hole = 9.0 if Path(model_json).parent == final and wins else 10.0
            return {kind: {"model": means(hole), "telea": means(12.0), "navier-stokes": means(12.5),
                           "mean-colour": means(17.0), "holeL1": {"modelToTelea": hole / 12.0, "target": 0.6,
                                                                  "met": False}} for kind in masks}
        adopted, signals = [], []

        def adopt(*args):
            adopted.append(args)
            os.kill(os.getpid(), signal.SIGTERM)  # a stop in the middle of an adoption waits for its end
        cfg = {"round": {"evaluate_masks": ["center", "strokes"], "evaluate_seed": 1}}
        previous = signal.signal(signal.SIGTERM, lambda signum, _: signals.append(signum))
        self.addCleanup(signal.signal, signal.SIGTERM, previous)
        with mock.patch.object(round_, "MODEL_CARD", copy), mock.patch.object(round_, "evaluate", evaluate), \
                mock.patch.object(round_, "adopt", adopt), contextlib.redirect_stdout(io.StringIO()):
            wins = False
            self.assertFalse(round_.judge(final, summary, cfg, folder / "out"))
            self.assertEqual((copy.read_text(encoding="utf-8"), adopted), (text, []))
            # its number is in the printed row, for the card's history by hand
            self.assertTrue(json.loads((folder / "out" / "round.json").read_text())["row"].endswith(
                f"| 10.00 % (0.83x) / 10.00 % (0.83x) | not adopted (round {number}) |"))
            wins = True
            self.assertTrue(round_.judge(final, summary, cfg, folder / "out"))
        totals = {"round": number, "from": shipped["round"], "images": shipped["images"] + 80,
                  "minutes": shipped["minutes"] + 60.0}
        self.assertEqual((adopted, signals), ([(final, totals)], []))
        self.assertEqual(signal.getsignal(signal.SIGTERM).__name__, "<lambda>")  # the handler from before is back
        report = json.loads((folder / "out" / "round.json").read_text())
        self.assertEqual(report["lineage"], totals)
        written = copy.read_text(encoding="utf-8")
        self.assertIn(f"| round {shipped['round']} | 256 px x 8, mask.p_box=0.65 |", written)
        self.assertIn(f"| 9.00 % (0.75x) / 9.00 % (0.75x) | adopted (round {number}) |", written)
        self.assertIn(f"| center | **deepfill-v1, round {number}** | **9.00** |", written)
        self.assertIn(f"Reached: 0.75x (9.00 / 12.00 %, round {number}): not met.**", written)
        self.assertIn(f"Measured by round {number}'s judge (`train.round`: the product's `inpaint evaluate`, MXNet, on "
                      f"CPU, {os.cpu_count()} thread(s) (", written)


    def test_a_round_stopped_during_its_judge_prints_its_row_unjudged(self):
        final = Path(self.tmp.name) / "stopped" / "final"
        final.mkdir(parents=True)
        lineage = {"round": 41, "from": 40, "images": 200_000, "minutes": 2500.0}
        summary = {"start": "../.work/round40/final/deepfill-v1.safetensors", "minutes": 14.2, "device": "CPU (test)",
                   "set": [], "phases": [{"crop": 256, "batch": 8, "steps": 202, "images": 1616, "adv": 0,
                                          "continued": "round40"}]}
        (final / "model.json").write_text(json.dumps({"training": {"round": summary, "lineage": lineage}}))

        def judge(*args):
            raise KeyboardInterrupt
        previous = signal.getsignal(signal.SIGTERM)
        self.addCleanup(signal.signal, signal.SIGTERM, previous)
        with mock.patch.object(round_, "run_phases", lambda args: ({}, final, summary)), \
                mock.patch.object(round_, "judge", judge), contextlib.redirect_stdout(io.StringIO()) as printed:
            self.assertEqual(round_.main(["--out", str(final.parent)]), 130)
        row = printed.getvalue().splitlines()[-1]
        self.assertTrue(row.startswith(f"| {time.strftime('%Y-%m-%d')} | round 40, going on from its training state"), row)
        self.assertTrue(row.endswith("| 202 | 1,616 | 1.90 | CPU (test) | 14 min | - | stopped unjudged (round 41) |"), row)


if __name__ == "__main__":
    unittest.main()
