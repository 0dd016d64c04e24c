"""Target results: scripts that check a baseline against a goal stated in an issue.

Each script trains the named baselines with ``baselines.train.run`` at the stated budget
and writes ``benchmarks/results/target_<name>.json`` with the metric, wall-clock time and
process CPU time (the honest cost on a shared machine).
"""
