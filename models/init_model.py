"""Create the shipped, untrained model: models/deepfill-v1/{deepfill-v1.safetensors, model.json}.

Run: /usr/bin/python3 models/init_model.py
"""
from pathlib import Path

import torch

from deepfill import Generator, count_parameters
from deepfill.weights import save_generator, write_descriptor

SEED = 2018
CNUM = 32
MODEL_DIR = Path(__file__).resolve().parent / "deepfill-v1"
WEIGHTS = "deepfill-v1.safetensors"


def main():
    torch.manual_seed(SEED)
    gen = Generator(CNUM)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    weights_path = MODEL_DIR / WEIGHTS
    save_generator(gen, weights_path, "F16", {"training": "untrained-initial", "seed": str(SEED)})
    write_descriptor(
        MODEL_DIR / "model.json", name="deepfill-v1", cnum=CNUM, weights=WEIGHTS,
        status="untrained-initial", steps=0,
        summary=f"Default PyTorch initialisation (seed {SEED}), stored as float16; not trained, "
                f"so results are not meaningful inpaintings.")
    print(f"{count_parameters(gen)} parameters, {weights_path.stat().st_size} bytes -> {weights_path}")


if __name__ == "__main__":
    main()
