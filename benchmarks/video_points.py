# SPDX-License-Identifier: MIT
"""Video design points on a device: the folding the resource model says fits, the export,
Yosys per layer, nextpnr over seeds, and a real photograph through the RTL.

    python benchmarks/video_points.py --ckpt CKPT [--points 720p,1080p] [--device LFE5U-85F]
        [--clock-mhz 100] [--fps 60] [--cycles 720p=6,1080p=3] [--seeds 3] [--jobs 2]
        [--pnr-minutes 90] [--router2-cong-mult X] [--fifo-stage-words N] [--dsp-sums]
        [--photo PICTURE] [--stages fold,export,synth,place,pnr,photo] [--out build/video_points]

Per point (x2: 720p from 640x360 LR frames, 1080p from 960x540):
  fold    an export at the LR frame (any folding) gives the layer shapes; ``hw.fold`` finds
          the fastest clocks-per-pixel whose predicted hardware fits the device (or takes
          ``--cycles``), and the frame rate it reaches at ``--clock-mhz``;
  export  ``export/to_finn.py --folding`` at the LR frame, verified bit-exactly at 16x16 with
          the same folding (``--verify-hw``), the device's multiplier budget;
  synth   ``hw.synth --per-layer --device``: Yosys cells per layer and in total, the fit;
  place   ``hw.synth --device --seeds N --place-only`` (not in the default stages): every seed
          placed, not routed, and its placed wirelength with their median, in a third of
          the time; on one 720p netlist the seeds placed with less wire routed (16 seeds of
          four netlists: 550 k or less routed, 563 k or more did not, docs/benchmarks.md),
          but the threshold moves with the netlist;
  pnr     ``hw.synth --device --seeds N``: one netlist, nextpnr seeds 1..N (each stopped
          after ``--pnr-minutes``), the median Fmax (a seed not routed counts as the lowest)
          and the frames/s at that median;
  photo   a real photograph (a Set14/BSD100 picture resized to the LR frame) through the RTL
          with ``hw.upscale --jobs``: mismatches against PyTorch on every pixel, cycles per
          frame against the estimate, the wall time.
Every stage keeps its output in ``OUT/POINT/`` and is skipped when that output exists, so a
long run resumes. Writes ``OUT/points.json`` (every point under OUT, earlier invocations'
too; ``notebooks/latency.ipynb`` plots it) and the efficiency figure of merit (output
megapixels/s per 1 000 LUT4 and per multiplier) beside the open FSRCNN RTL's (720p x4 at
60 frames/s on a ZCU102).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: output resolutions (width, height)
POINTS = {"720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160)}
#: the open FSRCNN RTL (720p x4 at 60 frames/s on a ZCU102 at 300 MHz): output pixels/s and
#: its resources, as its authors report them
FSRCNN = {"output_pixels_per_s": 55.3e6, "LUT": 41859, "DSP": 1513, "device": "ZCU102 (LUT6)",
          "clock_mhz": 300}
DATASETS = ROOT.parent / "shared" / "datasets"
#: how a refusal names each generation option's value (``run_point``)
GEN_SAID = {"fifo_stage_words": lambda v: f"--fifo-stage-words {v}" if v else "one FIFO per edge",
            "dsp_sums": lambda v: "--dsp-sums" if v else "no --dsp-sums"}


def _photo(path: Path | None, lr_hw: tuple[int, int], out: Path) -> tuple[Path, str]:
    """The photograph resized to the LR frame (a Set14 HR picture when none is given), and the
    source's name as a reader can find it: relative to ../shared/datasets when it is one of
    those pictures, else its file name."""
    from PIL import Image

    from model.data import load_rgb

    src = path or next(iter(sorted((DATASETS / "Set14" / "x2" / "HR").glob("*.png"))), None)
    if src is None:
        raise SystemExit("no photograph: pass --photo PICTURE (../shared/datasets is absent)")
    img = Image.fromarray(load_rgb(src)).resize((lr_hw[1], lr_hw[0]), Image.BICUBIC)
    p = out / f"photo_{lr_hw[1]}x{lr_hw[0]}.png"
    img.save(p)
    src = Path(src).resolve()
    try:
        name = f"datasets/{src.relative_to(DATASETS.resolve())}"
    except ValueError:
        name = src.name
    return p, name


def _provenance(a) -> dict:
    """What made the record: the checkpoint's architecture and file name, the repository
    commit (with a mark when the tree had changes), the date."""
    import datetime
    import subprocess

    from model.registry import load_checkpoint

    def git(*args):
        r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {"arch": load_checkpoint(a.ckpt)["arch"], "ckpt": Path(a.ckpt).name,
            "commit": commit, "date": datetime.date.today().isoformat()}


def _save(rec: dict, path: Path) -> None:
    """Write the point's record, keeping what another invocation added to the file since this
    one read it (a photo run beside a long place-and-route of the same point)."""
    from model.evaluate import write_json_atomic

    cur = json.loads(path.read_text()) if path.is_file() else {}
    cur.update(rec)
    write_json_atomic(cur, path)


def run_point(a, name: str, lr_hw: tuple[int, int], cycles: int | None, out: Path) -> dict:
    from export.config import ExportConfig
    from export.flow import run_export
    from hw.devices import device as get_device
    from hw.fold import search
    from hw.gen import load_partition
    from hw.synth import synth_network
    from model.errors import ToolkitError
    from model.evaluate import write_json_atomic
    from model.registry import load_checkpoint

    dev = get_device(a.device)
    out.mkdir(parents=True, exist_ok=True)
    rec_path = out / "point.json"
    rec = json.loads(rec_path.read_text()) if rec_path.is_file() else {}
    made = {k: rec[k] for k in ("device", "clock_mhz") if k in rec}
    if made and made != {"device": dev.name, "clock_mhz": a.clock_mhz}:
        # its folding, netlist and routed figures belong to that device and clock
        raise ToolkitError(f"{rec_path} was made for {made.get('device')} at "
                           f"{made.get('clock_mhz')} MHz, not {dev.name} at {a.clock_mhz:g} MHz: "
                           "give another --out")
    # the options the netlist and the photograph's RTL are generated with: a point directory
    # made with others is refused (its figures belong to that netlist)
    gen = {"fifo_stage_words": a.fifo_stage_words, "dsp_sums": a.dsp_sums}
    for key, v in gen.items():
        was = rec.get(key)
        if rec and (bool(was) if isinstance(v, bool) else was) != v:
            raise ToolkitError(f"{rec_path} was made with {GEN_SAID[key](was)}, not "
                               f"{GEN_SAID[key](v)}: give another --out")
    # the network the point is made of (points under one OUT may be of different widths)
    arch = load_checkpoint(a.ckpt)["arch"]
    if rec.get("arch", arch) != arch:
        raise ToolkitError(f"{rec_path} was made from a {rec['arch']} checkpoint, not "
                           f"{arch} ({a.ckpt}): give another --out")
    rec.update(point=name, arch=arch, lr_hw=list(lr_hw), device=dev.name, clock_mhz=a.clock_mhz, **gen,
               target_fps=a.fps, lr_pixels_per_s_needed=lr_hw[0] * lr_hw[1] * a.fps)
    shape, build = out / "shape", out / "build"
    if "fold" in a.stages and "folding" not in rec:
        if not (shape / "DONE").is_file():
            run_export(ExportConfig(ckpt=a.ckpt, out=shape, input_hw=lr_hw, verify_hw=a.verify_hw,
                                    target_fps=1, golden_real=0, golden_random=1, cppsim=False))
        model, _ = load_partition(shape)
        f = search(model, dev, a.clock_mhz, a.fps, cycles=cycles)
        if not f["fits"] and cycles:
            # a folding given by clocks per pixel: the model's verdict is recorded, Yosys decides
            rec["fold_note"] = (f"the resource model predicts no fit ({f['why']}); --cycles "
                                "given: Yosys decides")
        elif not f["fits"]:
            rec["fold"] = {"fits": False, "why": f["why"]}
            _save(rec, rec_path)
            return rec
        rec["folding"] = f["folding"]
        rec["fold"] = {k: f[k] for k in ("cycles_per_pixel", "pixels_per_s", "fps", "meets_fps")}
        rec["predicted"] = {"total": f["predicted"]["total"], "need": f["predicted"]["need"]}
        write_json_atomic(f["folding"], out / "folding.json")
        _save(rec, rec_path)
    if "export" in a.stages and not (build / "DONE").is_file():
        t = time.time()
        run_export(ExportConfig(ckpt=a.ckpt, out=build, input_hw=lr_hw, verify_hw=a.verify_hw,
                                folding=out / "folding.json", clock_ns=1e3 / a.clock_mhz,
                                mvau_wwidth_max=8192, golden_real=0, golden_random=1))
        rec["export_s"] = round(time.time() - t, 1)
        est = json.loads((build / "estimates.json").read_text())["totals"]
        rec["finn_bottleneck_cycles"] = est["bottleneck_cycles"]
        _save(rec, rec_path)
    if "synth" in a.stages and "yosys" not in rec and (build / "DONE").is_file():
        r = synth_network(build, out / "synth_layers", "ecp5" if dev.family == "ecp5" else "xilinx",
                          per_layer=True, jobs=a.jobs, device=dev.name, **gen)
        rec["yosys"] = {"total": r["total"], "fit": r.get("fit"), "layers": r["layers"],
                        "multipliers": r.get("multipliers"), "seconds": r["seconds"]}
        _save(rec, rec_path)
    # the per-layer fit is a quick verdict when it ran; the whole-network run decides anyway
    nextpnr_ready = dev.family == "ecp5" and "fold" in rec and (build / "DONE").is_file() \
        and rec.get("yosys", {}).get("fit", {}).get("fits", True)
    if "place" in a.stages and "place" not in rec and nextpnr_ready:
        r = synth_network(build, out / "synth_place", "ecp5", freq_mhz=a.clock_mhz,
                          device=dev.name, seeds=a.seeds, jobs=a.jobs, placer=a.placer,
                          pnr_minutes=a.pnr_minutes, route=False, **gen)
        rec["place"] = {k: r.get(k) for k in ("fits", "device", "speed_grade", "seeds_placed",
                                                "wirelength_by_seed", "wirelength_median",
                                                "stopped", "utilisation", "nextpnr_s", "total",
                                                "placer", "yosys_s", "why")}
        _save(rec, rec_path)
    if "pnr" in a.stages and "pnr" not in rec and nextpnr_ready:
        r = synth_network(build, out / "synth_pnr", "ecp5", freq_mhz=a.clock_mhz, device=dev.name,
                          seeds=a.seeds, jobs=a.jobs, router=a.router, placer=a.placer,
                          pnr_minutes=a.pnr_minutes, cong_mult=a.router2_cong_mult, **gen)
        med = r.get("fmax_median", r.get("fmax_mhz"))
        c = rec["fold"]["cycles_per_pixel"]
        rec["pnr"] = {k: r.get(k) for k in ("fits", "device", "speed_grade", "fmax_mhz", "fmax_by_seed",
                                              "fmax_median", "seeds_routed", "stopped", "wirelength_by_seed",
                                              "congestion_by_seed",
                                              "minutes_per_seed", "utilisation", "nextpnr_s",
                                              "total", "router", "router2_cong_mult", "placer",
                                              "yosys_s", "why")}
        if med:
            rec["pnr"]["fps_at_median"] = med * 1e6 / c / (lr_hw[0] * lr_hw[1])
        _save(rec, rec_path)
    if "photo" in a.stages and "photo" not in rec and (build / "DONE").is_file():
        from hw.upscale import upscale
        from model.data import load_rgb

        p, source = _photo(a.photo, lr_hw, out)
        t = time.time()
        u = upscale(build, load_rgb(p), out / "photo_sim", jobs=a.jobs, **gen)
        rec["photo"] = {"picture": str(p), "source": source,
                        "mismatches": u["mismatches"], "compared": u["compared"],
                        "cycles_per_frame": u["cycles_per_frame"],
                        "estimate_cycles_per_frame": lr_hw[0] * lr_hw[1] * rec["fold"]["cycles_per_pixel"],
                        "wall_s": round(time.time() - t, 1), "jobs": a.jobs,
                        "sim_cycles_per_s": u["sim_cycles_per_s"]}
        rec["photo"]["ratio_to_estimate"] = (rec["photo"]["cycles_per_frame"]
                                             / rec["photo"]["estimate_cycles_per_frame"])
        _save(rec, rec_path)
    return rec


def merit(rec: dict, scale: int) -> dict | None:
    """Output megapixels/s per 1 000 LUT4 and per multiplier block, at the median Fmax; the
    cells are the placed netlist's (its whole-network Yosys run), else the per-layer total."""
    if "pnr" not in rec or not rec["pnr"].get("fps_at_median"):
        return None
    from hw.devices import need

    total = rec["pnr"].get("total") or rec.get("yosys", {}).get("total")
    if not total:
        return None
    h, w = rec["lr_hw"]
    opx = rec["pnr"]["fps_at_median"] * h * w * scale * scale
    n = need(total, "ecp5")
    return {"output_Mpixels_per_s": opx / 1e6,
            "per_1000_LUT4": opx / 1e6 / (n["LUT4"] / 1000),
            "per_multiplier": opx / 1e6 / max(n["MULT18"], 1),
            "fsrcnn_per_1000_LUT6": FSRCNN["output_pixels_per_s"] / 1e6 / (FSRCNN["LUT"] / 1000),
            "fsrcnn_per_DSP": FSRCNN["output_pixels_per_s"] / 1e6 / FSRCNN["DSP"]}


def main(argv=None) -> int:
    from model.cli import positive_float, positive_int

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", type=Path, required=True)
    ap.add_argument("--points", default="720p,1080p",
                    help=f"output resolutions ({', '.join(POINTS)}) or LR sizes HxW")
    ap.add_argument("--verify-hw", type=int, nargs=2, default=(16, 16),
                    help="frame size every export step is verified at (same folding)")
    ap.add_argument("--device", default="LFE5U-85F",
                    help="hw.devices name; an ECP5 speed grade after it (LFE5U-85F-8) is nextpnr's "
                         "timing model (default: grade 6, the slowest)")
    ap.add_argument("--clock-mhz", type=float, default=100.0)
    ap.add_argument("--fps", type=float, default=60.0)
    ap.add_argument("--cycles", default="", help="fixed clocks per pixel per point (720p=6,...)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--router", choices=("router1", "router2"), default="router2",
                    help="nextpnr's router (default router2: router1 had not finished an "
                         "LFE5U-85F point in over two hours)")
    ap.add_argument("--placer", choices=("heap", "static"), default="static",
                    help="nextpnr's placer (default static: on the 720p point a quarter less "
                         "wire than heap, placed with annealing in 15-17 min instead of 26, and "
                         "the only placer after which router2 routed it)")
    ap.add_argument("--pnr-minutes", type=positive_float, default=90.0,
                    help="stop each nextpnr seed after this many minutes, counted as not "
                         "routed (default 90: the one 720p seed that routed took 36; router2 "
                         "circled for hours at a few thousand overused wires on others)")
    ap.add_argument("--fifo-stage-words", type=positive_int,
                    help="hw.synth --fifo-stage-words: deep FIFOs as chains of FIFOs of whole "
                         "block-RAM banks, in the netlist and the photograph's RTL alike "
                         "(default: one FIFO per edge)")
    ap.add_argument("--dsp-sums", action="store_true",
                    help="hw.synth --dsp-sums: the int8 products summed two by two in the DSP "
                         "slices' ALU54B (in the netlist and the photograph's RTL)")
    ap.add_argument("--router2-cong-mult", type=positive_float, metavar="X",
                    help="pnr: router2 multiplies the price of a shared wire by X after every "
                         "iteration (default: nextpnr's 2.0; hw.synth --router2-cong-mult)")
    ap.add_argument("--photo", type=Path)
    ap.add_argument("--stages", default="fold,export,synth,pnr,photo")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "video_points")
    a = ap.parse_args(argv)
    a.stages = set(a.stages.split(","))
    try:
        fixed = {k: int(v) for k, v in (kv.split("=") for kv in a.cycles.split(",") if kv)}
        assert all(v > 0 for v in fixed.values())
    except (ValueError, AssertionError):
        print(f"error: --cycles {a.cycles!r}: give POINT=CLOCKS, e.g. 720p=6,1080p=3",
              file=sys.stderr)
        return 2
    from model.errors import ToolkitError

    try:
        return _run(a, fixed)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _run(a, fixed: dict) -> int:
    from model.evaluate import write_json_atomic
    from model.registry import load_checkpoint, resolve_checkpoint

    a.ckpt = resolve_checkpoint(a.ckpt)
    scale = load_checkpoint(a.ckpt)["config"]["scale"]
    a.verify_hw = tuple(a.verify_hw)
    res = []
    for p in a.points.split(","):
        if p in POINTS:
            w, h = POINTS[p]
            lr = (h // scale, w // scale)
        else:
            try:
                lr = tuple(int(v) for v in p.lower().split("x"))
                assert len(lr) == 2 and min(lr) > 0
            except (ValueError, AssertionError):
                print(f"error: --points {p!r}: use {', '.join(POINTS)} or HxW", file=sys.stderr)
                return 2
        r = run_point(a, p, lr, fixed.get(p), a.out / p)
        r["merit"] = merit(r, scale)
        res.append(r)
        print(f"[video_points] {p}: " + json.dumps({k: r.get(k) for k in ("fold", "place", "pnr", "photo")},
                                                   default=str)[:600], flush=True)
    # points.json holds every point under OUT (earlier invocations' too), this run's fresh
    done = {r["point"] for r in res}
    for f in sorted(a.out.glob("*/point.json")):
        r = json.loads(f.read_text())
        if r.get("point") not in done:
            r["merit"] = merit(r, scale)
            res.append(r)
    write_json_atomic({"scale": scale, "device": a.device, "clock_mhz": a.clock_mhz, "fps": a.fps,
                       "fsrcnn": FSRCNN, "provenance": _provenance(a), "points": res},
                      a.out / "points.json")
    print(f"wrote {a.out / 'points.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
