#!/usr/bin/env bash
# Runs a scenario on a published older openraft: scripts/openraft-old-version.sh VERSION [FILE]
#
#   scripts/openraft-old-version.sh 0.10.0-alpha.24   # openraft #1802: fails (durability-hazard)
#   scripts/openraft-old-version.sh 0.10.0-alpha.25   # the release that fixed it: passes
#
# Cargo cannot hold two 0.10 alphas of one crate in one build (they are semver-compatible
# to it, so it unifies them), so the older version is built apart: a scratch copy of the
# workspace in target/openraft-VERSION/ pins openraft (and openraft-rt, -rt-tokio,
# -macros) to VERSION in its own Cargo.lock and builds sim-runner with the
# `openraft-alpha24-api` feature (the older API's differences; tested with .24 and .25).
# Ordinary builds never see any of it. Exits as `sim-runner run` does: 0 the scenario's
# expectation (pass) holds, 1 it does not.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:?usage: scripts/openraft-old-version.sh VERSION [FILE] (e.g. 0.10.0-alpha.24)}"
file="${2:-scenarios/upstream/openraft-1802-five-voters.toml}"
case "$version" in
    0.10.0-alpha.*) ;;
    *) echo "error: VERSION must be an openraft 0.10.0-alpha.N, got '$version'" >&2; exit 2 ;;
esac
[ -f "$file" ] || { echo "error: no scenario file '$file'" >&2; exit 2; }

work="target/openraft-$version"
rm -rf "$work/src"
mkdir -p "$work/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/src"
cp Cargo.lock "$work/src/"
(
    cd "$work/src"
    sed -i "s/\"=0\.10\.0-alpha\.[0-9]*\"/\"=$version\"/" crates/replica-openraft/Cargo.toml
    # The runtime crates first: each older one needs the others at its version.
    for p in openraft openraft-rt-tokio openraft-rt openraft-macros; do
        cargo update -q -p "$p" --precise "$version"
    done
    CARGO_TARGET_DIR="../target" cargo build -q --release -p sim-runner --features openraft-alpha24-api
)
built="$(grep -A1 '^name = "openraft"$' "$work/src/Cargo.lock" | tail -1 | cut -d'"' -f2)"
echo "sim-runner built with openraft $built ($work/target/release/sim-runner)"
exec "$work/target/release/sim-runner" run "$file"
