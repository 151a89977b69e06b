"""One training round: train on from the shipped model, evaluate with the product, adopt only what wins.

Run from models/ (low priority, in the background, while other work goes on):
  nice -n 19 python3 -m train.round --minutes 110 --out ../.work/round       # CPU: folder photos, Java evaluation
  python3 -m train.round --device cuda --pack ../.work/pack.npy --minutes 7 --out $OUT --no-evaluate   # a GPU call
  python3 -m train.round --adopt-from RUN_DIR          # evaluate a finished run's export here and adopt it if it wins

The phases [[round.cpu]] or [[round.cuda]] of the config (by device, or --phases) run one after the other within --minutes, each from the previous one's
export. Where the start weights are the export of an earlier round whose folder lies beside --out (the last adopted
round, on the same machine), the first phase goes on from that round's training state (--fresh: it does not).
SIGINT/SIGTERM ends the running phase (saved and exported as always); the round then skips the phases left and still
evaluates what it has; a second signal during evaluation gives up without adopting and prints the round's row for
the card's history. Once adoption has begun, signals wait for it to finish.
Adoption (hole l1 better on every mask kind of round.evaluate_masks, PSNR lower on none) copies the weights and
model.json into deepfill-v1/, regenerates the parity fixtures and writes the model card's figures (train/card.py:
history row, status, evaluation rows, standing). Without it the repository is left as it was; OUT/round.json and the
printed row record the round either way.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from .resident import ResidentSource
from deepfill.cpu import cpu_runtime, cpu_times, others_percent, rerun_with_tcmalloc, without_preload
from deepfill.weights import read_safetensors

from . import card
from .config import DEFAULT_CONFIG, load_config
from .train import CRITICS_NAME, WEIGHTS_NAME, signals_to, train

MODELS = Path(__file__).resolve().parents[1]
REPO = MODELS.parent
SHIPPED = MODELS / "deepfill-v1"
MODEL_CARD = SHIPPED / "MODEL_CARD.md"


def phase_configs(config, overrides, minutes, name):
    """[(cfg, minutes)] for each [[round.NAME]]: the base config, the phase's set, then the command line's --set."""
    base = load_config(config, overrides)
    phases = base["round"][name]
    total = sum(p["share"] for p in phases)
    result = []
    for phase in phases:
        sets = [f"{k}={json.dumps(v)}" for k, v in phase["set"].items()]
        result.append((load_config(config, sets + list(overrides)), minutes * phase["share"] / total))
    return base, result


def data_seed(seed, weights, number):
    """The seed of a phase's crops, masks and order: the config's, mixed with a digest of the start weights and the
    round's number. With the config's alone every round drew the same samples in the same order (rounds 9-14 met the
    same first ones again and again); with the weights alone, rounds restarted from one export after their
    predecessor's state was lost (42-44) replayed the same samples. `--set seed=N` fixes it for a comparison."""
    digest = hashlib.sha256(Path(weights).read_bytes() + number.to_bytes(4, "big")).digest()
    return seed ^ int.from_bytes(digest[:4], "big")


def earlier_round(weights, folder, crop):
    """The checkpoint of the round in `folder` whose export `weights` is, if it trained at `crop`; else None. A round
    that restarts from an export restarts the weights' average there, and an average lags the weights it follows by
    about 1/(1 - ema) steps (500 at 0.998): of a steady trend, a round of 800 steps passed on what 400 steps had
    learnt. Going on from the earlier round's weights, average and optimiser state keeps the rest."""
    target = Path(weights).read_bytes()
    for export in sorted(Path(folder).glob(f"*/final/{WEIGHTS_NAME}")):
        if export.read_bytes() == target:
            descriptor = json.loads((export.parent / "model.json").read_text(encoding="utf-8"))
            phases = descriptor["training"]["round"]["phases"]
            checkpoint = export.parent.parent / f"phase{phases[-1]['phase']}" / "checkpoint.pt"
            # the global critic's shapes follow the crop
            if checkpoint.exists() and phases[-1]["crop"] == crop:
                return checkpoint
    return None


def run_phases(args):
    base, phases = phase_configs(args.config, args.set, args.minutes, args.phases or torch.device(args.device).type)
    out = Path(args.out)
    init = args.init or str(SHIPPED / WEIGHTS_NAME)
    # critics fit one crop only (the global one's dense layer): each phase gets those of its crop, if any
    critics = {}
    if args.init_critics:
        critics[int(read_safetensors(args.init_critics)[1]["crop"])] = args.init_critics
    carried = None if args.fresh else earlier_round(init, out.parent, phases[0][0]["data"]["crop"])
    round_number = card.next_round(MODEL_CARD.read_text(encoding="utf-8"))
    start = time.monotonic()
    clock = cpu_times()
    done = []
    stopping = []  # a signal between phases (a running phase's trainer takes it itself)
    with signals_to(lambda signum, _: stopping.append(signum)):
        for number, (cfg, _) in enumerate(phases, 1):
            if stopping:
                break
            if args.pack:
                cfg["data"]["packed"] = args.pack
            cfg["device"]["device"] = args.device
            # what earlier phases left unused goes to the later ones
            budget = args.minutes - (time.monotonic() - start) / 60 - sum(m for _, m in phases[number:])
            if not any(item.partition("=")[0].strip() == "seed" for item in args.set):
                cfg["seed"] = data_seed(cfg["seed"], init, round_number)
            # packed crops stay decoded on the device (on the CPU too, so that a CPU run rehearses a GPU call)
            source = ResidentSource(cfg, args.device) if args.pack else None
            phase_out = out / f"phase{number}"
            print(f"round: phase {number}/{len(phases)}, {cfg['data']['crop']} px, batch {cfg['train']['batch']}, "
                  f"lr {cfg['optim']['lr']}, seed {cfg['seed']}, {budget:.1f} min", flush=True)
            carry = carried if number == 1 else None
            if carry is not None:
                print(f"round: continuing the training state of {carry.parent.parent.name} ({carry})", flush=True)
            trainer = train(cfg, phase_out, init=init, init_critics=critics.get(cfg["data"]["crop"]),
                            minutes=max(budget, 0.05), source=source, carry=carry)
            done.append({"phase": number, "crop": cfg["data"]["crop"], "batch": cfg["train"]["batch"],
                         "lr": cfg["optim"]["lr"], "steps": trainer.step, "images": trainer.images,
                         "adv": cfg["loss"]["adv"], "bf16": trainer.rt.amp, "seed": cfg["seed"],
                         "imagesPerSecond": round(trainer.images / max(trainer.wall, 1e-9), 2),
                         "wallSeconds": round(trainer.wall, 1),
                         **({"continued": carry.parent.parent.name} if carry is not None else {})})
            init = str(phase_out / WEIGHTS_NAME)
            if (phase_out / CRITICS_NAME).exists():
                critics[cfg["data"]["crop"]] = str(phase_out / CRITICS_NAME)
            if trainer.interrupted or stopping:
                print("round: stopped by a signal; skipping the phases left", flush=True)
                break
    if not done:
        raise SystemExit("round: stopped before the first phase trained")
    final = out / "final"
    final.mkdir(parents=True, exist_ok=True)
    last = out / f"phase{done[-1]['phase']}"
    for name in ("model.json", WEIGHTS_NAME, CRITICS_NAME):
        if (last / name).exists():
            shutil.copy2(last / name, final / name)
    summary = {"phases": done, "minutes": round((time.monotonic() - start) / 60, 1),
               "device": machine(args.device), "start": args.init or card.SHIPPED_START, "set": list(args.set)}
    if torch.device(args.device).type == "cpu":  # what a CPU round's speed depended on besides the machine
        summary.update(runtime=cpu_runtime(), othersCpuPercent=others_percent(clock, cpu_times()))
    record_training(final / "model.json", summary)
    return base, final, summary


def machine(device, threads=None):
    """What the model card names: the GPU, or the CPU's model and the threads used (by default torch's)."""
    if torch.device(device).type == "cuda":
        return torch.cuda.get_device_name(torch.device(device))
    cpuinfo = Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
             if line.startswith("model name")] if cpuinfo.exists() else []
    return f"CPU, {threads or torch.get_num_threads()} thread(s) ({names[0] if names else 'unknown model'})"


def record_training(descriptor, summary):
    """model.json's training section describes the whole round, not only its last phase, and the rounds its weights
    come from (a later round that starts from them counts on from there)."""
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    training = content["training"]
    training["round"] = summary
    training["imagesSeen"] = sum(p["images"] for p in summary["phases"])
    training["lineage"] = card.lineage(summary, MODELS, MODEL_CARD.read_text(encoding="utf-8"))
    descriptor.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def evaluate(model_json, masks, seed, out):
    """{mask kind: report means, and its holeL1 section} from the Java product's `inpaint evaluate` on the val photos."""
    results = {}
    for kind in masks:
        folder = Path(out) / kind
        subprocess.run([str(REPO / "inpaint"), "evaluate", "--images", str(REPO.parent / "shared/datasets/val"),
                        "--masks", kind, "--seed", str(seed), "--model", str(model_json), "--out", str(folder)],
                       check=True, stdout=subprocess.DEVNULL, env=without_preload())
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        results[kind] = {**report["means"], "holeL1": report["holeL1"]}  # the model's ratio to Telea, the target
    return results


def verdict(candidate, shipped):
    """(adopt?, reasons): hole l1 must improve on every mask kind and PSNR must not drop on any."""
    reasons = []
    for kind in candidate:
        new, old = candidate[kind]["model"], shipped[kind]["model"]
        if new["holeL1"] >= old["holeL1"]:
            reasons.append(f"{kind}: hole l1 {new['holeL1']:.2f} % not below {old['holeL1']:.2f} %")
        if new["psnr"] < old["psnr"]:
            reasons.append(f"{kind}: PSNR {new['psnr']:.2f} dB below {old['psnr']:.2f} dB")
    return not reasons, reasons


def exported(final):
    """The training section of an export's model.json (its round summary, its lineage)."""
    return json.loads((final / "model.json").read_text(encoding="utf-8"))["training"]


def history_row(summary, results, adopted, totals):
    """The card's history row of a round; results None for one stopped before its judge measured it."""
    phases = summary["phases"]
    crops = ", ".join([" then ".join(f"{p['crop']} px x {p['batch']}" for p in phases), *summary.get("set", [])])
    steps = " + ".join(f"{p['steps']:,}" for p in phases)
    images = sum(p["images"] for p in phases)
    losses = "reconstruction only" if all(p["adv"] == 0 for p in phases) else "reconstruction + WGAN-GP"
    metrics = "-" if results is None else " / ".join(
        f"{results[k]['model']['holeL1']:.2f} % ({card.ratio(results, k):.2f}x)" for k in results)
    rate = images / max(summary["minutes"] * 60, 1)
    start = f"round {totals['from']}" if totals else summary["start"]
    if "continued" in phases[0]:
        start += ", going on from its training state (weights, their average, Adam moments)"
    verdict = ("stopped unjudged" if results is None else "adopted" if adopted else "not adopted") + (
        f" (round {totals['round']})" if totals else "")
    device = summary["device"]
    precisions = {p["bf16"] for p in phases if "bf16" in p}
    if precisions:  # beside the machine's name, as the card's rows give it: "(AMD EPYC, bf16)"
        precision = "bf16" if precisions == {True} else "fp32" if precisions == {False} else "bf16 and fp32"
        device = device[:-1] + f", {precision})" if device.endswith(")") else f"{device} ({precision})"
    device += f", {summary['runtime']}" if "runtime" in summary else ""
    if summary.get("othersCpuPercent") is not None:  # what explains a slow round
        device += f"; other processes took {summary['othersCpuPercent']:.0f} % of the machine's CPU time beside it"
    return (f"| {time.strftime('%Y-%m-%d')} | {start} | {crops} | {losses} | {steps} | {images:,} | "
            f"{rate:.2f} | {device} | {summary['minutes']:.0f} min | {metrics} | "
            f"{verdict} |")


def adopt(final, totals):
    for name in ("model.json", WEIGHTS_NAME, CRITICS_NAME):
        if (final / name).exists():
            shutil.copyfile(final / name, SHIPPED / name)
    # the number the card gives the round (an export made elsewhere counted from that checkout's card)
    descriptor = SHIPPED / "model.json"
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    content["training"]["lineage"] = totals
    descriptor.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, str(MODELS / "make_fixtures.py")], check=True, cwd=MODELS)


def judge(final, summary, cfg, out):
    masks, seed = cfg["round"]["evaluate_masks"], cfg["round"]["evaluate_seed"]
    print(f"round: evaluating {final} and the shipped model on val ({', '.join(masks)})", flush=True)
    judged = [card.utc_now()]
    candidate = evaluate(final / "model.json", masks, seed, Path(out) / "eval-candidate")
    shipped = evaluate(SHIPPED / "model.json", masks, seed, Path(out) / "eval-shipped")
    judged.append(card.utc_now(date=False))
    adopted, reasons = verdict(candidate, shipped)
    text = MODEL_CARD.read_text(encoding="utf-8")
    totals = exported(final).get("lineage")
    totals = totals or card.lineage(summary, MODELS, text)
    if totals:  # the card may have gained rows since the export (another round adopted first)
        totals = {**totals, "round": max(totals["round"], card.next_round(text))}
    row = history_row(summary, candidate, adopted, totals)
    report = {"summary": summary, "candidate": candidate, "shipped": shipped, "adopted": adopted,
              "reasons": reasons, "row": row, "lineage": totals, "judged": judged}
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "round.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for kind in masks:
        print(f"round: {kind}: hole l1 {shipped[kind]['model']['holeL1']:.2f} -> {candidate[kind]['model']['holeL1']:.2f} %,"
              f" PSNR {shipped[kind]['model']['psnr']:.2f} -> {candidate[kind]['model']['psnr']:.2f} dB"
              f" (Telea {candidate[kind]['telea']['holeL1']:.2f} %)", flush=True)
    if adopted:
        # a signal now would leave the weights, fixtures and card of two different rounds
        with signals_to(signal.SIG_IGN):
            adopt(final, totals)
            text = card.update(text, row, candidate, totals, judged, machine("cpu", os.cpu_count()))
            MODEL_CARD.write_text(text, encoding="utf-8")
        print("round: adopted: weights, model.json, parity fixtures and the model card updated"
              + ("" if totals else " (its history only: the lineage of the start weights is unknown)"), flush=True)
    else:
        print("round: not adopted (" + "; ".join(reasons) + "); the repository is unchanged", flush=True)
    print(row, flush=True)
    return adopted


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m train.round", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(DEFAULT_CONFIG))
    parser.add_argument("--out", help="round folder: one sub-folder per phase, final/, eval-*/, round.json")
    parser.add_argument("--minutes", type=float, default=110, help="training time of the whole round")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--phases", help="which [[round.NAME]] phases (default: the device type, cpu or cuda)")
    parser.add_argument("--pack", help="packed crops (python3 -m train.data pack); on a GPU they stay on it")
    parser.add_argument("--init", help=f"start weights (default: the shipped {SHIPPED.name}/{WEIGHTS_NAME})")
    parser.add_argument("--init-critics", help=f"start critics (default: the shipped {CRITICS_NAME} if any)")
    parser.add_argument("--fresh", action="store_true",
                        help="start from the weights alone, not from the training state of the round that made them")
    parser.add_argument("--no-evaluate", action="store_true", help="train and export only (a machine without Java)")
    parser.add_argument("--adopt-from", metavar="RUN", help="skip training: judge RUN/final (or RUN) and adopt if it wins")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override for every phase (wins over the phases' own settings)")
    args = parser.parse_args(argv)
    if args.init_critics is None and (SHIPPED / CRITICS_NAME).exists():
        args.init_critics = str(SHIPPED / CRITICS_NAME)

    if args.adopt_from:
        run = Path(args.adopt_from)
        final = run / "final" if (run / "final").is_dir() else run
        summary = exported(final).get("round")
        if summary is None:
            parser.error(f"{final}/model.json was not written by a round")
        # the run may lie on a read-only folder (the device tool's files_at): evaluations go under .work/
        judge(final, summary, load_config(args.config, args.set), args.out or REPO / ".work" / "judge" / run.name)
        return 0
    if not args.out:
        parser.error("--out is required to train")
    # a signal between phases or during evaluation: the first one is taken by the running phase, or ends the wait
    base, final, summary = run_phases(args)
    print(f"round: trained {summary['minutes']} min; export in {final}", flush=True)
    if args.no_evaluate:
        print(f"round: judge it where Java runs: python3 -m train.round --adopt-from {args.out}", flush=True)
        return 0
    try:
        with signals_to(signal.default_int_handler):
            judge(final, summary, base, args.out)
    except KeyboardInterrupt:
        # a later round can go on from its training state; the card's history gets its row by hand
        totals = exported(final).get("lineage")
        print("round: interrupted during evaluation; nothing adopted. Its row for the card's history:", flush=True)
        print(history_row(summary, None, False, totals), flush=True)
        return 130
    return 0


if __name__ == "__main__":
    rerun_with_tcmalloc()
    sys.exit(main())
