#!/usr/bin/env bash
# Mutation testing with Stryker.NET (the local tool in dotnet-tools.json) over the modules where a
# flipped condition leaks or lets a forged request in: the webhook signature check and its endpoint,
# and the secret-file store. Each module runs only the test classes that cover it, so a run takes
# minutes, not the whole suite. Reports (HTML, JSON) go to artifacts/mutation/<module>/.
# Usage: scripts/mutation.sh [webhook|secrets|policy]...   (default: webhook secrets). Not part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null

modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(webhook secrets)

run() {
  local name=$1 test_project=$2 project=$3 filter=$4
  shift 4
  local mutate=()
  for m in "$@"; do mutate+=(--mutate "$m"); done
  local out="$PWD/artifacts/mutation/$name"
  mkdir -p "$out"
  echo "mutation: $name ($project, tests: $filter)"
  (cd "$(dirname "$test_project")" && dotnet stryker --project "$project" --test-case-filter "$filter" "${mutate[@]}" \
     --concurrency "${STRYKER_CONCURRENCY:-2}" --reporter ClearText --reporter Html --reporter Json --output "$out")
}

for module in "${modules[@]}"; do
  case "$module" in
    webhook) run webhook tests/Daemon.Tests/Daemon.Tests.csproj Daemon.csproj "FullyQualifiedName~HttpEndpointTests" \
               "**/Http/WebhookSignature.cs" "**/Http/HttpEndpointService.cs" ;;
    secrets) run secrets tests/Restore.Tests/Restore.Tests.csproj Restore.csproj "FullyQualifiedName~SecretStoreTests" \
               "**/Secrets/SecretStore.cs" ;;
    policy) run policy tests/Restore.Tests/Restore.Tests.csproj Restore.csproj "FullyQualifiedName~Restore.Tests.Resources" \
               "**/Resources/Policy/PolicyEvaluator.cs" "**/Resources/Policy/PolicyPattern.cs" ;;
    *) echo "unknown module '$module' (webhook, secrets, policy)" >&2; exit 2 ;;
  esac
done
