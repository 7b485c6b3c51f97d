#!/usr/bin/env bash
# The main job on the built-in default: installs .venv/ (first run only), trains the
# default hardware-exact BTM model briefly on scikit-image's bundled photographs,
# evaluates it (on Set5 when ../shared/datasets is beside the repo, else built-in images),
# exports it to a folded FINN dataflow graph checked bit for bit against PyTorch, and runs
# the stitched RTL of that dataflow in Verilator on the golden images (mismatches, cycles).
# Usage: bash run.sh [--steps N] [--out DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
steps=400
out=runs/default
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument $1 (use --steps N, --out DIR)" >&2; exit 2 ;;
  esac
done
bash scripts/install.sh
py=.venv/bin/python
echo "[run] training the default model for $steps steps into $out"
"$py" -m model.train --out "$out" --steps "$steps" --val-every "$steps"
data=()
[[ -d ../shared/datasets/Set5 ]] && data=(--data ../shared/datasets/Set5)
echo "[run] evaluating"
"$py" -m model.evaluate --ckpt "$out/ckpt.pt" "${data[@]}"
echo "[run] exporting to FINN (build/$(basename "$out"))"
"$py" export/to_finn.py --ckpt "$out/ckpt.pt" --out "build/$(basename "$out")" --target-fps 1000
echo "[run] simulating the RTL dataflow (Verilator + cocotb)"
"$py" -m hw.run_network --build "build/$(basename "$out")"
