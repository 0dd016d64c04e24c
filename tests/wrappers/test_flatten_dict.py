import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.wrappers import FlattenDictObservation


def test_nested_context_is_lifted_without_changing_values():
    env = gym.make("TextGen-v0")
    nested, _ = env.reset(seed=0)
    flat_env = FlattenDictObservation(gym.make("TextGen-v0"))
    flat, _ = flat_env.reset(seed=0)
    assert not any(isinstance(s, gym.spaces.Dict) for s in flat_env.observation_space.spaces.values())
    for key, value in nested["context"].items():
        np.testing.assert_array_equal(flat[f"context_{key}"], value)
    assert flat_env.observation_space.contains(flat)
    check_env(FlattenDictObservation(gym.make("TextGen-v0", disable_env_checker=True).unwrapped), skip_render_check=True)
