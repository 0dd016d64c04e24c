"""``merge_infos`` batches final infos exactly as Gymnasium's ``VectorEnv._add_info`` does."""

import numpy as np
import pytest
from gymnasium.vector import VectorEnv

from genenvs.core.episodes import FinalInfos
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


def _added_row_by_row(per_row):
    """What Gymnasium's ``VectorEnv._add_info`` builds from the rows' infos, in row order."""
    expected = {"action_mask": np.ones(8, dtype=bool)}
    env = _Sizes(8)
    for row in sorted(per_row):
        expected = env._add_info(expected, per_row[row], row)
    return expected


@pytest.mark.parametrize("rows", [[0], [4, 1, 6], list(range(8))])
def test_merge_infos_equals_add_info_row_by_row(rows):
    rng = np.random.default_rng(0)
    per_row = {r: _row_info(r, rng) for r in rows}
    _assert_same(merge_infos({"action_mask": np.ones(8, dtype=bool)}, per_row, 8), _added_row_by_row(per_row))


def test_a_key_that_is_a_dict_in_some_rows_only_is_an_error():
    with pytest.raises(TypeError, match="dict in some envs"):
        merge_infos({}, {0: {"x": {"a": 1}}, 1: {"x": 2}}, 2)


def _final_infos(rows, rng):
    """The same infos as ``_row_info`` kept as FinalInfos columns (common keys) and extras."""
    infos = {r: _row_info(r, rng) for r in sorted(rows)}
    order = sorted(infos)
    common = ["sample", "valid", "score", "length", "reward_components", "tokens", "final_obs"]  # _row_info's order
    columns = {
        key: {name: [infos[r][key][name] for r in order] for name in ("kl", "rule")} if key == "reward_components" else [infos[r][key] for r in order]
        for key in common
    }
    extras = {r: {"invalid_action": True} for r in order if "invalid_action" in infos[r]}
    return infos, FinalInfos(order, columns, extras)


@pytest.mark.parametrize("rows", [[0], [1, 4, 6], list(range(8))])
def test_final_infos_read_as_dicts_and_merge_as_add_info_does(rows):
    infos, finals = _final_infos(rows, np.random.default_rng(0))
    assert list(finals) == sorted(rows) and len(finals) == len(rows)
    for row in rows:
        assert finals[row].keys() == infos[row].keys() and finals[row]["score"] == infos[row]["score"]
    _assert_same(merge_infos({"action_mask": np.ones(8, dtype=bool)}, finals, 8), _added_row_by_row(infos))


def test_popped_final_infos_leave_the_merge():
    infos, finals = _final_infos([1, 4, 6], np.random.default_rng(0))
    assert finals.pop(4)["length"] == 5 and 4 not in finals
    merged = merge_infos({}, finals, 8)
    assert merged["_score"].tolist() == [False, True, False, False, False, False, True, False]
    assert merged["length"][[1, 6]].tolist() == [2, 7]
    finals.pop(1), finals.pop(6)
    assert merge_infos({}, finals, 8) == {}
