# SPDX-License-Identifier: MIT
"""The ablation script end to end on a tiny model (the real run is documented, not in CI)."""
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import ablation  # noqa: E402


def test_ablation_two_variants_tiny(tmp_path, hr_folder):
    args = ["--arch", "edsr_btm_x2_c8_b1", "--steps", "2", "--batch", "2", "--patch", "12",
            "--data", str(hr_folder), "--only", "bireal-clipinit,r2b-rescale", "--out", str(tmp_path)]
    assert ablation.main(args) == 0
    res = json.loads((tmp_path / "ablation.json").read_text())
    rows = {r["variant"]: r for r in res["rows"]}
    assert set(rows) == {"bireal-clipinit", "r2b-rescale"}
    ok, rej = rows["bireal-clipinit"]["export"], rows["r2b-rescale"]["export"]
    assert ok["exported"] and ok["max_mismatches"] == 0
    assert ok["binary_macs_finn"] == rows["bireal-clipinit"]["ops"]["binary_macs"]
    assert not rej["exported"] and "data-driven" in rej["reason"]
    assert rows["r2b-rescale"]["ops"]["float_ops"] > 0
    table = (tmp_path / "table.md").read_text()
    assert "| r2b-rescale |" in table and "not exportable" in table
    assert (tmp_path / "ablation.png").stat().st_size > 1000
    # a rerun keeps finished variants
    assert ablation.main(args) == 0
