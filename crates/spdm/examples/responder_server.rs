//! Our SPDM responder, two ways.
//!
//! Without arguments (what CI runs): a freshly generated ECDSA P-384 device is attested in
//! process — our requester against our responder, no I/O — and the verdict is printed.
//!
//! With `serve PORT KEYDIR [VERSION]`: serves the responder on the spdm-emu socket protocol
//! (MCTP binding) on 127.0.0.1, for a live test against libspdm's `spdm_requester_emu`,
//! until the requester's SHUTDOWN. KEYDIR holds libspdm's ECDSA P-384 sample files
//! (`shared/spdm/sample_key/ecp384`); VERSION is `1.0`..`1.4` (default 1.2):
//!
//! ```sh
//! cargo run -p vtrust-spdm --example responder_server -- serve 2323 ../shared/spdm/sample_key/ecp384
//! ./spdm_requester_emu --ip 127.0.0.1 --port 2323 --trans MCTP \
//!     --ver 1.2 --asym ECDSA_P384 --hash SHA_384 --meas_hash SHA_384 --dhe SECP_384_R1 \
//!     --aead AES_256_GCM --cap ENCRYPT,MAC,KEY_EX --exe_conn DIGEST,CERT,CHAL,MEAS \
//!     --exe_session '' --meas_op ALL
//! ```

use std::path::PathBuf;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::{ChainSpec, Timestamp};
use vtrust_spdm::codec::{
    BaseAsymAlgo, BaseHashAlgo, DheNamedGroup, MeasurementHashAlgo, ResponderCapabilityFlags,
    SpdmVersion,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::requester::{self, Exchange, RequesterConfig};
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};
use vtrust_spdm_transport::binding::{Mctp, Message};
use vtrust_spdm_transport::{Binding, PlatformListener, SocketConfig, SocketTransport};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None => in_process(),
        Some("serve") => serve(args),
        Some(other) => Err(format!(
            "Unknown mode {other:?}: run without arguments, or `serve PORT KEYDIR [VERSION]`"
        )
        .into()),
    }
}

/// The requester's transport when both ends run in this process: the responder itself.
struct InProcess<'a>(&'a mut Responder);

impl Exchange for InProcess<'_> {
    type Error = std::convert::Infallible;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Ok(self.0.handle(request))
    }
}

/// Generates a P-384 device and attests it in process.
fn in_process() -> Result<(), Box<dyn std::error::Error>> {
    let provider = CryptoProvider::new();
    let chain = ChainSpec::new(SignatureAlg::EcdsaP384Sha384).generate(&provider)?;
    let anchor = chain.trust_anchor()?;
    let identity = ResponderIdentity::new().with_generated(0, chain)?;
    let mut responder = Responder::new(
        ResponderConfig::default(),
        identity,
        MeasurementStore::default_set(),
        provider.clone(),
    )?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let config = RequesterConfig::new(SpdmVersion::V14, vec![anchor], Timestamp::from_unix(now));
    let attestation = requester::run(&mut InProcess(&mut responder), &provider, config)
        .map_err(|e| format!("{e}"))?;
    println!(
        "authenticated: SPDM {}, {} measurement blocks, {} certificate(s) in slot 0",
        attestation.negotiated.version,
        attestation.measurements.len(),
        attestation
            .slots
            .first()
            .map_or(0, |s| s.certificates.len()),
    );
    Ok(())
}

/// Serves the libspdm sample identity on 127.0.0.1:PORT until SHUTDOWN.
fn serve(mut args: impl Iterator<Item = String>) -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = args.next().ok_or("serve needs PORT KEYDIR")?.parse()?;
    let keys = PathBuf::from(args.next().ok_or("serve needs PORT KEYDIR")?);
    let version = match args.next().as_deref() {
        Some("1.0") => SpdmVersion::V10,
        Some("1.1") => SpdmVersion::V11,
        Some("1.3") => SpdmVersion::V13,
        Some("1.4") => SpdmVersion::V14,
        _ => SpdmVersion::V12,
    };
    let provider = CryptoProvider::new();
    let alg = SignatureAlg::EcdsaP384Sha384;
    let identity = ResponderIdentity::new()
        .with_files(
            &provider,
            0,
            &keys.join("bundle_responder.certchain.der"),
            &keys.join("end_responder.key.der"),
            alg,
        )?
        .with_files(
            &provider,
            1,
            &keys.join("bundle_responder.certchain1.der"),
            &keys.join("end_responder.key.der"),
            alg,
        )?;
    let mut config = ResponderConfig::libspdm_emulator(
        version,
        BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
        BaseHashAlgo::TPM_ALG_SHA_384,
        MeasurementHashAlgo::TPM_ALG_SHA_384,
        DheNamedGroup::SECP_384_R1,
    );
    // We do not serve sessions: claim only what we implement.
    config.flags = ResponderCapabilityFlags::CERT_CAP
        | ResponderCapabilityFlags::CHAL_CAP
        | ResponderCapabilityFlags::MEAS_CAP_SIG;
    let mut responder =
        Responder::new(config, identity, MeasurementStore::default_set(), provider)?;
    let mut listener = PlatformListener::bind(
        ("127.0.0.1", port),
        SocketConfig::new(SocketTransport::SPDM_EMU_MCTP),
    )?;
    eprintln!("serving SPDM {version} on 127.0.0.1:{port} (MCTP)");
    let mut exchanges = 0usize;
    listener.serve(|payload| {
        let decoded = Mctp.decode(payload).ok()?;
        let Message::Spdm(request) = decoded.message else {
            return None;
        };
        let response = responder.handle(request);
        exchanges += 1;
        eprintln!(
            "[{exchanges}] {:02x?} -> {:02x?} ({} bytes)",
            request.get(..4).unwrap_or(request),
            response.get(..4).unwrap_or(&response),
            response.len()
        );
        Mctp.to_vec(Message::Spdm(&response)).ok()
    })?;
    eprintln!("SHUTDOWN after {exchanges} exchanges");
    Ok(())
}
