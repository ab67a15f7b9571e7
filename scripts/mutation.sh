#!/usr/bin/env bash
# Mutation testing with Stryker.NET (the local tool in dotnet-tools.json) over the modules where a
# flipped condition loses data or leaks: the webhook signature check and its endpoint, the secret-file
# store, the host policy, restore selection and resume (PITR included), offset computation, and status
# publishing and push. Each module runs only the test classes that cover it, so a run takes minutes, not
# the whole suite. Reports (HTML, JSON) go to artifacts/mutation/<module>/. Tests that run the daemon as a
# child process are left out of every filter: the child runs the normal build, never Stryker's mutants.
# Usage: scripts/mutation.sh [webhook|secrets|policy|selection|offsets|status|all]...   (default: webhook secrets).
# Not part of .ci/run; docs/TESTING.md says how long each takes.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null

modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(webhook secrets)
[ "${modules[*]}" != all ] || modules=(webhook secrets policy selection offsets status)

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
    selection) run selection tests/Restore.Tests/Restore.Tests.csproj Restore.csproj \
               "FullyQualifiedName~RestoreSelectionTests|FullyQualifiedName~RestoreEngineTests|FullyQualifiedName~RestoreResilienceTests|FullyQualifiedName~ProducerRestartTests|FullyQualifiedName~RestorePreflightTests|FullyQualifiedName~RestoreDeadlineTests|FullyQualifiedName~RestorePlannerTests|FullyQualifiedName~CheckpointWriterTests|FullyQualifiedName~OverlappingSegmentsTests|FullyQualifiedName~BigSegmentTests" \
               "**/Engine/RestorePlanner.cs" "**/Engine/PartitionWorker.cs" "**/Engine/PartitionState.cs" "**/Engine/CheckpointWriter.cs" ;;
    offsets) run offsets tests/Restore.Tests/Restore.Tests.csproj Restore.csproj \
               "FullyQualifiedName~OffsetResetterTests|FullyQualifiedName~HeaderBasedResetTests|FullyQualifiedName~ResetVerificationTests|FullyQualifiedName~RestoreThenResetTests|FullyQualifiedName~Restore.Tests.Provenance" \
               "**/Offsets/OffsetResetter.cs" "**/Offsets/RestoreOffsets.cs" "**/Provenance/PartitionOffsetMap.cs" "**/Provenance/OriginalOffsetHeaders.cs" ;;
    status) run status tests/Reconciler.Tests/Reconciler.Tests.csproj Reconciler.csproj \
               "FullyQualifiedName~Reconciler.Tests.Status|FullyQualifiedName~Reconciler.Tests.Git" \
               "**/Status/StatusPublisher.cs" "**/Status/PublishPolicy.cs" "**/Git/GitWriter.cs" ;;
    *) echo "unknown module '$module' (webhook, secrets, policy, selection, offsets, status, all)" >&2; exit 2 ;;
  esac
done
