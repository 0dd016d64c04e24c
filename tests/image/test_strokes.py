"""The stroke renderer and StrokeGen-v0 (Learning to Paint)."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.core import EpisodeOverError, InvalidActionError
from genenvs.image.strokes import MAX_RADIUS, PARAMS_PER_STROKE, dot_stroke, render_strokes


def render_one(*strokes, size=32):
    canvas = torch.zeros(1, size, size)
    return render_strokes(canvas, torch.tensor(np.array(strokes, dtype=np.float32))[None])[0].numpy()


def test_dot_stroke_paints_a_disc_of_the_requested_radius_and_intensity():
    out = render_one(dot_stroke(10, 20, radius_px=3.0, intensity=0.7, size=32))
    assert out[20, 10] == pytest.approx(0.7)
    ys, xs = np.nonzero(out > 0.35)  # pixels at least half covered
    radius = np.sqrt((xs - 10) ** 2 + (ys - 20) ** 2).max()
    assert 2.5 <= radius <= 3.5
    assert out[20, 16] == 0.0 and out[0, 0] == 0.0


def test_bezier_stroke_follows_its_control_points():
    # A straight horizontal stroke from x = 4 to x = 27 at row 16, radius 1.5 px.
    r = (1.5 - 0.5) / (MAX_RADIUS * 32)
    out = render_one([4.5 / 32, 16.5 / 32, 16 / 32, 16.5 / 32, 27.5 / 32, 16.5 / 32, r, r, 1, 1, 1])
    assert (out[16, 4:28] == 1.0).all()
    assert (out[12, :] == 0.0).all() and (out[20, :] == 0.0).all()


def test_opacity_and_order_of_compositing():
    dot = dot_stroke(16, 16, 4.0, 1.0, 32)
    faint = dot.copy()
    faint[8:10] = 0.0  # zero opacity: no paint
    assert render_one(faint).max() == 0.0
    half = dot.copy()
    half[8:10] = 0.5
    assert render_one(half)[16, 16] == pytest.approx(0.5)
    dark = dot.copy()
    dark[10] = 0.2
    assert render_one(dot, dark)[16, 16] == pytest.approx(0.2)  # later strokes cover earlier ones
    assert render_one(dark, dot)[16, 16] == pytest.approx(1.0)


def oracle_actions(target, steps=10, k=5):
    """Paint the brightest 4x4 blocks of the target as round dabs of their mean value."""
    size = target.shape[-1]
    b = size // 8
    blocks = target.reshape(8, b, 8, b).mean(axis=(1, 3))
    order = np.argsort(-blocks, axis=None)[: steps * k]
    rows, cols = np.unravel_index(order, blocks.shape)
    strokes = [dot_stroke(c * b + (b - 1) / 2, r * b + (b - 1) / 2, 0.6 * b, blocks[r, c], size) for r, c in zip(rows, cols)]
    return np.array(strokes, dtype=np.float32).reshape(steps, k * PARAMS_PER_STROKE)


def play(env, actions, seed):
    obs, _ = env.reset(seed=seed)
    rewards = []
    for a in actions:
        obs, r, term, trunc, info = env.step(a)
        rewards.append(r)
    return obs, rewards, term, info


def test_check_env_and_spaces():
    env = gym.make("StrokeGen-v0")
    check_env(env.unwrapped, skip_render_check=True)
    assert env.action_space.shape == (55,) and env.observation_space["canvas"].shape == (1, 32, 32)


def test_return_is_relative_l2_improvement_and_components_sum():
    env = gym.make("StrokeGen-v0")
    rng = np.random.default_rng(0)
    actions = rng.random((10, 55)).astype(np.float32)
    obs, rewards, term, info = play(env, actions, seed=3)
    assert term
    target, canvas = obs["target"][0], obs["canvas"][0]
    d_T = np.mean((canvas - target) ** 2)
    d_0 = np.mean(target**2)
    assert sum(rewards) == pytest.approx(1 - d_T / d_0, abs=1e-5)
    assert sum(rewards) == pytest.approx(sum(info["reward_components"].values()))
    assert info["score"] == pytest.approx(info["relative_l2"]) and info["mse"] == pytest.approx(d_T, rel=1e-5)
    np.testing.assert_array_equal(info["sample"], canvas)


def test_replaying_actions_reproduces_the_canvas():
    rng = np.random.default_rng(1)
    actions = rng.random((10, 55)).astype(np.float32)
    a, b = gym.make("StrokeGen-v0"), gym.make("StrokeGen-v0")
    obs_a, rewards_a, _, _ = play(a, actions, seed=5)
    obs_b, rewards_b, _, _ = play(b, actions, seed=5)
    np.testing.assert_array_equal(obs_a["canvas"], obs_b["canvas"])
    assert rewards_a == rewards_b
    # The canvas is the strokes rendered in order onto a blank canvas: nothing else enters.
    canvas = torch.zeros(1, 32, 32)
    for act in actions:
        canvas = render_strokes(canvas, torch.tensor(act).view(1, 5, 11))
    np.testing.assert_allclose(obs_a["canvas"][0], canvas[0].numpy(), atol=1e-6)


def test_oracle_painter_beats_random_strokes():
    env = gym.make("StrokeGen-v0")
    env.action_space.seed(0)
    oracle, random = [], []
    for seed in range(6):
        obs, _ = env.reset(seed=seed)
        oracle.append(sum(play(env, oracle_actions(obs["target"][0]), seed)[1]))
        random.append(sum(play(env, [env.action_space.sample() for _ in range(10)], seed)[1]))
    assert min(oracle) > 0.85  # measured 0.95
    assert min(oracle) > max(random)


def test_render_shows_canvas_and_target_side_by_side():
    env = gym.make("StrokeGen-v0", render_mode="rgb_array")
    obs, _ = env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (128, 128 + 4 + 128, 3) and frame.dtype == np.uint8
    target = obs["target"][0]
    np.testing.assert_array_equal(frame[::4, 132::4, 0], np.round(target * 255).astype(np.uint8))
    assert frame[:, :128].max() == 0  # blank canvas on the left
    text = gym.make("StrokeGen-v0", render_mode="ansi")
    text.reset(seed=0)
    assert "step 0/10" in text.render()


def test_bad_actions_and_arguments_raise_clear_errors():
    env = gym.make("StrokeGen-v0").unwrapped
    with pytest.raises(EpisodeOverError, match="before reset"):
        env.step(np.zeros(55, np.float32))
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match=r"\[0, 1\]"):
        env.step(np.full(55, 1.5, np.float32))
    with pytest.raises(InvalidActionError, match="shape"):
        env.step(np.zeros(54, np.float32))
    with pytest.raises(InvalidActionError, match="finite"):
        env.step(np.full(55, np.nan, np.float32))
    for _ in range(10):
        env.step(np.zeros(55, np.float32))
    with pytest.raises(EpisodeOverError):
        env.step(np.zeros(55, np.float32))
    with pytest.raises(ValueError, match="l2, discriminator"):
        gym.make("StrokeGen-v0", reward="beauty")
    with pytest.raises(ValueError, match="split"):
        gym.make("StrokeGen-v0", split="validation")
    with pytest.raises(ValueError, match="target_index"):
        env.reset(options={"target_index": 10_000})


def test_reset_option_picks_the_target():
    env = gym.make("StrokeGen-v0", split="test")
    _, _, _, info = play(env, np.zeros((10, 55), np.float32), seed=0)
    obs, _ = env.reset(options={"target_index": 7})
    from genenvs.image.digits import digit_images

    np.testing.assert_array_equal(obs["target"][0], digit_images(32, "test")[0][7])


def test_native_vector_env_matches_single_envs():
    n = 3
    vec = gym.make_vec("StrokeGen-v0", n, vectorization_mode="vector_entry_point")
    singles = [gym.make("StrokeGen-v0") for _ in range(n)]
    obs, _ = vec.reset(seed=10)
    for i, env in enumerate(singles):
        single_obs, _ = env.reset(seed=10 + i)
        np.testing.assert_array_equal(obs["target"][i], single_obs["target"])
    rng = np.random.default_rng(0)
    for t in range(12):  # crosses an episode boundary (NEXT_STEP autoreset)
        actions = rng.random((n, 55)).astype(np.float32)
        _, rewards, term, _, infos = vec.step(actions)
        for i, env in enumerate(singles):
            if t == 10:  # the vector env resets this step; the single envs reset explicitly
                env.reset()
                continue
            _, r, single_term, _, info = env.step(actions[i])
            assert rewards[i] == pytest.approx(r, abs=1e-6) and term[i] == single_term
            if single_term:
                assert infos["_score"][i] and infos["score"][i] == pytest.approx(info["score"], abs=1e-6)


def test_same_step_autoreset_returns_final_observation():
    vec = gym.make_vec("StrokeGen-v0", 2, vectorization_mode="vector_entry_point", autoreset_mode="SameStep", max_steps=2)
    vec.reset(seed=0)
    vec.step(np.full((2, 55), 0.5, np.float32))
    obs, _, term, _, infos = vec.step(np.full((2, 55), 0.5, np.float32))
    assert term.all() and (obs["step"] == 0).all() and infos["final_obs"][0]["step"] == 2
    assert "relative_l2" in infos["final_info"]


def test_vector_env_renders_every_env():
    vec = gym.make_vec("StrokeGen-v0", 3, vectorization_mode="vector_entry_point", render_mode="rgb_array")
    vec.reset(seed=0)
    frame = vec.render()
    assert frame.dtype == np.uint8 and frame.shape == (2 + 2 * (32 + 2), 2 + 2 * (68 + 2), 3)
    text = gym.make_vec("StrokeGen-v0", 2, vectorization_mode="vector_entry_point", render_mode="ansi")
    text.reset(seed=0)
    assert text.render().count("step 0/10") == 2


def test_discriminator_reward_is_terminal_log_probability_and_trains():
    env = gym.make("StrokeGen-v0", reward="discriminator", max_steps=2, reward_kwargs={"batch_size": 16, "steps": 2})
    rewards = []
    for seed in range(3):
        _, r, _, info = play(env, np.full((2, 55), 0.3, np.float32), seed)
        rewards.append(r)
        assert r[0] == 0.0 and r[-1] < 0.0
        assert info["reward_components"].keys() == {"discriminator"} and r[-1] == pytest.approx(info["reward_components"]["discriminator"])
    assert env.unwrapped.engine.scorer.updates == 3
