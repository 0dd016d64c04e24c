"""Code environments registered with Gymnasium."""

from genenvs.core.registration import EnvEntry

ENVIRONMENTS = [
    EnvEntry(
        id="CodeGen-v0",
        entry_point="genenvs.code.env:make_codegen",
        vector_entry_point="genenvs.code.env:make_codegen_vec",
        description="Python function body token by token from its signature and docstring; hidden unit tests run in the sandbox (CodeRL reward).",
        flagship=True,
    ),
    EnvEntry(
        id="CodeDSL-v0",
        entry_point="genenvs.code.env:make_codedsl",
        vector_entry_point="genenvs.code.env:make_codedsl_vec",
        description="DeepCoder-style list DSL program from input/output examples, grammar-masked; scored by pass rate on the examples.",
    ),
]
