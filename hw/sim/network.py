# SPDX-License-Identifier: MIT
"""Simulate the stitched network (Verilator + cocotb) on frames: output images, cycles per
frame, and the highest fill of every FIFO."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .host import elements_to_image, image_to_words, words_to_image
from .sim_env import setup_verilator

ROOT = Path(__file__).resolve().parents[2]
VERILATOR_ARGS = ["-Wno-fatal", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-PINMISSING",
                  "-Wno-UNUSEDSIGNAL", "-Wno-LATCH", "-Wno-SELRANGE", "-Wno-ASCRANGE"]


class SimulationError(RuntimeError):
    """The simulation did not finish (a stall, a compile error): a bug, not bad input."""


def space_free(files: list, where: Path):
    """make (which Verilator and cocotb build through) splits paths at spaces: when any path
    has one, the sources are copied into a space-free folder this run creates (and the
    caller removes); returns (sources, build folder, the folder to remove or None)."""
    import shutil
    import tempfile

    if not any(" " in str(p) for p in [where, *files]):
        return [str(f) for f in files], Path(where), None
    tmp = Path(tempfile.mkdtemp(prefix="bnfree_sim_"))
    (tmp / "src").mkdir()
    staged = []
    for f in files:
        dst = tmp / "src" / Path(f).name
        shutil.copy(f, dst)
        staged.append(str(dst))
    return staged, tmp / "build", tmp


def build_scale(build: Path) -> int:
    from model.registry import load_checkpoint

    from export.config import build_config

    cfg = build_config(build)
    return load_checkpoint(Path(cfg["ckpt"]))["config"]["scale"]


def run_network(build: Path, images: np.ndarray, out: Path, pause_in: float = 0.2,
                pause_out: float = 0.2, after_stitch=None, engine: str = "cocotb",
                seed: int = 1, jobs: int = 1, **gen_options) -> dict:
    """Generate the RTL of ``build`` and simulate it on ``images`` (N, 3, h, w) uint8, frames
    back to back, with random input gaps and output backpressure of the given probabilities.
    ``engine``: "cocotb" (the bench, FIFO fills reported) or "verilator" (the C++ harness of
    ``hw.sim.fast``, no Python per clock; adds "cycles_per_s").

    ``after_stitch(rtl_dir)``, when given, runs between generation and simulation (the
    negative control uses it to flip a weight bit in a memory file); ``gen_options`` go to
    ``hw.gen.generate``. ``jobs`` (verilator engine): the frames in that many contiguous
    groups, each simulated by a process of the one compiled harness, in parallel.

    Returns:
        {"outputs": (N, 3, H, W) int array, "frame_done_cycles": [...], "cycles_per_frame",
         "finn_bottleneck_cycles", "fifo_max": {edge index: highest fill}, "stitch": info}
    """
    from cocotb_tools.runner import get_runner

    from hw.gen import generate
    from hw.gen.render import fifo_instance

    setup_verilator()
    # absolute: the simulator runs in the bench's directory, not in the caller's
    build, out = Path(build).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    info = generate(build, out / "rtl", **gen_options)
    if after_stitch is not None:
        after_stitch(out / "rtl")
    scale = build_scale(build)
    _, h, w, c = info["out"]["shape"]
    ie, ib = info["in"]["elems"], info["in"]["bits"]
    oe, ob = info["out"]["elems"], info["out"]["bits"]
    per_frame = h * w * c // oe
    est = json.loads((build / "estimates.json").read_text())["totals"]
    if engine == "verilator":
        from .fast import compile_harness, simulate

        import time
        from concurrent.futures import ThreadPoolExecutor

        exe = compile_harness(out / "rtl", info, log=out / "verilator_build.log")
        frames = [img.transpose(1, 2, 0) for img in images]
        k = max(1, min(int(jobs), len(frames) // 2 or 1))     # at least two frames a group
        bounds = [round(i * len(frames) / k) for i in range(k + 1)]
        groups = [frames[bounds[i]:bounds[i + 1]] for i in range(k)]

        def one(i):
            return simulate(exe, info, groups[i], out / ("fastsim_run" if k == 1 else f"fastsim_run_{i}"),
                            pause_in, pause_out, seed=seed + i,
                            cycle_limit=int(20 * est["bottleneck_cycles"] * (len(groups[i]) + 2)) + 20000)

        t0 = time.time()
        with ThreadPoolExecutor(max_workers=k) as pool:
            rs = list(pool.map(one, range(k)))
        wall = time.time() - t0
        n = h * w * c
        elements = np.concatenate([r["elements"] for r in rs])
        outs = np.stack([elements_to_image(elements[i * n:(i + 1) * n], (h, w, c), scale)
                         for i in range(len(images))])
        done = rs[0]["frame_done_cycles"]
        cycles = sum(int(r["cycles"]) for r in rs)
        return {"outputs": outs, "frame_done_cycles": done,
                "cycles_per_frame": done[-1] - done[-2] if len(done) > 1 else done[-1],
                "finn_bottleneck_cycles": est["bottleneck_cycles"], "fifo_max": {},
                "cycles": cycles, "sim_seconds": wall, "jobs": k,
                "cycles_per_s": cycles / max(wall, 1e-9), "stitch": info}
    if engine != "cocotb":
        raise ValueError(f"engine must be 'cocotb' or 'verilator', got {engine!r}")
    words = [[f"{x:x}" for x in image_to_words(img, ie, ib)] for img in images]
    tb = {"in_words": words, "in_width": ie * ib, "out_width": oe * ob,
          "out_words_per_frame": per_frame, "pause_in": pause_in, "pause_out": pause_out,
          "buffers": {f"u_b{i}": [fifo_instance(k) for k in range(len(e["stages"]))]
                      for i, e in enumerate(info["edges"]) if e["depth"]},
          "cycle_limit": int(20 * est["bottleneck_cycles"] * (len(images) + 2)) + 20000}
    (out / "tb.json").write_text(json.dumps(tb))
    sources, sim, staging = space_free(info["files"], out / "sim")
    runner = get_runner("verilator")
    try:
        runner.build(sources=sources, hdl_toplevel=info["top"], build_dir=str(sim),
                     timescale=("1ns", "1ps"), always=True, build_args=VERILATOR_ARGS,
                     log_file=str(out / "verilator_build.log"))
        return _run_bench(runner, info, sim, out, build, est, per_frame, images, oe, ob, h, w, c,
                          scale)
    finally:
        if staging is not None:
            import shutil

            shutil.rmtree(staging, ignore_errors=True)


def _run_bench(runner, info, sim, out, build, est, per_frame, images, oe, ob, h, w, c, scale):
    from cocotb_tools.runner import get_results

    results = sim / "results.xml"
    results.unlink(missing_ok=True)
    (out / "tb_out.json").unlink(missing_ok=True)
    import time

    t0 = time.time()
    try:
        runner.test(hdl_toplevel=info["top"], test_module="tb_network",
                    test_dir=str(Path(__file__).parent), build_dir=str(sim),
                    results_xml=str(results), log_file=str(out / "sim.log"),
                    extra_env={"TB_DATA": str(out / "tb.json"), "TB_OUT": str(out / "tb_out.json"),
                               "PYTHONPATH": str(ROOT)})
    except SystemExit:
        pass
    sim_s = time.time() - t0
    n_tests, n_fail = get_results(results)
    if n_fail or not (out / "tb_out.json").is_file():
        raise SimulationError(f"RTL simulation of {build} failed (see {out / 'sim.log'})")
    res = json.loads((out / "tb_out.json").read_text())
    got = [int(x, 16) for x in res["words"]]
    outs = np.stack([words_to_image(got[i * per_frame:(i + 1) * per_frame], oe, ob,
                                    info["out"]["signed"], (h, w, c), scale)
                     for i in range(len(images))])
    done = res["frame_done_cycles"]
    steady = done[-1] - done[-2] if len(done) > 1 else done[-1]
    return {"outputs": outs, "frame_done_cycles": done, "cycles_per_frame": steady,
            "cycles": int(done[-1]), "sim_seconds": sim_s,
            "cycles_per_s": done[-1] / max(sim_s, 1e-9),
            "finn_bottleneck_cycles": est["bottleneck_cycles"],
            "fifo_max": {int(k[3:]): v for k, v in res.get("fifo_max", {}).items()},
            "stitch": info}
