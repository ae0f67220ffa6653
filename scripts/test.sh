#!/usr/bin/env bash
# Runs every vtrust test on a fresh Debian 12 machine with Rust installed.
# Installs what the tests need (idempotently), then runs the workspace test suite.
# This is the README's test command, and .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need. None yet beyond the toolchain (gcc builds aws-lc);
# later systems add swtpm and qemu-system-x86 here.
need_pkgs=()
for tool in gcc:gcc make:make; do
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
