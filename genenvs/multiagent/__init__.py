"""Multi-agent generation games as PettingZoo environments.

Each game is a module with PettingZoo's conventions: ``env()`` (the AEC game with the
classic wrappers), ``raw_env`` (unwrapped) and ``parallel_env()``; versioned names.

* :mod:`~genenvs.multiagent.adversarial_v0`: generator vs discriminator (SeqGAN / SPIRAL).
* :mod:`~genenvs.multiagent.referential_v0`: speaker and listener (Lewis signalling game).
* :mod:`~genenvs.multiagent.negotiation_v0`: Deal or No Deal (Lewis et al., 2017).

Example::

    from genenvs.multiagent import referential_v0

    env = referential_v0.env(render_mode="ansi")
    env.reset(seed=0)
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        action = None if terminated or truncated else env.action_space(agent).sample(obs["action_mask"])
        env.step(action)
"""

from genenvs.multiagent import adversarial_v0, negotiation_v0, referential_v0

#: Module name -> module, for loops over every game.
GAMES = {module.__name__.rsplit(".", 1)[1]: module for module in (adversarial_v0, referential_v0, negotiation_v0)}

__all__ = ["GAMES", "adversarial_v0", "negotiation_v0", "referential_v0"]
