"""Train the DeepFill v1 generator with the paper's losses and WGAN-GP critics.

Run from models/:
  python3 -m train.train --config train/config.toml --out ../.work/run1 [--resume] [--init W.safetensors]
                         [--steps N] [--minutes M] [--set section.key=value ...]
Outputs in --out: checkpoint.pt, log.csv, samples/step-NNNNNNN.png, config.json, and at exit
deepfill-v1.safetensors (F16) + model.json.
"""
import argparse
import contextlib
import copy
import functools
import csv
import json
import math
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from deepfill import Generator, offsets_to_rgb
from deepfill.cpu import cpu_flags, cpu_runtime, rerun_with_tcmalloc
from deepfill.weights import (load_generator, read_safetensors, save_generator, write_descriptor,
                              write_safetensors)

from . import critics, data, losses
from .config import DEFAULT_CONFIG, load_config

WEIGHTS_NAME = "deepfill-v1.safetensors"
CRITICS_NAME = "critics.safetensors"
LOG_FIELDS = ["step", "images", "wall_s", "images_per_s", "g_loss", "l1", "ae", "adv",
              "d_loss", "wdist", "gp", "hole_l1"]


@dataclass
class Runtime:
    device: torch.device
    amp: bool
    channels_last: bool
    compile: bool

    def autocast(self):
        if not self.amp:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)


def save_critics(gcrit, lcrit, path, cfg):
    tensors = {f"global.{k}": v for k, v in gcrit.state_dict().items()}
    tensors.update({f"local.{k}": v for k, v in lcrit.state_dict().items()})
    write_safetensors(path, tensors, "F16", {"critic_cnum": cfg["model"]["critic_cnum"],
                                             "crop": cfg["data"]["crop"], "local_size": cfg["model"]["local_size"]})


def load_critics(gcrit, lcrit, path):
    """Load both critics from save_critics' file; shapes must match (the global critic's depend on the crop)."""
    tensors, _ = read_safetensors(path)
    for prefix, net in (("global.", gcrit), ("local.", lcrit)):
        part = {k[len(prefix):]: v.float() for k, v in tensors.items() if k.startswith(prefix)}
        try:
            net.load_state_dict(part, strict=True)
        except RuntimeError as e:
            raise ValueError(f"{path}: critics do not fit this configuration (critic_cnum, crop, local_size): {e}")


def cpu_has_bf16():
    """True where the CPU multiplies bf16 natively (AVX-512 BF16 or AMX); elsewhere oneDNN would emulate it, slower than fp32."""
    flags = cpu_flags()
    return "avx512_bf16" in flags or "amx_bf16" in flags


@functools.lru_cache(maxsize=None)  # once per process: a round's phases share the answer
def bf16_is_faster(channels_last, pairs=6):
    """Time a small generator step in fp32 and in bf16 on this CPU. Native bf16 is not enough: bf16 steps were
    2x faster than fp32 on an AMD EPYC with AVX-512 BF16, and 15 % slower on an Intel Xeon that has it too.
    Single steps alternate and each side keeps its fastest, so that a busy moment hurts neither alone."""
    gen = Generator(32)
    memory = torch.channels_last if channels_last else torch.contiguous_format
    gen.to(memory_format=memory)
    x = torch.rand(2, 3, 64, 64).contiguous(memory_format=memory)
    m = torch.zeros(2, 1, 64, 64)
    m[:, :, 16:48, 16:48] = 1
    best = {False: math.inf, True: math.inf}
    for i in range(pairs + 1):
        for amp in (False, True):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
                start = time.perf_counter()
                _, stage2, _ = gen(x, m)
                stage2.float().mean().backward()
            if i:  # the first pair creates the kernels
                best[amp] = min(best[amp], time.perf_counter() - start)
    return best[True] < best[False]


def choose_runtime(cfg):
    """Resolve the [device] section: bf16 on CUDA and on CPUs where it is faster, compile on CUDA with torch 2."""
    name = cfg["device"]
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    cuda = device.type == "cuda"
    # Debian's torch starts with one thread whatever the machine has: 0 means every CPU this process may use
    torch.set_num_threads(cfg["threads"] or len(os.sched_getaffinity(0)))
    if not cuda:
        # trained weights and Adam's moments hold denormal floats: without this a CPU step is 4-5x slower
        torch.set_flush_denormal(True)
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if cuda:
        amp = cfg["amp"] and torch.cuda.is_bf16_supported()
    else:
        amp = cfg["amp"] and cpu_has_bf16() and bf16_is_faster(cfg["channels_last"])
    return Runtime(device=device,
                   amp=amp,
                   channels_last=cfg["channels_last"],
                   compile=cuda and cfg["compile"] and hasattr(torch, "compile"))


def format_duration(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


class Progress:
    """One line rewritten with \\r on a terminal; otherwise a line per log interval."""

    def __init__(self, total):
        self.total = total
        self.tty = sys.stdout.isatty()
        self.last = ""

    def update(self, step, rate, elapsed, final_line):
        eta = f" eta {format_duration((self.total - step) * elapsed / max(step, 1))}" if self.tty else ""
        losses_part = f" {self.last}" if self.last else ""
        text = f"step {step}/{self.total}{losses_part} | {rate:.2f} img/s | {format_duration(elapsed)}{eta}"
        if self.tty:
            print("\r" + text + "\033[K", end="", flush=True)
        elif final_line:
            print(text, flush=True)

    def message(self, text):
        print(("\n" if self.tty else "") + text, flush=True)


@contextlib.contextmanager
def signals_to(handler):
    """SIGINT and SIGTERM go to `handler` inside the block; the handlers of before come back after it."""
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, earlier in previous.items():
            signal.signal(s, earlier)


class Trainer:
    def __init__(self, cfg, out, runtime, init=None, source=None, init_critics=None):
        self.cfg = cfg
        self.out = Path(out)
        self.rt = runtime
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "samples").mkdir(exist_ok=True)
        torch.manual_seed(cfg["seed"])

        model, optim = cfg["model"], cfg["optim"]
        crop = cfg["data"]["crop"]
        self.gen = load_generator(init) if init else Generator(model["cnum"])
        model["cnum"] = self.gen.cnum  # weights given with --init decide the width
        self.gcrit = critics.global_critic(model["critic_cnum"], crop)
        self.lcrit = critics.local_critic(model["critic_cnum"], model["local_size"])
        if init_critics:
            load_critics(self.gcrit, self.lcrit, init_critics)
        memory = torch.channels_last if runtime.channels_last else torch.contiguous_format
        for net in (self.gen, self.gcrit, self.lcrit):
            net.to(runtime.device, memory_format=memory)
        self.gen_fwd = torch.compile(self.gen) if runtime.compile else self.gen
        betas = tuple(optim["betas"])
        # adv 0 is the reconstruction-only phase: critic updates would change nothing the generator sees
        self.critic_steps = optim["critic_steps"] if cfg["loss"]["adv"] > 0 else 0
        self.opt_g = torch.optim.Adam(self.gen.parameters(), lr=optim["lr"], betas=betas)
        # a moving average of the generator's weights, what samples and exports show: small noisy batches move
        # the weights about (round-to-round noise as large as a round's gain); the average keeps the trend
        self.ema_decay = optim["ema"]
        self.ema = copy.deepcopy(self.gen).requires_grad_(False) if self.ema_decay > 0 else None
        self.opt_d = torch.optim.Adam(list(self.gcrit.parameters()) + list(self.lcrit.parameters()),
                                      lr=optim["lr"], betas=betas)

        self.step = 0
        self.images = 0
        self.epoch = 0
        self.wall_before = 0.0
        self.source = source or data.LoaderSource(cfg, pin_memory=runtime.device.type == "cuda")
        self.fixed = self.source.fixed(cfg["train"]["samples"], cfg["seed"])

    # ---- state ----

    def checkpoint_path(self):
        return self.out / "checkpoint.pt"

    def save_checkpoint(self, wall):
        state = {
            "step": self.step, "images": self.images, "epoch": self.epoch, "wall_s": wall,
            "generator": self.gen.state_dict(), **self.average_state(),
            "global_critic": self.gcrit.state_dict(),
            "local_critic": self.lcrit.state_dict(), "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(), "rng_cpu": torch.get_rng_state(),
            "rng_cuda": torch.cuda.get_rng_state_all() if self.rt.device.type == "cuda" else [],
            "config": self.cfg,
        }
        tmp = self.checkpoint_path().with_suffix(".tmp")
        torch.save(state, tmp)
        tmp.replace(self.checkpoint_path())  # atomic: a crash mid-write keeps the previous checkpoint

    def average_state(self):
        """The weights' moving average for a checkpoint or snapshot; none without one (the generator is stored)."""
        return {} if self.ema is None else {"generator_ema": self.ema.state_dict()}

    def load_checkpoint(self, state):
        self.load_networks(state)
        torch.set_rng_state(state["rng_cpu"])
        if state["rng_cuda"] and self.rt.device.type == "cuda":
            torch.cuda.set_rng_state_all(state["rng_cuda"])
        self.step, self.images, self.wall_before = state["step"], state["images"], state["wall_s"]
        # the interrupted epoch is not replayed: the data order restarts with the next epoch's seed
        self.epoch = state["epoch"] + 1

    def carry_over(self, state):
        """An earlier run's networks, average and optimiser state, from its checkpoint; nothing of its progress."""
        if state["config"]["data"]["crop"] != self.cfg["data"]["crop"]:
            raise ValueError(f"cannot carry a {state['config']['data']['crop']}-px run's state into a "
                             f"{self.cfg['data']['crop']}-px one: the global critic's shapes follow the crop")
        self.load_networks(state)
        # the moments carry on; the rates are this run's
        for opt in (self.opt_g, self.opt_d):
            for group in opt.param_groups:
                group["lr"], group["betas"] = self.cfg["optim"]["lr"], tuple(self.cfg["optim"]["betas"])

    def load_networks(self, state):
        """The networks, the weights' average and both optimisers' state from a checkpoint."""
        self.gen.load_state_dict(state["generator"])
        if self.ema is not None:
            # a checkpoint from before the average had none: it starts from the weights
            self.ema.load_state_dict(state.get("generator_ema", state["generator"]))
        self.gcrit.load_state_dict(state["global_critic"])
        self.lcrit.load_state_dict(state["local_critic"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])

    # ---- steps ----

    def batches(self):
        while True:
            yield from self.source.epoch(self.epoch)
            self.epoch += 1

    def to_device(self, batch):
        images, masks, boxes = batch
        x = images.to(self.rt.device, non_blocking=True).float().div_(127.5).sub_(1)
        m = masks.to(self.rt.device, non_blocking=True)
        if self.rt.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
            m = m.contiguous(memory_format=torch.channels_last)
        return x, m, boxes.to(self.rt.device)

    def critic_step(self, batch):
        x, m, boxes = self.to_device(batch)
        with torch.no_grad(), self.rt.autocast():
            _, stage2, _ = self.gen_fwd(x, m)
        fake = stage2.float() * m + x * (1 - m)
        local = critics.crop_boxes(torch.cat([x, fake, m], 1), boxes, self.cfg["model"]["local_size"])
        with self.rt.autocast():
            g_real, g_fake, g_gp = losses.wgan_gp_terms(self.gcrit, x, fake, m)
            l_real, l_fake, l_gp = losses.wgan_gp_terms(self.lcrit, local[:, :3], local[:, 3:6], local[:, 6:])
        wdist = (g_real - g_fake) + (l_real - l_fake)
        gp = self.cfg["loss"]["gp_lambda"] * (g_gp + l_gp)
        loss = gp - wdist
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return {"d_loss": loss.detach(), "wdist": wdist.detach(), "gp": gp.detach()}

    def generator_step(self, batch):
        cfg = self.cfg["loss"]
        x, m, boxes = self.to_device(batch)
        with torch.no_grad():
            weights = losses.discount_weights(m, cfg["gamma"])
        for p in self.critic_parameters():
            p.requires_grad_(False)  # the critics only pass gradients through here
        with self.rt.autocast():
            stage1, stage2, _ = self.gen_fwd(x, m)
            stage1, stage2 = stage1.float(), stage2.float()
            l1 = cfg["coarse"] * losses.hole_l1(x, stage1, m, weights) + losses.hole_l1(x, stage2, m, weights)
            ae = cfg["coarse"] * losses.known_l1(x, stage1, m) + losses.known_l1(x, stage2, m)
            loss = cfg["l1"] * l1 + cfg["ae"] * ae
            if cfg["adv"] > 0:  # in the reconstruction-only phase the critics are not even run
                fake = stage2 * m + x * (1 - m)
                local = critics.crop_boxes(fake, boxes, self.cfg["model"]["local_size"])
                adv = -(cfg["global_adv"] * self.gcrit(fake).float().mean() + self.lcrit(local).float().mean())
                loss = loss + cfg["adv"] * adv
            else:
                adv = torch.zeros((), device=x.device)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.update_ema()
        for p in self.critic_parameters():
            p.requires_grad_(True)
        with torch.no_grad():
            # plain mean error in the hole on a 0..1 scale, comparable to the paper's l1 figures
            hole_l1 = (stage2 - x).abs().mul(m).sum() / (3 * m.sum()).clamp_min(1) / 2
        return {"g_loss": loss.detach(), "l1": l1.detach(), "ae": ae.detach(), "adv": adv.detach(),
                "hole_l1": hole_l1}

    def critic_parameters(self):
        return list(self.gcrit.parameters()) + list(self.lcrit.parameters())

    @torch.no_grad()
    def update_ema(self):
        if self.ema is None:
            return
        for average, current in zip(self.ema.state_dict().values(), self.gen.state_dict().values()):
            if average.dtype.is_floating_point:
                average.lerp_(current, 1 - self.ema_decay)
            else:
                average.copy_(current)

    def shown(self):
        """The generator that samples and exports show: the moving average when there is one."""
        return self.ema if self.ema is not None else self.gen

    # ---- outputs ----

    def write_samples(self):
        """Grid, one row per fixed sample: input, mask, stage 1, stage 2 (both composited), flow, original."""
        x, m, _ = self.to_device(self.fixed)
        with torch.no_grad(), self.rt.autocast():
            stage1, stage2, offsets = self.shown()(x, m)

        def rgb(t):
            return ((t.float().clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()

        columns = [rgb(x * (1 - m) + m), rgb(m.expand_as(x) * 2 - 1),
                   rgb(stage1.float() * m + x * (1 - m)), rgb(stage2.float() * m + x * (1 - m)),
                   offsets_to_rgb(offsets.cpu(), m.cpu()), rgb(x)]
        gap = ((2, 2), (2, 2), (0, 0))
        rows = [np.concatenate([np.pad(col[i], gap, constant_values=255) for col in columns], axis=1)
                for i in range(x.shape[0])]
        path = self.out / "samples" / f"step-{self.step:07d}.png"
        Image.fromarray(np.concatenate(rows, axis=0)).save(path)
        return path

    def export(self, wall, images_per_s):
        """F16 weights + model.json whose training section records how they were made."""
        cfg = self.cfg
        source = cfg["data"]["packed"] or cfg["data"]["dir"]
        device = torch.cuda.get_device_name(self.rt.device) if self.rt.device.type == "cuda" else "cpu"
        losses_used = (f"{self.critic_steps} critic steps per generator step" if self.critic_steps
                       else "reconstruction losses only")
        summary = (f"Trained with models/train for {self.step} generator steps, {self.images} images "
                   f"({cfg['data']['crop']}px crops of {source}, batch {cfg['train']['batch']}, "
                   f"{losses_used}) on {device}.")
        save_generator(self.shown(), self.out / WEIGHTS_NAME, "F16",
                       {"training": "trained", "steps": str(self.step), "images": str(self.images)})
        if self.critic_steps:  # so that the next round's adversarial phase goes on where this one stopped
            save_critics(self.gcrit, self.lcrit, self.out / CRITICS_NAME, cfg)
        descriptor = self.out / "model.json"
        write_descriptor(descriptor, name="deepfill-v1", cnum=self.gen.cnum, weights=WEIGHTS_NAME,
                         status="trained", steps=self.step, summary=summary)
        content = json.loads(descriptor.read_text(encoding="utf-8"))
        content["training"].update({
            "imagesSeen": self.images,
            "imagesPerSecond": round(images_per_s, 3),
            "device": device,
            "wallTimeSeconds": round(wall, 1),
            "config": {
                "data": source, "crop": cfg["data"]["crop"], "batch": cfg["train"]["batch"],
                "masks": f"p_box {cfg['mask']['p_box']}, else strokes + box", "cnum": self.gen.cnum,
                "criticCnum": cfg["model"]["critic_cnum"], "lr": cfg["optim"]["lr"],
                "betas": cfg["optim"]["betas"], "ema": self.ema_decay, "criticSteps": self.critic_steps,
                "loss": {k: cfg["loss"][k] for k in ("gamma", "l1", "coarse", "ae", "adv", "global_adv",
                                                     "gp_lambda")},
                "bf16": self.rt.amp, "compile": self.rt.compile, "seed": cfg["seed"],
            },
        })
        descriptor.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")

    # ---- loop ----

    def run(self, total_steps, minutes=None):
        train = self.cfg["train"]
        per_step = train["batch"] * (self.critic_steps + 1)
        log_path = self.out / "log.csv"
        new_log = not log_path.exists() or log_path.stat().st_size == 0
        progress = Progress(total_steps)
        stop = {"signal": None}

        def on_signal(signum, _frame):
            stop["signal"] = signum

        start = time.monotonic()
        deadline = start + minutes * 60 if minutes else math.inf
        start_images = self.images
        first_step_end, first_step_images = None, start_images
        sums, count = {}, 0
        window_start, window_images = start, self.images
        batches = self.batches()
        self.snapshot()
        with signals_to(on_signal), open(log_path, "a", newline="") as log_file:
            log = csv.DictWriter(log_file, LOG_FIELDS)
            if new_log:
                log.writeheader()
            while self.step < total_steps and stop["signal"] is None and time.monotonic() < deadline:
                for _ in range(self.critic_steps):
                    for key, value in self.critic_step(next(batches)).items():
                        sums[key] = sums.get(key, 0) + value
                for key, value in self.generator_step(next(batches)).items():
                    sums[key] = sums.get(key, 0) + value
                self.step += 1
                self.images += per_step
                count += 1
                now = time.monotonic()
                if first_step_end is None:
                    first_step_end, first_step_images = now, self.images
                rate = (self.images - window_images) / max(now - window_start, 1e-9)
                log_now = self.step % train["log_every"] == 0 or self.step >= total_steps
                if log_now and not all(math.isfinite(float(v)) for v in sums.values()):
                    self.step_back(progress)
                    sums, count = {}, 0
                    window_start, window_images = time.monotonic(), self.images
                    continue
                if log_now:
                    self.snapshot()
                    self._log(log, log_file, sums, count, rate, self.wall_before + now - start, progress)
                    sums, count = {}, 0
                    window_start, window_images = now, self.images
                progress.update(self.step, rate, now - start, log_now)
                if self.step % train["sample_every"] == 0:
                    self.write_samples()
                if self.step % train["checkpoint_every"] == 0:
                    self.save_checkpoint(self.wall_before + time.monotonic() - start)
            if count:
                now = time.monotonic()
                rate = (self.images - window_images) / max(now - window_start, 1e-9)
                self._log(log, log_file, sums, count, rate, self.wall_before + now - start, progress)
        end = time.monotonic()
        wall = self.wall = self.wall_before + end - start
        # the first step includes warm-up (allocation, cudnn autotuning, compilation): leave it out of the rate
        if first_step_end is not None and self.images > first_step_images:
            images_per_s = (self.images - first_step_images) / max(end - first_step_end, 1e-9)
        else:
            images_per_s = (self.images - start_images) / max(end - start, 1e-9)
        why = (f"signal {stop['signal']}" if stop["signal"] is not None
               else "step target reached" if self.step >= total_steps else "time budget used")
        self.interrupted = stop["signal"] is not None
        self.save_checkpoint(wall)
        sample = self.write_samples()
        self.export(wall, images_per_s)
        progress.message(f"stopped at step {self.step} ({why}); {self.images} images, {images_per_s:.2f} img/s; "
                         f"wrote {self.checkpoint_path()}, {sample}, {self.out / WEIGHTS_NAME}")
        return images_per_s

    def snapshot(self):
        """In-memory copy of what a step changes, taken at every log point, to step back to if a loss goes NaN
        under bf16 (only then: in fp32 there is nothing to fall back to)."""
        if not self.rt.amp:
            return
        self.good = copy.deepcopy({
            "step": self.step, "images": self.images, "generator": self.gen.state_dict(),
            **self.average_state(), "global_critic": self.gcrit.state_dict(),
            "local_critic": self.lcrit.state_dict(), "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()})

    def step_back(self, progress):
        """bf16 overflow (reported with gradient penalties): return to the last good state and go on in fp32."""
        if not self.rt.amp:
            raise FloatingPointError(f"a loss is not finite at step {self.step} in fp32: lower optim.lr")
        good = self.good
        for name, part in (("generator", self.gen), ("generator_ema", self.ema), ("global_critic", self.gcrit),
                           ("local_critic", self.lcrit), ("opt_g", self.opt_g), ("opt_d", self.opt_d)):
            if part is not None:
                part.load_state_dict(good[name])
        progress.message(f"a loss went NaN/inf under bf16 before step {self.step}: back to step {good['step']}, "
                         "going on in fp32")
        self.step, self.images = good["step"], good["images"]
        self.rt.amp = False

    def _log(self, log, log_file, sums, count, rate, wall, progress):
        means = {key: float(value) / count for key, value in sums.items()}
        log.writerow({"step": self.step, "images": self.images, "wall_s": f"{wall:.1f}",
                      "images_per_s": f"{rate:.3f}", **{k: f"{v:.5g}" for k, v in means.items()}})
        log_file.flush()
        progress.last = " ".join(f"{k} {means[k]:.4g}" for k in ("g_loss", "l1", "ae", "adv", "d_loss", "gp")
                                 if k in means)  # no critic terms in a reconstruction-only phase


def train(cfg, out, init=None, init_critics=None, resume=False, steps=None, minutes=None, source=None, carry=None):
    """One training run as the command line does it; returns the Trainer (interrupted: a signal ended it). `carry`:
    an earlier run's checkpoint whose networks, weights' average and optimiser state this run goes on from (its own
    counters, data order and seed start anew)."""
    runtime = choose_runtime(cfg["device"])
    out = Path(out)
    state = None
    if resume:
        if (out / "checkpoint.pt").exists():
            state = torch.load(out / "checkpoint.pt", map_location="cpu")
            # the networks' shapes come from the checkpoint; everything else may change between runs
            cfg["model"] = state["config"]["model"]
            cfg["data"]["crop"] = state["config"]["data"]["crop"]
        else:
            print(f"no checkpoint in {out}: starting a new run", flush=True)
    if state is not None and (init or init_critics):
        print("--init/--init-critics ignored: resuming from the checkpoint", flush=True)
        init = init_critics = None
    trainer = Trainer(cfg, out, runtime, init=init, source=source, init_critics=init_critics)
    if state is not None:
        trainer.load_checkpoint(state)
    elif carry is not None:
        trainer.carry_over(torch.load(carry, map_location="cpu"))
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    print(f"device {runtime.device} (bf16 {runtime.amp}, channels_last {runtime.channels_last}, "
          f"compile {runtime.compile}, {cpu_runtime()}); "
          f"generator cnum {trainer.gen.cnum}; {len(trainer.source)} images; "
          f"starting at step {trainer.step}", flush=True)
    trainer.run(steps if steps is not None else cfg["train"]["steps"], minutes)
    return trainer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m train.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(DEFAULT_CONFIG))
    parser.add_argument("--out", required=True, help="run folder (checkpoint, logs, samples, exported model)")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt if there is one")
    parser.add_argument("--init", help="start the generator from these weights (safetensors; sets cnum)")
    parser.add_argument("--init-critics", help=f"start both critics from a {CRITICS_NAME} of an earlier run")
    parser.add_argument("--steps", type=int, help="generator step to stop at (default: the config's train.steps)")
    parser.add_argument("--minutes", type=float, help="time budget for this invocation; then save and export")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    args = parser.parse_args(argv)
    train(load_config(args.config, args.set), args.out, init=args.init, init_critics=args.init_critics,
          resume=args.resume, steps=args.steps, minutes=args.minutes)
    return 0


if __name__ == "__main__":
    rerun_with_tcmalloc()
    sys.exit(main())
