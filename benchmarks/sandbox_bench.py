"""Throughput of genenvs.code.sandbox: sandboxed runs vs the same runs without a sandbox.

Both modes execute the same batch (by default 200 small programs with 5 CallTests each)
through ``run_batch`` with the same number of worker threads, interleaved round by
round in one process, so the ratio is meaningful even on a busy machine. Without a
sandbox means ``isolation="none"``: the same harness, rlimits and supervision, but no
bubblewrap and no seccomp; the difference is the cost of isolation.

    python benchmarks/sandbox_bench.py [--programs 200] [--tests 5] [--workers N] [--rounds 3]

Prints programs/s and test executions/s per mode and the overhead ratio, and writes
``benchmarks/results/sandbox.json``. Throughput depends on how much of the CPUs the
benchmark gets, so where a cgroup-v1 ``cpuacct`` hierarchy is writable (root) it also
reports the CPU time one program costs (the benchmark process and every descendant,
sandboxed ones included), which gives the capacity of an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

from genenvs.code.sandbox import CallTest, run_batch
from genenvs.code.sandbox.runner import default_workers

RESULTS = Path(__file__).with_name("results") / "sandbox.json"
TARGET_RUNS_PER_SECOND = 40.0

# Small programs of the kind a code-generation policy writes: (source template, call, answer).
TEMPLATES = [
    ("def f(x):\n    return x * {k} + 1\n", "f({i})", lambda k, i: i * k + 1),
    ("def f(xs):\n    return sorted(xs, reverse=True)[:{k}]\n", "f(list(range({i})))",
     lambda k, i: sorted(range(i), reverse=True)[:k]),
    ("def f(s):\n    return s.upper() * {k}\n", "f('ab{i}')", lambda k, i: f"AB{i}" * k),
    ("def f(n):\n    total = 0\n    for j in range(n):\n        total += j % {k}\n    return total\n", "f({i} * 10)",
     lambda k, i: sum(j % k for j in range(i * 10))),
    ("def f(d):\n    return {{key: v + {k} for key, v in d.items()}}\n", "f({{'a': {i}}})", lambda k, i: {"a": i + k}),
]


@dataclasses.dataclass
class ModeResult:
    mode: str
    seconds: list[float]
    all_passed: bool
    cpu_seconds: list[float]

    def rates(self, programs: int, tests: int) -> dict[str, float | None]:
        best, median = min(self.seconds), statistics.median(self.seconds)
        cpu_ms = 1000 * statistics.median(self.cpu_seconds) / programs if self.cpu_seconds else None
        return {
            "median_seconds": median,
            "programs_per_second_median": programs / median,
            "programs_per_second_best": programs / best,
            "test_executions_per_second_median": programs * tests / median,
            "cpu_ms_per_program": cpu_ms,
        }


class CpuMeter:
    """CPU time of this process and its descendants, read from a temporary cpuacct cgroup.

    Unlike ``getrusage(RUSAGE_CHILDREN)`` this also counts processes that are never waited
    for by us (bubblewrap's pid-1 reaper and the sandboxed interpreter). Needs a writable
    cgroup-v1 ``cpuacct`` hierarchy; :attr:`available` is False otherwise.
    """

    ROOT = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self) -> None:
        self.group = self.ROOT / f"genenvs-sandbox-bench-{os.getpid()}"
        self.available = False

    def __enter__(self) -> CpuMeter:
        try:
            self.group.mkdir()
            (self.group / "cgroup.procs").write_text(str(os.getpid()))
            self.available = True
        except OSError:
            self.group.rmdir() if self.group.exists() else None
        return self

    def read(self) -> float:
        return int((self.group / "cpuacct.usage").read_text()) / 1e9

    def __exit__(self, *exc: object) -> None:
        if self.available:
            (self.ROOT / "cgroup.procs").write_text(str(os.getpid()))
            time.sleep(0.1)  # let exiting descendants leave the group
            self.group.rmdir()


def make_batch(n_programs: int, n_tests: int) -> tuple[list[str], list[list[CallTest]]]:
    programs, tests = [], []
    for p in range(n_programs):
        source, call, answer = TEMPLATES[p % len(TEMPLATES)]
        k = 2 + p % 7
        programs.append(source.format(k=k))
        tests.append([CallTest(call.format(i=i), answer(k, i)) for i in range(1, n_tests + 1)])
    return programs, tests


def time_batch(programs, tests, workers: int, isolation: str, meter: CpuMeter) -> tuple[float, float | None, bool]:
    cpu_start = meter.read() if meter.available else None
    start = time.perf_counter()
    results = run_batch(programs, tests, timeout=10.0, max_workers=workers, isolation=isolation,
                        allow_unsandboxed=isolation == "none")
    elapsed = time.perf_counter() - start
    cpu = meter.read() - cpu_start if cpu_start is not None else None
    return elapsed, cpu, all(r.passed for r in results)


def machine_info() -> dict[str, object]:
    try:
        bwrap = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        bwrap = None
    return {
        "python": platform.python_version(),
        "kernel": platform.release(),
        "machine": platform.machine(),
        "cpus_available": len(os.sched_getaffinity(0)),
        "load_average_at_start": os.getloadavg(),
        "bubblewrap": bwrap,
        "running_as_root": os.geteuid() == 0,
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=200)
    parser.add_argument("--tests", type=int, default=5, help="CallTests per program")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="worker threads = concurrent children (default: run_batch's, two per CPU)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per mode (median reported)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    warnings.simplefilter("ignore", RuntimeWarning)  # the unsandboxed mode's warning, expected here
    info = machine_info()
    programs, tests = make_batch(args.programs, args.tests)
    warm_programs, warm_tests = make_batch(2 * args.workers, args.tests)
    modes = {"sandboxed": "bwrap", "unsandboxed": "none"}
    measured = {name: ModeResult(name, [], True, []) for name in modes}
    with CpuMeter() as meter:
        for isolation in modes.values():  # warm-up: page cache, bubblewrap probe
            time_batch(warm_programs, warm_tests, args.workers, isolation, meter)
        for _ in range(args.rounds):
            for name, isolation in modes.items():
                seconds, cpu, passed = time_batch(programs, tests, args.workers, isolation, meter)
                measured[name].seconds.append(seconds)
                measured[name].all_passed &= passed
                if cpu is not None:
                    measured[name].cpu_seconds.append(cpu)

    rates = {name: m.rates(args.programs, args.tests) for name, m in measured.items()}
    sandboxed, unsandboxed = rates["sandboxed"], rates["unsandboxed"]
    overhead = sandboxed["median_seconds"] / unsandboxed["median_seconds"]
    report = {
        "benchmark": "genenvs.code.sandbox run_batch throughput",
        "programs": args.programs,
        "tests_per_program": args.tests,
        "workers": args.workers,
        "rounds": args.rounds,
        "machine": info,
        "sandboxed": {**rates["sandboxed"], "seconds": measured["sandboxed"].seconds,
                      "all_passed": measured["sandboxed"].all_passed},
        "unsandboxed": {**rates["unsandboxed"], "seconds": measured["unsandboxed"].seconds,
                        "all_passed": measured["unsandboxed"].all_passed},
        "overhead_ratio": overhead,
        "cpu_overhead_ratio": (sandboxed["cpu_ms_per_program"] / unsandboxed["cpu_ms_per_program"]
                               if sandboxed["cpu_ms_per_program"] else None),
        "idle_capacity_programs_per_second": {  # CPUs / CPU cost: throughput with the CPUs to ourselves
            name: info["cpus_available"] * 1000 / r["cpu_ms_per_program"] if r["cpu_ms_per_program"] else None
            for name, r in rates.items()
        },
        "target_programs_per_second": TARGET_RUNS_PER_SECOND,
        "meets_target": sandboxed["programs_per_second_median"] >= TARGET_RUNS_PER_SECOND,
    }
    print(f"{args.programs} programs x {args.tests} tests, {args.workers} workers, "
          f"{info['cpus_available']} CPUs, load {info['load_average_at_start'][0]:.2f}, median of {args.rounds}")
    for name in modes:
        r = rates[name]
        cpu = f", {r['cpu_ms_per_program']:.1f} ms CPU/program" if r["cpu_ms_per_program"] else ""
        print(f"  {name:12s} {r['programs_per_second_median']:7.1f} programs/s  "
              f"{r['test_executions_per_second_median']:8.1f} test executions/s  "
              f"(best {r['programs_per_second_best']:.1f} programs/s{cpu}, all passed: {measured[name].all_passed})")
    if report["cpu_overhead_ratio"]:
        capacity = report["idle_capacity_programs_per_second"]
        print(f"  CPU cost ratio {report['cpu_overhead_ratio']:.2f}x; capacity of {info['cpus_available']} idle CPUs: "
              f"~{capacity['sandboxed']:.0f} sandboxed, ~{capacity['unsandboxed']:.0f} unsandboxed programs/s")
    verdict = "met" if report["meets_target"] else "NOT met"
    print(f"  overhead ratio (sandboxed / unsandboxed time): {overhead:.2f}x; "
          f"target >= {TARGET_RUNS_PER_SECOND:.0f} sandboxed programs/s: {verdict}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
