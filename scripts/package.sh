#!/usr/bin/env bash
# Builds kafka-restored for linux-x64 as a self-contained program (the .NET runtime inside, none to
# install; ReadyToRun, so commands start without JIT-compiling the app) and packs it as a .deb:
#   /opt/kafka-restored/              the program (librdkafka, libgit2 and the runtime for linux-x64 glibc only)
#   /usr/bin/kafka-restored           a symlink to it
#   /lib/systemd/system/kafka-restored.service             the unit of systemd/ (not enabled: edit the settings first)
#   /usr/lib/sysusers.d/kafka-restored.conf                the system user kafka-restored
#   /usr/lib/tmpfiles.d/kafka-restored.conf                /etc/kafka-restored{,/credentials,/secrets}, /var/lib/kafka-restored
#   /etc/kafka-restored/kafka-restored.json                the example settings (a conffile: upgrades keep your edits)
#   /usr/share/doc/kafka-restored/examples/                the example config repo, policy and pull request workflow
#   /usr/share/bash-completion/completions/kafka-restored  bash completion
# Usage: scripts/package.sh [--out DIR] [--no-ready-to-run]
# Prints the .deb's path last. Needs the .NET SDK and dpkg-deb (Debian's dpkg).
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts/package
ready_to_run=true
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --no-ready-to-run) ready_to_run=false; shift ;;
    *) echo "package.sh: unknown argument $1 (use --out DIR, --no-ready-to-run)" >&2; exit 2 ;;
  esac
done

publish="$out/publish"
root="$out/root"
rm -rf "$publish" "$root"
mkdir -p "$out"

echo "package: dotnet publish linux-x64, self-contained, ReadyToRun=$ready_to_run"
dotnet publish src/Daemon/Daemon.csproj -c Release -r linux-x64 --self-contained \
  -p:PublishReadyToRun="$ready_to_run" -p:DebugType=none -p:GenerateDocumentationFile=false \
  -o "$publish" -nologo -v quiet
# The musl build of librdkafka cannot load on the glibc systems a .deb installs on (the loader
# tries librdkafka.so, then centos8-librdkafka.so, then this one).
rm -f "$publish/alpine-librdkafka.so"

version=$("$publish/kafka-restored" --version | head -n 1 | awk '{print $2}' | cut -d+ -f1)
echo "package: kafka-restored $version"

install -d "$root/opt" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d" \
  "$root/etc/kafka-restored" "$root/usr/share/doc/kafka-restored/examples" "$root/usr/share/bash-completion/completions" "$root/DEBIAN"
cp -a "$publish" "$root/opt/kafka-restored"
ln -s /opt/kafka-restored/kafka-restored "$root/usr/bin/kafka-restored"
install -m 0644 systemd/kafka-restored.service "$root/lib/systemd/system/kafka-restored.service"
install -m 0640 systemd/kafka-restored.json "$root/etc/kafka-restored/kafka-restored.json"
install -m 0644 scripts/completion/kafka-restored.bash "$root/usr/share/bash-completion/completions/kafka-restored"
cp -a examples/repo "$root/usr/share/doc/kafka-restored/examples/repo"
install -m 0644 examples/kafka-restored.json examples/ci/kafka-restored-pr.yml "$root/usr/share/doc/kafka-restored/examples/"
install -m 0644 README.md "$root/usr/share/doc/kafka-restored/README.md"

cat > "$root/usr/lib/sysusers.d/kafka-restored.conf" <<'EOF'
# The system user the kafka-restored unit runs as (User= in kafka-restored.service).
u kafka-restored - "kafka-restored GitOps reconciler" /var/lib/kafka-restored /usr/sbin/nologin
EOF
cat > "$root/usr/lib/tmpfiles.d/kafka-restored.conf" <<'EOF'
# Settings readable by the service user; credentials and secrets are read by systemd (LoadCredential=) as root.
d /etc/kafka-restored             0750 root           kafka-restored -
d /etc/kafka-restored/credentials 0700 root           root           -
d /etc/kafka-restored/secrets     0700 root           root           -
# State (also made by StateDirectory= at start; here so that `kafka-restored status` works before).
d /var/lib/kafka-restored         0700 kafka-restored kafka-restored -
EOF

echo /etc/kafka-restored/kafka-restored.json > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/control" <<EOF
Package: kafka-restored
Version: $version
Architecture: amd64
Maintainer: kafka-restored maintainers <kafka-restored@example.com>
Section: admin
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libc6 (>= 2.28), libgcc-s1, libstdc++6, zlib1g, libssl3 | libssl3t64, libicu72 | libicu74 | libicu76 | libicu78, passwd
Description: GitOps reconciler for Kafka disaster recovery
 kafka-restored polls a Git repository of KafkaRestore, KafkaOffsetReset and
 KafkaOffsetRollback resources, restores topic data from kafka-backup backups,
 resets consumer-group offsets and commits each resource's status back to Git.
 Self-contained: the .NET runtime is included.
EOF
cat > "$root/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  # systemd-sysusers/-tmpfiles when present (any systemd host), the same by hand otherwise (a container).
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers kafka-restored.conf
  elif ! getent passwd kafka-restored >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/kafka-restored --no-create-home --shell /usr/sbin/nologin \
      --comment "kafka-restored GitOps reconciler" kafka-restored
  fi
  if command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --create kafka-restored.conf
  else
    install -d -m 0750 -o root -g kafka-restored /etc/kafka-restored
    install -d -m 0700 /etc/kafka-restored/credentials /etc/kafka-restored/secrets
    install -d -m 0700 -o kafka-restored -g kafka-restored /var/lib/kafka-restored
  fi
  chgrp kafka-restored /etc/kafka-restored/kafka-restored.json
  chmod 0640 /etc/kafka-restored/kafka-restored.json
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
  echo "kafka-restored: edit /etc/kafka-restored/kafka-restored.json and the unit's LoadCredential= lines, then: systemctl enable --now kafka-restored"
fi
EOF
cat > "$root/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl disable --now kafka-restored.service >/dev/null 2>&1 || true
fi
EOF
cat > "$root/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  # The state store, the clone and the secrets go with a purge; the system user stays (Debian's habit:
  # files it owned elsewhere, such as backups in a folder, keep a known owner).
  rm -rf /var/lib/kafka-restored /etc/kafka-restored
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

deb="$out/kafka-restored_${version}_amd64.deb"
# zstd: seconds where xz takes minutes on two cores, for a few more MB (dpkg reads it from Debian 12 and Ubuntu 22.04 on).
dpkg-deb --root-owner-group -Zzstd -z9 --build "$root" "$deb" >/dev/null
echo "package: $(du -h "$deb" | cut -f1) $deb ($(du -sh "$root/opt/kafka-restored" | cut -f1) installed under /opt/kafka-restored)"
echo "$deb"
