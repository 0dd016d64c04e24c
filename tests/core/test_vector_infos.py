"""``merge_infos`` batches final infos exactly as Gymnasium's ``VectorEnv._add_info`` does."""

import numpy as np
import pytest
from gymnasium.vector import VectorEnv

from genenvs.core.vector_env import merge_infos


class _Sizes(VectorEnv):
    def __init__(self, num_envs):
        self.num_envs = num_envs


def _row_info(row, rng):
    info = {
        "sample": [row, "text"],
        "valid": bool(row % 2),
        "score": float(rng.normal()),
        "length": row + 1,
        "reward_components": {"kl": float(rng.normal()), "rule": np.float32(row)},
        "tokens": np.arange(3) + row,
        "final_obs": {"tokens": np.arange(2)},
    }
    if row % 3 == 0:
        info["invalid_action"] = True  # a key only some rows carry
    return info


def _assert_same(a, b):
    assert list(a) == list(b)  # same keys in the same order
    for key in a:
        if isinstance(a[key], dict):
            _assert_same(a[key], b[key])
        else:
            assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, key
            for x, y in zip(a[key], b[key]):
                if isinstance(x, dict):
                    assert x.keys() == y.keys()
                else:
                    assert np.array_equal(np.asarray(x, dtype=object), np.asarray(y, dtype=object)), key


@pytest.mark.parametrize("rows", [[0], [4, 1, 6], list(range(8))])
def test_merge_infos_equals_add_info_row_by_row(rows):
    rng = np.random.default_rng(0)
    per_row = {r: _row_info(r, rng) for r in rows}
    expected = {"action_mask": np.ones(8, dtype=bool)}
    env = _Sizes(8)
    for row in sorted(per_row):
        expected = env._add_info(expected, per_row[row], row)
    _assert_same(merge_infos({"action_mask": np.ones(8, dtype=bool)}, per_row, 8), expected)


def test_a_key_that_is_a_dict_in_some_rows_only_is_an_error():
    with pytest.raises(TypeError, match="dict in some envs"):
        merge_infos({}, {0: {"x": {"a": 1}}, 1: {"x": 2}}, 2)
