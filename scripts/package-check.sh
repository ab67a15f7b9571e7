#!/usr/bin/env bash
# The .deb checked as an operator would use it, on this machine, as root (CI runs it after the tests):
# build it (scripts/package.sh), dpkg -i, run the installed kafka-restored --version and validate
# with no .NET anywhere it could find (the SDK folder hidden in a private mount namespace, a clean
# environment with PATH=/usr/bin:/bin), systemd-analyze verify on the installed unit, then dpkg -r
# and dpkg --purge, and check nothing of the package is left. Exit 0 when every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/package}

if [ "$(id -u)" -ne 0 ]; then
  echo "package-check: needs root (dpkg -i); run it as root or through sudo" >&2
  exit 2
fi
if dpkg -s kafka-restored >/dev/null 2>&1; then
  echo "package-check: kafka-restored is installed on this machine already; not touching it" >&2
  exit 2
fi

deb=$(bash scripts/package.sh --out "$out" | tee /dev/stderr | tail -n 1)
echo "package-check: dpkg -i $deb"
dpkg -i "$deb"

fail() {
  echo "package-check: FAILED: $*" >&2
  dpkg --purge kafka-restored >/dev/null 2>&1 || true
  exit 1
}

example=/usr/share/doc/kafka-restored/examples/repo/restores/simple-restore.yaml
# What an operator runs, with nothing of .NET reachable: the SDK's folder is covered by an empty one
# in a mount namespace of this command only, and the environment holds only PATH.
hidden=$(mktemp -d)
dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet || echo /usr/share/dotnet/dotnet)")")
if unshare --mount true 2>/dev/null; then
  run_without_dotnet() {
    unshare --mount sh -c 'mount --bind "$1" "$2" && shift 2 && exec env -i PATH=/usr/bin:/bin "$@"' _ "$hidden" "$dotnet_dir" "$@"
  }
  if ! run_without_dotnet sh -c '! command -v dotnet >/dev/null'; then
    fail "dotnet is still reachable in the check's namespace, so the check would prove nothing"
  fi
else
  # A sandbox that refuses mount namespaces: the SDK cannot be hidden, so check instead that the package
  # carries its own runtime (a self-contained build never looks for dotnet) and run it with a bare environment.
  echo "package-check: unshare --mount is not permitted here: the SDK stays visible; checking the package's own runtime instead"
  [ -e /opt/kafka-restored/libcoreclr.so ] || fail "no libcoreclr.so under /opt/kafka-restored: the package is not self-contained"
  run_without_dotnet() { env -i PATH=/usr/bin:/bin DOTNET_ROOT=/nonexistent "$@"; }
fi
version=$(run_without_dotnet /usr/bin/kafka-restored --version) || fail "kafka-restored --version"
echo "$version"
case "$version" in
  *"librdkafka "*"/opt/kafka-restored/"*) ;;
  *) fail "--version does not name the librdkafka under /opt/kafka-restored: $version" ;;
esac
run_without_dotnet /usr/bin/kafka-restored validate "$example" || fail "kafka-restored validate $example"
# Positive control: validate does fail on a bad file in the same conditions.
bad=$(mktemp --suffix=.yaml)
printf 'apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: x}\nspec: {surprise: 1}\n' > "$bad"
if run_without_dotnet /usr/bin/kafka-restored validate "$bad" >/dev/null; then fail "validate accepted a bad file"; fi
start=$(date +%s%N)
run_without_dotnet /usr/bin/kafka-restored validate "$example" >/dev/null
echo "package-check: validate of one file took $(( ($(date +%s%N) - start) / 1000000 )) ms (installed, ReadyToRun)"

getent passwd kafka-restored >/dev/null || fail "no user kafka-restored after install"
[ "$(stat -c '%U:%G %a' /var/lib/kafka-restored)" = "kafka-restored:kafka-restored 700" ] || fail "/var/lib/kafka-restored: $(stat -c '%U:%G %a' /var/lib/kafka-restored)"
[ "$(stat -c '%G %a' /etc/kafka-restored/kafka-restored.json)" = "kafka-restored 640" ] || fail "/etc/kafka-restored/kafka-restored.json: $(stat -c '%G %a' /etc/kafka-restored/kafka-restored.json)"
[ -r /usr/share/bash-completion/completions/kafka-restored ] || fail "no bash completion"

if command -v systemd-analyze >/dev/null 2>&1; then
  # The unit's LoadCredential= examples name files an operator creates; verify checks the unit, not them.
  systemd-analyze verify /lib/systemd/system/kafka-restored.service || fail "systemd-analyze verify kafka-restored.service"
  echo "package-check: systemd-analyze verify: OK"
else
  fail "systemd-analyze is missing (scripts/install-test-tools.sh installs systemd)"
fi

echo "package-check: dpkg -r"
dpkg -r kafka-restored
[ ! -e /opt/kafka-restored ] && [ ! -L /usr/bin/kafka-restored ] && [ ! -e /lib/systemd/system/kafka-restored.service ] \
  || fail "files left after dpkg -r: $(ls -d /opt/kafka-restored /usr/bin/kafka-restored /lib/systemd/system/kafka-restored.service 2>/dev/null)"
[ -e /etc/kafka-restored/kafka-restored.json ] || fail "dpkg -r removed the settings (a conffile stays until purge)"
echo "package-check: dpkg --purge"
dpkg --purge kafka-restored
[ ! -e /etc/kafka-restored ] && [ ! -e /var/lib/kafka-restored ] || fail "left after purge: $(ls -d /etc/kafka-restored /var/lib/kafka-restored 2>/dev/null)"
dpkg -s kafka-restored >/dev/null 2>&1 && fail "dpkg still knows kafka-restored after purge"
rm -rf "$hidden" "$bad"
echo "package-check: OK ($(du -h "$deb" | cut -f1) $(basename "$deb"))"
