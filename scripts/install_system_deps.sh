#!/usr/bin/env sh
# System packages genenvs needs beyond pip: bubblewrap (bwrap), the isolation layer of
# genenvs.code.sandbox (see docs/sandbox.md). Idempotent: installs only what is missing,
# so `make setup` and CI can call it on every run. Debian/Ubuntu (apt-get); elsewhere it
# says what to install. Needs root (or sudo) only when something is actually missing.
# Finally checks that bwrap can create the namespaces the sandbox uses.
set -eu

check_bwrap() {
    if error=$(bwrap --unshare-all --unshare-user --disable-userns --cap-drop ALL \
            --ro-bind / / --proc /proc --dev /dev true 2>&1); then
        echo "bubblewrap works: $(bwrap --version)"
        return 0
    fi
    echo "bubblewrap is installed but cannot create a sandbox here: $error" >&2
    echo "It needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on" >&2
    echo "Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0) and bubblewrap >= 0.8." >&2
    return 1
}

if command -v bwrap >/dev/null 2>&1; then
    check_bwrap
    exit $?
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "bubblewrap (bwrap) is missing and apt-get is not available;" >&2
    echo "install it with your package manager (e.g. 'dnf install bubblewrap', 'pacman -S bubblewrap')." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "installing bubblewrap needs root: run 'apt-get install -y bubblewrap' as root" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends bubblewrap
check_bwrap
