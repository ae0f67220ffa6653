#!/usr/bin/env bash
# Like-for-like timing of a full SPDM attestation over loopback TCP: libspdm's emulator pair
# against ours, and each of our sides against libspdm's other side. Every figure is the wall
# time of the requester *process* (start, connect, VCA, digests, certificate, CHALLENGE,
# measurements, exit), measured with hyperfine against an already-running responder.
#
# Needs hyperfine (Debian package) and DMTF's spdm_requester_emu / spdm_responder_emu built
# from their public sources (not part of this repository); point SPDM_EMU_BIN at their bin/
# directory (it also holds libspdm's sample keys). Builds vtrust in release mode.
#
#   SPDM_EMU_BIN=/path/to/spdm-emu/build/bin bash scripts/bench-spdm-vs-libspdm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SPDM_EMU_BIN:?set SPDM_EMU_BIN to the directory with spdm_requester_emu and spdm_responder_emu}"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
# VTRUST_BIN: use an already built vtrust instead of building it.
if [ -z "${VTRUST_BIN:-}" ]; then
  cargo build --release --locked -p vtrust
fi
VTRUST=${VTRUST_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/vtrust}
mkdir -p "${CARGO_TARGET_DIR:-target}"
B=$SPDM_EMU_BIN
RUNS=${RUNS:-30}
PRELOAD=()
[ -e "$B/libnodelay.so" ] && PRELOAD=(env "LD_PRELOAD=$B/libnodelay.so")

# One case: MCTP, SPDM 1.2, ECDSA P-384, SHA-384, no session (the flow of the libspdm
# capture mctp_1.2_p384), libspdm's sample chain and key on both responders.
COMMON="--trans MCTP --ver 1.2 --asym ECDSA_P384 --hash SHA_384 --meas_hash SHA_384 --dhe SECP_384_R1 --aead AES_256_GCM"
EMU_RSP="$COMMON --cap CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX --basic_mut_auth NO --mut_auth NO"
EMU_REQ="$COMMON --cap ENCRYPT,MAC,KEY_EX --exe_conn DIGEST,CERT,CHAL,MEAS --meas_op ALL --exe_session NO_END"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# A responder that restarts after each SHUTDOWN, on PORT.
emu_responder() {
  (cd "$B" && while true; do "${PRELOAD[@]}" ./spdm_responder_emu --ip 127.0.0.1 --port "$1" $EMU_RSP >/dev/null 2>&1 || true; done) &
  pids+=($!)
}
our_responder() {
  # Slots 0 and 1 with libspdm's two sample chains, as spdm_responder_emu serves them.
  (while true; do "$VTRUST" spdm responder --listen "127.0.0.1:$1" --version 1.2 --asym p384 \
      --slot 0 --chain "$B/ecp384/bundle_responder.certchain.der" --key "$B/ecp384/end_responder.key.der" \
      --slot 1 --chain "$B/ecp384/bundle_responder.certchain1.der" --key "$B/ecp384/end_responder.key.der" \
      >/dev/null 2>&1 || true; done) &
  pids+=($!)
}

emu_responder 23401
our_responder 23402
emu_responder 23403
our_responder 23404
sleep 1

hyperfine -N --warmup 3 --runs "$RUNS" --prepare 'sleep 0.05' --export-json "${CARGO_TARGET_DIR:-target}/bench-spdm-vs-libspdm.json" \
  -n "libspdm requester -> libspdm responder" "bash -c 'cd $B && ${PRELOAD[*]} ./spdm_requester_emu --ip 127.0.0.1 --port 23401 $EMU_REQ >/dev/null'" \
  -n "vtrust attest -> vtrust responder" "$VTRUST spdm attest --connect 127.0.0.1:23402 --trust $B/ecp384/ca.cert.der --shutdown" \
  -n "vtrust attest -> libspdm responder" "$VTRUST spdm attest --connect 127.0.0.1:23403 --trust $B/ecp384/ca.cert.der --shutdown" \
  -n "libspdm requester -> vtrust responder" "bash -c 'cd $B && ${PRELOAD[*]} ./spdm_requester_emu --ip 127.0.0.1 --port 23404 $EMU_REQ >/dev/null'"
# Medians (the machines are noisy) and the ratio to the libspdm pair.
python3 - "${CARGO_TARGET_DIR:-target}/bench-spdm-vs-libspdm.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
print(f"{'pair':45} {'median ms':>10} {'min ms':>8} {'ratio':>6}")
for r in results:
    print(f"{r['command']:45} {r['median']*1e3:10.2f} {r['min']*1e3:8.2f} {r['median']/base:6.2f}")
PY
