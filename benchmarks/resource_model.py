# SPDX-License-Identifier: MIT
"""Calibrate the resource model of our RTL (``hw.resmodel``) on Yosys, and report its error
per layer.

    .venv/bin/python benchmarks/resource_model.py --builds B1 B2 ... [--whole-builds V1 ...]
        [--target ecp5] [--device LFE5U-85F] [--jobs 2] [--fit] [--out DIR]

For every build: ``hw.synth --per-layer`` (one Yosys run per layer and buffer module;
cached: a build's ``synth/<target>_permodule_<device>/synth.json`` is reused;
``--whole-builds``: one Yosys run of the whole network with the modules' hierarchy kept,
``synth/<target>_whole_<device>``) with the device's multiplier budget (``BUILD@DEVICE``:
that device's), then the generator's design of the same build gives each module's cores.
``--fit`` fits the model on all modules of all builds and writes ``hw/resmodel_<family>.json``;
without it the stored model is evaluated. Prints, per module, measured and predicted LUT
(LUT4 plus two per carry and LUT RAM cell on ECP5), FF and block RAM, and the error in total
and per layer (median and the largest), as ``OUT/resource_model_<target>.json``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


#: headroom hw.fold keeps on the fitted classes (LUT, carry, FF, LUT RAM): the held-out
#: errors on a new design reach about +-40 % where a build is the only one of its kind (a
#: logic-multiplier tail, a fully parallel folding), are within +-11 % otherwise, and a
#: placer needs headroom of its own; Yosys, not the model, has the last word (hw.synth)
MARGIN = 0.25


def module_samples(build: Path, target: str, device, jobs: int, progress=print,
                   whole: bool = False) -> list[dict]:
    """(module, cores, measured classes) of every layer and buffer of ``build``: from one
    Yosys run per module, or with ``whole`` from one run of the whole network with the
    modules' hierarchy kept (``hw.synth --seeds 0``: a video-sized network in one run)."""
    from hw.gen import design_of, load_partition
    from hw.gen.emit import Context
    from hw.resmodel import design_cores
    from hw.synth import synth_network

    tag = f"_{device.name}" if device else ""     # the multiplier budget shapes the design
    work = Path(build) / "synth" / f"{target}_{'whole' if whole else 'permodule'}{tag}"
    rec = work / "synth.json"
    if rec.is_file():
        syn = json.loads(rec.read_text())
    else:
        syn = synth_network(build, work, target, per_layer=not whole, jobs=jobs, seeds=0,
                            device=device.name if device else None, progress=progress)
    model, _ = load_partition(build)
    d = design_of(model, Context(model, "", "ours", target,
                                 dsp_left=device.multipliers if device else None))
    cores = design_cores(d)
    out = []
    for l in syn["layers"]:
        out.append({"build": str(build), "module": f"u_{l['name']}", "name": l["name"],
                    "cores": cores[f"u_{l['name']}"], "measured": l})
    for i, b in enumerate(syn["buffers"]):
        out.append({"build": str(build), "module": f"u_b{i}", "name": f"buffer {i} ({b['tensor']})",
                    "cores": cores[f"u_b{i}"], "measured": b})
    return out


def lut_eq(v: dict, family: str) -> float:
    if family == "ecp5":
        return v.get("LUT4", 0) + 2 * v.get("CARRY", 0) + 2 * v.get("LUTRAM", 0)
    return v.get("LUT", 0) + v.get("LUTRAM", 0)


def main(argv=None) -> int:
    from hw.devices import device as get_device
    from hw.resmodel import BRAM, ResourceModel, fit

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--builds", type=Path, nargs="*", default=[],
                    help="builds synthesised one Yosys run per module; BUILD@DEVICE designs "
                    "and synthesises that build with DEVICE's multiplier budget")
    ap.add_argument("--whole-builds", type=Path, nargs="*", default=[],
                    help="builds synthesised as one whole network with the modules' hierarchy "
                    "kept (cached in BUILD/synth/TARGET_whole_DEVICE; for video-sized networks)")
    ap.add_argument("--target", choices=("ecp5", "xilinx"), default="ecp5")
    ap.add_argument("--device", help="multiplier budget of the generated designs (default: "
                    "LFE5U-85F for ecp5, none for xilinx)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--fit", action="store_true", help="fit and store the model")
    ap.add_argument("--out", type=Path, default=ROOT / "build")
    a = ap.parse_args(argv)
    dev = get_device(a.device) if a.device else (get_device("LFE5U-85F") if a.target == "ecp5" else None)
    if not a.builds and not a.whole_builds:
        ap.error("give --builds or --whole-builds")
    samples = []
    builds = []
    for spec, whole in [(b, False) for b in a.builds] + [(b, True) for b in a.whole_builds]:
        # BUILD@DEVICE: that build designed and synthesised with DEVICE's multiplier budget
        path, _, name = str(spec).partition("@")
        try:
            b, bdev = Path(path), (get_device(name) if name else dev)
        except Exception as e:      # an unknown device name: one line, exit 2
            ap.error(f"{spec}: {e}")
        s = module_samples(b, a.target, bdev, a.jobs, whole=whole)
        print(f"[resource_model] {spec}: {len(s)} modules", flush=True)
        # named as the build's folder (``.../NAME/build`` -> NAME) with its device, if given
        label = (b.parent.name if b.name == "build" else b.name) + (f"@{name}" if name else "")
        for x in s:
            x["build"] = label
        samples += s
        builds.append(label)
    a.builds = builds
    family = a.target
    held_out = {}
    if a.fit:
        rm = fit([(s["cores"], s["measured"]) for s in samples], family)
        rm.meta = {"builds": [str(b) for b in a.builds], "modules": len(samples)}
        # each build predicted by a model fitted on the others: the error on a new design
        for b in map(str, a.builds):
            other = fit([(s["cores"], s["measured"]) for s in samples if s["build"] != b], family)
            mine = [s for s in samples if s["build"] == b]
            err_b = {}
            for key, get in (("lut", lambda v: lut_eq(v, family)), ("ff", lambda v: v.get("FF", 0))):
                p = sum(get(other.predict_cores(s["cores"])) for s in mine)
                m = sum(get(s["measured"]) for s in mine)
                err_b[key] = (p - m) / max(m, 1)
            held_out[b] = err_b
            print(f"[resource_model] held out {b}: LUT {err_b['lut']:+.1%}, FF {err_b['ff']:+.1%}")
        # hw.fold scales the fitted classes by MARGIN before it compares with a device
        rm.meta["margin"] = MARGIN
    else:
        rm = ResourceModel.load(family)
    rows, bram = [], BRAM[family]
    for s in samples:
        p = rm.predict_cores(s["cores"])
        m = s["measured"]
        rows.append({"build": s["build"], "name": s["name"],
                     "lut_measured": lut_eq(m, family), "lut_predicted": round(lut_eq(p, family), 1),
                     "ff_measured": m.get("FF", 0), "ff_predicted": round(p.get("FF", 0), 1),
                     "bram_measured": m.get(bram, 0), "bram_predicted": p.get(bram, 0)})
    per_build = {}
    for r in rows:
        t = per_build.setdefault(r["build"], {k: 0.0 for k in r if k not in ("build", "name")})
        for k in t:
            t[k] += r[k]
    err = {}
    for key in ("lut", "ff"):
        big = [r for r in rows if r[f"{key}_measured"] >= 200]
        rel = [abs(r[f"{key}_predicted"] - r[f"{key}_measured"]) / r[f"{key}_measured"] for r in big]
        err[key] = {"modules": len(big), "median": statistics.median(rel) if rel else None,
                    "max": max(rel) if rel else None,
                    "totals": {b: (t[f"{key}_predicted"] - t[f"{key}_measured"]) / max(t[f"{key}_measured"], 1)
                               for b, t in per_build.items()}}
    err["bram_exact_modules"] = sum(r["bram_measured"] == r["bram_predicted"] for r in rows)
    if a.fit:
        err["held_out_totals"] = held_out
        rm.meta["error"] = err
        print(f"[resource_model] wrote {rm.save()}")
    print(f"{'module':<44}{'LUT meas':>9}{'pred':>9}{'FF meas':>9}{'pred':>9}{bram + ' m/p':>10}")
    for r in rows:
        print(f"{r['name'][:43]:<44}{r['lut_measured']:>9.0f}{r['lut_predicted']:>9.0f}"
              f"{r['ff_measured']:>9.0f}{r['ff_predicted']:>9.0f}"
              f"{r['bram_measured']:>5.0f}/{r['bram_predicted']:<4.0f}")
    for b, t in per_build.items():
        print(f"total {b}: LUT {t['lut_measured']:.0f} measured, {t['lut_predicted']:.0f} predicted "
              f"({(t['lut_predicted'] - t['lut_measured']) / max(t['lut_measured'], 1):+.1%}); FF "
              f"{t['ff_measured']:.0f} / {t['ff_predicted']:.0f}; {bram} {t['bram_measured']:.0f} / "
              f"{t['bram_predicted']:.0f}")
    print(f"per module (>= 200 measured): LUT error median {err['lut']['median']:.1%}, largest "
          f"{err['lut']['max']:.1%} ({err['lut']['modules']} modules); FF median "
          f"{err['ff']['median']:.1%}, largest {err['ff']['max']:.1%}; {bram} exact in "
          f"{err['bram_exact_modules']} of {len(rows)} modules")
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / f"resource_model_{a.target}.json").write_text(json.dumps({"rows": rows, "error": err},
                                                                       indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
