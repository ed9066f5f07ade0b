# Mirrors the README; nothing requires `just` (CI runs .ci/run).

# Run the scenario catalogue with the release binary.
run:
    cargo run --release -p sim-runner -- run scenarios/*.toml scenarios/*/*.toml

# Run the tests.
test:
    cargo test --workspace

# Everything CI does.
ci:
    .ci/run

# Fuzz a scenario for a while (swarm mode); each campaign gets its own folder in fuzz-out/.
fuzz FILE TIME="5m":
    cargo run --release -p sim-runner -- fuzz {{FILE}} --time {{TIME}} --swarm --out fuzz-out/$(date +%Y%m%d-%H%M%S)

# Regenerate the documentation tables that are a command's output (docs/modes.md, docs/mutation-matrix.md).
docs:
    scripts/generate-docs

# Performance figures.
bench:
    cargo run --release -p sim-runner -- bench

# Format and lints.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
