#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK on Debian (kcat, stunnel4, openssl, git,
# lighttpd and openssh for the Git server tests, node and npm, python3 for .ci/run's count (Debian's, with
# zstandard and lz4, for the tests' own backup reader),
# prometheus-alertmanager for the notification tests, chromium for the status page's browser tests), only
# what is missing. apt-get runs directly as root and
# through sudo otherwise, so the README's test command works for root on a machine without sudo
# and for a normal user alike.
set -euo pipefail

need_apt=()
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
command -v stunnel4 >/dev/null 2>&1 || command -v stunnel >/dev/null 2>&1 || need_apt+=(stunnel4)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v git >/dev/null 2>&1 || need_apt+=(git)
# Real Git servers on loopback for the HTTPS and SSH transport tests; servers live in sbin, often not on a user's PATH.
sbin=${TEST_TOOLS_SBIN:-/usr/sbin:/sbin}
has_server() { command -v "$1" >/dev/null 2>&1 || PATH="$sbin" command -v "$1" >/dev/null 2>&1; }
has_server lighttpd || need_apt+=(lighttpd)
has_server sshd || need_apt+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need_apt+=(openssh-client)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
# Debian's python3 (not a pyenv or venv one ahead on PATH) runs the tests' own backup reader
# (tests/TestSupport/python/kbak_decode.py) with its zstandard and lz4 modules.
test_python=${TEST_TOOLS_PYTHON:-/usr/bin/python3}
"$test_python" -c "import zstandard, lz4.block" >/dev/null 2>&1 || need_apt+=(python3-zstandard python3-lz4)
# The .deb check of .ci/run (scripts/package-check.sh): dpkg-deb builds it, systemd-analyze verifies its unit, unshare hides the SDK.
command -v dpkg-deb >/dev/null 2>&1 || need_apt+=(dpkg)
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
# A real Alertmanager on loopback for the notification tests.
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
# Debian's Chromium for the status page's browser tests (driven by playwright-core from package.json).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -eq 0 ]; then
  echo "test tools: all present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "test tools: ${need_apt[*]} missing, and installing them needs root: run this as root, or install sudo" >&2
  exit 1
fi
echo "test tools: installing ${need_apt[*]}${as_root[*]:+ (through sudo)}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
