"""Generic machinery: task definition, token/sample/vector environments, registration."""

from genenvs.core.errors import BudgetExhaustedError, EpisodeOverError, InvalidActionError
from genenvs.core.factory import entry_points
from genenvs.core.sample_env import SampleEnv
from genenvs.core.task import Context, TokenTask
from genenvs.core.token_env import TokenEnv
from genenvs.core.vector_env import SampleVectorEnv, TokenVectorEnv
from genenvs.core.vocab import Vocabulary

__all__ = [
    "BudgetExhaustedError",
    "Context",
    "EpisodeOverError",
    "InvalidActionError",
    "SampleEnv",
    "SampleVectorEnv",
    "TokenEnv",
    "TokenTask",
    "TokenVectorEnv",
    "Vocabulary",
    "entry_points",
]
