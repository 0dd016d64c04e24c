"""Lift nested ``Dict`` observation fields to the top level, for libraries that need flat dicts.

Stable-Baselines3's ``MultiInputPolicy`` rejects a ``Dict`` inside a ``Dict``; conditional
tasks observe ``{"tokens", "length", "context": {...}}``. ``FlattenDictObservation`` turns
that into ``{"tokens", "length", "context_prompt", ...}`` without changing any value.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium import spaces


def _flat_spaces(space: spaces.Dict, prefix: str = "") -> dict[str, spaces.Space]:
    out: dict[str, spaces.Space] = {}
    for key, sub in space.spaces.items():
        name = f"{prefix}{key}"
        if isinstance(sub, spaces.Dict):
            out.update(_flat_spaces(sub, name + "_"))
        else:
            out[name] = sub
    return out


def _flat_values(obs: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obs.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat_values(value, name + "_"))
        else:
            out[name] = value
    return out


class FlattenDictObservation(gym.ObservationWrapper, gym.utils.RecordConstructorArgs):
    def __init__(self, env: gym.Env) -> None:
        gym.utils.RecordConstructorArgs.__init__(self)
        gym.ObservationWrapper.__init__(self, env)
        if not isinstance(env.observation_space, spaces.Dict):
            raise TypeError(f"FlattenDictObservation needs a Dict observation space, got {env.observation_space}")
        self.observation_space = spaces.Dict(_flat_spaces(env.observation_space))

    def observation(self, observation: dict[str, Any]) -> dict[str, Any]:
        return _flat_values(observation)
