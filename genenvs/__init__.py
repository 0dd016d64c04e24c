"""genenvs: Gymnasium environments in which generating something is the episode.

``import genenvs`` registers every environment, so ``gym.make("MolGen-v0")`` works; so
does ``gym.make("genenvs:MolGen-v0")`` without the import.
"""

__version__ = "0.1.0"

from genenvs.core.registration import register_all as _register_all  # noqa: E402

_register_all()
