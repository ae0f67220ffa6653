//! Replays the REQUESTS of libspdm's captures against our responder, configured like the
//! captured spdm-emu responder, and compares every response with libspdm's.
//!
//! Byte-identical: VERSION, CAPABILITIES, ALGORITHMS, DIGESTS, CERTIFICATE, and in
//! CHALLENGE_AUTH / MEASUREMENTS everything but the responder nonce and the signature
//! (ECDSA is randomised). Our signatures are then checked independently: the test builds
//! M2 and L1/L2 from the frames itself, the 1.2+ prefix by hand, and verifies with the leaf
//! certificate's public key (and does the same for libspdm's signatures, as a control).

use std::path::PathBuf;

use der::{Decode, Encode as _};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::sign::{PublicKey, SignatureAlg};
use vtrust_spdm::codec::{
    BaseAsymAlgo, BaseHashAlgo, DheNamedGroup, MeasurementHashAlgo, Request, SpdmVersion,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};
use vtrust_spdm_transport::Binding;
use vtrust_spdm_transport::binding::{Mctp, Message, PciDoe};
use vtrust_spdm_transport::capture::{Capture, CaptureLimits, Direction};

fn shared() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/spdm/"
    ))
}

/// The SPDM messages of a capture in wire order: (to responder?, frame number, message).
fn spdm_frames(name: &str) -> Vec<(bool, usize, Vec<u8>)> {
    let capture = Capture::read_file(
        shared().join("transcripts").join(name),
        CaptureLimits::default(),
    )
    .expect("capture");
    let doe = name.starts_with("doe");
    let mut out = Vec::new();
    for frame in &capture.frames {
        let number = frame.note.as_ref().map_or(0, |n| n.number);
        let decoded = if doe {
            PciDoe.decode(&frame.bytes)
        } else {
            Mctp.decode(&frame.bytes)
        }
        .expect("transport");
        let Message::Spdm(body) = decoded.message else {
            continue; // DOE discovery
        };
        let to_responder = frame.direction == Direction::ToResponder;
        // Strip the DOE padding with the message's own length.
        let len = if to_responder {
            Request::decode_with_padding(body, decoded.max_padding)
                .expect("request")
                .1
        } else {
            let (len, _) = spdm_len_note(frame.note.as_ref().map(|n| n.details.as_str()));
            len.unwrap_or(body.len())
        };
        out.push((to_responder, number, body[..len].to_vec()));
    }
    out
}

/// "SPDM message N bytes" from a note.
fn spdm_len_note(details: Option<&str>) -> (Option<usize>, ()) {
    let n = details
        .and_then(|d| d.split_once("SPDM message "))
        .and_then(|(_, rest)| rest.split(' ').next()?.parse().ok());
    (n, ())
}

/// The measurement file reproducing libspdm's emulator set (indices 1-4 measured from 72
/// bytes of their index, the rest as the capture shows them); HEM (0x11) is the capture's
/// digest, since it depends on libspdm's measurement extension log.
fn libspdm_measurements_toml(hem_hex: &str) -> String {
    let mut t = String::new();
    for i in 1..=4u8 {
        t += &format!(
            "[[measurement]]\nindex = {i}\ntype = {}\ndigest_of_hex = \"{}\"\n\n",
            i - 1,
            hex::encode([i; 72])
        );
    }
    t += "[[measurement]]\nindex = 0x10\ntype = 7\nraw_hex = \"0700000000000000\"\n\n";
    t += &format!("[[measurement]]\nindex = 0x11\ntype = 8\nhex = \"{hem_hex}\"\n\n");
    t += &format!(
        "[[measurement]]\nindex = 0xFD\ntype = 4\nraw_hex = \"{}\"\n\n",
        hex::encode([0xFD; 128])
    );
    t +=
        "[[measurement]]\nindex = 0xFE\ntype = 5\nraw_hex = \"3f000000040000001f00000011000000\"\n";
    t
}

/// The HEM block's value in a MEASUREMENTS message.
fn hem_value(measurements: &[u8]) -> Vec<u8> {
    let record_len = u32::from_le_bytes([measurements[5], measurements[6], measurements[7], 0]);
    let mut rec = &measurements[8..8 + record_len as usize];
    while !rec.is_empty() {
        let size = u16::from_le_bytes([rec[2], rec[3]]) as usize;
        if rec[0] == 0x11 {
            return rec[7..4 + size].to_vec();
        }
        rec = &rec[4 + size..];
    }
    panic!("no HEM block");
}

struct Setup {
    capture: &'static str,
    version: SpdmVersion,
    key_dir: &'static str,
    sig: SignatureAlg,
    asym: BaseAsymAlgo,
    hash: BaseHashAlgo,
    hash_alg: HashAlg,
    meas: MeasurementHashAlgo,
    dhe: DheNamedGroup,
}

const MCTP_12: Setup = Setup {
    capture: "mctp_1.2_p384.txt",
    version: SpdmVersion::V12,
    key_dir: "ecp384",
    sig: SignatureAlg::EcdsaP384Sha384,
    asym: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
    hash: BaseHashAlgo::TPM_ALG_SHA_384,
    hash_alg: HashAlg::Sha384,
    meas: MeasurementHashAlgo::TPM_ALG_SHA_384,
    dhe: DheNamedGroup::SECP_384_R1,
};

const DOE_13: Setup = Setup {
    capture: "doe_1.3_p256.txt",
    version: SpdmVersion::V13,
    key_dir: "ecp256",
    sig: SignatureAlg::EcdsaP256Sha256,
    asym: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256,
    hash: BaseHashAlgo::TPM_ALG_SHA_256,
    hash_alg: HashAlg::Sha256,
    meas: MeasurementHashAlgo::TPM_ALG_SHA_256,
    dhe: DheNamedGroup::SECP_256_R1,
};

fn responder(setup: &Setup, frames: &[(bool, usize, Vec<u8>)]) -> Responder {
    let provider = CryptoProvider::new();
    let keys = shared().join("sample_key").join(setup.key_dir);
    let identity = ResponderIdentity::new()
        .with_files(
            &provider,
            0,
            &keys.join("bundle_responder.certchain.der"),
            &keys.join("end_responder.key.der"),
            setup.sig,
        )
        .unwrap()
        .with_files(
            &provider,
            1,
            &keys.join("bundle_responder.certchain1.der"),
            &keys.join("end_responder.key.der"),
            setup.sig,
        )
        .unwrap();
    let last = &frames.last().unwrap().2;
    let store =
        MeasurementStore::from_toml_str(&libspdm_measurements_toml(&hex::encode(hem_value(last))))
            .unwrap();
    let config = ResponderConfig::libspdm_emulator(
        setup.version,
        setup.asym,
        setup.hash,
        setup.meas,
        setup.dhe,
    );
    Responder::new(config, identity, store, provider).unwrap()
}

fn leaf_public_key(setup: &Setup) -> PublicKey {
    let der = std::fs::read(
        shared()
            .join("sample_key")
            .join(setup.key_dir)
            .join("end_responder.cert.der"),
    )
    .unwrap();
    let cert = x509_cert::Certificate::from_der(&der).unwrap();
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    PublicKey::from_spki_der(&spki).unwrap()
}

/// DSP0274 1.2 combined_spdm_prefix, built here independently of `vtrust_spdm::signing`.
fn prefix(version: SpdmVersion, context: &str) -> Vec<u8> {
    let label = format!("dmtf-spdm-v{}.{}.*", version.major(), version.minor());
    let mut p = label.repeat(4).into_bytes();
    p.resize(100 - context.len(), 0);
    p.extend_from_slice(context.as_bytes());
    p
}

fn verify(setup: &Setup, transcript: &[u8], context: &str, signature: &[u8]) -> bool {
    let provider = CryptoProvider::new();
    let hash = provider.digest(setup.hash_alg, transcript);
    let mut msg = prefix(setup.version, context);
    msg.extend_from_slice(hash.as_bytes());
    provider
        .verify(setup.sig, &leaf_public_key(setup), &msg, signature)
        .is_ok()
}

/// Replays `setup` and checks every response; returns (ours, libspdm's) per exchange.
fn replay(setup: &Setup) -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let frames = spdm_frames(setup.capture);
    let mut rsp = responder(setup, &frames);
    let hash_len = setup.hash_alg.output_len();
    let sig_len = setup.sig.signature_len().unwrap();
    let mut exchanges = Vec::new();
    for pair in frames.chunks(2) {
        let [(true, n, request), (false, _, expected)] = pair else {
            panic!("request/response pairs");
        };
        let ours = rsp.handle(request);
        assert_eq!(ours.len(), expected.len(), "frame [{n}] length");
        assert_eq!(ours[..4], expected[..4], "frame [{n}] header");
        match request[1] {
            0x83 => {
                // CHALLENGE_AUTH: CertChainHash | Nonce | MeasurementSummaryHash | ... | Signature
                let nonce = 4 + hash_len..4 + hash_len + 32;
                let sig = ours.len() - sig_len..;
                assert_eq!(
                    ours[..nonce.start],
                    expected[..nonce.start],
                    "[{n}] CertChainHash"
                );
                assert_eq!(
                    ours[nonce.end..sig.start],
                    expected[nonce.end..sig.start],
                    "[{n}] MeasurementSummaryHash, opaque data, RequesterContext"
                );
                assert_ne!(ours[nonce.clone()], expected[nonce], "[{n}] fresh nonce");
            }
            0xE0 => {
                let record_len = u32::from_le_bytes([ours[5], ours[6], ours[7], 0]) as usize;
                let nonce = 8 + record_len..8 + record_len + 32;
                let sig = ours.len() - sig_len..;
                assert_eq!(
                    ours[..nonce.start],
                    expected[..nonce.start],
                    "[{n}] measurement record"
                );
                assert_eq!(
                    ours[nonce.end..sig.start],
                    expected[nonce.end..sig.start],
                    "[{n}]"
                );
            }
            _ => assert_eq!(hex::encode(&ours), hex::encode(expected), "frame [{n}]"),
        }
        exchanges.push((request.clone(), ours, expected.clone()));
    }
    exchanges
}

/// Checks the CHALLENGE_AUTH and MEASUREMENTS signatures (ours and, as a control,
/// libspdm's) over transcripts built from the exchanges.
fn check_signatures(setup: &Setup, exchanges: &[(Vec<u8>, Vec<u8>, Vec<u8>)]) {
    let sig_len = setup.sig.signature_len().unwrap();
    let a: Vec<u8> = exchanges[..3]
        .iter()
        .flat_map(|(q, r, _)| [q.clone(), r.clone()].concat())
        .collect();
    let chal = exchanges.iter().position(|(q, _, _)| q[1] == 0x83).unwrap();
    let b: Vec<u8> = exchanges[3..chal]
        .iter()
        .flat_map(|(q, r, _)| [q.clone(), r.clone()].concat())
        .collect();
    for (who, response) in [
        ("ours", &exchanges[chal].1),
        ("libspdm", &exchanges[chal].2),
    ] {
        let (tbs, sig) = response.split_at(response.len() - sig_len);
        let m2 = [
            a.clone(),
            b.clone(),
            exchanges[chal].0.clone(),
            tbs.to_vec(),
        ]
        .concat();
        assert!(
            verify(setup, &m2, "responder-challenge_auth signing", sig),
            "{who} CHALLENGE_AUTH signature"
        );
        // Negative control: without B it must not verify.
        let no_b = [a.clone(), exchanges[chal].0.clone(), tbs.to_vec()].concat();
        assert!(!verify(
            setup,
            &no_b,
            "responder-challenge_auth signing",
            sig
        ));
    }
    let meas = exchanges.len() - 1;
    for (who, response) in [
        ("ours", &exchanges[meas].1),
        ("libspdm", &exchanges[meas].2),
    ] {
        let (tbs, sig) = response.split_at(response.len() - sig_len);
        let l = [a.clone(), exchanges[meas].0.clone(), tbs.to_vec()].concat();
        assert!(
            verify(setup, &l, "responder-measurements signing", sig),
            "{who} MEASUREMENTS signature"
        );
    }
}

#[test]
fn replay_mctp_1_2_p384_matches_libspdm() {
    let exchanges = replay(&MCTP_12);
    assert_eq!(exchanges.len(), 11);
    check_signatures(&MCTP_12, &exchanges);
}

#[test]
fn replay_doe_1_3_p256_matches_libspdm() {
    let exchanges = replay(&DOE_13);
    assert_eq!(exchanges.len(), 11);
    check_signatures(&DOE_13, &exchanges);
}

#[test]
fn libspdm_like_set_measures_like_libspdm() {
    // Indices 1-4 of the built-in set hash like libspdm's emulator (SHA-384 capture).
    let frames = spdm_frames("mctp_1.2_p384.txt");
    let last = &frames.last().unwrap().2;
    let provider = CryptoProvider::new();
    let store = MeasurementStore::libspdm_like();
    let blocks = store
        .render_all(&provider, Some(HashAlg::Sha384), false)
        .unwrap();
    let record: Vec<u8> = blocks.iter().flat_map(|b| b.to_bytes().unwrap()).collect();
    let record_len = u32::from_le_bytes([last[5], last[6], last[7], 0]) as usize;
    let theirs = &last[8..8 + record_len];
    // libspdm's record has HEM (0x11, 55 bytes) between SVN and the manifest.
    let hem_start = 4 * 55 + 15;
    assert_eq!(record[..hem_start], theirs[..hem_start]);
    assert_eq!(record[hem_start..], theirs[hem_start + 55..]);
}
