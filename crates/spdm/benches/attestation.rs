//! A full attestation, our requester against our responder in process: VCA, GET_DIGESTS,
//! GET_CERTIFICATE, CHALLENGE and all measurements signed. The identity (chain and key) is
//! generated once; each iteration builds a fresh responder and runs the whole protocol. Run:
//! `cargo bench -p vtrust-spdm --bench attestation -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::{ChainSpec, Timestamp, TrustAnchor};
use vtrust_spdm::codec::{BaseAsymAlgo, BaseHashAlgo, PqcAsymAlgo, SpdmVersion};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::requester::{self, Exchange, RequesterConfig};
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};

const NOW: u64 = 1_795_305_600; // 2026-11-22

/// The requester's transport: the responder itself.
struct InProcess<'a>(&'a mut Responder);

impl Exchange for InProcess<'_> {
    type Error = std::convert::Infallible;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Ok(self.0.handle(request))
    }
}

/// One algorithm's setup, built outside the timed loop.
struct Setup {
    provider: CryptoProvider,
    identity: ResponderIdentity,
    responder_config: ResponderConfig,
    requester_config: RequesterConfig,
}

impl Setup {
    fn new(
        alg: SignatureAlg,
        version: SpdmVersion,
        asym: BaseAsymAlgo,
        pqc: PqcAsymAlgo,
        hash: BaseHashAlgo,
    ) -> Self {
        let provider = CryptoProvider::new();
        let chain = ChainSpec::new(alg).generate(&provider).unwrap();
        let anchor: TrustAnchor = chain.trust_anchor().unwrap();
        let identity = ResponderIdentity::new().with_generated(0, chain).unwrap();
        let mut responder_config = ResponderConfig::default();
        responder_config.data_transfer_size = 0x10000;
        responder_config.max_spdm_msg_size = 0x10000;
        let mut c = RequesterConfig::new(version, vec![anchor], Timestamp::from_unix(NOW));
        c.min_version = version;
        c.offer.base_asym_algo = asym;
        c.offer.pqc_asym_algo = pqc;
        c.offer.base_hash_algo = hash;
        c.data_transfer_size = 0x10000;
        c.max_spdm_msg_size = 0x10000;
        let setup = Self {
            provider,
            identity,
            responder_config,
            requester_config: c,
        };
        // Fail here, not inside criterion, if the flow does not complete.
        let attestation = setup.attest();
        assert_eq!(attestation.negotiated.version, version);
        assert!(!attestation.measurements.is_empty());
        setup
    }

    /// One full attestation against a fresh responder.
    fn attest(&self) -> requester::Attestation {
        let mut responder = Responder::new(
            self.responder_config.clone(),
            self.identity.clone(),
            MeasurementStore::default_set(),
            self.provider.clone(),
        )
        .unwrap();
        requester::run(
            &mut InProcess(&mut responder),
            &self.provider,
            self.requester_config.clone(),
        )
        .unwrap()
    }
}

fn attestation(c: &mut Criterion) {
    let p384 = Setup::new(
        SignatureAlg::EcdsaP384Sha384,
        SpdmVersion::V14,
        BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
        PqcAsymAlgo::empty(),
        BaseHashAlgo::TPM_ALG_SHA_384,
    );
    let mldsa87 = Setup::new(
        SignatureAlg::MlDsa87,
        SpdmVersion::V14,
        BaseAsymAlgo::empty(),
        PqcAsymAlgo::ML_DSA_87,
        BaseHashAlgo::TPM_ALG_SHA_512,
    );
    let mut group = c.benchmark_group("attestation");
    group.bench_function("ecdsa_p384_spdm14", |b| b.iter(|| black_box(p384.attest())));
    group.bench_function("mldsa87_spdm14", |b| b.iter(|| black_box(mldsa87.attest())));
    group.finish();
}

criterion_group!(benches, attestation);
criterion_main!(benches);
