# SPDX-License-Identifier: MIT
"""``python -m model.train [--arch NAME] [--data DIR] --out runs/NAME --steps N [--resume]``

Trains a registered network (default: the hardware-exact BTM model) on HR images with LR
made by bicubic downsampling on the fly; L1 loss, Adam with a cosine schedule, periodic
validation, atomic ``ckpt.pt`` (config, weights, optimizer/scheduler state, step),
``--resume``, fixed seeds, and multi-stage knowledge distillation from a full-precision
teacher (``--teacher CKPT``). Data-parallel with ``torchrun --nproc_per_node N -m
model.train ...`` (DDP, gloo on CPU).
"""
from __future__ import annotations

from . import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from tqdm import tqdm

from .cli import ToolkitParser, non_negative_int, positive_float, positive_int
from .data import (PatchSampler, dataset_stats, load_hr_folder, load_pairs,
                   usable_training_images)
from .errors import CheckpointError, ToolkitError
from .evaluate import evaluate_pairs, write_json_atomic
from .nets import BinarySRNet
from .registry import (DEFAULT_ARCH, atomic_save, build_from_config, config_for, upgrade_state,
                       load_checkpoint, model_from_checkpoint)


def parse_args(argv=None) -> argparse.Namespace:
    ap = ToolkitParser(prog="python -m model.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default=DEFAULT_ARCH, help=f"registry name (default {DEFAULT_ARCH})")
    ap.add_argument("--scale", type=positive_int, help="override the scale of the arch name")
    ap.add_argument("--data", type=Path, help="HR training folder (DIR or DIR/HR); "
                    "default: scikit-image's bundled photographs")
    ap.add_argument("--val", type=Path, help="HR/LR pair folder for validation "
                    "(e.g. ../shared/datasets/Set5); default: built-in images")
    ap.add_argument("--out", type=Path, default=Path("runs/default"), help="run directory")
    ap.add_argument("--steps", type=positive_int, default=2000)
    ap.add_argument("--batch", type=positive_int, default=16, help="patches per step and process")
    ap.add_argument("--patch", type=positive_int, default=32, help="LR patch side")
    ap.add_argument("--lr", type=positive_float, default=2e-3)
    ap.add_argument("--seed", type=non_negative_int, default=0)
    ap.add_argument("--val-every", type=positive_int, default=500)
    ap.add_argument("--ckpt-every", type=positive_int, default=250)
    ap.add_argument("--resume", action="store_true", help="continue from OUT/ckpt.pt")
    ap.add_argument("--stop-at", type=positive_int, help="checkpoint and stop at this step (resume later "
                    "with --resume); for runs split into time-limited chunks")
    ap.add_argument("--teacher", type=Path, help="full-precision teacher ckpt for distillation")
    ap.add_argument("--kd", choices=("feature", "attention"), default="feature",
                    help="feature losses at block outputs (paper) or Real-to-Binary attention")
    ap.add_argument("--kd-weight", type=float, default=1.0, help="weight of the feature terms")
    ap.add_argument("--kd-out-weight", type=float, default=1.0, help="weight of L1 to teacher output")
    ap.add_argument("--time-limit", type=positive_float, help="minutes; checkpoint and stop when exceeded "
                    "(the schedule still spans --steps)")
    ap.add_argument("--threads", type=non_negative_int, default=0, help="torch threads (0: leave default)")
    for k, t in OVERRIDES:
        kw = {"choices": CHOICES[k]} if k in CHOICES else {"type": t}
        ap.add_argument(f"--{k}", **kw, help="override the arch's constructor argument")
    ap.add_argument("--init-from", type=Path, help="initialise from another checkpoint's weights "
                    "(every tensor of the same name and shape): Bi-Real's clip-net init and "
                    "Real-to-Binary's second stage")
    ap.add_argument("--freeze-scales-after", type=positive_int, metavar="STEP",
                    help="from STEP on, stop learning the weight quantizers' learned scales "
                         "(the binary tail's α): the rest of the net adapts to their final grid "
                         "point instead of α oscillating across a rounding boundary")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    return ap.parse_args(argv)


#: constructor arguments a run may override (model.nets.BinarySRNet): ABC-Net bases,
#: Bi-Real's weight gradient, the two-stage binarisation and the data re-scaling included
OVERRIDES = (("channels", positive_int), ("blocks", positive_int), ("residual-bits", positive_int),
             ("residual-frac-bits", non_negative_int), ("sign-grad", str), ("prelu-mode", str),
             ("binarize", str), ("weight-grad", str), ("weight-bases", positive_int),
             ("act-bases", positive_int), ("rescale", str), ("contract", str), ("tail", str))


def _choices() -> dict:
    from .nets import BINARIZE, CONTRACTS, RESCALE, TAILS
    from .quantizers import WEIGHT_GRADIENTS

    return {"sign-grad": ("ste", "approxsign"), "prelu-mode": ("pot", "fixed"),
            "binarize": BINARIZE, "weight-grad": tuple(WEIGHT_GRADIENTS), "rescale": RESCALE,
            "contract": CONTRACTS, "tail": TAILS}


CHOICES = _choices()


def init_from(net: torch.nn.Module, path: Path) -> dict:
    """Copy every tensor of ``path``'s model whose name and shape match into ``net``.

    Returns counts {"loaded", "skipped"}; raises if nothing matched (wrong checkpoint).
    """
    src = load_checkpoint(path)["model"]
    dst = net.state_dict()
    take = {k: v for k, v in src.items() if k in dst and dst[k].shape == v.shape}
    if not take:
        raise CheckpointError(f"--init-from {path}: no tensor matches this network by name and "
                              "shape; pass a checkpoint of the same shape (channels, blocks)")
    net.load_state_dict(take, strict=False)
    return {"loaded": len(take), "skipped": len(dst) - len(take)}


def resolve_arch(args) -> tuple[str, dict]:
    """Arch name and constructor config from --arch and the overrides."""
    arch = args.arch
    if args.scale is not None:
        base = config_for(arch)  # validates the name first
        arch = arch.replace(f"_x{base['scale']}_", f"_x{args.scale}_")
    keys = [k.replace("-", "_") for k, _ in OVERRIDES]
    overrides = {k: getattr(args, k) for k in keys if getattr(args, k) is not None}
    cfg = config_for(arch, **overrides)
    return design_name(cfg, config_for(arch)), cfg


def design_name(cfg: dict, base: dict) -> str:
    """The name a configuration goes by: the registry pattern from its own backbone, block,
    scale, channels and blocks, then every override that changes the registered name's
    config (``_key-value``), so that an overridden model is never labelled as the stock one."""
    import inspect

    from .registry import TAIL_SUFFIX

    name = (f"{cfg['backbone']}_{cfg['block']}_x{cfg['scale']}_c{cfg['channels']}"
            f"_b{cfg['blocks']}" + TAIL_SUFFIX.get(cfg.get("tail"), ""))
    defaults = {k: p.default for k, p in inspect.signature(BinarySRNet).parameters.items()}
    core = ("backbone", "block", "scale", "channels", "blocks", "mean", "std", "tail")
    extra = [f"{k}-{cfg[k]}" for k in sorted(cfg) if k not in core
             and cfg[k] != base.get(k, defaults.get(k))]
    return "_".join([name, *extra])


def feature_loss(fs, ft, mode: str) -> torch.Tensor:
    """Distillation term over block outputs (student ``fs``, teacher ``ft``)."""
    terms = []
    for a, b in zip(fs, ft):
        if mode == "feature":
            terms.append(F.mse_loss(a, b))
        else:  # Real-to-Binary attention matching: normalised spatial energy maps
            qa = F.normalize(a.pow(2).mean(1).flatten(1), dim=1)
            qb = F.normalize(b.pow(2).mean(1).flatten(1), dim=1)
            terms.append((qa - qb).norm(dim=1).mean())
    return torch.stack(terms).mean()


def _dist_info() -> tuple[int, int]:
    ws = int(os.environ.get("WORLD_SIZE", "1"))
    if ws > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")
    return (dist.get_rank(), ws) if ws > 1 else (0, 1)


def _close_process_group() -> None:
    """The end of a DDP run: every rank waits for the others, then the process group goes.

    Gloo's worker thread destroys a finished collective's record itself, and that record
    can hold a Python object (the autograd engine's context, captured when DDP's gradient
    all-reduce was issued), whose destruction takes the GIL. The group's destructor joins
    that thread while holding the GIL: if the thread was still destroying the last barrier,
    both waited for ever (measured: 1 of 6 two-rank runs on a loaded 2-core machine; rank 1
    stuck in ~ProcessGroupGloo's join, gloo's runloop in ~AsyncBarrierWork -> take_gil).
    Here the barrier's record is held in Python until the group is gone, so the worker
    thread only lets go of it, and its destruction (with the earlier records it keeps) runs
    on this thread when ``done`` goes. torch's own teardown has no such guard (see
    pytorch/pytorch#75097)."""
    done = dist.barrier(async_op=True)
    done.wait()
    dist.destroy_process_group()
    del done


def freeze_scales(net) -> int:
    """Stop learning every learned weight scale (Brevitas' ``scaling_impl.value`` of a
    weight quantizer); Adam skips a parameter without a gradient. Returns how many."""
    n = 0
    for name, prm in net.named_parameters():
        if ".weight_quant." in name and name.endswith("scaling_impl.value") and prm.requires_grad:
            prm.requires_grad_(False)
            n += 1
    return n


def train(args) -> dict:
    """Run training as configured; returns the final metrics. Rank 0 writes the run dir."""
    rank, world = _dist_info()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    out: Path = args.out
    from .cli import output_dir

    output_dir(out, "--out", own=("ckpt.pt", "metrics.json", "FAILED.txt"), what="training run")
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        (out / "FAILED.txt").unlink(missing_ok=True)     # this run's own marker, if any
        interrupt.watch(out, what="training run (continue it with --resume)")
    ckpt_path = out / "ckpt.pt"
    arch, cfg = resolve_arch(args)

    ck = None
    if args.resume:
        if not ckpt_path.is_file():
            raise CheckpointError(f"--resume: {ckpt_path} does not exist; run without --resume first")
        ck = load_checkpoint(ckpt_path)
        diff = [k for k in sorted(set(ck["config"]) | set(cfg)) if k not in ("mean", "std")
                and ck["config"].get(k) != cfg.get(k)]
        if diff:
            k = diff[0]
            flag = "--" + k.replace("_", "-")
            given = getattr(args, k, None) is not None       # the override, else the arch's value
            flag = flag if given and any(flag == f"--{o}" for o, _ in OVERRIDES) else "--arch"
            raise CheckpointError(f"--resume: {ckpt_path} was trained with {k}={ck['config'].get(k)!r}, "
                                  f"not {cfg.get(k)!r} ({flag}); resume with the run's own "
                                  f"settings (arch {ck.get('arch')}) or train into another --out")
        old_args = ck.get("args", {})
        for key, flag, cast in (("lr", "--lr", float), ("batch", "--batch", int),
                                ("patch", "--patch", int), ("steps", "--steps", int),
                                ("seed", "--seed", int)):
            if key in old_args and cast(old_args[key]) != cast(getattr(args, key)):
                raise CheckpointError(f"--resume: {ckpt_path} was trained with {flag} "
                                      f"{old_args[key]}, not {getattr(args, key)}; a resumed run "
                                      "continues the same schedule: pass the run's own value")
        cfg = ck["config"]

    names_imgs = load_hr_folder(args.data)
    names, images = usable_training_images([n for n, _ in names_imgs],
                                           [im for _, im in names_imgs],
                                           args.patch * cfg["scale"],
                                           warn=None if rank == 0 else (lambda m: None))
    if ck is None:
        mean, std = dataset_stats(images)
        cfg.update(mean=mean, std=std)  # BTM: normalise by the training set's own statistics

    net = build_from_config(cfg, arch)
    if args.init_from is not None and ck is None:
        got = init_from(net, args.init_from)
        if rank == 0 and not args.quiet:
            print(f"init from {args.init_from}: {got['loaded']} tensors, {got['skipped']} new")
    sampler = PatchSampler(images, cfg["scale"], args.patch, args.batch, args.seed,
                           hr_input=cfg["backbone"] == "vdsr", names=names)
    if ck is not None:
        # before the optimizer is built: Brevitas' learned scales (the binary tail's α)
        # replace their Parameter when a state dict is loaded, and an optimizer made earlier
        # would keep updating the discarded one (α would stop learning after a resume)
        net.load_state_dict(upgrade_state(ck["model"], net))
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(args.steps, 1),
                                                       eta_min=args.lr * 0.01)
    step, history, best = 0, [], None
    if ck is not None:
        try:
            opt.load_state_dict(ck["optimizer"])
        except ValueError as e:   # a run whose layers had other parameters (older version)
            raise CheckpointError(f"--resume {args.out}: its optimizer state does not fit the "
                                  f"network ({e}); start a new run, --init-from "
                                  f"{Path(args.out) / 'ckpt.pt'} keeps its weights") from e
        sched.load_state_dict(ck["scheduler"])
        step, history, best = ck["step"], ck.get("history", []), ck.get("best")

    teacher = None
    if args.teacher is not None:
        teacher, tck = model_from_checkpoint(args.teacher)
        if teacher.quantized:
            raise CheckpointError(f"--teacher {args.teacher} is a quantized {tck.get('arch')}; "
                                  "pass a full-precision (fp) checkpoint")
        if len(teacher.body) != len(net.body) or teacher.scale != net.scale:
            raise CheckpointError(f"--teacher {args.teacher} ({tck.get('arch')}) does not have the "
                                  f"shape of {arch}: same blocks and scale are needed")
        for p in teacher.parameters():
            p.requires_grad_(False)

    model = net
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(net)
    val_pairs = load_pairs(args.val, cfg["scale"]) if rank == 0 else None

    def save():
        if rank == 0:
            atomic_save({"arch": arch, "config": cfg, "model": net.state_dict(),
                         "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                         "step": step, "history": history, "best": best,
                         "args": {k: str(v) for k, v in vars(args).items()}}, ckpt_path)

    def validate():
        nonlocal best
        net.eval()
        r = evaluate_pairs(net, val_pairs, cfg["scale"], desc="val")["mean"]
        net.train()
        rec = {"step": step, **r}
        history.append(rec)
        if best is None or r["psnr"] > best["psnr"]:
            best = rec
        return rec

    net.train()
    bar = tqdm(total=args.steps, initial=step, desc=arch, disable=args.quiet or rank != 0 or None)
    t0 = time.time()
    stop = min(args.steps, args.stop_at) if args.stop_at else args.steps
    frozen = None if getattr(args, "freeze_scales_after", None) is None else False
    while step < stop:
        if frozen is False and step >= args.freeze_scales_after:
            freeze_scales(net)   # once, also when a resume starts past STEP
            frozen = True
        lr_np, hr_np = sampler.batch_at(step, rank)
        x = torch.from_numpy(lr_np).float()
        hr = torch.from_numpy(hr_np).float()
        if teacher is not None:
            y, fs = model(x, return_features=True)
            with torch.no_grad():
                yt, ft = teacher(x, return_features=True)
            loss = F.l1_loss(y, hr) / 255.0
            loss = loss + args.kd_out_weight * F.l1_loss(y, yt) / 255.0
            loss = loss + args.kd_weight * feature_loss(fs, ft, args.kd)
        else:
            loss = F.l1_loss(model(x), hr) / 255.0
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.4f}")
        if args.time_limit and time.time() - t0 > 60 * args.time_limit:
            stop = step  # out of time: validate and checkpoint here (all ranks agree below)
        if world > 1:
            t = torch.tensor([stop], dtype=torch.long)
            dist.all_reduce(t, op=dist.ReduceOp.MIN)
            stop = int(t)
        validated = rank == 0 and (step % args.val_every == 0 or step >= stop)
        if validated:
            rec = validate()
            bar.write(f"step {step}: val PSNR {rec['psnr']:.2f} dB "
                      f"(bicubic {rec['bicubic_psnr']:.2f})")
        if validated or step % args.ckpt_every == 0 or step >= stop:
            save()
    bar.close()
    result = {"arch": arch, "step": step, "seconds": time.time() - t0, "world_size": world,
              "final": history[-1] if history else None, "best": best}
    if rank == 0:
        write_json_atomic(result, out / "metrics.json")
        interrupt.finished()
    if world > 1:
        model = None    # DDP's reducer lets go of the process group here, on this thread
        _close_process_group()
    return result


def train_or_resume(argv: list[str]) -> Path:
    """Train as ``argv`` says unless ``OUT/ckpt.pt`` already reached ``--steps``; a shorter
    checkpoint is resumed. For benchmark scripts that are rerun after an interruption.

    Returns:
        The checkpoint path.
    """
    args = parse_args(argv)
    ck = args.out / "ckpt.pt"
    if ck.exists():
        if int(load_checkpoint(ck).get("step", -1)) >= args.steps:
            return ck
        args.resume = True
    train(args)
    return ck


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        result = train(args)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if result.get("final"):
        f = result["final"]
        print(json.dumps({"arch": result["arch"], "step": result["step"],
                          "val_psnr": round(f["psnr"], 3),
                          "bicubic_psnr": round(f["bicubic_psnr"], 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
