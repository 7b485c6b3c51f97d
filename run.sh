#!/usr/bin/env bash
# The main job on the built-in default: installs .venv/ (first run only), takes the
# pretrained default hardware-exact BTM model (model/pretrained; `--train N` trains one for N
# steps on scikit-image's bundled photographs instead), evaluates it (on Set5 when
# ../shared/datasets is beside the repo, else built-in images),
# exports it to a folded FINN dataflow graph checked bit for bit against PyTorch, and streams
# a real picture through the stitched RTL (Verilator): every output pixel against PyTorch,
# cycles per frame, and a comparison picture (bicubic | PyTorch | RTL | HR).
# Each stage prints one line; the tools' logs go to OUT/logs/.
# Usage: bash run.sh [--train N] [--out DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
steps=""
out=runs/default
while [[ $# -gt 0 ]]; do
  case "$1" in
    --train|--steps)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: $1 needs a positive step count (e.g. $1 400)" >&2; exit 2; }
      steps="$2"; shift 2 ;;
    --out)
      [[ -n "${2:-}" && "${2:-}" != -* ]] || { echo "run.sh: --out needs a directory (got '${2:-}')" >&2; exit 2; }
      out="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument $1 (use --train N, --out DIR)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out/logs"
logs="$out/logs"
build="build/$(basename "$out")"
py=.venv/bin/python
export PYTHONWARNINGS=ignore  # known-harmless qonnx/torch warnings: the logs keep the tools' output

stage() {  # stage NAME COMMAND...: one line on the console, the output in OUT/logs/NAME.log
  local name=$1; shift
  local t0=$SECONDS
  printf '[run] %-9s ' "$name"
  if "$@" > "$logs/$name.log" 2>&1; then
    printf 'done in %3ds  (log: %s)\n' $((SECONDS - t0)) "$logs/$name.log"
  else
    printf 'FAILED after %ds; the end of %s:\n' $((SECONDS - t0)) "$logs/$name.log"
    tail -n 15 "$logs/$name.log"
    exit 1
  fi
}

stage install bash scripts/install.sh
if [[ -n "$steps" ]]; then
  stage train "$py" -m model.train --out "$out" --steps "$steps" --val-every "$steps" --quiet
  ckpt="$out/ckpt.pt"
else
  ckpt="pretrained:edsr_btm_x2_c32_b4"
fi
data=()
[[ -d ../shared/datasets/Set5 ]] && data=(--data ../shared/datasets/Set5)
stage evaluate "$py" -m model.evaluate --ckpt "$ckpt" "${data[@]}" --out "$out/eval.json"
stage export "$py" export/to_finn.py --ckpt "$ckpt" --out "$build" --target-fps 1000
# a real picture (a Set5 crop, or a built-in photograph): LR in, HR for the comparison
stage picture "$py" - "$out" <<'EOF'
import sys
from pathlib import Path
import numpy as np
from PIL import Image
from model.data import load_pairs
out = Path(sys.argv[1])
root = Path("../shared/datasets/Set5")
pairs = load_pairs(root if root.is_dir() else None, 2)
p = pairs[0]
lr = p.lr[:96, :96] if min(p.lr.shape[:2]) >= 96 else p.lr
Image.fromarray(np.ascontiguousarray(lr)).save(out / "picture_lr.png")
Image.fromarray(np.ascontiguousarray(p.hr[: 2 * lr.shape[0], : 2 * lr.shape[1]])).save(out / "picture_hr.png")
print(p.name, lr.shape)
EOF
stage rtl "$py" -m hw.upscale --build "$build" "$out/picture_lr.png" "$out/picture_x2.png" \
  --hr "$out/picture_hr.png" --pause 0.1 --json "$out/rtl.json"
"$py" - "$out" "$build" <<'EOF'
import json, sys
from pathlib import Path
out, build = Path(sys.argv[1]), Path(sys.argv[2])
ev = json.loads((out / "eval.json").read_text())
name, res = next(iter(ev["results"].items()))
m = res["mean"]
rtl = json.loads((out / "rtl.json").read_text())
est = json.loads((build / "estimates.json").read_text())["totals"]
verify = json.loads((build / "verify.json").read_text())
checked = [r for r in verify if r["compared"]]
steps, rec = ev["step"], None
if str(ev["ckpt"]).startswith("pretrained:"):  # a fine-tuned one: count every stage's steps
    rec = json.loads(Path("model/pretrained", ev["ckpt"].split(":", 1)[1] + ".json").read_text())
    steps = 0
    while rec:
        steps, rec = steps + rec["step"], rec.get("initialised_from")
rows = [
    ("model", f"{ev['arch']} after {steps} training steps ({ev['ckpt']})"),
    (f"PSNR (Y) on {name}", f"{m['psnr']:.2f} dB (bicubic {m['bicubic_psnr']:.2f} dB, "
                            f"{m['psnr'] - m['bicubic_psnr']:+.2f} dB)"),
    ("export", f"{len(checked)} steps checked, "
               f"{sum(r['mismatches'] or 0 for r in checked)} mismatches"),
    ("RTL, whole picture", f"{rtl['picture_hw'][1]}x{rtl['picture_hw'][0]} in {rtl['tiles']} tiles: "
                           f"{rtl['mismatches']} mismatches of {rtl['compared']} against PyTorch"),
    ("cycles/frame", f"{rtl['cycles_per_frame']} ({rtl['ratio_measured_to_estimate']:.3f} x FINN's "
                     f"estimate), {rtl['frames_per_s']:.0f} frames/s of {rtl['frame_hw'][1]}x"
                     f"{rtl['frame_hw'][0]} at {rtl['clock_mhz']:.0f} MHz"),
    ("FINN estimate", f"{est['LUT']:.0f} LUT, {est['BRAM_18K']:.0f} BRAM18 "
                      f"(python -m hw.synth --build {build} for Yosys)"),
    ("picture", str(out / "picture_x2_compare.png")),
]
print()
for k, v in rows:
    print(f"  {k:<20} {v}")
EOF
