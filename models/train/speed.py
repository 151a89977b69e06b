"""Training speed of this machine: one generator step (forward, reconstruction losses, backward, Adam) per setting.

Run from models/ on a quiet machine:  python3 -m train.speed [--steps 3] [--threads N]
Prints images/s for fp32 and bf16 autocast, with and without channels_last and flushing denormals, at 256 px
batch 4 and 128 px batch 16, starting from the shipped weights (trained weights hold the denormal floats that
make the difference).
"""
import argparse
import itertools
import os
import sys
import time
from pathlib import Path

import torch

from deepfill import load_generator
from deepfill.cpu import rerun_with_tcmalloc

from . import losses
from .train import cpu_has_bf16

SHIPPED = Path(__file__).resolve().parents[1] / "deepfill-v1" / "deepfill-v1.safetensors"


def images_per_second(crop, batch, bf16, channels_last, flush, steps):
    torch.set_flush_denormal(flush)
    gen = load_generator(SHIPPED)
    memory = torch.channels_last if channels_last else torch.contiguous_format
    gen.to(memory_format=memory)
    opt = torch.optim.Adam(gen.parameters(), lr=1e-4, betas=(0.5, 0.9))
    torch.manual_seed(0)
    x = (torch.rand(batch, 3, crop, crop) * 2 - 1).contiguous(memory_format=memory)
    m = torch.zeros(batch, 1, crop, crop)
    m[:, :, crop // 4:3 * crop // 4, crop // 4:3 * crop // 4] = 1
    weights = losses.discount_weights(m, 0.9)

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            stage1, stage2, _ = gen(x, m)
        loss = sum(losses.hole_l1(x, s.float(), m, weights) + losses.known_l1(x, s.float(), m)
                   for s in (stage1, stage2))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()  # kernel creation
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return batch * steps / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m train.speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=3, help="timed steps per setting, after one warm-up step")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, native bf16: {cpu_has_bf16()}")
    print("| crop, batch | dtype | channels_last | flush denormals | img/s |\n|---|---|---|---|---|")
    for (crop, batch), bf16, channels_last, flush in itertools.product(
            ((256, 4), (128, 16)), (False, True), (False, True), (False, True)):
        rate = images_per_second(crop, batch, bf16, channels_last, flush, args.steps)
        print(f"| {crop}, {batch} | {'bf16' if bf16 else 'fp32'} | {channels_last} | {flush} | {rate:.2f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    rerun_with_tcmalloc()
    sys.exit(main())
