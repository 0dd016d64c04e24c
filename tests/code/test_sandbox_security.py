"""Hostile programs against genenvs.code.sandbox. Every test must pass on every CI run.

For each attack: the test process keeps running, the program is classified correctly (a
program that fakes success is never ``passed``), the run ends within timeout + 2 s, and
nothing on the host changes. The programs run in two parallel batches (module-scoped
fixtures): spinners that must be stopped by the 1 s limit, and probes that try
something, catch the failure, and *report* what happened through a CallTest; a probe
passes when every attempt was refused.

These tests need a working bubblewrap (``scripts/install_system_deps.sh``); without it
they fail with SandboxUnavailableError rather than skip, because an unverified sandbox
must not look like a verified one.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genenvs.code.sandbox import AssertTest, CallTest, ExecutionResult, run_batch

SPIN_TIMEOUT = 1.0
PROBE_TIMEOUT = 10.0
SLACK = 2.0

# Each spinner runs until a limit stops it. name -> (program, expected statuses)
SPINNERS = {
    "infinite_loop": ("while True:\n    pass\n", {"timeout"}),
    "sleep_past_timeout": ("import time\ntime.sleep(60)\n", {"timeout"}),
    "cpu_spin_in_threads": (
        "import threading\n"
        "def spin():\n    while True:\n        pass\n"
        "for _ in range(8):\n    threading.Thread(target=spin, daemon=True).start()\n"
        "spin()\n",
        # the process limit is per uid and shared by concurrent sandboxes (the fork bomb
        # beside it exhausts it), so thread creation may fail first: a runtime error
        {"timeout", "runtime_error"},
    ),
    "fork_bomb_that_keeps_trying": (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        {"timeout"},
    ),
    "stdout_flood": ("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", {"timeout"}),
    "raw_fd_flood": ("import os\nwhile True:\n    os.write(2, b'y' * 65536)\n", {"timeout"}),
    "ignore_signals_and_spin": (
        "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGHUP):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass\n",
        {"timeout"},
    ),
}


def _probe(body: str) -> str:
    """A program defining ``probe()``, which returns one bool per line of ``body``: did it work?

    Each line is an expression that completes only if the attack succeeded (``require``
    raises otherwise); the matching test expects ``[False, False, ...]``.
    """
    lines = [
        "import os, sys",
        "def require(condition):",
        "    if not condition:",
        "        raise RuntimeError('attack had no effect')",
        "def slurp(path):",
        "    try:",
        "        with open(path, 'rb') as f:",
        "            return f.read()",
        "    except OSError:",
        "        return b''",
        "def attempt(action):",
        "    try:",
        "        action()",
        "        return True",
        "    except BaseException:",
        "        return False",
        "def probe():",
        "    return [",
    ]
    lines += [f"        attempt(lambda: {line})," for line in body.strip().splitlines()]
    lines += ["    ]"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """Things on the host that the programs try to reach, and their state before the runs."""
    tmp = tmp_path_factory.mktemp("sandbox_host")
    canary = tmp / "canary.txt"
    canary.write_text("canary-" + secrets.token_hex(8))
    canary.chmod(0o640)
    secret_text = "secret-" + secrets.token_hex(16)
    # A unique name: parallel test workers each plant (and remove) their own.
    home_secret = Path.home() / f".genenvs_canary_secret_{secrets.token_hex(4)}"
    home_secret.write_text(secret_text)
    env_secret = "envsecret-" + secrets.token_hex(16)
    os.environ["GENENVS_CANARY_ENV_SECRET"] = env_secret
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    stdlib_os = Path(os.__file__)
    info = {
        "tmp": tmp,
        "canary": canary,
        "canary_text": canary.read_text(),
        "canary_mode": stat.S_IMODE(canary.stat().st_mode),
        "home_secret": home_secret,
        "secret_text": home_secret.read_text(),
        "env_secret": env_secret,
        "port": listener.getsockname()[1],
        "listener": listener,
        "bystander": bystander,
        "stdlib_os": stdlib_os,
        "stdlib_os_digest": hashlib.sha256(stdlib_os.read_bytes()).hexdigest(),
        "stdlib_os_mode": stdlib_os.stat().st_mode,
        "host_tmp_marker": Path("/tmp") / f"genenvs-sandbox-escape-{secrets.token_hex(6)}",
        "test_pid": os.getpid(),
    }
    yield info
    listener.close()
    bystander.kill()
    bystander.wait()
    os.environ.pop("GENENVS_CANARY_ENV_SECRET", None)
    home_secret.unlink(missing_ok=True)


def _probes(h: dict) -> dict[str, tuple[str, list]]:
    """name -> (program, tests). Programs are built from the host fixture's paths and ports."""
    canary, marker, secret = h["canary"], h["host_tmp_marker"], h["home_secret"]
    all_false = lambda n: [CallTest("probe()", [False] * n)]  # noqa: E731
    probes = {
        "host_files_untouchable": _probe(f"""
open({str(canary)!r}, 'w').write('pwned')
os.remove({str(canary)!r})
os.chmod({str(canary)!r}, 0o777)
__import__('shutil').rmtree({str(h['tmp'])!r})
open({str(h['stdlib_os'])!r}, 'a').write('# pwned')
os.chmod({str(h['stdlib_os'])!r}, 0o777)
os.remove({str(h['stdlib_os'])!r})
open('/usr/genenvs-pwned', 'w').write('x')
open('/genenvs-pwned', 'w').write('x')
open('/dev/genenvs-pwned', 'w').write('x')
os.mkdir('/root/genenvs-pwned')
open('/tmp/big', 'wb').write(b'0' * (20 * 1024 * 1024))
[open(f'/tmp/part{{i}}', 'wb').write(b'0' * (15 * 1024 * 1024)) for i in range(5)]
"""),
        "secrets_unreadable": _probe(f"""
open({str(secret)!r}).read()
open(os.path.expanduser('~/{secret.name}')).read()
os.listdir('/work')
os.listdir('/home')
open('/etc/passwd').read()
os.environ['GENENVS_CANARY_ENV_SECRET']
require(any({h['env_secret']!r}.encode() in slurp(f'/proc/{{p}}/environ') for p in os.listdir('/proc') if p.isdigit()))
require(any({h['secret_text']!r}.encode() in slurp(f'/proc/{{p}}/cmdline') for p in os.listdir('/proc') if p.isdigit()))
"""),
        "network_refused": _probe(f"""
__import__('socket').create_connection(('127.0.0.1', {h['port']}), timeout=0.5)
__import__('socket').socket(__import__('socket').AF_INET6).connect(('::1', {h['port']}))
__import__('socket').socket(__import__('socket').AF_INET, 2).sendto(b'x', ('127.0.0.1', 53))
__import__('socket').getaddrinfo('pypi.org', 443)
__import__('socket').socket(__import__('socket').AF_PACKET, __import__('socket').SOCK_RAW)
"""),
        "no_subprocesses": _probe(f"""
require(os.system('touch {marker}') == 0)
__import__('subprocess').run(['touch', {str(marker)!r}], check=True)
os.fork()
os.posix_spawn('/usr/bin/touch', ['touch', {str(marker)!r}], {{}})
__import__('multiprocessing').Process(target=print).start()
"""),
        "cannot_reach_host_processes": _probe(f"""
os.kill({h['test_pid']}, 0)
os.kill({h['bystander'].pid}, 0)
os.killpg(os.getpgid({h['test_pid']}), 0)
require(__import__('ctypes').CDLL(None).ptrace(16, {h['test_pid']}, 0, 0) == 0)
require(str({h['test_pid']}) in os.listdir('/proc'))
"""),
        "no_namespace_or_mount_tricks": _probe("""
require(__import__('ctypes').CDLL(None).unshare(0x10000000) == 0)
require(__import__('ctypes').CDLL(None).mount(b'none', b'/tmp', b'tmpfs', 0, None) == 0)
os.setuid(0)
os.chroot('/tmp')
require(os.getuid() == 0)
"""),
    }
    tests: dict[str, tuple[str, list]] = {name: (program, all_false(len(program.split("attempt(lambda:")) - 1))
                                          for name, program in probes.items()}
    # Positive control: the same mechanisms succeed on what *is* allowed, so a False above
    # means "refused", not "the probe itself is broken".
    controls = _probe("""
open('/tmp/allowed.txt', 'w').write('x')
require(open('/tmp/allowed.txt').read() == 'x')
os.listdir('/usr')
open(os.__file__).read()
os.kill(os.getpid(), 0)
__import__('socket').socketpair()
require(os.getuid() == 65534)
require(__import__('ctypes').CDLL(None).getpid() > 0)
""")
    tests["controls_allowed_actions_work"] = (controls, [CallTest("probe()", [True] * 8)])
    # The last probe kills everything it may signal, then must still be judged correctly.
    tests["kill_everything_visible"] = (
        "import os, signal\n"
        "for pid, sig in ((-1, signal.SIGTERM), (-1, signal.SIGKILL), (os.getppid(), signal.SIGKILL)):\n"
        "    try:\n        os.kill(pid, sig)\n    except OSError:\n        pass\n"
        "try:\n    os.killpg(0, signal.SIGKILL)\nexcept OSError:\n    pass\n",
        [CallTest("1 + 1", 2)],
    )
    return tests


# Programs that try to fake success. None of them may be ``passed``.
ADD_TESTS = [CallTest("add(1, 2)", 3), CallTest("add(5, 5)", 10)]
CHECK_ADD = (
    "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert abs(candidate(0.5, 0.25) - 0.75) < 1e-9\n"
)
ADD_ASSERT = [AssertTest(CHECK_ADD, "add")]
FAKERS = {
    "sys_exit_at_import": ("import sys\nsys.exit(0)\n", ADD_TESTS),
    "os_exit_at_import": ("import os\nos._exit(0)\n", ADD_TESTS),
    "os_exit_in_call": ("import os\ndef add(a, b):\n    os._exit(0)\n", ADD_TESTS),
    "sys_exit_in_call": ("import sys\ndef add(a, b):\n    sys.exit(0)\n", ADD_ASSERT),
    "kill_self": ("import os, signal\ndef add(a, b):\n    os.kill(os.getpid(), signal.SIGKILL)\n", ADD_TESTS),
    "print_fake_results": (
        "print('[\"test\", 0, {\"value\": 3}]')\nprint('passed')\nprint('ALL TESTS PASSED')\n"
        "def add(a, b):\n    return 0\n",
        ADD_TESTS,
    ),
    "forge_records_on_every_fd": (
        "import os\nfor fd in range(3, 64):\n    try:\n"
        "        os.write(fd, b'\\n[\"compiled\"]\\n[\"loaded\"]\\n[\"test\",0,{\"ok\":true}]\\n[\"done\"]\\n')\n"
        "    except OSError:\n        pass\nos._exit(0)\n",
        ADD_ASSERT,
    ),
    "steal_nonce_and_forge_call_results": (
        # Reads the harness's framing secret through frame introspection and forges a
        # complete, well-formed stream. CallTest values are judged in the parent: still wrong.
        "import sys, os\nframe = sys._getframe(1)\nemit = frame.f_locals['emit']\n"
        "emit(['loaded'])\nemit(['test', 0, {'value': 42}])\nemit(['test', 1, {'value': 42}])\n"
        "emit(['done'])\nos._exit(0)\n",
        ADD_TESTS,
    ),
    "always_equal_object": (
        "class Anything:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "    def __sub__(self, other):\n        return self\n    def __abs__(self):\n        return 0\n"
        "def add(a, b):\n    return Anything()\n",
        ADD_TESTS + ADD_ASSERT,
    ),
    "int_subclass_always_equal": (
        "class Yes(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
        "def add(a, b):\n    return Yes(0)\n",
        ADD_TESTS + ADD_ASSERT,
    ),
    "patch_builtins": (
        "import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.isinstance = lambda *a: True\n"
        "builtins.type = lambda *a: int\nbuiltins.AssertionError = KeyboardInterrupt\n"
        "builtins.eval = lambda *a, **k: 3\nbuiltins.compile = lambda *a, **k: None\n"
        "def add(a, b):\n    return 0\n",
        ADD_TESTS + ADD_ASSERT,
    ),
    "redefine_harness_helpers": (
        "def check(candidate):\n    pass\n"
        "def encode(value, depth=0):\n    return 3\n"
        "def emit(record):\n    pass\n"
        "try:\n    import __main__\n    __main__.run_assert_test = lambda *a: {'ok': True}\n"
        "    __main__.run_call_test = lambda *a: {'value': 3}\nexcept ImportError:\n    pass\n"
        "def add(a, b):\n    return 0\n",
        ADD_TESTS + ADD_ASSERT,
    ),
    "raise_systemexit_in_check": ("def add(a, b):\n    raise SystemExit(0)\n", ADD_ASSERT),
    "close_result_channel": (
        "import os\nfor fd in range(3, 64):\n    try:\n        os.close(fd)\n    except OSError:\n        pass\n"
        "def add(a, b):\n    return a + b\n",
        ADD_TESTS,
    ),
    "ctypes_segfault": ("import ctypes\ndef add(a, b):\n    return ctypes.string_at(0)\n", ADD_TESTS),
    "deep_recursion": ("def add(a, b):\n    return add(a, b)\n", ADD_TESTS),
    "c_stack_overflow": (
        "import sys\nsys.setrecursionlimit(10 ** 9)\nx = []\nfor _ in range(10 ** 6):\n    x = [x]\n"
        "def add(a, b):\n    return repr(x)\n",
        ADD_TESTS,
    ),
    "memory_bomb": ("blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n", ADD_TESTS),
    "memory_bomb_single": ("def add(a, b):\n    return len('x' * (10 ** 11))\n", ADD_TESTS),
    "fork_bomb": ("import os\nwhile True:\n    os.fork()\n", ADD_TESTS),
    "thread_bomb": (
        "import threading, time\n"
        "while True:\n    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n",
        ADD_TESTS,
    ),
}
FAKER_STATUS = {
    "ctypes_segfault": {"runtime_error"},
    "deep_recursion": {"runtime_error"},
    "c_stack_overflow": {"runtime_error"},
    "memory_bomb": {"memory"},
    "memory_bomb_single": {"memory"},
    "fork_bomb": {"runtime_error"},
    "thread_bomb": {"runtime_error", "memory"},
    "print_fake_results": {"failed"},
    "always_equal_object": {"runtime_error"},
    "int_subclass_always_equal": {"runtime_error"},
    "patch_builtins": {"failed"},
    "redefine_harness_helpers": {"failed"},
    "steal_nonce_and_forge_call_results": {"failed"},
    "forge_records_on_every_fd": {"runtime_error"},
}


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


@pytest.fixture(scope="module")
def outcomes(host) -> dict[str, tuple[ExecutionResult, float]]:
    """Run every hostile program (two parallel batches); name -> (result, its timeout)."""
    before = set(_children_of(os.getpid()))
    out: dict[str, tuple[ExecutionResult, float]] = {}
    names = list(SPINNERS)
    spun = run_batch([SPINNERS[n][0] for n in names], [ADD_TESTS] * len(names),
                     timeout=SPIN_TIMEOUT, memory_mb=256, max_workers=len(names))
    out.update({n: (r, SPIN_TIMEOUT) for n, r in zip(names, spun)})
    jobs = {**_probes(host), **FAKERS}
    names = list(jobs)
    probed = run_batch([jobs[n][0] for n in names], [jobs[n][1] for n in names],
                       timeout=PROBE_TIMEOUT, memory_mb=256, max_workers=8)
    out.update({n: (r, PROBE_TIMEOUT) for n, r in zip(names, probed)})
    assert set(_children_of(os.getpid())) <= before, "a sandboxed process outlived its run"
    return out


def test_every_run_ends_within_its_timeout_plus_slack(outcomes):
    for name, (result, timeout) in outcomes.items():
        assert result.wall_time <= timeout + SLACK, (name, result.wall_time)
        assert result.sandboxed, name


@pytest.mark.parametrize("name", list(SPINNERS))
def test_spinners_are_stopped_and_classified(outcomes, name):
    result, _ = outcomes[name]
    assert result.status in SPINNERS[name][1], (result.status, result.error_message)
    assert not result.passed


def test_floods_are_truncated(outcomes):
    for name, stream in (("stdout_flood", "stdout"), ("raw_fd_flood", "stderr")):
        result, _ = outcomes[name]
        text = getattr(result, stream)
        assert getattr(result, f"{stream}_truncated") and 0 < len(text) <= 64 * 1024


@pytest.mark.parametrize("name", ["controls_allowed_actions_work", "host_files_untouchable", "secrets_unreadable",
                                  "network_refused", "no_subprocesses", "cannot_reach_host_processes",
                                  "no_namespace_or_mount_tricks"])
def test_probe_attacks_are_refused_and_controls_work(outcomes, name):
    result, _ = outcomes[name]
    assert result.status == "passed", (result.status, result.error_type, result.error_message, result.tests)


def test_host_files_are_unchanged(outcomes, host):
    assert host["canary"].read_text() == host["canary_text"]
    assert stat.S_IMODE(host["canary"].stat().st_mode) == host["canary_mode"]
    assert hashlib.sha256(host["stdlib_os"].read_bytes()).hexdigest() == host["stdlib_os_digest"]
    assert host["stdlib_os"].stat().st_mode == host["stdlib_os_mode"]
    assert host["home_secret"].read_text() == host["secret_text"]
    assert not host["host_tmp_marker"].exists()
    for path in ("/usr/genenvs-pwned", "/genenvs-pwned", "/dev/genenvs-pwned", "/root/genenvs-pwned"):
        assert not Path(path).exists(), path


def test_secrets_do_not_leak_into_output(outcomes, host):
    for name, (result, _) in outcomes.items():
        for text in (result.stdout, result.stderr, result.error_message or "", *(t.actual or "" for t in result.tests)):
            assert host["secret_text"] not in text and host["env_secret"] not in text, name


def test_network_listener_never_saw_a_connection(outcomes, host):
    with pytest.raises(BlockingIOError):
        host["listener"].accept()


def test_parent_and_bystanders_survive(outcomes, host):
    assert os.getpid() == host["test_pid"]
    assert host["bystander"].poll() is None, "a process outside the sandbox was killed"
    os.kill(host["bystander"].pid, 0)
    result, _ = outcomes["kill_everything_visible"]
    assert result.status in ("passed", "runtime_error")  # it may kill itself; never the host


@pytest.mark.parametrize("name", list(FAKERS))
def test_faked_success_is_never_passed(outcomes, name):
    result, _ = outcomes[name]
    assert result.status != "passed", (result.error_type, result.error_message)
    if name in ("print_fake_results", "steal_nonce_and_forge_call_results"):
        assert not any(t.passed for t in result.tests)
    expected = FAKER_STATUS.get(name, {"runtime_error"})
    assert result.status in expected, (result.status, result.error_type, result.error_message)


def test_crash_and_exit_reasons_are_named(outcomes):
    assert outcomes["ctypes_segfault"][0].error_type == "SIGSEGV"
    assert outcomes["deep_recursion"][0].error_type == "RecursionError"
    # CPython 3.11 overflows the C stack (SIGSEGV); 3.12+ has a C recursion limit.
    assert outcomes["c_stack_overflow"][0].error_type in ("SIGSEGV", "RecursionError")
    assert outcomes["sys_exit_at_import"][0].error_type == "SystemExit"
    assert outcomes["os_exit_at_import"][0].error_type == "EarlyExit"
    assert outcomes["kill_self"][0].error_type == "SIGKILL"
    assert outcomes["fork_bomb"][0].error_type == "PermissionError"
    assert outcomes["forge_records_on_every_fd"][0].error_type == "ProtocolError"
    assert outcomes["always_equal_object"][0].tests[0].error_type == "UnserializableResult"
    assert outcomes["always_equal_object"][0].tests[2].error_type == "TypeError"  # the plain-result guard


def test_a_hostile_batch_does_not_disturb_a_clean_one(outcomes):
    # After everything above, the sandbox still works and judges correctly.
    start = time.monotonic()
    results = run_batch(["def add(a, b):\n    return a + b\n"] * 4, [ADD_TESTS + ADD_ASSERT] * 4, timeout=PROBE_TIMEOUT)
    assert [r.status for r in results] == ["passed"] * 4
    assert time.monotonic() - start < PROBE_TIMEOUT


def test_signal_numbers_used_by_the_verdict_exist():
    assert signal.SIGXCPU and signal.SIGKILL and signal.SIGSEGV
