"""``import genenvs`` stays light, so AsyncVectorEnv workers and CLI calls start fast.

Torch and RDKit load only when an environment that uses them is made: every forked or
spawned worker of a torch-free environment would otherwise carry torch's ~300 MB.
"""

import subprocess
import sys

import pytest


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_import_genenvs_loads_neither_torch_nor_rdkit():
    modules = _modules_after("import genenvs")
    assert "torch" not in modules and "rdkit" not in modules


@pytest.mark.parametrize("env_id", ["MolGen-v0", "MolSmiles-v0", "CodeDSL-v0", "NASGen-v0"])
def test_torch_free_envs_do_not_load_torch(env_id):
    modules = _modules_after(f"import gymnasium as gym, genenvs\nenv = gym.make({env_id!r}); env.reset(seed=0); env.step(env.action_space.sample() * 0 + 1)")
    assert "torch" not in modules
