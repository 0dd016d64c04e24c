"""Benchmark every registered environment in one run and render the table in the docs.

    python benchmarks/run_all.py                     # full run -> benchmarks/results.json, docs/benchmarks.md
    python benchmarks/run_all.py --quick --ids MolGen-v0 --json /tmp/r.json --markdown /tmp/r.md

For each environment: steps/s of the single env; native vector env, SyncVectorEnv (and
AsyncVectorEnv at --async-size envs: each async worker is a process that imports torch,
so 256 of them do not fit in memory) at 64 and 256 envs; for token-level envs the engine
alone (zero-cost scorer); molecule scoring through the env vs bare RDKit, with and
without the cache; and resident-memory growth over many episodes (leak check).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import genenvs  # noqa: F401
from genenvs.benchmark import bench_env, bench_env_logic, bench_molecule_scoring, machine, memory_growth
from genenvs.core.registration import all_entries

ROOT = Path(__file__).resolve().parent.parent


def run(ids: list[str] | None, quick: bool, async_size: int, repeats: int = 3) -> dict:
    sizes = (8,) if quick else (64, 256)
    steps, repeats = (10, 1) if quick else (100, repeats)
    results: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "envs": [], "engine": [], "scoring": None, "memory": []}
    for _, entry in all_entries():
        if ids and entry.id not in ids:
            continue
        print(f"benchmarking {entry.id}", file=sys.stderr, flush=True)
        row = bench_env(entry.id, sizes=sizes, steps=steps, repeats=repeats, include_async=False)
        if async_size:
            row["async"] = bench_env(entry.id, sizes=(async_size,), steps=max(steps // 2, 5), repeats=1, include_async=True)["by_size"][str(async_size)]
        results["envs"].append(row)
        if entry.token_level and entry.vector_entry_point:
            results["engine"].append(bench_env_logic(entry.id, num_envs=sizes[-1], steps=steps, repeats=repeats))
    if not ids or any(i.startswith("Mol") for i in ids):
        results["scoring"] = bench_molecule_scoring(n=100 if quick else 2000)
    leak_ids = [i for i in (ids or ["MolGen-v0", "TextGen-v0"]) if i in ("MolGen-v0", "TextGen-v0")]
    for env_id in leak_ids:
        results["memory"].append(memory_growth(env_id, episodes=500 if quick else 100_000, num_envs=sizes[-1]))
    return results


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured on {m['processor']} ({m['cpus']} CPUs), {m['platform']}, Python {m['python']}, on {results['date']}.",
        "All numbers of a table come from the same run; medians over repeats; random legal actions; scoring included.",
        "Refresh with `python benchmarks/run_all.py` (writes `benchmarks/results.json` and this page).",
        "",
        "## Environment steps per second",
        "",
        "| env | single | native 64 | sync 64 | native/sync 64 | native 256 | sync 256 | native/sync 256 | async |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    fmt = lambda v: f"{v:,.0f}" if isinstance(v, (int, float)) else "–"  # noqa: E731
    for r in results["envs"]:
        by = r["by_size"]
        cells = [r["env_id"], fmt(r["single_steps_per_s"])]
        for n in ("64", "256"):
            row = by.get(n, {})
            cells += [fmt(row.get("native")), fmt(row.get("sync")), f"x{row['native_over_sync']:.1f}" if "native_over_sync" in row else "–"]
        a = r.get("async", {})
        cells.append(fmt(a.get("async")))
        lines.append("| " + " | ".join(cells) + " |")
    if results["engine"]:
        lines += ["", "## Token engine alone (zero-cost scorer)", "", "| env | envs | token-steps/s, engine | with the domain's decoding |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {e['env_id']} | {e['num_envs']} | {e['token_steps_per_s']:,.0f} | {e['token_steps_per_s_with_decode']:,.0f} |" for e in results["engine"]]
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
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for testing the runner")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per measurement (median reported)")
    parser.add_argument("--async-size", type=int, default=16, help="envs for the AsyncVectorEnv comparison (0 skips it)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--markdown", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    results = run(args.ids, args.quick, args.async_size, args.repeats)
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    Path(args.markdown).write_text(markdown(results))
    print(f"wrote {args.json} and {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
