"""Random-vs-random baselines of the multi-agent games (the numbers in their docstrings).

Every agent picks uniformly among its legal actions (``observation["action_mask"]``); game
``i`` is reset with seed ``i`` and the action spaces are seeded once, so a run is
reproducible. Run::

    python -m genenvs.multiagent.random_baseline --games 1000
    python -m genenvs.multiagent.random_baseline --games 1000 --game referential_v0 --kwargs '{"referents": "molecules"}'
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from genenvs.multiagent import GAMES


def play_random(module: Any, games: int, seed: int = 0, **kwargs: Any) -> tuple[dict[str, np.ndarray], list[dict[str, Any]], int, float]:
    """Play ``games`` random-vs-random games.

    Returns per-agent returns, the final infos, the number of moves and the seconds spent
    playing (construction and data loading excluded).
    """
    env = module.env(**kwargs)
    returns: dict[str, list[float]] = defaultdict(list)
    infos: list[dict[str, Any]] = []
    moves = 0
    env.reset(seed=seed)
    for k, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(seed + k)
    start = time.perf_counter()
    for game in range(games):
        env.reset(seed=seed + game)
        total: dict[str, float] = defaultdict(float)
        final: dict[str, Any] = {}
        for agent in env.agent_iter():
            observation, reward, terminated, truncated, info = env.last()
            total[agent] += reward
            if terminated or truncated:
                final = info
                env.step(None)
            else:
                env.step(env.action_space(agent).sample(observation["action_mask"]))
                moves += 1
        for agent, value in total.items():
            returns[agent].append(value)
        infos.append(final)
    seconds = time.perf_counter() - start
    env.close()
    return {agent: np.asarray(v) for agent, v in returns.items()}, infos, moves, seconds


def game_statistics(name: str, infos: list[dict[str, Any]], kwargs: dict[str, Any]) -> dict[str, float]:
    """The game-specific numbers of a batch of final infos."""
    if name == "adversarial_v0":
        stats = {
            "youden_j": float(np.mean([info["youden_j"] for info in infos])),
            "valid_fraction": float(np.mean([v for info in infos for v in info["valid"]])),
        }
        if kwargs.get("domain", "molecule").startswith("molecule"):
            from genenvs.molecule.data.build_vocab import load_smiles

            train = set(load_smiles("train"))
            stats["training_molecule_fraction"] = float(np.mean([s in train for info in infos for s in info["samples"]]))
        return stats
    if name == "referential_v0":
        return {
            "success_rate": float(np.mean([info["success"] for info in infos])),
            "message_length": float(np.mean([info["message_length"] for info in infos])),
        }
    agreed = [info for info in infos if info["agreement"]]
    return {
        "agreement_rate": len(agreed) / len(infos),
        "reward_when_agreed": float(np.mean([np.dot(info["values"][a], info["divisions"][a]) for info in agreed for a in info["values"]])) if agreed else 0.0,
        "pareto_optimal_rate": float(np.mean([info["pareto_optimal"] for info in infos])),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--game", choices=sorted(GAMES), action="append", help="default: every game")
    parser.add_argument("--kwargs", type=json.loads, default={}, help="JSON constructor arguments (with a single --game)")
    parser.add_argument("--out", type=Path, help="also write the report to this JSON file")
    args = parser.parse_args(argv)
    if args.kwargs and len(args.game or GAMES) != 1:
        parser.error("--kwargs needs exactly one --game")
    report = {}
    for name in args.game or sorted(GAMES):
        returns, infos, moves, seconds = play_random(GAMES[name], args.games, args.seed, **args.kwargs)
        report[name] = {
            "games": args.games,
            "kwargs": args.kwargs,
            "returns": {agent: {"mean": float(r.mean()), "std": float(r.std())} for agent, r in sorted(returns.items())},
            **game_statistics(name, infos, args.kwargs),
            "moves_per_game": moves / args.games,
            "games_per_second": round(args.games / seconds, 1),
            "moves_per_second": round(moves / seconds),
        }
        print(json.dumps({name: report[name]}, indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
