# SPDX-License-Identifier: MIT
"""FINN's own HLS code, compiled with g++ and executed without any Xilinx tool (cppsim).

    python -m export.cppsim --build B [--reuse] [--jobs N] [--finn-hlslib DIR] [--ap-types DIR]

FINN generates C++ for every HLS node (``code_generation_cppsim``: the node's
``execute_*.cpp``, its weights as a stream file, its thresholds as a header). FINN's own
``CompileCppSim`` needs Vitis' headers and libraries; this module compiles the same sources
with g++ against open headers found the way users have them (``find_headers``):

- finn-hlslib: ``--finn-hlslib DIR``, else ``$FINN_HLSLIB``, else FINN's dependency folder
  (``finn/finn_deps/finn-hlslib``, where FINN fetches it), else ``../shared/finn-hlslib``
  beside the repository; it must have ``dup.hpp`` and a ``flatten.hpp`` with ``unflatten``,
  which FINN 1.6.1's generated code includes;
- the arbitrary-precision types ``ap_int.h``/``ap_fixed.h`` (Apache-2.0): ``--ap-types DIR``,
  else ``$AP_TYPES``, else ``<venv>/share/ap_types`` (``scripts/install.sh`` unpacks them from
  the hls4ml wheel without installing hls4ml);
- FINN's ``templates/npy2stream`` (cnpy, npy2apintstream) from the installed FINN;
- this toolkit's shims (``export/hls_shims``): ``hls::stream``, ``hls::vector``,
  ``ap_axi_sdata.h`` and the ``half`` type cnpy names (Vitis' headers are not open).

Objects are compiled once and cached by a hash of everything that goes into them (the
source with its paths made relative to its folder, the local headers it includes, the
header folders' contents, the compiler and its flags): ``$BNFREE_CACHE`` or
``~/.cache/bnfree-sr/cppsim``; cnpy is one object shared by every node; compiles run in
parallel. Execution walks the graph node by node on every golden input: each HLS node in
cppsim and, on the same input, in FINN's Python (its compare is ``==`` on every value), the
RTL-only nodes (thresholding, padding, sliding windows) in FINN's Python, every node fed the
cppsim outputs of its producers; the network's output is compared with the PyTorch golden
output. Where an RTL node has an HLS variant (``Thresholding_hls``) that variant is generated,
compiled and compared as well, with a threshold type wide enough for its input.
"""
from __future__ import annotations

from model import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import hashlib
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ExportError, VerificationError

ROOT = Path(__file__).resolve().parents[1]
SHIMS = Path(__file__).resolve().parent / "hls_shims"
PRELUDE = SHIMS / "bnfree_prelude.h"
SHARED_HLSLIB = ROOT.parent / "shared" / "finn-hlslib"
CXXFLAGS = ["-std=c++17", "-O2", "-w", "-include", str(PRELUDE)]
#: FINN node types that have an HLS variant our flow does not use, and why one is not checked
HLS_VARIANTS_NOT_CHECKED = {
    "ConvolutionInputGenerator_rtl": "finn-plus 1.6.1 has no HLS ConvolutionInputGenerator",
    "FMPadding_rtl": "finn-plus 1.6.1's only HLS padding (FMPadding_Pixel_hls) inserts pixels "
                     "for transposed convolutions, not borders",
}


@dataclass
class Headers:
    """The include folders of a cppsim compile."""

    finn_hlslib: Path
    ap_types: Path
    npy2stream: Path
    shims: Path = SHIMS

    def include_flags(self) -> list[str]:
        return [f"-I{self.shims}", f"-I{self.ap_types}", f"-I{self.npy2stream}",
                f"-I{self.finn_hlslib}"]

    def fingerprint(self) -> str:
        """A hash of every header file of the include folders (a cache key part)."""
        h = hashlib.sha256()
        for d in (self.shims, self.ap_types, self.npy2stream, self.finn_hlslib):
            for f in sorted(p for p in Path(d).rglob("*") if p.is_file()
                            and p.suffix in (".h", ".hpp", ".cpp")):
                h.update(str(f.relative_to(d)).encode())
                h.update(f.read_bytes())
        return h.hexdigest()


def _finn_deps_hlslib() -> Path | None:
    try:
        from finn.util.settings import get_settings

        return Path(get_settings().finn_deps) / "finn-hlslib"
    except Exception:  # FINN's settings not initialised: no dependency folder to look in
        import finn

        return Path(finn.__file__).resolve().parent / "finn_deps" / "finn-hlslib"


def hlslib_missing(d: Path) -> list[str]:
    """The pieces FINN 1.6.1's generated code needs that ``d`` lacks."""
    d = Path(d)
    if not d.is_dir():
        return [f"{d} (no such folder)"]
    miss = [f for f in ("bnn-library.h", "mvau.hpp", "weights.hpp", "activations.hpp",
                        "streamtools.h", "eltwise.hpp", "dup.hpp", "flatten.hpp")
            if not (d / f).is_file()]
    if (d / "flatten.hpp").is_file() and "unflatten" not in (d / "flatten.hpp").read_text():
        miss.append("flatten.hpp with unflatten (a newer finn-hlslib)")
    return miss


def find_headers(finn_hlslib: Path | None = None, ap_types: Path | None = None
                 ) -> tuple[Headers | None, str]:
    """The open headers cppsim needs, or (None, one line naming what is missing)."""
    import finn

    npy2stream = Path(finn.__file__).resolve().parent / "templates" / "npy2stream"
    if finn_hlslib is not None:
        cands = [("--finn-hlslib", Path(finn_hlslib))]
    elif os.environ.get("FINN_HLSLIB"):
        cands = [("$FINN_HLSLIB", Path(os.environ["FINN_HLSLIB"]))]
    else:
        cands = [("FINN's dependency folder", _finn_deps_hlslib()),
                 ("../shared/finn-hlslib", SHARED_HLSLIB)]
    lib, why = None, []
    for where, d in cands:
        if d is None:
            continue
        miss = hlslib_missing(d)
        if not miss:
            lib = d.resolve()
            break
        if d.is_dir() or where.startswith(("--", "$")):
            why.append(f"finn-hlslib at {d} ({where}) lacks {', '.join(miss)}")
    if lib is None and not why:
        why.append("finn-hlslib not found (pass --finn-hlslib DIR or set FINN_HLSLIB)")
    if ap_types is not None:
        ap = Path(ap_types)
    elif os.environ.get("AP_TYPES"):
        ap = Path(os.environ["AP_TYPES"])
    else:
        ap = Path(sys.prefix) / "share" / "ap_types"
    ap_miss = [f for f in ("ap_int.h", "ap_fixed.h", "etc/ap_private.h") if not (ap / f).is_file()]
    if ap_miss:
        why.append(f"ap_types at {ap} lack {', '.join(ap_miss)} (run scripts/install.sh, or "
                   "pass --ap-types DIR)")
    if not (npy2stream / "cnpy.cpp").is_file():
        why.append(f"FINN's npy2stream templates are missing ({npy2stream})")
    if why:
        return None, "; ".join(why)
    return Headers(lib, ap.resolve(), npy2stream), ""


def cache_dir() -> Path:
    d = os.environ.get("BNFREE_CACHE")
    return (Path(d) if d else Path.home() / ".cache" / "bnfree-sr") / "cppsim"


def _compiler_id() -> str:
    r = subprocess.run(["g++", "--version"], capture_output=True, text=True)
    return r.stdout.splitlines()[0] if r.returncode == 0 and r.stdout else "g++"


# ---------------------------------------------------------------- code generation
def _python_exec_class(inst):
    """FINN's Python execution of a specialised node: the HW op class it specialises
    (an HLS/RTL node's own execute_node runs only cppsim or rtlsim)."""
    for cls in type(inst).__mro__[1:]:
        mod = cls.__module__
        if (mod.startswith("finn.custom_op.fpgadataflow.") and ".hls." not in mod
                and ".rtl." not in mod and not mod.endswith(("hlsbackend", "rtlbackend"))
                and "execute_node" in cls.__dict__):
            return cls
    raise ExportError(f"node {inst.onnx_node.name} ({inst.onnx_node.op_type}): no Python "
                      "execution found in FINN")


def node_kind(model, node) -> str:
    """A readable node type: MVAUs split into XNOR / int head / int tail."""
    from qonnx.custom_op.registry import getCustomOp

    if not node.op_type.startswith("MVAU"):
        return node.op_type
    inst = getCustomOp(node)
    if inst.get_nodeattr("binaryXnorMode"):
        return f"{node.op_type} (XNOR)"
    mv = [n.name for n in model.graph.node if n.op_type.startswith("MVAU")
          and not getCustomOp(n).get_nodeattr("binaryXnorMode")]
    pos = "head" if mv and node.name == mv[0] else "tail" if mv and node.name == mv[-1] else "int"
    if inst.get_nodeattr("weightDataType") == "BIPOLAR":
        return f"{node.op_type} (binary-weight {pos})"
    return f"{node.op_type} (int8 {pos})"


def _relative_paths(src: Path, folder: Path) -> None:
    """FINN writes absolute npy paths into the generated source: make them relative to the
    node's folder (the executable runs there), so the object does not depend on where the
    build lies, a moved build still runs, and the cache hits across builds."""
    text = src.read_text()
    new = text.replace(f'"{folder}/', '"')
    if str(folder) in new:
        raise ExportError(f"{src}: an absolute path is left after making the npy paths relative")
    src.write_text(new)


def _variant_model(df):
    """A copy of the partition in which every node with an HLS variant is that variant
    (Thresholding_rtl -> Thresholding_hls with a threshold type wide enough for its input:
    the HLS code compares in the threshold type, so the RTL node's narrow type would
    truncate the input); returns (model, {variant node name: original node name})."""
    import copy

    from onnx import helper
    from qonnx.core.datatype import DataType
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.custom_op.registry import getCustomOp

    m = ModelWrapper(copy.deepcopy(df.model))
    names = {}
    for i, n in enumerate(list(m.graph.node)):
        if n.op_type != "Thresholding_rtl":
            continue
        inst = getCustomOp(n)
        T = m.get_initializer(n.input[1])
        idt = inst.get_input_datatype(0)
        lo = min(int(idt.min()), int(np.floor(T.min())))
        hi = max(int(idt.max()), int(np.ceil(T.max())))
        tdt = DataType.get_smallest_possible(lo if lo < 0 else hi)
        if lo < 0 and (tdt.min() > lo or tdt.max() < hi):
            tdt = DataType[f"INT{max(abs(lo), hi + 1).bit_length() + 1}"]
        if lo >= 0 and tdt.max() < hi:
            tdt = DataType[f"UINT{hi.bit_length()}"]
        hls = helper.make_node("Thresholding_hls", list(n.input), list(n.output),
                               domain="finn.custom_op.fpgadataflow.hls", name=n.name + "_hlsvariant")
        types = getCustomOp(hls).get_nodeattr_types()
        for a in n.attribute:
            if a.name in types and a.name not in ("code_gen_dir_ipgen", "ipgen_path", "ip_path",
                                                   "ip_vlnv", "gen_top_module"):
                hls.attribute.append(a)
        m.graph.node.remove(n)
        m.graph.node.insert(i, hls)
        hls = m.graph.node[i]   # the graph holds a copy of the message
        v = getCustomOp(hls)
        v.set_nodeattr("weightDataType", tdt.name)
        # thresholds compiled in: FINN's decoupled threshold stream re-reads its npy file for
        # every pixel in cppsim (0.8 s per 16x16 frame and node)
        v.set_nodeattr("mem_mode", "internal_embedded")
        m.set_tensor_datatype(n.input[1], tdt)
        names[hls.name] = n.name
    return m, names


def generate(df, cdir: Path, nodes: list) -> dict[str, Path]:
    """FINN's cppsim code of ``nodes`` (of partition ``df``) into ``cdir/NODE``."""
    from qonnx.custom_op.registry import getCustomOp

    out = {}
    for n in nodes:
        d = (cdir / n.name).resolve()
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        inst = getCustomOp(n)
        inst.set_nodeattr("code_gen_dir_cppsim", str(d))
        inst.code_generation_cppsim(df)
        for src in d.glob("execute_*.cpp"):
            _relative_paths(src, d)
        out[n.name] = d
    return out


# ---------------------------------------------------------------- compilation
@dataclass
class CompileStats:
    compiled: int = 0
    cached: int = 0
    seconds: float = 0.0
    failed: dict = field(default_factory=dict)


def _run_gxx(args: list[str], cwd: Path, what: str) -> None:
    r = subprocess.run(["g++", *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode:
        (cwd / "compile.log").write_text(" ".join(["g++", *args]) + "\n" + r.stdout + r.stderr)
        err = next((l for l in r.stderr.splitlines() if "error" in l), r.stderr.strip()[:300])
        raise ExportError(f"g++ failed on {what} ({cwd / 'compile.log'}): {err}")


def _atomic_copy(src: Path, dst: Path) -> None:
    tmp = dst.with_name(dst.name + f".{os.getpid()}.tmp")
    shutil.copyfile(src, tmp)
    os.chmod(tmp, 0o755)
    os.replace(tmp, dst)


def compile_nodes(dirs: dict[str, Path], headers: Headers, jobs: int, cache: Path | None = None,
                  progress=None) -> CompileStats:
    """Compile every node folder's ``execute_*.cpp`` into ``node_model`` there (with a
    ``run.sh`` that runs it in its folder), objects cached by content hash."""
    cache = Path(cache) if cache else cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    stats = CompileStats()
    flags = CXXFLAGS + headers.include_flags()
    base = hashlib.sha256("\0".join([_compiler_id(), *flags, headers.fingerprint()]).encode())
    # cnpy: one object for every node
    cnpy_src = headers.npy2stream / "cnpy.cpp"
    kc = base.copy()
    kc.update(cnpy_src.read_bytes())
    cnpy_o = cache / f"cnpy-{kc.hexdigest()[:20]}.o"
    if not cnpy_o.is_file():
        tmp = cache / f"{cnpy_o.name}.{os.getpid()}.tmp.o"
        _run_gxx([*flags, "-c", str(cnpy_src), "-o", str(tmp)], cache, "FINN's cnpy.cpp")
        os.replace(tmp, cnpy_o)
        stats.compiled += 1
    else:
        stats.cached += 1

    def one(name: str, d: Path) -> tuple[str, bool]:
        srcs = sorted(d.glob("execute_*.cpp"))
        if len(srcs) != 1:
            raise ExportError(f"{d}: expected one execute_*.cpp from FINN's code generation")
        k = base.copy()
        for f in sorted(d.iterdir()):
            if f.suffix in (".cpp", ".h", ".hpp"):
                k.update(f.name.encode())
                k.update(f.read_bytes())
        exe = cache / f"node-{k.hexdigest()[:24]}"
        hit = exe.is_file()
        if not hit:
            obj = d / "execute.o"
            _run_gxx([*flags, "-I.", "-c", srcs[0].name, "-o", obj.name], d, f"node {name}")
            tmp = cache / f"{exe.name}.{os.getpid()}.{name}.tmp"
            _run_gxx([obj.name, str(cnpy_o), "-lz", "-o", str(tmp)], d, f"node {name} (link)")
            os.replace(tmp, exe)
            obj.unlink(missing_ok=True)
        _atomic_copy(exe, d / "node_model")
        run = d / "run.sh"
        run.write_text('#!/bin/sh\ncd "$(dirname "$0")" && exec ./node_model\n')
        os.chmod(run, 0o755)
        return name, hit

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        futs = [ex.submit(one, n, d) for n, d in dirs.items()]
        for f in futs:
            name, hit = f.result()
            if hit:
                stats.cached += 1
            else:
                stats.compiled += 1
            if progress:
                progress(name, hit)
    stats.seconds = round(time.time() - t0, 2)
    return stats


# ---------------------------------------------------------------- execution
def _exec_python(inst, context, graph) -> None:
    _python_exec_class(inst).execute_node(inst, context, graph)


def _exec_cppsim(inst, context, graph) -> None:
    """FINN's cppsim execution of the node, with the parameters FINN generated: FINN writes
    an MVAU's decoupled weight stream (``input_1.npy``) at code generation and again from
    the graph before every run; here the generated file is the one executed (as the IP
    would be built from it), so a wrong generated parameter cannot hide behind the graph."""
    if ("mem_mode" in inst.get_nodeattr_types() and hasattr(inst, "make_weight_file")
            and inst.get_nodeattr("mem_mode") in ("internal_decoupled", "external")):
        inst.make_weight_file = lambda *a, **k: None
    inst.set_nodeattr("exec_mode", "cppsim")
    inst.set_nodeattr("executable_path", str(Path(inst.get_nodeattr("code_gen_dir_cppsim"))
                                             / "run.sh"))
    inst.execute_node(context, graph)


def _outputs(node, ctx) -> list[np.ndarray]:
    return [np.array(ctx[o]) for o in node.output]


def execute_partition(df, x: dict, variants=None, per_node: dict | None = None) -> dict:
    """Execute the dataflow partition ``df`` on inputs ``x`` ({tensor: array}) node by node:
    HLS nodes in cppsim, compared on the same inputs with FINN's Python execution (counts
    into ``per_node``); RTL-only nodes in FINN's Python; variant nodes (``variants``: model,
    {variant: original}) compared beside their original. Returns the full context."""
    from qonnx.custom_op.registry import getCustomOp

    ctx = dict(x)
    for init in df.graph.initializer:
        ctx[init.name] = df.get_initializer(init.name)
    vmodel, vnames = variants if variants else (None, {})
    vby = {orig: vmodel.get_node_from_name(v) for v, orig in vnames.items()} if vmodel else {}
    for node in df.graph.node:
        inst = getCustomOp(node)
        for o in node.output:
            ctx[o] = np.zeros(df.get_tensor_shape(o), dtype=np.float32)
        if node.op_type.endswith("_hls"):
            ref = dict(ctx)
            _exec_python(inst, ref, df.graph)
            _exec_cppsim(inst, ctx, df.graph)
            _count(per_node, node.name, _outputs(node, ref), _outputs(node, ctx))
        else:
            inst.set_nodeattr("exec_mode", "cppsim")  # RTL nodes: FINN's Python
            inst.execute_node(ctx, df.graph)
        if node.name in vby:
            vn = vby[node.name]
            vctx = {i: ctx[i] for i in vn.input}
            for o in vn.output:
                vctx[o] = np.zeros_like(ctx[o])
            _exec_cppsim(getCustomOp(vn), vctx, vmodel.graph)
            _count(per_node, vn.name, _outputs(node, ctx), _outputs(vn, vctx))
    return ctx


def _count(per_node, name, ref, got) -> None:
    if per_node is None:
        return
    rec = per_node.setdefault(name, {"compared": 0, "mismatches": 0})
    for r, g in zip(ref, got):
        rec["compared"] += int(r.size)
        rec["mismatches"] += int(np.count_nonzero(r.reshape(-1) != g.reshape(-1)))


def execute_model(parent, child, x: np.ndarray, variants=None, per_node=None,
                  keep: dict | None = None) -> np.ndarray:
    """The whole exported graph on one input: host-side nodes by qonnx, the dataflow
    partition by ``execute_partition`` (its tensors into ``keep`` when given)."""
    from qonnx.core.onnx_exec import execute_node

    opset = parent.model.opset_import[0].version
    ctx = {parent.graph.input[0].name: x.astype(np.float32)}
    for init in parent.graph.initializer:
        ctx[init.name] = parent.get_initializer(init.name)
    for node in parent.graph.node:
        if node.op_type == "StreamingDataflowPartition":
            cin = {ci.name: ctx[pi] for ci, pi in zip(child.graph.input, node.input)}
            cctx = execute_partition(child, cin, variants, per_node)
            if keep is not None:
                keep.update({t: cctx[t] for n in child.graph.node for t in list(n.input) + list(n.output)
                             if t in cctx and child.get_initializer(t) is None})
            for co, po in zip(child.graph.output, node.output):
                ctx[po] = cctx[co.name]
        else:
            for o in node.output:
                ctx[o] = np.zeros(parent.get_tensor_shape(o), dtype=np.float32)
            execute_node(node, ctx, parent.graph, opset)
    return ctx[parent.graph.output[0].name]


# ---------------------------------------------------------------- the step
def run_cppsim(parent, child, build: Path, golden_in: np.ndarray, golden_out: np.ndarray,
               headers: Headers, jobs: int = 0, regenerate: bool = True, cache: Path | None = None,
               progress=print) -> dict:
    """Generate (unless ``regenerate`` is False: the code in ``build/cppsim`` is reused),
    compile and execute FINN's HLS code of the partition ``child`` on every golden input.
    Returns the record (``build/cppsim/cppsim.json``); the network output of every input is
    saved as ``build/cppsim/output.npy``."""
    from model.evaluate import write_json_atomic

    cdir = Path(build).resolve() / "cppsim"
    jobs = jobs or os.cpu_count() or 1
    t0 = time.time()
    hls = [n for n in child.graph.node if n.op_type.endswith("_hls")]
    vmodel, vnames = _variant_model(child)
    vnodes = [vmodel.get_node_from_name(v) for v in vnames]
    if regenerate:
        dirs = generate(child, cdir, hls)
        dirs.update(generate(vmodel, cdir, vnodes))
    else:
        from qonnx.custom_op.registry import getCustomOp

        dirs = {}
        for n in hls + vnodes:
            d = cdir / n.name
            if not any(d.glob("execute_*.cpp")):
                raise ExportError(f"{d}: no generated code to reuse; run without --reuse")
            getCustomOp(n).set_nodeattr("code_gen_dir_cppsim", str(d.resolve()))
            dirs[n.name] = d.resolve()
    t_gen = time.time() - t0
    done = []
    stats = compile_nodes(dirs, headers, jobs, cache,
                          progress=lambda n, hit: done.append(n))
    progress(f"[cppsim] {len(hls)} HLS nodes and {len(vnodes)} HLS variants of RTL nodes: "
             f"{stats.compiled} objects compiled, {stats.cached} cached ({stats.seconds:.1f} s)")
    t1 = time.time()
    per_node: dict = {}
    outs, mism, first = [], 0, None
    kept: dict = {}
    for i in range(len(golden_in)):
        x = golden_in[i: i + 1]
        ishape = tuple(parent.get_tensor_shape(parent.graph.input[0].name))
        if ishape[-1] == 3 and ishape[1] != 3:
            x = x.transpose(0, 2, 3, 1)
        y = execute_model(parent, child, x, (vmodel, vnames), per_node, kept if i == 0 else None)
        oshape = golden_out.shape[1:]
        if y.shape[1:] != oshape and y.ndim == 4 and y.shape[-1] == oshape[0]:
            y = y.transpose(0, 3, 1, 2)
        y = y.reshape((1,) + oshape)
        outs.append(y[0])
        bad = np.argwhere(y[0] != golden_out[i])
        if len(bad) and first is None:
            first = [i] + bad[0].tolist()
        mism += len(bad)
    t_run = time.time() - t1
    kinds = {n.name: node_kind(child, n) for n in child.graph.node}
    kinds.update({v: "Thresholding_hls (variant of Thresholding_rtl)" for v in vnames})
    by_type: dict = {}
    for name, r in per_node.items():
        t = by_type.setdefault(kinds[name], {"nodes": 0, "compared": 0, "mismatches": 0})
        t["nodes"] += 1
        t["compared"] += r["compared"]
        t["mismatches"] += r["mismatches"]
    not_checked = sorted({n.op_type for n in child.graph.node
                          if n.op_type in HLS_VARIANTS_NOT_CHECKED})
    rec = {"compared": int(golden_out.size), "mismatches": int(mism),
           "first_mismatch": first, "images": len(golden_in),
           "nodes": {n: dict(r, kind=kinds[n]) for n, r in per_node.items()},
           "by_type": by_type,
           "hls_variants_not_checked": {t: HLS_VARIANTS_NOT_CHECKED[t] for t in not_checked},
           "headers": {"finn_hlslib": str(headers.finn_hlslib), "ap_types": str(headers.ap_types)},
           "compile": {"compiled": stats.compiled, "cached": stats.cached,
                       "seconds": stats.seconds, "jobs": jobs},
           "seconds": {"codegen": round(t_gen, 2), "compile": stats.seconds,
                       "run": round(t_run, 2), "total": round(time.time() - t0, 2)}}
    cdir.mkdir(parents=True, exist_ok=True)
    np.save(cdir / "output.npy", np.stack(outs).astype(np.uint8 if np.array_equal(
        np.stack(outs), np.round(np.stack(outs))) and np.stack(outs).min() >= 0
        and np.stack(outs).max() <= 255 else np.float32))
    # every stream of the partition on the first golden input (cppsim's values): what
    # hw.run_network --per-node feeds each layer of our RTL
    tmp = cdir / ".tensors.npz.tmp"
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **{k: np.asarray(v).astype(np.int64) for k, v in kept.items()})
    os.replace(tmp, cdir / "tensors.npz")
    write_json_atomic(rec, cdir / "cppsim.json")
    return rec


def check(rec: dict, build: Path) -> None:
    """Raise VerificationError naming the first node whose cppsim differs from FINN's Python
    execution, or the network output when it differs from PyTorch."""
    bad = [(n, r) for n, r in rec["nodes"].items() if r["mismatches"]]
    if bad:
        n, r = bad[0]
        raise VerificationError(
            f"cppsim: node {n} ({r['kind']}): {r['mismatches']} of {r['compared']} values of "
            f"FINN's HLS code differ from FINN's Python execution of the same node "
            f"(code in {Path(build) / 'cppsim' / n}; {len(bad)} node(s) differ)")
    if rec["mismatches"]:
        raise VerificationError(
            f"cppsim: the network output differs from PyTorch in {rec['mismatches']} of "
            f"{rec['compared']} values; first at (image, c, y, x) = {tuple(rec['first_mismatch'])}")


def load_build(build: Path):
    """The codegen step's graph of a finished export, its partition and the golden pair."""

    from .finn_env import finn_env
    from .flow import STEPS

    build = Path(build)
    if not (build / "DONE").is_file():
        raise ExportError(f"{build}: not a finished build (no DONE); run export/to_finn.py first")
    idx = [n for n, _ in STEPS].index("codegen")
    step = build / "steps" / f"{idx:02d}_codegen.onnx"
    part = build / "steps" / f"{idx:02d}_codegen.partition.onnx"
    if not step.is_file() or not part.is_file():
        raise ExportError(f"{build}: no codegen step graph ({step.name}); export it again")
    finn_env(build)
    gin = build / "golden" / "input.npy"
    gout = build / "golden" / "expected_output.npy"
    if not gin.is_file() or not gout.is_file():
        raise ExportError(f"{build}: golden/input.npy or expected_output.npy is missing; "
                          "export it again")
    from . import paths

    return (paths.load(step, build), paths.load(part, build), np.load(gin),
            np.load(gout).astype(np.float32))


def main(argv=None) -> int:
    import argparse

    from model.cli import ToolkitParser, positive_int
    from model.errors import ToolkitError

    ap = ToolkitParser(prog="python -m export.cppsim", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True, help="a finished export directory")
    ap.add_argument("--reuse", action="store_true",
                    help="execute the code already in BUILD/cppsim (e.g. after editing it) "
                         "instead of generating it again")
    ap.add_argument("--jobs", type=positive_int, help="parallel compiles (default: CPU count)")
    ap.add_argument("--finn-hlslib", type=Path, help="finn-hlslib folder")
    ap.add_argument("--ap-types", type=Path, help="folder with ap_int.h / ap_fixed.h")
    a = ap.parse_args(argv)
    try:
        headers, why = find_headers(a.finn_hlslib, a.ap_types)
        if headers is None:
            raise ExportError(f"cppsim cannot run: {why}")
        parent, child, gin, gout = load_build(a.build)
        rec = run_cppsim(parent, child, a.build, gin, gout, headers, a.jobs or 0,
                         regenerate=not a.reuse)
        print_record(rec)
        check(rec, a.build)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def print_record(rec: dict) -> None:
    print(f"{'HLS node type':<48}{'nodes':>6}{'compared':>11}{'mismatches':>12}")
    for t, r in rec["by_type"].items():
        print(f"{t:<48}{r['nodes']:>6}{r['compared']:>11}{r['mismatches']:>12}")
    print(f"network output vs PyTorch: {rec['mismatches']} of {rec['compared']} differ; "
          f"codegen {rec['seconds']['codegen']} s, compile {rec['seconds']['compile']} s "
          f"({rec['compile']['compiled']} compiled, {rec['compile']['cached']} cached), run "
          f"{rec['seconds']['run']} s")


if __name__ == "__main__":
    sys.exit(main())
