"""Benchmark every registered environment in one run and render the table in the docs.

    python benchmarks/run_all.py                     # full run -> benchmarks/results.json, docs/benchmarks.md
    python benchmarks/run_all.py --quick --ids MolGen-v0 --json /tmp/r.json --markdown /tmp/r.md
    python benchmarks/run_all.py --render-only      # the page again from benchmarks/results.json

For each environment: steps/s of the single env; of the native vector env,
SyncVectorEnv and AsyncVectorEnv at 64 and 256 envs (medians over ``--repeats``); for
token-level envs the native engine alone and with each domain part put back
(:func:`genenvs.benchmark.bench_env_logic`); molecule scoring through the env vs bare
RDKit, with and without the cache; and resident-memory growth over many episodes (leak
check). Everything runs single-threaded (``OMP_NUM_THREADS=1`` unless set, one torch
thread), so engine numbers are per core. AsyncVectorEnv workers are forked; a size whose
workers would not fit ``--async-memory-gb`` is skipped and the reason recorded.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy/torch load their thread pools

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import genenvs  # noqa: E402,F401
from genenvs.benchmark import LOGIC_PARTS, MAX_SECONDS, MIN_STEPS, bench_env, bench_env_logic, bench_molecule_scoring, machine, memory_growth  # noqa: E402
from genenvs.core.registration import all_entries  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZES = (64, 256)


def run(ids: list[str] | None, quick: bool, repeats: int = 3, include_async: bool = True, async_memory_gb: float = 12.0) -> dict:
    try:
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    except ImportError:
        pass
    sizes = (8,) if quick else SIZES
    steps, repeats = (10, 1) if quick else (100, repeats)
    results: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "sizes": list(sizes), "steps": steps, "envs": [], "engine": [], "scoring": None, "memory": []}
    for _, entry in all_entries():
        if ids and entry.id not in ids:
            continue
        print(f"benchmarking {entry.id}", file=sys.stderr, flush=True)
        results["envs"].append(bench_env(entry.id, sizes=sizes, steps=steps, repeats=repeats, include_async=include_async, async_memory_budget_mb=async_memory_gb * 1024))
        if entry.token_level and entry.vector_entry_point:
            results["engine"].append(bench_env_logic(entry.id, num_envs=sizes[-1], steps=steps, repeats=repeats))
            add_ratio_bound(results["envs"][-1]["by_size"][str(sizes[-1])], results["engine"][-1]["token_steps_per_s"]["engine"])
    if not ids or any(i.startswith("Mol") for i in ids):
        results["scoring"] = bench_molecule_scoring(n=100 if quick else 2000)
    leak_ids = [i for i in (ids or ["MolGen-v0", "TextGen-v0"]) if i in ("MolGen-v0", "TextGen-v0")]
    for env_id in leak_ids:
        results["memory"].append(memory_growth(env_id, episodes=500 if quick else 100_000, num_envs=sizes[-1]))
    results["machine_after"] = machine()
    return results


def add_ratio_bound(row: dict, engine_steps_per_s: float) -> None:
    """Note in ``row`` the native/sync ratio that a free native engine would reach.

    A native step's time is its engine's (the env logic alone) plus the domain's work on
    each sample: decoding, drawing problem instances, scoring. SyncVectorEnv calls the
    same hooks on the same samples, so it pays that work too; were the engine free, the
    ratio would be ``t_sync / (t_native - t_engine)``. Where that bound is small, the
    samples' domain work, not the environment, decides the speed.
    """
    domain = 1 / row["native"] - 1 / engine_steps_per_s
    row["domain_us_per_step"] = domain * 1e6
    row["native_over_sync_bound"] = (1 / row["sync"]) / domain if domain > 0 else None


def _number(value: object) -> str:
    return f"{value:,.0f}" if isinstance(value, (int, float)) else "–"


def _ratio(row: dict, key: str) -> str:
    return f"x{row[key]:.1f}" if key in row else "–"


def markdown(results: dict) -> str:
    m = results["machine"]
    sizes = [str(n) for n in results.get("sizes", SIZES)]
    load = m.get("load_average")
    lines = [
        "# Benchmarks",
        "",
        f"Measured on {m['processor']} ({m['cpus']} CPUs), {m['platform']}, Python {m['python']}, on {results['date']}"
        + (f"; load average {load[0]:.1f} at the start." if load else "."),
        f"Versions: {', '.join(f'{k} {v}' for k, v in m.get('versions', {}).items())}; single-threaded (OMP_NUM_THREADS={m.get('omp_num_threads')}).",
        "All numbers of a table come from the same run; medians over repeats; uniformly random legal actions; scoring included;",
        "only `step()` (and the single env's resets) is timed, not drawing the actions.",
        f"Each measurement runs {results.get('steps', 100)} vector steps or stops after {MAX_SECONDS:g} s (at least {MIN_STEPS} steps), whichever comes first.",
        "Refresh with `python benchmarks/run_all.py` (writes `benchmarks/results.json` and this page).",
        "",
        "## Environment steps per second",
        "",
        "Native: the env's own batched vector env (`gym.make_vec`, vector entry point). Sync and",
        "async: Gymnasium's `SyncVectorEnv` and `AsyncVectorEnv` (forked workers) over the single env.",
        "",
    ]
    header = ["env", "single"]
    for n in sizes:
        header += [f"native {n}", f"sync {n}", f"async {n}", f"native/sync {n}"]
    lines += ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    skipped = []
    for r in results["envs"]:
        cells = [r["env_id"], _number(r["single_steps_per_s"])]
        for n in sizes:
            row = r["by_size"].get(n, {})
            cells += [_number(row.get("native")), _number(row.get("sync")), _number(row.get("async")), _ratio(row, "native_over_sync")]
            if "async_skipped" in row:
                skipped.append(f"- {r['env_id']}, {n} envs: {row['async_skipped']}.")
        lines.append("| " + " | ".join(cells) + " |")
    if skipped:
        lines += ["", "AsyncVectorEnv sizes not run (each worker's private memory measured on a 2-worker probe):", "", *skipped]
    if results["engine"]:
        lines += [
            "",
            "## Token engine, and what each domain part adds",
            "",
            "Token-steps per second of CPU time of one native vector env, single-threaded: per core, and",
            "little distorted by other load on the machine. The final",
            "scorer is replaced by a zero-cost one throughout (the table above includes it). *Engine*:",
            "the domain's hooks stubbed too (no decoding, problem instances recycled from a pool, no",
            "per-step reward terms); each next column puts one part back, cumulatively: decoding and",
            "episode info, drawing a new problem instance per episode, the per-step reward models",
            "(e.g. KL-control's GRU, RL Tuner's rules).",
            "",
            "| env | envs | engine | + decoding | + problem instances | + per-step rewards |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for e in results["engine"]:
            rates = e["token_steps_per_s"]
            lines.append(f"| {e['env_id']} | {e['num_envs']} | " + " | ".join(_number(rates.get(part)) for part in LOGIC_PARTS) + " |")
        n = sizes[-1]
        bounded = [r for r in results["envs"] if r["by_size"].get(n, {}).get("native_over_sync_bound")]
        if bounded:
            lines += [
                "",
                f"## What bounds native/sync at {n} envs",
                "",
                "A native step costs its engine (above) plus the domain's work: decoding and scoring each",
                "finished sample, drawing problem instances, per-step reward models. *Bound*: the",
                "native/sync ratio if the native engine cost nothing, `t_sync / (t_native - t_engine)`.",
                "Per-step reward models run batched in the native env (TextGen's GRU, AudioGen's rules), so",
                "there the bound is high. Per-sample work (an RDKit QED call, a SELFIES decode, a generated",
                "CodeDSL task and its program runs) goes through the same single-sample hooks in both, so",
                "SyncVectorEnv pays it too and it caps the ratio, however cheap the engine becomes.",
                "",
                "| env | native/sync | domain work per token-step | bound (free engine) |",
                "| --- | ---: | ---: | ---: |",
            ]
            for r in bounded:
                row = r["by_size"][n]
                lines.append(f"| {r['env_id']} | x{row['native_over_sync']:.1f} | {row['domain_us_per_step']:.2f} µs | x{row['native_over_sync_bound']:.1f} |")
    if results["scoring"]:
        s = results["scoring"]
        lines += ["", "## Molecule scoring", "", f"{s['molecules']} unique molecules, objective `{s['objective']}`:", "",
                  "| bare RDKit | through the env's scorer | ratio | repeated (cache) |", "| ---: | ---: | ---: | ---: |",
                  f"| {s['bare_rdkit_per_s']:,.0f}/s | {s['env_scorer_per_s']:,.0f}/s | {s['env_over_bare']:.2f} | {s['cached_per_s']:,.0f}/s |"]
    if results["memory"]:
        lines += ["", "## Memory (leak check)", "", "| env | episodes | envs | RSS growth |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {r['env_id']} | {r['episodes']:,} | {r['num_envs']} | {r['rss_growth_mb']:.1f} MB |" for r in results["memory"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ids", nargs="*", help="environment IDs (default: every registered one)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (8 envs, 10 steps, 1 repeat), for testing the runner")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per measurement (median reported)")
    parser.add_argument("--no-async", action="store_true", help="skip AsyncVectorEnv")
    parser.add_argument("--async-memory-gb", type=float, default=12.0, help="largest memory all async workers of one measurement may take")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--markdown", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--render-only", action="store_true", help="re-render the markdown from the --json file without measuring")
    args = parser.parse_args(argv)
    if args.render_only:
        Path(args.markdown).write_text(markdown(json.loads(Path(args.json).read_text())))
        print(f"wrote {args.markdown}")
        return 0
    results = run(args.ids, args.quick, args.repeats, not args.no_async, args.async_memory_gb)
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    Path(args.markdown).write_text(markdown(results))
    print(f"wrote {args.json} and {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
