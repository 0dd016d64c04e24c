"""The half of the sandbox that runs *inside* the child process, next to the untrusted program.

The child is ``python -I -S -B -X utf8 -c BOOTSTRAP RESULT_FD LIMITS...`` (under
bubblewrap, or bare when sandboxing is explicitly waived). ``BOOTSTRAP`` (launch.py)
reads one ``marshal`` blob from stdin: this module's code object, compiled once by the
parent, and the job (a per-run nonce, the program, the tests); it executes this module
and calls :func:`main`. Shipping compiled code saves the child a few milliseconds per run,
as does avoiding ``os``, ``json``, ``signal`` and ``types`` (``posix`` and ``_signal``
are built in; the others would import ``re`` or ``enum``). For the same reason this file
is self-contained: standard library only, no ``genenvs`` import (the package is not even
mounted in the sandbox).

What :func:`main` does, in order:

1. lowers its resource limits (address space, CPU seconds, processes, file size, open
   files, core dumps) before any untrusted code runs, so the program inherits them and,
   holding no capability, cannot raise them again;
2. points stdin at ``/dev/null``;
3. compiles the program, executes it as module ``solution``, runs the tests in order;
4. reports each step on the result pipe (``RESULT_FD``, created by the parent), one
   JSON record per line, prefixed with the nonce: ``<nonce> <json array>``::

       ["compiled"] | ["compile_error", error]
       ["loaded"]   | ["load_error", error]
       ["test", i, outcome]            # i = 0, 1, ..., in order
       ["done"]

   where ``error = {"type", "message", "line"}`` and ``outcome`` is ``{"value": v}`` for a
   call test (``v`` in the tagged encoding of :func:`encode`), ``{"ok": bool, ...}`` for
   an assertion test, or ``{"error": error}``.

The harness is *not* a security boundary: the program runs in the same interpreter and
can reach anything here. For call tests that does not matter, because the parent compares
the returned values with expected values that never enter this process. For assertion
tests the verdict is computed here, so the parent's checks on this stream (nonce, order,
completeness, exit status) and the hardening below only raise the bar; see
``docs/sandbox.md``.
"""

import _signal  # the C module behind ``signal``
import builtins
import posix  # the C module behind ``os``
import resource
import sys

# Every function below resolves builtins through this private copy, taken before the program
# runs: CPython binds a function's builtins when the function is created, so a program that
# patches the ``builtins`` module (``builtins.type = ...``) changes nothing here.
PRISTINE_BUILTINS = dict(builtins.__dict__)
__builtins__ = PRISTINE_BUILTINS


def quote_python(text):
    """``text`` as an ASCII JSON string literal (pure Python; see :data:`quote`)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:  # outside the BMP: a UTF-16 surrogate pair, as JSON requires
            code -= 0x10000
            out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
    out.append('"')
    return "".join(out)


try:  # the C accelerator of ``json``, a small extension module without imports of its own
    from _json import encode_basestring_ascii as quote
except ImportError:
    quote = quote_python

#: Containers nested deeper than this are refused (the parent decodes with the same bound).
MAX_DEPTH = 100
#: Longest exception message reported, in characters.
MAX_MESSAGE = 2000
FunctionType = type(lambda: None)
ModuleType = type(sys)


def encode(value, depth=0):
    """``value`` as JSON-ready data that keeps Python types apart (tuple vs list, int keys...).

    Only *exact* builtin types are accepted: a subclass of ``int`` or ``list`` could carry
    an ``__eq__`` that always answers True, so it is refused with :class:`TypeError`.
    Scalars stay scalars; containers and bytes become one-key dicts such as
    ``{"tuple": [...]}`` or ``{"dict": [[key, value], ...]}``.
    """
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is float or kind is str:
        return value
    if depth >= MAX_DEPTH:
        raise ValueError(f"result is nested more than {MAX_DEPTH} levels deep")
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        return {kind.__name__: [encode(item, depth + 1) for item in value]}
    if kind is dict:
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind is bytes:
        return {"bytes": value.hex()}
    if kind is complex:
        return {"complex": [value.real, value.imag]}
    raise TypeError(f"a {kind.__name__} is not plain data (use None, bool, int, float, str, "
                    "bytes, complex, list, tuple, set, frozenset or dict)")


_FLOAT_WORDS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def to_json(data):
    """JSON text of data built by :func:`encode` and the record builders (no ``json`` import)."""
    kind = type(data)
    if data is None:
        return "null"
    if kind is bool:
        return "true" if data else "false"
    if kind is int:
        return int.__repr__(data)  # ValueError past 4300 digits, like json.dumps
    if kind is float:
        text = float.__repr__(data)
        return _FLOAT_WORDS.get(text, text)
    if kind is str:
        return quote(data)
    if kind is list:
        return "[" + ",".join([to_json(item) for item in data]) + "]"
    if kind is dict:
        return "{" + ",".join([quote(k) + ":" + to_json(v) for k, v in data.items()]) + "}"
    raise TypeError(f"cannot serialise {kind.__name__}")


def describe(exc, filename="<program>"):
    """Type name, message and (when known) the line in ``filename`` of an exception, never raising."""
    try:
        name = type(exc).__name__
        if type(name) is not str:
            name = "<unnamed>"
    except BaseException:
        name = "<unnamed>"
    try:
        message = str(exc)[:MAX_MESSAGE]
        if type(message) is not str:
            message = ""
    except BaseException:
        message = "<message unavailable>"
    line = None
    try:
        if isinstance(exc, SyntaxError) and filename == "<program>":
            line = exc.lineno
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
    except BaseException:
        pass
    return {"type": name, "message": message, "line": line if type(line) is int else None}


def apply_limits(memory_bytes, cpu_seconds, max_processes, max_file_bytes, max_open_files):
    """Lower soft and hard limits together (never above an existing hard limit).

    Past RLIMIT_CPU the kernel sends SIGXCPU (then SIGKILL one second later), which ends
    the process; the parent reads it from the exit status. Writing past RLIMIT_FSIZE is
    made an ordinary ``OSError`` (EFBIG) instead of a fatal SIGXFSZ.
    """
    wanted = [
        (resource.RLIMIT_AS, memory_bytes, memory_bytes),
        (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1),
        (resource.RLIMIT_NPROC, max_processes, max_processes),
        (resource.RLIMIT_FSIZE, max_file_bytes, max_file_bytes),
        (resource.RLIMIT_NOFILE, max_open_files, max_open_files),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    for limit, soft, hard in wanted:
        _, current_hard = resource.getrlimit(limit)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(limit, (soft, hard))
    _signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)


def make_emitter(fd, nonce, write=posix.write):
    """A function writing one framed record to ``fd``; ``write`` and the serialiser are bound
    now, so a program that later replaces ``os.write`` does not change them."""
    prefix = nonce.encode("ascii") + b" "

    def emit(record, to_json=to_json):
        data = memoryview(prefix + to_json(record).encode("ascii") + b"\n")
        while data:
            data = data[write(fd, data):]

    return emit


def guard_plain_results(function):
    """Wrap ``function`` so that a non-plain return value (e.g. an always-equal object) raises."""
    def guarded(*args, **kwargs):
        result = function(*args, **kwargs)
        encode(result)
        return result
    return guarded


def run_call_test(code, namespace):
    try:
        value = eval(code, namespace)
    except BaseException as exc:
        return {"error": describe(exc)}
    try:
        return {"value": encode(value)}
    except BaseException as exc:
        return {"error": {"type": "UnserializableResult", "message": describe(exc)["message"], "line": None}}


def run_assert_test(code, test, module):
    """Run trusted assertion code next to the program, with builtins the program has not touched."""
    namespace = dict(module.__dict__)
    namespace["__builtins__"] = dict(PRISTINE_BUILTINS)
    if test["require_plain_results"]:
        for name, obj in list(namespace.items()):
            if type(obj) is FunctionType and obj.__module__ == "solution":
                namespace[name] = guard_plain_results(obj)
    try:
        exec(code, namespace)
        entry_point = test["entry_point"]
        if entry_point is not None:
            if entry_point not in namespace:
                raise NameError(f"the program does not define {entry_point!r}")
            namespace["check"](namespace[entry_point])
    except AssertionError as exc:
        failure = describe(exc, "<test>")
        where = f" (line {failure['line']} of the test code)" if failure["line"] else ""
        return {"ok": False, "message": (failure["message"] or "assertion failed") + where}
    except BaseException as exc:
        return {"error": describe(exc)}
    return {"ok": True}


def main(argv, job):
    """Run ``job`` (from the parent); ``argv`` is ``[_, RESULT_FD, *LIMITS]``."""
    result_fd = int(argv[1])
    apply_limits(*(int(arg) for arg in argv[2:7]))
    devnull = posix.open("/dev/null", posix.O_RDONLY)
    posix.dup2(devnull, 0)
    posix.close(devnull)

    emit = make_emitter(result_fd, job.pop("nonce"))
    exit_now = posix._exit
    tests = job["tests"]
    # Test code is trusted: compile it before the program can touch ``compile``.
    codes = [
        compile(t["call"], f"<test {i}>", "eval") if t["kind"] == "call" else compile(t["code"], "<test>", "exec")
        for i, t in enumerate(tests)
    ]

    try:
        program = compile(job.pop("program"), "<program>", "exec", dont_inherit=True)
    except BaseException as exc:
        emit(["compile_error", describe(exc)])
        exit_now(0)
    emit(["compiled"])

    module = ModuleType("solution")
    module.__dict__["__builtins__"] = builtins
    sys.modules["solution"] = module
    sys.argv = ["solution"]
    del sys.modules["__main__"]  # the bootstrap, whose globals hold this harness and the job
    try:
        exec(program, module.__dict__)
    except BaseException as exc:
        emit(["load_error", describe(exc)])
        exit_now(0)
    emit(["loaded"])

    for index, (test, code) in enumerate(zip(tests, codes)):
        if test["kind"] == "call":
            outcome = run_call_test(code, module.__dict__)
        else:
            outcome = run_assert_test(code, test, module)
        try:
            emit(["test", index, outcome])
        except BaseException as exc:  # e.g. an int too long for JSON, or no memory left
            error = describe(exc)
            if error["type"] != "MemoryError":
                error["type"] = "UnserializableResult"
            emit(["test", index, {"error": error}])

    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass
    emit(["done"])
    exit_now(0)  # skip atexit handlers and finalizers the program may have registered

