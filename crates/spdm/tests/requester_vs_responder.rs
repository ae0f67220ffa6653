//! Our requester against our responder, in process (no I/O): VCA, both slots' chains,
//! CHALLENGE and signed measurements for SPDM 1.0-1.4 with the libspdm sample identities.
//! Complements the capture replays (libspdm as the peer) with a peer whose every byte we
//! produce, including the ERROR(ResponseNotReady) path when the responder uses it.

mod requester_support;

use std::path::PathBuf;

use requester_support::{CAPTURE_DAY_UNIX, SHARED, sample, split_der};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::{Timestamp, TrustAnchor};
use vtrust_spdm::codec::{
    BaseAsymAlgo, BaseHashAlgo, DheNamedGroup, MeasurementHashAlgo, SpdmVersion,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::requester::{Exchange, RequesterConfig, Step, run};
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};

struct InProcess(Responder);

impl Exchange for InProcess {
    type Error = std::convert::Infallible;
    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Ok(self.0.handle(request))
    }
    fn wait(&mut self, _: std::time::Duration) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn path(p: &str) -> PathBuf {
    PathBuf::from(format!("{SHARED}sample_key/{p}"))
}

#[test]
fn requester_authenticates_our_responder_every_version() {
    let provider = CryptoProvider::new();
    for version in [
        SpdmVersion::V10,
        SpdmVersion::V11,
        SpdmVersion::V12,
        SpdmVersion::V13,
        SpdmVersion::V14,
    ] {
        let identity = ResponderIdentity::new()
            .with_files(
                &provider,
                0,
                &path("ecp384/bundle_responder.certchain.der"),
                &path("ecp384/end_responder.key.der"),
                SignatureAlg::EcdsaP384Sha384,
            )
            .unwrap()
            .with_files(
                &provider,
                1,
                &path("ecp384/bundle_responder.certchain1.der"),
                &path("ecp384/end_responder.key.der"),
                SignatureAlg::EcdsaP384Sha384,
            )
            .unwrap();
        let config = ResponderConfig::libspdm_emulator(
            version,
            BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
            BaseHashAlgo::TPM_ALG_SHA_384,
            MeasurementHashAlgo::TPM_ALG_SHA_384,
            DheNamedGroup::SECP_384_R1,
        );
        let responder = Responder::new(
            config,
            identity,
            MeasurementStore::libspdm_like(),
            provider.clone(),
        )
        .unwrap();
        let anchors = [
            "bundle_responder.certchain.der",
            "bundle_responder.certchain1.der",
        ]
        .iter()
        .map(|f| TrustAnchor::from_der(&split_der(&sample(&format!("ecp384/{f}")))[0]).unwrap())
        .collect();
        let mut rc = RequesterConfig::new(version, anchors, Timestamp::from_unix(CAPTURE_DAY_UNIX));
        rc.plan = vec![
            Step::Digests,
            Step::Certificate(0),
            Step::Certificate(1),
            Step::Challenge(0),
            Step::Challenge(1),
            Step::Measurements,
        ];
        if version == SpdmVersion::V10 {
            rc.flags = vtrust_spdm::codec::RequesterCapabilityFlags::empty();
        }
        let a = run(&mut InProcess(responder), &provider, rc)
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(a.negotiated.version, version);
        assert_eq!(a.slots.len(), 2);
        assert!(!a.measurements.is_empty(), "{version:?}");
        let c = a.challenge.as_ref().unwrap().clone();
        assert_eq!(c.slot, 1);
        if let Some(r) = &c.record {
            assert_eq!(r.recompute(&provider).as_bytes(), c.transcript_hash);
        }
    }
}
