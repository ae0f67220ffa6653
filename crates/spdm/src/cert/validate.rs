//! Certificate chain validation: [`ValidationPolicy`] in, [`ValidatedChain`] or a
//! [`ChainError`] naming the certificate and the rule out.
//!
//! The rules, in the order they are applied (the first failure is returned):
//!
//! 1. Every certificate is DER X.509 (RFC 5280 §4.1) → [`ChainError::Malformed`].
//! 2. The chain's root: certificate 0 is the root when it is self-issued (issuer = subject,
//!    libspdm `libspdm_is_root_certificate`). Then RootHash = hash(certificate 0 DER)
//!    (DSP0274 certificate chain format) → [`ChainError::RootHashMismatch`], and certificate 0
//!    is byte-equal to a trust anchor → [`ChainError::UntrustedRoot`]. Otherwise the chain
//!    starts below its root (DSP0274 1.2+ allows this; libspdm
//!    `libspdm_verify_peer_cert_chain_buffer_authority`): the anchor is the one whose hash is
//!    RootHash, and certificate 0 must be issued and signed by it. Without anchors
//!    ([`Anchors::AllowUnanchored`]) a chain must carry its root
//!    ([`ChainError::RootNotInChain`]) and the verdict on the root is the caller's.
//! 3. For each certificate, root first:
//!    - X.509 v3 (DSP0274; libspdm `libspdm_x509_common_certificate_check` step 1) →
//!      [`ChainError::NotV3`];
//!    - `signatureAlgorithm` equals the TBSCertificate's `signature` (RFC 5280 §4.1.1.2) →
//!      [`ChainError::Malformed`]; it is one we verify →
//!      [`ChainError::UnsupportedSignatureAlgorithm`];
//!    - the public key is one we support → [`ChainError::UnsupportedKey`];
//!    - no duplicate extension (RFC 5280 §4.2) → [`ChainError::Malformed`]; no critical
//!      extension we do not process (RFC 5280 §4.2) → [`ChainError::UnknownCriticalExtension`];
//!    - notBefore ≤ now ≤ notAfter (RFC 5280 §6.1.3 (a)(2)) → [`ChainError::NotYetValid`],
//!      [`ChainError::Expired`];
//!    - issuer = the previous certificate's subject, byte for byte (RFC 5280 §6.1.3 (a)(4);
//!      libspdm compares DER names) → [`ChainError::IssuerMismatch`];
//!    - the signature verifies under the issuer's key (RFC 5280 §6.1.3 (a)(1)) →
//!      [`ChainError::SignatureAlgorithmMismatch`], [`ChainError::BadSignature`];
//!    - an issuing certificate (every one but the leaf) has basicConstraints cA=TRUE (RFC
//!      5280 §6.1.4 (k)) → [`ChainError::NotACa`], keyCertSign if it has keyUsage (§6.1.4
//!      (n)) → [`ChainError::MissingKeyCertSign`], and its pathLenConstraint holds (§6.1.4
//!      (l), (m)) → [`ChainError::PathLenExceeded`];
//!    - the leaf (DSP0274 "Leaf certificate" requirements as libspdm enforces them in
//!      `libspdm_x509_certificate_check`): basicConstraints, if present (mandatory from SPDM
//!      1.3), is cA=FALSE without pathLenConstraint → [`ChainError::LeafIsCa`],
//!      [`ChainError::MissingBasicConstraints`]; keyUsage is present and has
//!      digitalSignature → [`ChainError::MissingKeyUsage`], [`ChainError::NoDigitalSignature`];
//!      if extendedKeyUsage names the SPDM purposes, the other role's alone is refused
//!      (`libspdm_verify_leaf_cert_spdm_eku`) → [`ChainError::WrongEku`]; the key is of the
//!      negotiated type and size (libspdm `libspdm_verify_cert_subject_public_key_info`) →
//!      [`ChainError::WrongLeafKeyType`], [`ChainError::WrongLeafKeySize`].
//!
//! A chain of one certificate is its own root and its leaf: the root rules of step 2 and the
//! leaf rules apply, the issuer rules do not (an anchor may pin a self-signed device key).
//!
//! Differences from libspdm, on purpose: libspdm does not check validity against a clock
//! (`X509_V_FLAG_NO_CHECK_TIME`; only that notBefore ≥ 1970 and notAfter ≤ 9999) and lets its
//! OpenSSL build ignore unknown critical extensions; we check both. We do not implement
//! name constraints, policies or revocation.

use const_oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Encode};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::{EcdsaEncoding, KeyType, PublicKey, SignatureAlg};
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};

use super::algorithm::{self, AlgError};
use super::chain::SpdmCertChain;
use super::der_util;
use super::oid::{DMTF_EKU_REQUESTER_AUTH, DMTF_EKU_RESPONDER_AUTH, DMTF_SPDM_EXTENSION};
use super::{ChainError, Timestamp};

/// Which SPDM role the chain's leaf must authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The chain is a Responder's (a Requester validating CERTIFICATE):
    /// `id-DMTF-eku-responder-auth`.
    ResponderAuth,
    /// The chain is a Requester's (mutual authentication): `id-DMTF-eku-requester-auth`.
    RequesterAuth,
}

/// The leaf key the negotiated algorithm needs (BaseAsymAlgo / ReqBaseAsymAlg /
/// PqcAsymAlgo): its type and, for RSA, its modulus size (TPM_ALG_RSASSA_3072 needs a
/// 3072-bit key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeafKey {
    /// The key type.
    pub key_type: KeyType,
    /// For RSA, the modulus size in bits; `None` accepts any size.
    pub rsa_bits: Option<usize>,
}

impl LeafKey {
    /// A key of `key_type` (any RSA size).
    #[must_use]
    pub const fn new(key_type: KeyType) -> Self {
        Self {
            key_type,
            rsa_bits: None,
        }
    }

    /// An RSA key of exactly `bits` bits.
    #[must_use]
    pub const fn rsa(bits: usize) -> Self {
        Self {
            key_type: KeyType::Rsa,
            rsa_bits: Some(bits),
        }
    }
}

impl From<KeyType> for LeafKey {
    fn from(key_type: KeyType) -> Self {
        Self::new(key_type)
    }
}

/// A trusted root certificate, provisioned out of band.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    der: Vec<u8>,
    subject: Vec<u8>,
    key: PublicKey,
}

impl std::fmt::Debug for TrustAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustAnchor")
            .field("len", &self.der.len())
            .field("key", &self.key.key_type())
            .finish_non_exhaustive()
    }
}

impl TrustAnchor {
    /// A trust anchor from a root certificate's DER.
    ///
    /// # Errors
    /// [`ChainError::InvalidAnchor`] if `der` is not one DER certificate with a supported key.
    pub fn from_der(der: &[u8]) -> Result<Self, ChainError> {
        let bad = |reason| ChainError::InvalidAnchor { reason };
        let cert = Certificate::from_der(der).map_err(|_| bad("not a DER X.509 certificate"))?;
        let tbs = cert.tbs_certificate();
        let subject = tbs.subject().to_der().map_err(|_| bad("subject"))?;
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|_| bad("subjectPublicKeyInfo"))?;
        let key = PublicKey::from_spki_der(&spki).map_err(|_| bad("unsupported public key"))?;
        Ok(Self {
            der: der.to_vec(),
            subject,
            key,
        })
    }

    /// The certificate's DER.
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate's public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }
}

/// Where the root of trust comes from.
#[derive(Debug, Clone, Copy)]
pub enum Anchors<'a> {
    /// The chain's root must be one of these (byte-equal DER; see [`SpdmCertChain::validate`]).
    /// An empty slice refuses every chain.
    Trusted(&'a [TrustAnchor]),
    /// No anchors: the chain's own root is taken as is and the result says
    /// [`AnchorStatus::Unanchored`]; whether to trust that root is the caller's decision
    /// (trust on first use, a digest pinned elsewhere). The chain must carry its root.
    AllowUnanchored,
}

/// How the chain's root was trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnchorStatus {
    /// By the trust anchor at `index` of [`Anchors::Trusted`].
    Anchored {
        /// The anchor's index.
        index: usize,
    },
    /// Not at all: the policy allowed no anchors. The verdict on the root is the caller's.
    Unanchored,
}

/// What a chain is validated against.
///
/// The hash for RootHash and the size and depth limits are the chain's
/// [`ParseOptions`](super::ParseOptions): they are needed to split the bytes.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ValidationPolicy<'a> {
    /// The role the leaf must authenticate (the EKU rule).
    pub role: Role,
    /// The time validity periods are checked against.
    pub now: Timestamp,
    /// The trust anchors, or explicitly none.
    pub anchors: Anchors<'a>,
    /// The leaf key the negotiated algorithm needs.
    pub leaf_key: LeafKey,
    /// Refuse a leaf without basicConstraints (SPDM 1.3 made it mandatory; libspdm requires
    /// it from 1.3). Default `true`; set `false` for 1.0-1.2 peers.
    pub require_leaf_basic_constraints: bool,
    /// Refuse a leaf without keyUsage (DSP0274 DeviceCert/AliasCert; libspdm requires it
    /// except for the GenericCert model). Default `true`.
    pub require_leaf_key_usage: bool,
}

impl<'a> ValidationPolicy<'a> {
    /// A policy with both leaf requirements on.
    #[must_use]
    pub const fn new(role: Role, now: Timestamp, anchors: Anchors<'a>, leaf_key: LeafKey) -> Self {
        Self {
            role,
            now,
            anchors,
            leaf_key,
            require_leaf_basic_constraints: true,
            require_leaf_key_usage: true,
        }
    }
}

/// One certificate of a validated chain, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertSummary {
    /// Subject name (RFC 4514 string).
    pub subject: String,
    /// Issuer name (RFC 4514 string).
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// The public key's type.
    pub key_type: KeyType,
    /// The RSA modulus size in bits (`None` for other keys).
    pub rsa_bits: Option<usize>,
    /// The algorithm this certificate is signed with.
    pub signature_alg: SignatureAlg,
    /// notBefore.
    pub not_before: Timestamp,
    /// notAfter.
    pub not_after: Timestamp,
    /// basicConstraints cA.
    pub is_ca: bool,
}

/// A chain that passed every rule of [`ValidationPolicy`]: the only source of the leaf key.
#[derive(Debug, Clone)]
pub struct ValidatedChain {
    certs: Vec<CertSummary>,
    leaf_key: PublicKey,
    leaf_der: Vec<u8>,
    root_hash: Vec<u8>,
    anchor: AnchorStatus,
    root_in_chain: bool,
}

impl ValidatedChain {
    /// The leaf's public key, for verifying the peer's SPDM signatures.
    #[must_use]
    pub fn leaf_public_key(&self) -> &PublicKey {
        &self.leaf_key
    }

    /// The leaf certificate's DER.
    #[must_use]
    pub fn leaf_der(&self) -> &[u8] {
        &self.leaf_der
    }

    /// One summary per certificate, in chain order (root first).
    #[must_use]
    pub fn certificates(&self) -> &[CertSummary] {
        &self.certs
    }

    /// The chain's RootHash.
    #[must_use]
    pub fn root_hash(&self) -> &[u8] {
        &self.root_hash
    }

    /// How the root was trusted.
    #[must_use]
    pub fn anchor(&self) -> AnchorStatus {
        self.anchor
    }

    /// Whether the chain carries its root certificate (else it starts below the anchor).
    #[must_use]
    pub fn root_in_chain(&self) -> bool {
        self.root_in_chain
    }
}

/// The extensions we process, decoded.
#[derive(Default)]
struct Extensions {
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    eku: Option<ExtendedKeyUsage>,
}

/// Extensions we recognise: those we enforce, plus those that carry identification only and
/// constrain nothing (so may be critical without changing the verdict).
fn is_recognised(oid: &ObjectIdentifier) -> bool {
    [
        BasicConstraints::OID,
        KeyUsage::OID,
        ExtendedKeyUsage::OID,
        SubjectKeyIdentifier::OID,
        AuthorityKeyIdentifier::OID,
        SubjectAltName::OID,
        DMTF_SPDM_EXTENSION,
    ]
    .contains(oid)
}

/// One decoded certificate.
struct Parsed<'a> {
    der: &'a [u8],
    tbs: &'a [u8],
    cert: Certificate,
    subject: Vec<u8>,
    issuer: Vec<u8>,
}

impl<'a> Parsed<'a> {
    fn decode(index: usize, der: &'a [u8]) -> Result<Self, ChainError> {
        let malformed = |reason| ChainError::Malformed { index, reason };
        let tbs = der_util::tbs_certificate(der).map_err(malformed)?;
        let cert = Certificate::from_der(der).map_err(|_| malformed("not DER X.509"))?;
        let subject = cert
            .tbs_certificate()
            .subject()
            .to_der()
            .map_err(|_| malformed("subject does not encode"))?;
        let issuer = cert
            .tbs_certificate()
            .issuer()
            .to_der()
            .map_err(|_| malformed("issuer does not encode"))?;
        Ok(Self {
            der,
            tbs,
            cert,
            subject,
            issuer,
        })
    }

    fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    fn signature_alg(&self, index: usize) -> Result<SignatureAlg, ChainError> {
        let outer = self.cert.signature_algorithm();
        if outer != self.cert.tbs_certificate().signature() {
            return Err(ChainError::Malformed {
                index,
                reason: "signatureAlgorithm differs from the TBSCertificate signature",
            });
        }
        algorithm::signature_alg(outer).map_err(|e| match e {
            AlgError::Unsupported => ChainError::UnsupportedSignatureAlgorithm {
                index,
                oid: outer.oid,
            },
            AlgError::Malformed(reason) => ChainError::Malformed { index, reason },
        })
    }

    fn public_key(&self, index: usize) -> Result<PublicKey, ChainError> {
        let spki = self
            .cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| ChainError::Malformed {
                index,
                reason: "subjectPublicKeyInfo does not encode",
            })?;
        PublicKey::from_spki_der(&spki).map_err(|e| match e {
            vtrust_crypto::Error::Unsupported { what } => ChainError::UnsupportedKey {
                index,
                reason: what,
            },
            vtrust_crypto::Error::KeyRejected { reason, .. } => {
                ChainError::UnsupportedKey { index, reason }
            }
            _ => ChainError::UnsupportedKey {
                index,
                reason: "public key rejected",
            },
        })
    }

    fn extensions(&self, index: usize) -> Result<Extensions, ChainError> {
        let malformed = |reason| ChainError::Malformed { index, reason };
        let mut out = Extensions::default();
        let list = self
            .cert
            .tbs_certificate()
            .extensions()
            .map_or(&[][..], |e| e);
        for (i, ext) in list.iter().enumerate() {
            if list.iter().take(i).any(|e| e.extn_id == ext.extn_id) {
                return Err(malformed("duplicate extension"));
            }
            if ext.critical && !is_recognised(&ext.extn_id) {
                return Err(ChainError::UnknownCriticalExtension {
                    index,
                    oid: ext.extn_id,
                });
            }
            let value = ext.extn_value.as_bytes();
            if ext.extn_id == BasicConstraints::OID {
                out.basic_constraints = Some(
                    BasicConstraints::from_der(value)
                        .map_err(|_| malformed("basicConstraints does not parse"))?,
                );
            } else if ext.extn_id == KeyUsage::OID {
                out.key_usage = Some(
                    KeyUsage::from_der(value).map_err(|_| malformed("keyUsage does not parse"))?,
                );
            } else if ext.extn_id == ExtendedKeyUsage::OID {
                out.eku = Some(
                    ExtendedKeyUsage::from_der(value)
                        .map_err(|_| malformed("extendedKeyUsage does not parse"))?,
                );
            }
        }
        Ok(out)
    }

    fn validity(&self) -> (Timestamp, Timestamp) {
        let v = self.cert.tbs_certificate().validity();
        (
            Timestamp::from_unix(v.not_before.to_unix_duration().as_secs()),
            Timestamp::from_unix(v.not_after.to_unix_duration().as_secs()),
        )
    }
}

/// The issuer of certificate 0: the chain's own root (self-signed) or a trust anchor.
enum RootIssuer<'p> {
    SelfSigned,
    Anchor(&'p TrustAnchor),
}

impl SpdmCertChain<'_> {
    /// Validates the chain under `policy` (the rules are listed in the module
    /// documentation), verifying signatures and hashing with `provider`.
    ///
    /// Trust anchors are matched by **byte-equal DER** with the chain's root, not by subject
    /// and key: RootHash is defined over the root certificate's exact bytes and libspdm
    /// compares the provisioned root byte for byte, so a re-issued root (same key, other
    /// validity or extensions) is a different identity that must be provisioned anew.
    ///
    /// # Errors
    /// The first rule broken, as a [`ChainError`] naming the certificate.
    pub fn validate(
        &self,
        policy: &ValidationPolicy<'_>,
        provider: &CryptoProvider,
    ) -> Result<ValidatedChain, ChainError> {
        // 1. Decode every certificate before anything costs a signature verification.
        let parsed = self
            .certs()
            .iter()
            .enumerate()
            .map(|(index, der)| Parsed::decode(index, der))
            .collect::<Result<Vec<_>, _>>()?;
        let first = parsed.first().ok_or(ChainError::NoCertificates)?;
        let leaf_index = parsed.len().saturating_sub(1);
        let hash = self.options().hash;

        // 2. RootHash and the trust anchor.
        let root_in_chain = first.self_issued();
        let (root_issuer, anchor) = if root_in_chain {
            if provider.digest(hash, first.der).as_bytes() != self.root_hash() {
                return Err(ChainError::RootHashMismatch);
            }
            let anchor = match policy.anchors {
                Anchors::AllowUnanchored => AnchorStatus::Unanchored,
                Anchors::Trusted(anchors) => anchors
                    .iter()
                    .position(|a| a.der == first.der)
                    .map(|index| AnchorStatus::Anchored { index })
                    .ok_or(ChainError::UntrustedRoot)?,
            };
            (RootIssuer::SelfSigned, anchor)
        } else {
            let Anchors::Trusted(anchors) = policy.anchors else {
                return Err(ChainError::RootNotInChain);
            };
            let index = anchors
                .iter()
                .position(|a| provider.digest(hash, &a.der).as_bytes() == self.root_hash())
                .ok_or(ChainError::UntrustedRoot)?;
            let anchor = anchors.get(index).ok_or(ChainError::UntrustedRoot)?;
            (RootIssuer::Anchor(anchor), AnchorStatus::Anchored { index })
        };

        // 3. Each certificate, root first.
        let mut summaries = Vec::with_capacity(parsed.len());
        let mut issuer_key: Option<PublicKey> = None;
        let mut leaf_key = None;
        for (index, cert) in parsed.iter().enumerate() {
            let tbs = cert.cert.tbs_certificate();
            if tbs.version() != Version::V3 {
                return Err(ChainError::NotV3 { index });
            }
            let alg = cert.signature_alg(index)?;
            let key = cert.public_key(index)?;
            let ext = cert.extensions(index)?;

            let (not_before, not_after) = cert.validity();
            if policy.now < not_before {
                return Err(ChainError::NotYetValid { index, not_before });
            }
            if policy.now > not_after {
                return Err(ChainError::Expired { index, not_after });
            }

            // Issuer name and signature.
            let (expected_issuer, verifying_key) = match (index, &root_issuer, &issuer_key) {
                (0, RootIssuer::SelfSigned, _) => (&cert.subject, &key),
                (0, RootIssuer::Anchor(anchor), _) => (&anchor.subject, &anchor.key),
                (_, _, Some(previous_key)) => {
                    let previous = parsed
                        .get(index.saturating_sub(1))
                        .ok_or(ChainError::IssuerMismatch { index })?;
                    (&previous.subject, previous_key)
                }
                (_, _, None) => return Err(ChainError::IssuerMismatch { index }),
            };
            if &cert.issuer != expected_issuer {
                return Err(ChainError::IssuerMismatch { index });
            }
            verify_signature(provider, index, alg, verifying_key, cert)?;

            let is_ca = ext.basic_constraints.as_ref().is_some_and(|bc| bc.ca);
            if index < leaf_index {
                check_issuer_rules(index, &ext, &parsed)?;
            } else {
                check_leaf_rules(index, &ext, policy)?;
                check_leaf_key(&key, policy.leaf_key)?;
            }

            summaries.push(CertSummary {
                subject: tbs.subject().to_string(),
                issuer: tbs.issuer().to_string(),
                serial: tbs.serial_number().to_string(),
                key_type: key.key_type(),
                rsa_bits: rsa_bits(&key),
                signature_alg: alg,
                not_before,
                not_after,
                is_ca,
            });
            if index == leaf_index {
                leaf_key = Some(key.clone());
            }
            issuer_key = Some(key);
        }
        let leaf = parsed.last().ok_or(ChainError::NoCertificates)?;
        Ok(ValidatedChain {
            certs: summaries,
            leaf_key: leaf_key.ok_or(ChainError::NoCertificates)?,
            leaf_der: leaf.der.to_vec(),
            root_hash: self.root_hash().to_vec(),
            anchor,
            root_in_chain,
        })
    }
}

fn verify_signature(
    provider: &CryptoProvider,
    index: usize,
    alg: SignatureAlg,
    issuer_key: &PublicKey,
    cert: &Parsed<'_>,
) -> Result<(), ChainError> {
    if issuer_key.key_type() != alg.key_type() {
        return Err(ChainError::SignatureAlgorithmMismatch { index });
    }
    let signature = cert
        .cert
        .signature()
        .as_bytes()
        .ok_or(ChainError::Malformed {
            index,
            reason: "signature BIT STRING has unused bits",
        })?;
    provider
        .verify_with(alg, issuer_key, cert.tbs, signature, EcdsaEncoding::Der)
        .map_err(|_| ChainError::BadSignature { index })
}

/// RFC 5280 §6.1.4 (k), (l), (m), (n) for the issuing certificate at `index`.
fn check_issuer_rules(
    index: usize,
    ext: &Extensions,
    parsed: &[Parsed<'_>],
) -> Result<(), ChainError> {
    let Some(bc) = ext.basic_constraints.as_ref().filter(|bc| bc.ca) else {
        return Err(ChainError::NotACa { index });
    };
    if ext.key_usage.as_ref().is_some_and(|ku| !ku.key_cert_sign()) {
        return Err(ChainError::MissingKeyCertSign { index });
    }
    if let Some(path_len) = bc.path_len_constraint {
        // Non-self-issued intermediate certificates below this one (the leaf excluded).
        let below = parsed
            .iter()
            .skip(index.saturating_add(1))
            .take(parsed.len().saturating_sub(index.saturating_add(2)))
            .filter(|c| !c.self_issued())
            .count();
        if below > usize::from(path_len) {
            return Err(ChainError::PathLenExceeded { index, path_len });
        }
    }
    Ok(())
}

/// The DSP0274 leaf rules (as libspdm's `libspdm_x509_certificate_check` enforces them).
fn check_leaf_rules(
    index: usize,
    ext: &Extensions,
    policy: &ValidationPolicy<'_>,
) -> Result<(), ChainError> {
    match &ext.basic_constraints {
        Some(bc) if bc.ca || bc.path_len_constraint.is_some() => {
            return Err(ChainError::LeafIsCa { index });
        }
        None if policy.require_leaf_basic_constraints => {
            return Err(ChainError::MissingBasicConstraints { index });
        }
        _ => {}
    }
    match &ext.key_usage {
        Some(ku) if !ku.digital_signature() => {
            return Err(ChainError::NoDigitalSignature { index });
        }
        None if policy.require_leaf_key_usage => {
            return Err(ChainError::MissingKeyUsage { index });
        }
        _ => {}
    }
    if let Some(eku) = &ext.eku {
        let responder = eku.0.contains(&DMTF_EKU_RESPONDER_AUTH);
        let requester = eku.0.contains(&DMTF_EKU_REQUESTER_AUTH);
        let refused = match policy.role {
            Role::ResponderAuth => requester && !responder,
            Role::RequesterAuth => responder && !requester,
        };
        if refused {
            return Err(ChainError::WrongEku { index });
        }
    }
    Ok(())
}

/// The RSA modulus size of `key` in bits (`None` for other keys or an unparsable key).
pub(crate) fn rsa_bits(key: &PublicKey) -> Option<usize> {
    (key.key_type() == KeyType::Rsa)
        .then(|| der_util::rsa_modulus_bits(key.as_bytes()))
        .flatten()
}

fn check_leaf_key(key: &PublicKey, expected: LeafKey) -> Result<(), ChainError> {
    if key.key_type() != expected.key_type {
        return Err(ChainError::WrongLeafKeyType {
            expected: expected.key_type,
            found: key.key_type(),
        });
    }
    if let Some(expected_bits) = expected.rsa_bits {
        let found_bits = rsa_bits(key).unwrap_or(0);
        if found_bits != expected_bits {
            return Err(ChainError::WrongLeafKeySize {
                expected_bits,
                found_bits,
            });
        }
    }
    Ok(())
}
