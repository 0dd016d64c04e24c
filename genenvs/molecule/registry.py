"""Molecule environments registered with Gymnasium."""

from genenvs.core.registration import EnvEntry

ENVIRONMENTS = [
    EnvEntry(
        id="MolGen-v0",
        entry_point="genenvs.molecule.env:make_molgen",
        vector_entry_point="genenvs.molecule.env:make_molgen_vec",
        description="SELFIES token by token (always valid); REINVENT-style episode scored by an RDKit objective (default QED).",
        flagship=True,
    ),
    EnvEntry(
        id="MolSmiles-v0",
        entry_point="genenvs.molecule.env:make_molsmiles",
        vector_entry_point="genenvs.molecule.env:make_molsmiles_vec",
        description="SMILES token by token (REINVENT regex tokens); invalid SMILES score 0 with info['valid'] = False.",
    ),
    EnvEntry(
        id="MolGraph-v0",
        entry_point="genenvs.molecule.graph_env:MolGraphEnv",
        description="MolDQN graph edits (add atom/bond, remove bond, no-op) from an empty molecule; every step earns the discounted objective (default QED).",
        token_level=False,
    ),
]
