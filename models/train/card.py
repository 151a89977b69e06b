"""What an adopted round changes in the model card, written from the round's own results. The card is the one place
that states where the shipped weights stand (the README points at it), so no figure is copied by hand.

Written on adoption: the history row, the Status row, the judged mask kinds' rows of the evaluation table (the new
round's in bold above the earlier ones; the baselines as the judge measured them) and the block between the
STANDING markers under that table."""
import json
import re
import time
from pathlib import Path

HISTORY_HEADING = "## Training history"
EVALUATION_HEADING = "## Evaluation"  # its first table: the crops; the full-size tables below it are not a round's
STANDING_START = "<!-- standing: written by train.round when it adopts a round -->"
STANDING_END = "<!-- /standing -->"
TARGET_KIND = "center"  # the target (its ratio to Telea: the evaluation report's holeL1.target)
# the paper's schedule: up to 1 M generator steps at batch 16 (../shared/notes/deepfill-v1.md)
PAPER_IMAGES = 16_000_000
BASELINES = {"telea": "OpenCV Telea, radius 5", "navier-stokes": "OpenCV Navier-Stokes, radius 5",
             "mean-colour": "mean colour"}
MODEL_LABEL = "deepfill-v1, round "
SHIPPED_START = "shipped model"  # a round's start when it has no --init


def table_lines(lines, heading):
    """(first, end) indexes of the body rows of the first table under heading."""
    heading = lines.index(heading)
    first = next(i for i in range(heading + 1, len(lines)) if lines[i].startswith("|")) + 2  # header, rule
    end = first
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return first, end


def next_round(text):
    """The number the next round gets: one above the highest the history names (every round gets one, judged or
    not)."""
    lines = text.split("\n")
    first, end = table_lines(lines, HISTORY_HEADING)
    return max((int(n) for line in lines[first:end] for n in re.findall(r"\bround (\d+)", line)), default=0) + 1


def start_descriptor(start, models):
    """model.json of a round's start weights: the shipped one, or the one beside an export."""
    if start == SHIPPED_START:
        return models / "deepfill-v1" / "model.json"
    path = Path(start)
    if not path.is_absolute() and not path.exists():
        path = models / path  # rounds run from models/
    return path.parent / "model.json"


def lineage(summary, models, card_text):
    """{round, from, images, minutes} of a round's export: its number (one above the card's highest and its start's),
    the round it started from, and the images and training minutes of every round its weights come from. None where
    an earlier export's model.json is gone."""
    try:
        training = json.loads(start_descriptor(summary["start"], models).read_text(encoding="utf-8"))["training"]
    except FileNotFoundError:
        return None
    before = training.get("lineage")
    if before is None:
        if "round" in training:  # an export from before lineages were recorded: its own number is unknown
            return None
        before = {"round": 0, "images": 0, "minutes": 0}  # init_model.py's weights
    return {"round": max(next_round(card_text), before["round"] + 1), "from": before["round"],
            "images": before["images"] + sum(p["images"] for p in summary["phases"]),
            "minutes": round(before["minutes"] + summary["minutes"], 1)}


def ratio(results, kind):
    return results[kind]["holeL1"]["modelToTelea"]


def evaluation_row(kind, label, means, bold):
    cells = [f"{means['holeL1']:.2f}", f"{means['l1']:.2f}", f"{means['l2']:.2f}", f"{means['psnr']:.2f}",
             f"{means['ssim']:.4f}"]
    if bold:
        label, cells = f"**{label}**", [f"**{c}**" for c in cells]
    return "| " + " | ".join([kind, label, *cells, f"{means['tv']:.2f}", f"{means['seam']:+.2f}"]) + " |"


def update_evaluation(lines, number, results):
    for kind, report in results.items():
        first, end = table_lines(lines, EVALUATION_HEADING)

        def row(prefix):
            return next((i for i in range(first, end) if lines[i].startswith(f"| {kind} | {prefix}")), None)
        for key, label in BASELINES.items():
            lines[row(f"{label} |")] = evaluation_row(kind, label, report[key], bold=False)
        shipped = row(f"**{MODEL_LABEL}")
        if shipped is None:  # a mask kind judged for the first time goes above its baselines
            shipped = row(f"{BASELINES['telea']} |")
        else:
            lines[shipped] = lines[shipped].replace("**", "")
        lines.insert(shipped, evaluation_row(kind, f"{MODEL_LABEL}{number}", report["model"], bold=True))


def status_cell(number, totals, results):
    kinds = ", ".join(f"{kind} {ratio(results, kind):.2f}x" for kind in results)
    return (f"| Status | **trained, rounds 1-{number}: about {totals['minutes'] / 60:.0f} hours of training, "
            f"{totals['images']:,} images.** Hole l1 on `val` crops through the product against OpenCV's Telea: "
            f"{kinds} (target {results[TARGET_KIND]['holeL1']['target']}x on {TARGET_KIND}); the paper's schedule is about "
            f"{PAPER_IMAGES / totals['images']:.0f} times these images. Not yet the product model it has to become |")


def standing(number, results, judged, machine):
    target = results[TARGET_KIND]
    reached = target["holeL1"]
    others = "; ".join(f"{kind} {ratio(results, kind):.2f}x ({results[kind]['model']['holeL1']:.2f} / "
                       f"{results[kind]['telea']['holeL1']:.2f} %)" for kind in results if kind != TARGET_KIND)
    return [STANDING_START,
            f"**Target: hole l1 at most {reached['target']}x Telea's on `{TARGET_KIND}`. Reached: "
            f"{reached['modelToTelea']:.2f}x "
            f"({target['model']['holeL1']:.2f} / {target['telea']['holeL1']:.2f} %, round {number}): "
            f"{'met' if reached['met'] else 'not met'}.**" + (f" Other mask kinds: {others}." if others else ""),
            f"Measured by round {number}'s judge (`train.round`: the product's `inpaint evaluate`, MXNet, on "
            f"{machine}), {judged[0]}-{judged[1]} UTC; a picture took the model {target['model']['ms']:.0f} ms, Telea "
            f"{target['telea']['ms']:.0f} ms.",
            STANDING_END]


def update(text, row, results, totals, judged, machine):
    """The card after adopting a round: its history row, and where its lineage (totals) is known its Status row,
    evaluation rows and standing block."""
    lines = text.split("\n")
    lines.insert(table_lines(lines, HISTORY_HEADING)[1], row)
    if totals is not None:
        number = totals["round"]
        at = next(i for i, line in enumerate(lines) if line.startswith("| Status |"))
        lines[at] = status_cell(number, totals, results)
        update_evaluation(lines, number, results)
        first, last = lines.index(STANDING_START), lines.index(STANDING_END)
        lines[first:last + 1] = standing(number, results, judged, machine)
    return "\n".join(lines)


def utc_now(date=True):
    return time.strftime("%Y-%m-%d %H:%M" if date else "%H:%M", time.gmtime())
