"""How the child process is started: under bubblewrap, or (only when asked) without it.

A :class:`Launcher` turns "run the harness with these arguments" into the argv of the
child. :class:`BubblewrapLauncher` is the isolation layer; :class:`DirectLauncher` is the
explicit, loudly-warned opt-out. :func:`probe_bubblewrap` checks, once per process, that
bubblewrap really works on this machine.
"""

from __future__ import annotations

import abc
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from genenvs.code.sandbox.seccomp import build_filter
from genenvs.core.errors import GenEnvsError

#: The interpreter the child runs: this one, resolved past venv symlinks, so that only
#: its installation prefix (not the venv, not the project) has to be visible inside.
PYTHON = os.path.realpath(sys.executable)
#: ``-I`` isolated mode (no user site, no PYTHON* variables, no cwd on sys.path),
#: ``-S`` no ``site`` (faster start, no site-packages), ``-B`` no .pyc writes,
#: ``-X utf8`` the same text encoding everywhere.
PYTHON_FLAGS = ("-I", "-S", "-B", "-X", "utf8")
HARNESS_PATH = Path(__file__).with_name("harness.py")
#: The harness, compiled once here and shipped to every child (marshal) with its job.
HARNESS_CODE = compile(HARNESS_PATH.read_text(encoding="utf-8"), str(HARNESS_PATH), "exec")
#: What ``python -c`` runs in the child: load the harness and the job from stdin, run it.
BOOTSTRAP = (
    "import marshal, posix, sys\n"
    "code, job = marshal.loads(b''.join(iter(lambda: posix.read(0, 1 << 16), b'')))\n"
    "harness = {'__name__': 'genenvs_sandbox_harness', '__builtins__': __builtins__}\n"
    "exec(code, harness)\n"
    "harness['main'](sys.argv, job)\n"
)
#: The only environment variables the child sees.
CHILD_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}
#: uid/gid inside the sandbox ("nobody"); the program has no capabilities either way.
SANDBOX_ID = "65534"
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`, or run "
    "scripts/install_system_deps.sh; Fedora: `dnf install bubblewrap`)"
)


class SandboxUnavailableError(GenEnvsError, RuntimeError):
    """bubblewrap is missing or cannot create namespaces here, so untrusted code will not run."""


class Launcher(abc.ABC):
    """Builds the argv of one run; the caller passes the result and seccomp pipes to the child."""

    sandboxed: bool

    @abc.abstractmethod
    def command(self, harness_args: list[str], seccomp_fd: int | None) -> list[str]:
        """The child's argv; ``seccomp_fd`` (if any) holds the filter for bubblewrap to load."""

    def needs_workdir(self) -> bool:
        """Whether the parent must create a host directory for the run (no tmpfs available)."""
        return False


class BubblewrapLauncher(Launcher):
    """Every run in fresh namespaces with a read-only view of the interpreter and nothing else.

    Flags (bubblewrap >= 0.8):

    * ``--unshare-all --unshare-user --disable-userns``: new user, mount, pid, network,
      ipc, uts and cgroup namespaces; the program cannot create further user namespaces.
      ``--uid/--gid 65534`` and ``--cap-drop ALL``: no capabilities, even when the parent
      is root (bubblewrap keeps root's capabilities unless told otherwise).
    * a tmpfs root holding only read-only binds of ``/usr`` (and the ``/bin``, ``/lib*``
      symlinks or directories) and of the Python installation prefix; ``/proc`` of the
      new pid namespace; a minimal ``/dev``; a size-capped tmpfs ``/tmp`` as work dir;
      then ``/`` and ``/dev`` are remounted read-only so that the only writable place is
      the capped ``/tmp``. ``/home``, ``/root``, ``/etc``, the project and the host's
      ``/tmp`` are simply absent.
    * ``--clearenv`` plus three variables; ``--new-session`` (no terminal injection);
      ``--die-with-parent`` (nothing survives the parent); ``--seccomp`` (see seccomp.py).
    """

    sandboxed = True

    def __init__(self, bwrap: str = "bwrap", tmpfs_bytes: int = 64 << 20) -> None:
        self.bwrap = shutil.which(bwrap) or bwrap
        self.tmpfs_bytes = tmpfs_bytes
        self._prefix = self._base_arguments()

    def _base_arguments(self) -> list[str]:
        args = [
            self.bwrap,
            "--unshare-all", "--unshare-user", "--disable-userns",
            "--uid", SANDBOX_ID, "--gid", SANDBOX_ID, "--cap-drop", "ALL",
            "--hostname", "sandbox", "--new-session", "--die-with-parent",
            "--ro-bind", "/usr", "/usr",
        ]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = "/" + name
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        for root in python_roots():
            args += ["--ro-bind", root, root]
        args += [
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", str(self.tmpfs_bytes), "--tmpfs", "/tmp",
            "--remount-ro", "/dev",
            "--remount-ro", "/",
            "--chdir", "/tmp",
            "--clearenv",
        ]
        for key, value in CHILD_ENV.items():
            args += ["--setenv", key, value]
        return args

    def command(self, harness_args: list[str], seccomp_fd: int | None) -> list[str]:
        seccomp = ["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []
        return [*self._prefix, *seccomp, "--", PYTHON, *PYTHON_FLAGS, "-c", BOOTSTRAP, *harness_args]


class DirectLauncher(Launcher):
    """No isolation: a plain child process with rlimits, its own session and a clean env.

    The program can read and write whatever the parent's user can. Used only with
    ``allow_unsandboxed=True`` (tests on machines without bubblewrap, and the overhead
    benchmark).
    """

    sandboxed = False

    def needs_workdir(self) -> bool:
        return True

    def command(self, harness_args: list[str], seccomp_fd: int | None) -> list[str]:
        return [PYTHON, *PYTHON_FLAGS, "-c", BOOTSTRAP, *harness_args]


def python_roots() -> list[str]:
    """Directories the interpreter needs that ``/usr`` does not already provide.

    The installation prefix (stdlib, and libpython for shared builds); for a pyenv or
    conda interpreter this is one directory, bound read-only and alone: its parents
    (e.g. ``/root``) stay invisible.
    """
    candidates = {
        os.path.realpath(sys.base_prefix),
        os.path.dirname(os.path.dirname(PYTHON)),
        os.path.realpath(sysconfig.get_config_var("LIBDIR") or sys.base_prefix),
    }
    roots: list[str] = []
    for path in sorted(candidates, key=len):
        inside_usr = path == "/usr" or path.startswith("/usr/")
        if not inside_usr and not any(path == r or path.startswith(r + "/") for r in roots):
            roots.append(path)
    return roots


@functools.cache
def probe_bubblewrap(bwrap: str = "bwrap") -> BubblewrapLauncher:
    """A working :class:`BubblewrapLauncher`, or :class:`SandboxUnavailableError` saying why not.

    Runs the interpreter once with the full flag set (cached per process), because
    bubblewrap can be installed yet unusable: user namespaces disabled by sysctl or by
    AppArmor (Ubuntu 24.04 restricts unprivileged ones), seccomp unavailable, an old version.
    """
    if shutil.which(bwrap) is None:
        raise SandboxUnavailableError(
            f"bubblewrap ({bwrap}) is not installed, so untrusted programs cannot be isolated; {INSTALL_HINT}. "
            "To run without isolation anyway (trusted code only), pass allow_unsandboxed=True."
        )
    launcher = BubblewrapLauncher(bwrap)
    seccomp = build_filter()
    read_end = None
    try:
        pass_fds: tuple[int, ...] = ()
        if seccomp is not None:
            read_end, write_end = os.pipe()
            os.write(write_end, seccomp)
            os.close(write_end)
            pass_fds = (read_end,)
        argv = launcher.command([], read_end)
        argv = argv[: argv.index("-c")] + ["-c", "import os; os.listdir('/tmp')"]
        proc = subprocess.run(argv, pass_fds=pass_fds, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailableError(f"bubblewrap could not be started: {exc}; {INSTALL_HINT}") from exc
    finally:
        if read_end is not None:
            os.close(read_end)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()
        raise SandboxUnavailableError(
            f"bubblewrap is installed but cannot create a sandbox here ({detail or f'exit status {proc.returncode}'}). "
            "It needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 "
            "also kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap) and "
            "bubblewrap >= 0.8. Pass allow_unsandboxed=True to run without isolation (trusted code only)."
        )
    return launcher


def make_workdir() -> tempfile.TemporaryDirectory:
    """A private host directory for an unsandboxed run (removed afterwards)."""
    return tempfile.TemporaryDirectory(prefix="genenvs-run-")
