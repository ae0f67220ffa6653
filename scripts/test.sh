#!/usr/bin/env bash
# Runs every vtrust test on a fresh Debian 12 machine with Rust installed.
# Installs what the tests need (idempotently), then runs the workspace test suite.
# This is the README's test command, and .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: the toolchain (gcc builds aws-lc, g++ libFuzzer for the
# fuzz-seed replay), swtpm (the real TPM backend), tpm2-tools (a real TPM client of
# `vtrust tpm serve`) and QEMU (its firmware drives the served TPM through QEMU's own CRB).
need_pkgs=()
for tool in gcc:gcc make:make g++:g++ swtpm:swtpm swtpm_setup:swtpm-tools \
    tpm2_getrandom:tpm2-tools qemu-system-x86_64:qemu-system-x86; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need_pkgs+=("${tool#*:}")
done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"
fi

cargo test --workspace --all-targets --locked
# Doc tests (not part of --all-targets).
cargo test --workspace --doc --locked
# Examples must run, not just build (each is bounded in time so a hung one fails the run).
for ex in crates/*/examples/*.rs; do
  [ -e "$ex" ] || continue
  crate_dir=${ex%/examples/*}
  pkg=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$crate_dir/Cargo.toml" | head -n 1)
  name=$(basename "$ex" .rs)
  echo "example $name ($pkg)"
  timeout 300 cargo run --quiet --locked -p "$pkg" --example "$name" >/dev/null
done
# Fuzz targets must not rot: build them with stable cargo (no coverage instrumentation, so
# no cargo-fuzz or nightly needed) and run each once over its committed seed corpus.
# Fuzzing itself: see the README.
fuzz_target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz-replay"
(cd fuzz && CARGO_TARGET_DIR="$fuzz_target_dir" cargo build --release --locked --bins)
for target in fuzz/fuzz_targets/*.rs; do
  name=$(basename "$target" .rs)
  seeds=(fuzz/corpus/"$name"/seed-*)
  [ -e "${seeds[0]}" ] || { echo "fuzz target $name has no seed corpus" >&2; exit 1; }
  echo "fuzz seeds $name (${#seeds[@]})"
  "$fuzz_target_dir/release/$name" "${seeds[@]}" >/dev/null 2>&1 || {
    echo "fuzz target $name fails on its seeds:" >&2
    "$fuzz_target_dir/release/$name" "${seeds[@]}" 2>&1 | tail -20 >&2
    exit 1
  }
done
