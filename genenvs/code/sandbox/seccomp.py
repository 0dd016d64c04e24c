"""A small seccomp-bpf filter for the sandboxed process, assembled in pure Python.

bubblewrap loads it (``--seccomp FD``) just before it executes the interpreter. It is a
deny list, in the spirit of Docker's default profile but much shorter:

* **no new processes**: ``fork``, ``vfork`` and ``clone`` without ``CLONE_THREAD`` fail
  with EPERM (threads still work); ``clone3`` reports ENOSYS so that glibc falls back to
  ``clone``, whose flags the filter can inspect. This is what stops fork bombs when the
  parent runs as root, where ``RLIMIT_NPROC`` is not enforced (the kernel exempts uid 0);
* **no network sockets**: ``socket()`` is allowed for ``AF_UNIX`` only (the network
  namespace is already empty; this also closes raw/netlink sockets);
* **no kernel attack surface a program never needs**: ptrace, mount API, namespaces,
  keyrings, bpf, perf, userfaultfd, io_uring, module loading, kexec, handle-based opens...;
* **no other ABI**: a syscall made through a different architecture's entry point (i386
  ``int 0x80`` on x86-64, x32) kills the process, so the numbers checked here cannot be
  bypassed.

Only x86-64 and aarch64 are described; on other machines :func:`build_filter` returns
None and the sandbox runs without this layer. Numbers from the kernel's
``arch/x86/entry/syscalls/syscall_64.tbl`` and ``include/uapi/asm-generic/unistd.h``.
"""

from __future__ import annotations

import errno
import platform
import struct

# seccomp return actions (linux/seccomp.h)
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000
# classic BPF opcodes (linux/bpf_common.h)
LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
RET_K = 0x06  # BPF_RET | BPF_K
# offsets in struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6];} (little-endian)
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0_LOW = 0, 4, 16

CLONE_THREAD = 0x00010000
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000

#: Syscalls refused with EPERM (besides the special cases fork/clone/clone3/socket).
DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "fsopen", "fsconfig", "fsmount", "move_mount", "open_tree", "mount_setattr",
    "open_by_handle_at", "name_to_handle_at",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "acct", "swapon", "swapoff", "reboot", "syslog", "quotactl",
)

_GENERIC = {  # asm-generic numbering, used by aarch64
    "clone": 220, "clone3": 435, "socket": 198,
    "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
    "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "unshare": 97, "setns": 268,
    "fsopen": 430, "fsconfig": 431, "fsmount": 432, "move_mount": 429, "open_tree": 428, "mount_setattr": 442,
    "open_by_handle_at": 265, "name_to_handle_at": 264,
    "keyctl": 219, "add_key": 217, "request_key": 218,
    "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "init_module": 105, "finit_module": 273, "delete_module": 106, "kexec_load": 104, "kexec_file_load": 294,
    "acct": 89, "swapon": 224, "swapoff": 225, "reboot": 142, "syslog": 116, "quotactl": 60,
}
_X86_64 = {
    "fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "socket": 41,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
    "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "unshare": 272, "setns": 308,
    "fsopen": 430, "fsconfig": 431, "fsmount": 432, "move_mount": 429, "open_tree": 428, "mount_setattr": 442,
    "open_by_handle_at": 304, "name_to_handle_at": 303,
    "keyctl": 250, "add_key": 248, "request_key": 249,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "init_module": 175, "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320,
    "acct": 163, "swapon": 167, "swapoff": 168, "reboot": 169, "syslog": 103, "quotactl": 179,
}
#: machine name -> (AUDIT_ARCH_* value, syscall numbers)
ARCHITECTURES = {
    "x86_64": (0xC000003E, _X86_64),
    "aarch64": (0xC00000B7, _GENERIC),
}


class _Program:
    """A tiny assembler: instructions with symbolic jump targets, resolved on :meth:`encode`."""

    def __init__(self) -> None:
        self.code: list[tuple[int, int, str | None, str | None]] = []
        self.labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def load(self, offset: int) -> None:
        self.code.append((LD_W_ABS, offset, None, None))

    def jump(self, op: int, k: int, if_true: str | None, if_false: str | None = None) -> None:
        """Jump to label ``if_true``/``if_false`` (None: fall through to the next instruction)."""
        self.code.append((op, k, if_true, if_false))

    def ret(self, action: int) -> None:
        self.code.append((RET_K, action, None, None))

    def encode(self) -> bytes:
        out = bytearray()
        for index, (op, k, if_true, if_false) in enumerate(self.code):
            offsets = [0 if t is None else self.labels[t] - index - 1 for t in (if_true, if_false)]
            if not all(0 <= o <= 255 for o in offsets):
                raise ValueError("seccomp jump out of range; the filter has grown too long")
            out += struct.pack("<HBBI", op, offsets[0], offsets[1], k)  # struct sock_filter
        return bytes(out)


def build_filter(machine: str | None = None) -> bytes | None:
    """The filter as bytes for ``bwrap --seccomp``, or None if ``machine`` is not supported."""
    machine = machine or platform.machine()
    if machine not in ARCHITECTURES:
        return None
    audit_arch, numbers = ARCHITECTURES[machine]
    p = _Program()
    p.load(OFFSET_ARCH)
    p.jump(JEQ_K, audit_arch, None, "kill")
    p.load(OFFSET_NR)
    if machine == "x86_64":
        p.jump(JGE_K, X32_SYSCALL_BIT, "kill")
    for name in ("fork", "vfork"):
        if name in numbers:
            p.jump(JEQ_K, numbers[name], "eperm")
    for name in DENIED:
        p.jump(JEQ_K, numbers[name], "eperm")
    p.jump(JEQ_K, numbers["clone3"], "enosys")
    p.jump(JEQ_K, numbers["clone"], "check_clone")
    p.jump(JEQ_K, numbers["socket"], "check_socket")
    p.ret(RET_ALLOW)
    p.label("check_clone")  # only threads may be created
    p.load(OFFSET_ARG0_LOW)
    p.jump(JSET_K, CLONE_THREAD, "allow", "eperm")
    p.label("check_socket")  # only local sockets
    p.load(OFFSET_ARG0_LOW)
    p.jump(JEQ_K, AF_UNIX, "allow", "eperm")
    p.label("allow")
    p.ret(RET_ALLOW)
    p.label("eperm")
    p.ret(RET_ERRNO | errno.EPERM)
    p.label("enosys")
    p.ret(RET_ERRNO | errno.ENOSYS)
    p.label("kill")
    p.ret(RET_KILL_PROCESS)
    return p.encode()
