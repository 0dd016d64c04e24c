"""``genenvs leaderboard submit | validate | verify | render``.

Each command prints what it did or every problem it found (naming the file and field) and
returns 0 on success, 1 when an entry is invalid or does not verify.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genenvs.leaderboard.entry import LeaderboardError


def _error(command: str, exc: Exception) -> int:
    print(f"genenvs leaderboard {command}: error: {exc}", file=sys.stderr)
    return 1


def _cmd_submit(args: argparse.Namespace) -> int:
    from genenvs.leaderboard.submit import submit

    try:
        path = submit(args.run_dirs, args.out, args.root, force=args.force, date=args.date, main_metric=args.main_metric, higher_is_better=False if args.lower_is_better else None, notes=args.notes)
    except LeaderboardError as exc:
        return _error("submit", exc)
    print(f"wrote {path}")
    print(f"check it with: genenvs leaderboard verify {path}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from genenvs.leaderboard.validate import validate_path

    try:
        results = validate_path(args.path)
    except LeaderboardError as exc:
        return _error("validate", exc)
    if not results:
        return _error("validate", LeaderboardError(f"{args.path}: no *.json entries found"))
    bad = 0
    for path, problems in results.items():
        if problems:
            bad += 1
            for problem in problems:
                print(problem, file=sys.stderr)
        else:
            print(f"ok {path}")
    print(f"{len(results) - bad} of {len(results)} entries valid")
    return 1 if bad else 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from genenvs.leaderboard.verify import verify_path

    try:
        results = verify_path(args.entries)
    except LeaderboardError as exc:
        return _error("verify", exc)
    failed = 0
    for result in results:
        print(result.report(verbose=args.verbose))
        strict_fail = args.strict and result.not_rescorable
        main_fail = args.require_main_metric and not result.main_metric_verified
        failed += (not result.passed) or bool(strict_fail) or main_fail
    print(f"{len(results) - failed} of {len(results)} entries verified")
    return 1 if failed else 0


def _cmd_render(args: argparse.Namespace) -> int:
    from genenvs.leaderboard.render import render

    try:
        written = render(args.root)
    except LeaderboardError as exc:
        return _error("render", exc)
    for path in written:
        print(f"wrote {path}")
    return 0


def add_leaderboard_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``leaderboard`` and its four commands to the ``genenvs`` command line."""
    parser = subparsers.add_parser("leaderboard", help="submit, validate, verify and render leaderboard entries")
    sub = parser.add_subparsers(dest="leaderboard_command", required=True)

    p = sub.add_parser("submit", help="build an entry from baseline run folders (one per seed)")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="folders written by python -m baselines.train")
    p.add_argument("--out", type=Path, help="entry file (default ROOT/results/<ENV_ID>/<algo>_<budget>_<hash>.json)")
    p.add_argument("--root", type=Path, default=Path("leaderboard"), help="leaderboard folder (default: leaderboard)")
    p.add_argument("--date", help="entry date YYYY-MM-DD (default: today, UTC)")
    p.add_argument("--main-metric", help="metric that ranks the entry (default auc_top10 for oracle budgets, else mean_score_last)")
    p.add_argument("--lower-is-better", action="store_true", help="the main metric ranks ascending (default: guessed from its name, e.g. *nll*)")
    p.add_argument("--notes", help="free text stored with the entry")
    p.add_argument("--force", action="store_true", help="replace an existing entry file with other content")
    p.set_defaults(func=_cmd_submit)

    p = sub.add_parser("validate", help="check entries against the schema and their sibling files' checksums")
    p.add_argument("path", nargs="?", type=Path, default=Path("leaderboard/results"), help="entry file or folder (default: leaderboard/results)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("verify", help="re-score stored samples with the installed environment and compare")
    p.add_argument("entries", nargs="+", type=Path, metavar="ENTRY", help="entry files or folders")
    p.add_argument("--strict", action="store_true", help="also fail when some claimed values cannot be re-scored")
    p.add_argument("--require-main-metric", action="store_true", help="also fail when the main metric is not recomputed for every seed")
    p.add_argument("-v", "--verbose", action="store_true", help="list every matching check, not only the main metric's")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("render", help="write ROOT/README.md tables and ROOT/plots/<ENV_ID>.png")
    p.add_argument("--root", type=Path, default=Path("leaderboard"), help="leaderboard folder (default: leaderboard)")
    p.set_defaults(func=_cmd_render)
    return parser
