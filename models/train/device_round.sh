#!/usr/bin/env bash
# The GPU round as one call of the device machine (see README "Run on a GPU"): trains for MINUTES from the shipped
# model on the packed crops carried along, then puts what comes back into $OUT: final/ (generator and critics in
# F16, model.json) and each phase's log and last sample grid: 7 files, none over 16 MiB. Checkpoints stay behind.
#   run: bash models/train/device_round.sh 7      carry: .work/gpu-pack.npy
# Back here: python3 -m train.round --adopt-from <files_at>/round
# PYTHON, DEVICE (cuda), PACK and extra arguments (passed to train.round) let a test rehearse it on the CPU.
set -euo pipefail
minutes="$1"; shift
cd "$(dirname "$0")/.."
python="${PYTHON:-/opt/torch/.venv/bin/python}"
[ -x "$python" ] || python=python3
pack="${PACK:-../.work/gpu-pack.npy}"
[ -f "$pack" ] || { echo "device_round: no pack at $pack (make it: python3 -m train.data pack --out $pack --size 272 --jpeg 80)" >&2; exit 2; }
work="$(mktemp -d)"
"$python" -m train.round --device "${DEVICE:-cuda}" --phases cuda --pack "$pack" --minutes "$minutes" \
  --out "$work" --no-evaluate "$@"
mkdir -p "$OUT/round/final"
cp "$work"/final/* "$OUT/round/final/"
for phase in "$work"/phase*; do
  name="$(basename "$phase")"
  cp "$phase/log.csv" "$OUT/round/$name-log.csv"
  cp "$(ls "$phase"/samples/*.png | tail -1)" "$OUT/round/$name-samples.png"
done
ls -la "$OUT/round" "$OUT/round/final"
