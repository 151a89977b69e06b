"""Write the initial, untrained weights every training round 1 starts from (seed 2018, float16).

Run from models/: /usr/bin/python3 init_model.py --out ../.work/init
The shipped model in models/deepfill-v1/ is the trained one (its MODEL_CARD.md says from what start); this script
only re-creates that starting point, so it refuses to write over the shipped folder.
"""
import argparse
from pathlib import Path

import torch

from deepfill import Generator, count_parameters
from deepfill.weights import save_generator, write_descriptor

SEED = 2018
CNUM = 32
SHIPPED_DIR = Path(__file__).resolve().parent / "deepfill-v1"
WEIGHTS = "deepfill-v1.safetensors"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="init_model.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for deepfill-v1.safetensors and model.json")
    out = Path(parser.parse_args(argv).out).resolve()
    if out == SHIPPED_DIR:
        parser.error(f"{out} holds the shipped, trained model; choose another folder")
    torch.manual_seed(SEED)
    gen = Generator(CNUM)
    out.mkdir(parents=True, exist_ok=True)
    weights_path = out / WEIGHTS
    save_generator(gen, weights_path, "F16", {"training": "untrained-initial", "seed": str(SEED)})
    write_descriptor(
        out / "model.json", name="deepfill-v1", cnum=CNUM, weights=WEIGHTS,
        status="untrained-initial", steps=0,
        summary=f"Default PyTorch initialisation (seed {SEED}), stored as float16; not trained, "
                f"so results are not meaningful inpaintings.")
    print(f"{count_parameters(gen)} parameters, {weights_path.stat().st_size} bytes -> {weights_path}")


if __name__ == "__main__":
    main()
