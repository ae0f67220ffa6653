#!/usr/bin/env bash
# Live interoperability with DMTF's libspdm emulators, both directions:
#   vtrust spdm attest     -> spdm_responder_emu
#   spdm_requester_emu     -> vtrust spdm responder (serving libspdm's sample chains)
# over MCTP and PCI DOE, SPDM 1.2 and 1.3 with ECDSA P-256 / P-384, and 1.4 with ML-DSA-65 /
# ML-DSA-87 (with CHUNK on libspdm's side, so large responses use CHUNK_GET).
#
# The emulators are not part of this repository: build spdm-emu from its public sources
# (PQC needs OpenSSL 3.5) and point SPDM_EMU_BIN at its bin/ directory, which also holds
# libspdm's sample keys. Prints one line per case and exits non-zero if any case fails.
#
#   SPDM_EMU_BIN=/path/to/spdm-emu/build/bin bash scripts/interop-libspdm.sh
set -uo pipefail
cd "$(dirname "$0")/.."
: "${SPDM_EMU_BIN:?set SPDM_EMU_BIN to the directory with spdm_requester_emu and spdm_responder_emu}"
# VTRUST_BIN: use an already built vtrust instead of building it.
if [ -z "${VTRUST_BIN:-}" ]; then
  cargo build --release --locked -p vtrust >/dev/null || exit 2
fi
VTRUST=${VTRUST_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/vtrust}
B=$SPDM_EMU_BIN
PRELOAD=()
[ -e "$B/libnodelay.so" ] && PRELOAD=(env "LD_PRELOAD=$B/libnodelay.so")
port=23500
failed=0

# case: transport version alg
run_case() {
  local trans=$1 ver=$2 alg=$3 common emu_alg dir asym key caps_rsp caps_req
  case $alg in
    P256) emu_alg="--asym ECDSA_P256 --hash SHA_256 --meas_hash SHA_256 --dhe SECP_256_R1"; dir=ecp256; asym=p256; key=end_responder.key.der ;;
    P384) emu_alg="--asym ECDSA_P384 --hash SHA_384 --meas_hash SHA_384 --dhe SECP_384_R1"; dir=ecp384; asym=p384; key=end_responder.key.der ;;
    MLDSA65|MLDSA87) emu_alg="--pqc_asym ML_DSA_${alg#MLDSA} --kem ML_KEM_768 --pqc_first TRUE --hash SHA_384 --meas_hash SHA_384"
       dir=mldsa${alg#MLDSA}; asym=mldsa${alg#MLDSA}; key=end_responder.key.priv.raw ;;
  esac
  local emu_trans=MCTP our_trans=mctp
  [ "$trans" = DOE ] && emu_trans=PCI_DOE our_trans=doe
  common="--trans $emu_trans --ver $ver $emu_alg --aead AES_256_GCM"
  caps_rsp="CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX"; caps_req="ENCRYPT,MAC,KEY_EX"
  if [ "$ver" = 1.4 ]; then caps_rsp+=",CHUNK"; caps_req+=",CHUNK"; fi
  local name="$trans $ver $alg"

  # 1. Our requester against libspdm's responder.
  port=$((port + 1))
  (cd "$B" && exec "${PRELOAD[@]}" ./spdm_responder_emu --ip 127.0.0.1 --port $port $common \
      --cap "$caps_rsp" --basic_mut_auth NO --mut_auth NO >/tmp/vtrust-interop-rsp.log 2>&1) &
  local rsp=$!
  sleep 0.3
  if timeout 60 "$VTRUST" spdm attest --connect 127.0.0.1:$port --transport $our_trans \
      --trust "$B/$dir/ca.cert.der" --shutdown >/tmp/vtrust-interop-attest.log 2>&1; then
    echo "ok    vtrust attest -> spdm_responder_emu   $name"
  else
    echo "FAIL  vtrust attest -> spdm_responder_emu   $name (see /tmp/vtrust-interop-attest.log)"; failed=1
  fi
  kill $rsp 2>/dev/null; wait $rsp 2>/dev/null

  # 2. libspdm's requester against our responder (libspdm's two sample chains, slots 0/1).
  port=$((port + 1))
  "$VTRUST" spdm responder --listen 127.0.0.1:$port --transport $our_trans --once --asym $asym \
      --slot 0 --chain "$B/$dir/bundle_responder.certchain.der" --key "$B/$dir/$key" \
      --slot 1 --chain "$B/$dir/bundle_responder.certchain1.der" --key "$B/$dir/$key" \
      >/tmp/vtrust-interop-ours.log 2>&1 &
  rsp=$!
  sleep 0.3
  if (cd "$B" && timeout 60 "${PRELOAD[@]}" ./spdm_requester_emu --ip 127.0.0.1 --port $port $common \
      --cap "$caps_req" --exe_conn DIGEST,CERT,CHAL,MEAS --meas_op ALL --exe_session NO_END \
      >/tmp/vtrust-interop-req.log 2>&1); then
    echo "ok    spdm_requester_emu -> vtrust responder $name"
  else
    echo "FAIL  spdm_requester_emu -> vtrust responder $name (see /tmp/vtrust-interop-req.log)"; failed=1
  fi
  kill $rsp 2>/dev/null; wait $rsp 2>/dev/null
}

for trans in MCTP DOE; do
  for ver in 1.2 1.3; do
    for alg in P256 P384; do run_case $trans $ver $alg; done
  done
  for alg in MLDSA65 MLDSA87; do run_case $trans 1.4 $alg; done
done
exit $failed
