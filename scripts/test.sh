#!/usr/bin/env bash
# The whole test suite: builds the solution, then runs every test project against real
# services (hosted mock Kafka broker, s3rver, bare Git repos, kcat). Results land as TRX files
# in artifacts/test-results. Needs `npm ci` once for s3rver and kcat on PATH (.ci/run does both).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/test-results
dotnet build Daemon.sln -c Release -warnaserror -nologo -v quiet
dotnet test Daemon.sln -c Release --no-build --nologo \
  --logger "trx" --results-directory artifacts/test-results \
  --logger "console;verbosity=normal" "$@"
