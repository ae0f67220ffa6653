//! Certificate chain generation with our crypto provider: root CA → intermediate CA(s) → leaf,
//! for every signature algorithm the provider has (ECDSA, RSA PKCS#1 v1.5 and PSS, Ed25519,
//! ML-DSA-44/65/87), with the SPDM leaf profile:
//!
//! | certificate | extensions |
//! |---|---|
//! | root CA | basicConstraints critical cA=TRUE (optional pathLenConstraint), keyUsage critical keyCertSign+cRLSign, subjectKeyIdentifier |
//! | intermediate CA | as the root, plus authorityKeyIdentifier |
//! | leaf | basicConstraints critical cA=FALSE, keyUsage critical digitalSignature, extendedKeyUsage id-DMTF-eku-responder-auth (or requester-auth), optional subjectAltName otherName id-DMTF-device-info, SKI, AKI |
//!
//! The TBSCertificate is encoded here with `der` (x509-cert 0.3 keeps its fields private and
//! its builder needs RustCrypto signer traits), then signed with [`SigningKey::sign_with`]
//! (ECDSA in DER, as X.509 wants).
//!
//! [`ChainSpec`]'s knobs each break one validation rule, so tests can show that every rule
//! produces its own [`ChainError`] variant.

use std::str::FromStr;
use std::time::Duration;

use const_oid::{AssociatedOid, ObjectIdentifier};
use der::asn1::{BitString, OctetString, Utf8StringRef};
use der::flagset::FlagSet;
use der::{Any, DateTime, Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::sign::{EcdsaEncoding, KeyType, RsaKeySize, SignatureAlg, SigningKey};
use x509_cert::certificate::Version;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{GeneralName, OtherName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::algorithm;
use super::chain::{LengthField, SpdmCertChain};
use super::oid::{DMTF_DEVICE_INFO, DMTF_EKU_REQUESTER_AUTH, DMTF_EKU_RESPONDER_AUTH};
use super::{ChainError, Timestamp, TrustAnchor};

/// The extension [`ChainSpec::unknown_critical_extension_at`] adds: `2.25.274`, a
/// UUID-derived OID (ITU-T X.667) of the UUID `00000000-0000-0000-0000-000000000112`, which
/// nobody uses and no implementation recognises.
pub const UNKNOWN_EXTENSION_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.25.274");

/// 2025-01-01T00:00:00Z, the default notBefore.
const DEFAULT_NOT_BEFORE: Timestamp = Timestamp::from_unix(1_735_689_600);
/// 9999-12-31T23:59:59Z, RFC 5280 §4.1.2.5's "no well-defined expiration date" (device
/// identities), the default notAfter.
const DEFAULT_NOT_AFTER: Timestamp = Timestamp::from_unix(253_402_300_799);

/// The leaf's extendedKeyUsage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafEku {
    /// `id-DMTF-eku-responder-auth` (the default).
    ResponderAuth,
    /// `id-DMTF-eku-requester-auth`.
    RequesterAuth,
    /// Both SPDM purposes.
    Both,
    /// No extendedKeyUsage extension.
    Absent,
    /// These purposes.
    Custom(Vec<ObjectIdentifier>),
}

/// The leaf's keyUsage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafKeyUsage {
    /// digitalSignature (the default).
    DigitalSignature,
    /// keyEncipherment only: breaks the leaf rule.
    WithoutDigitalSignature,
    /// No keyUsage extension.
    Absent,
}

/// What chain to generate. [`ChainSpec::new`] gives a valid SPDM Responder chain: a root CA,
/// one intermediate CA and a leaf, all signed with one algorithm, valid from 2025-01-01 with
/// no expiry (9999-12-31T23:59:59Z).
#[derive(Debug, Clone)]
pub struct ChainSpec {
    alg: SignatureAlg,
    leaf_alg: Option<SignatureAlg>,
    rsa_size: RsaKeySize,
    intermediates: usize,
    not_before: Timestamp,
    not_after: Timestamp,
    leaf_validity: Option<(Timestamp, Timestamp)>,
    name_prefix: String,
    leaf_eku: LeafEku,
    leaf_key_usage: LeafKeyUsage,
    device_info: Option<String>,
    leaf_basic_constraints: bool,
    leaf_is_ca: bool,
    intermediate_not_ca: bool,
    ca_without_key_cert_sign: bool,
    root_path_len: Option<u8>,
    unknown_critical_extension: Option<usize>,
    wrong_issuer: Option<usize>,
    corrupt_signature: Option<usize>,
    version: Option<(usize, Version)>,
}

impl ChainSpec {
    /// A valid Responder chain signed with `alg` throughout (RSA keys are 3072 bits).
    #[must_use]
    pub fn new(alg: SignatureAlg) -> Self {
        Self {
            alg,
            leaf_alg: None,
            rsa_size: RsaKeySize::Rsa3072,
            intermediates: 1,
            not_before: DEFAULT_NOT_BEFORE,
            not_after: DEFAULT_NOT_AFTER,
            leaf_validity: None,
            name_prefix: "vtrust".to_owned(),
            leaf_eku: LeafEku::ResponderAuth,
            leaf_key_usage: LeafKeyUsage::DigitalSignature,
            device_info: None,
            leaf_basic_constraints: true,
            leaf_is_ca: false,
            intermediate_not_ca: false,
            ca_without_key_cert_sign: false,
            root_path_len: None,
            unknown_critical_extension: None,
            wrong_issuer: None,
            corrupt_signature: None,
            version: None,
        }
    }

    /// The leaf's algorithm, when it differs from the CAs'.
    #[must_use]
    pub fn leaf_alg(mut self, alg: SignatureAlg) -> Self {
        self.leaf_alg = Some(alg);
        self
    }

    /// The RSA modulus size of every RSA key.
    #[must_use]
    pub fn rsa_size(mut self, size: RsaKeySize) -> Self {
        self.rsa_size = size;
        self
    }

    /// The number of intermediate CAs (default 1; 0 makes the root issue the leaf).
    #[must_use]
    pub fn intermediates(mut self, count: usize) -> Self {
        self.intermediates = count;
        self
    }

    /// Every certificate's validity window.
    #[must_use]
    pub fn validity(mut self, not_before: Timestamp, not_after: Timestamp) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// The leaf's validity window (expired or not yet valid leaves).
    #[must_use]
    pub fn leaf_validity(mut self, not_before: Timestamp, not_after: Timestamp) -> Self {
        self.leaf_validity = Some((not_before, not_after));
        self
    }

    /// The first word of every subject CN (default "vtrust").
    #[must_use]
    pub fn name_prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.name_prefix);
        self
    }

    /// The leaf's extendedKeyUsage (default [`LeafEku::ResponderAuth`]).
    #[must_use]
    pub fn leaf_eku(mut self, eku: LeafEku) -> Self {
        self.leaf_eku = eku;
        self
    }

    /// The leaf's keyUsage (default [`LeafKeyUsage::DigitalSignature`]).
    #[must_use]
    pub fn leaf_key_usage(mut self, usage: LeafKeyUsage) -> Self {
        self.leaf_key_usage = usage;
        self
    }

    /// A subjectAltName otherName `id-DMTF-device-info` UTF8String on the leaf
    /// ("manufacturer:product:serial").
    #[must_use]
    pub fn device_info(mut self, info: &str) -> Self {
        self.device_info = Some(info.to_owned());
        self
    }

    /// Leaves basicConstraints off the leaf.
    #[must_use]
    pub fn leaf_without_basic_constraints(mut self) -> Self {
        self.leaf_basic_constraints = false;
        self
    }

    /// Makes the leaf a CA (basicConstraints cA=TRUE).
    #[must_use]
    pub fn leaf_is_ca(mut self) -> Self {
        self.leaf_is_ca = true;
        self
    }

    /// Gives the intermediates basicConstraints cA=FALSE.
    #[must_use]
    pub fn intermediate_not_ca(mut self) -> Self {
        self.intermediate_not_ca = true;
        self
    }

    /// Gives the intermediates a keyUsage without keyCertSign.
    #[must_use]
    pub fn ca_without_key_cert_sign(mut self) -> Self {
        self.ca_without_key_cert_sign = true;
        self
    }

    /// Puts pathLenConstraint `len` in the root's basicConstraints.
    #[must_use]
    pub fn root_path_len(mut self, len: u8) -> Self {
        self.root_path_len = Some(len);
        self
    }

    /// Adds a critical extension nobody recognises ([`UNKNOWN_EXTENSION_OID`]) to the
    /// certificate at `index` (0 = root).
    #[must_use]
    pub fn unknown_critical_extension_at(mut self, index: usize) -> Self {
        self.unknown_critical_extension = Some(index);
        self
    }

    /// Writes a wrong issuer name into the certificate at `index` (≥ 1; the certificate is
    /// still signed by the right key).
    #[must_use]
    pub fn wrong_issuer_name_at(mut self, index: usize) -> Self {
        self.wrong_issuer = Some(index);
        self
    }

    /// Flips a bit of the signature of the certificate at `index`.
    #[must_use]
    pub fn corrupt_signature_at(mut self, index: usize) -> Self {
        self.corrupt_signature = Some(index);
        self
    }

    /// Encodes the certificate at `index` with another X.509 version.
    #[must_use]
    pub fn version_at(mut self, index: usize, version: Version) -> Self {
        self.version = Some((index, version));
        self
    }

    /// The number of certificates the chain will hold.
    #[must_use]
    pub fn cert_count(&self) -> usize {
        self.intermediates.saturating_add(2)
    }

    fn key_for(
        &self,
        provider: &CryptoProvider,
        alg: SignatureAlg,
    ) -> Result<SigningKey, GenerateError> {
        Ok(match alg.key_type() {
            KeyType::Rsa => provider.generate_rsa_signing_key(alg, self.rsa_size)?,
            _ => provider.generate_signing_key(alg)?,
        })
    }

    fn subject_cn(&self, index: usize, leaf_index: usize) -> String {
        let prefix = &self.name_prefix;
        if index == 0 {
            format!("{prefix} SPDM root CA")
        } else if index < leaf_index {
            format!("{prefix} SPDM intermediate CA {index}")
        } else if self.leaf_eku == LeafEku::RequesterAuth {
            format!("{prefix} SPDM requester")
        } else {
            format!("{prefix} SPDM responder")
        }
    }

    /// Generates the keys and the certificates.
    ///
    /// # Errors
    /// [`GenerateError::Crypto`] if key generation or signing fails,
    /// [`GenerateError::Der`] if a name or time cannot be encoded.
    pub fn generate(&self, provider: &CryptoProvider) -> Result<GeneratedChain, GenerateError> {
        let count = self.cert_count();
        let leaf_index = count.saturating_sub(1);
        let mut keys = Vec::with_capacity(count);
        for index in 0..count {
            let alg = if index == leaf_index {
                self.leaf_alg.unwrap_or(self.alg)
            } else {
                self.alg
            };
            keys.push(self.key_for(provider, alg)?);
        }
        let mut names = Vec::with_capacity(count);
        for index in 0..count {
            names.push(Name::from_str(&format!(
                "CN={}",
                self.subject_cn(index, leaf_index)
            ))?);
        }

        let mut certs = Vec::with_capacity(count);
        let mut issuer_ski: Option<Vec<u8>> = None;
        for (index, (key, subject)) in keys.iter().zip(&names).enumerate() {
            let issuer_key = keys
                .get(index.saturating_sub(1))
                .ok_or(GenerateError::InvalidSpec("no issuer"))?;
            let issuer_key = if index == 0 { key } else { issuer_key };
            let issuer_name = if self.wrong_issuer == Some(index) {
                Name::from_str(&format!("CN={} wrong issuer", self.name_prefix))?
            } else if index == 0 {
                subject.clone()
            } else {
                names
                    .get(index.saturating_sub(1))
                    .ok_or(GenerateError::InvalidSpec("no issuer"))?
                    .clone()
            };
            let spki = SubjectPublicKeyInfoOwned::from_der(&key.public_key().to_spki_der())?;
            let ski = key_identifier(provider, &spki);
            let extensions = self.extensions(index, leaf_index, &ski, issuer_ski.as_deref())?;
            let (not_before, not_after) = match self.leaf_validity {
                Some(window) if index == leaf_index => window,
                _ => (self.not_before, self.not_after),
            };
            let version = match self.version {
                Some((at, version)) if at == index => version,
                _ => Version::V3,
            };
            let tbs = RawTbsCertificate {
                version,
                serial_number: serial_number(provider)?,
                signature: algorithm::algorithm_identifier(issuer_key.alg())?,
                issuer: issuer_name,
                validity: Validity::new(time(not_before)?, time(not_after)?),
                subject: subject.clone(),
                subject_public_key_info: spki,
                extensions: Some(extensions),
            }
            .to_der()?;
            let mut signature = issuer_key.sign_with(&tbs, EcdsaEncoding::Der)?;
            if self.corrupt_signature == Some(index)
                && let Some(last) = signature.last_mut()
            {
                *last ^= 0x01;
            }
            let cert = RawCertificate {
                tbs_certificate: Any::from_der(&tbs)?,
                signature_algorithm: algorithm::algorithm_identifier(issuer_key.alg())?,
                signature: BitString::from_bytes(&signature)?,
            }
            .to_der()?;
            certs.push(cert);
            issuer_ski = Some(ski);
        }
        let leaf_key = keys.pop().ok_or(GenerateError::InvalidSpec("no leaf"))?;
        Ok(GeneratedChain { certs, leaf_key })
    }

    fn extensions(
        &self,
        index: usize,
        leaf_index: usize,
        ski: &[u8],
        issuer_ski: Option<&[u8]>,
    ) -> Result<Vec<Extension>, GenerateError> {
        let mut out = Vec::new();
        if index < leaf_index {
            let is_ca = !(self.intermediate_not_ca && index > 0);
            let path_len = if index == 0 { self.root_path_len } else { None };
            out.push(extension(
                true,
                &BasicConstraints {
                    ca: is_ca,
                    path_len_constraint: path_len.filter(|_| is_ca),
                },
            )?);
            let usage: FlagSet<KeyUsages> = if self.ca_without_key_cert_sign && index > 0 {
                KeyUsages::DigitalSignature.into()
            } else {
                KeyUsages::KeyCertSign | KeyUsages::CRLSign
            };
            out.push(extension(true, &KeyUsage(usage))?);
        } else {
            if self.leaf_is_ca {
                out.push(extension(
                    true,
                    &BasicConstraints {
                        ca: true,
                        path_len_constraint: None,
                    },
                )?);
            } else if self.leaf_basic_constraints {
                out.push(extension(
                    true,
                    &BasicConstraints {
                        ca: false,
                        path_len_constraint: None,
                    },
                )?);
            }
            match self.leaf_key_usage {
                LeafKeyUsage::DigitalSignature => out.push(extension(
                    true,
                    &KeyUsage(KeyUsages::DigitalSignature.into()),
                )?),
                LeafKeyUsage::WithoutDigitalSignature => out.push(extension(
                    true,
                    &KeyUsage(KeyUsages::KeyEncipherment.into()),
                )?),
                LeafKeyUsage::Absent => {}
            }
            let purposes = match &self.leaf_eku {
                LeafEku::ResponderAuth => Some(vec![DMTF_EKU_RESPONDER_AUTH]),
                LeafEku::RequesterAuth => Some(vec![DMTF_EKU_REQUESTER_AUTH]),
                LeafEku::Both => Some(vec![DMTF_EKU_RESPONDER_AUTH, DMTF_EKU_REQUESTER_AUTH]),
                LeafEku::Absent => None,
                LeafEku::Custom(oids) => Some(oids.clone()),
            };
            if let Some(purposes) = purposes {
                out.push(extension(false, &ExtendedKeyUsage(purposes))?);
            }
            if let Some(info) = &self.device_info {
                let value = Any::encode_from(&Utf8StringRef::new(info)?)?;
                let name = GeneralName::OtherName(OtherName {
                    type_id: DMTF_DEVICE_INFO,
                    value,
                });
                out.push(extension(false, &SubjectAltName(vec![name]))?);
            }
        }
        out.push(extension(
            false,
            &SubjectKeyIdentifier(OctetString::new(ski.to_vec())?),
        )?);
        if let Some(issuer_ski) = issuer_ski {
            out.push(extension(
                false,
                &AuthorityKeyIdentifier {
                    key_identifier: Some(OctetString::new(issuer_ski.to_vec())?),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                },
            )?);
        }
        if self.unknown_critical_extension == Some(index) {
            out.push(Extension {
                extn_id: UNKNOWN_EXTENSION_OID,
                critical: true,
                extn_value: OctetString::new(vec![0x05, 0x00])?,
            });
        }
        Ok(out)
    }
}

/// A generated chain: the certificates (root first) and the leaf's private key.
#[derive(Debug)]
pub struct GeneratedChain {
    certs: Vec<Vec<u8>>,
    leaf_key: SigningKey,
}

impl GeneratedChain {
    /// The certificates' DER, root first.
    #[must_use]
    pub fn certs(&self) -> &[Vec<u8>] {
        &self.certs
    }

    /// The root certificate's DER.
    #[must_use]
    pub fn root_der(&self) -> &[u8] {
        self.certs.first().map_or(&[][..], Vec::as_slice)
    }

    /// The leaf certificate's DER.
    #[must_use]
    pub fn leaf_der(&self) -> &[u8] {
        self.certs.last().map_or(&[][..], Vec::as_slice)
    }

    /// The leaf's private key (what the responder signs CHALLENGE_AUTH with).
    #[must_use]
    pub fn leaf_key(&self) -> &SigningKey {
        &self.leaf_key
    }

    /// The certificates and the leaf key, by value.
    #[must_use]
    pub fn into_parts(self) -> (Vec<Vec<u8>>, SigningKey) {
        (self.certs, self.leaf_key)
    }

    /// The certificates concatenated (libspdm's `bundle_*.certchain.der` layout).
    #[must_use]
    pub fn concatenated(&self) -> Vec<u8> {
        self.certs.concat()
    }

    /// The SPDM certificate chain: header, RootHash = `hash(root)`, certificates.
    ///
    /// # Errors
    /// [`ChainError::TooLarge`] if it does not fit `length_field`.
    pub fn to_spdm_chain(
        &self,
        provider: &CryptoProvider,
        hash: HashAlg,
        length_field: LengthField,
    ) -> Result<Vec<u8>, ChainError> {
        let certs: Vec<&[u8]> = self.certs.iter().map(Vec::as_slice).collect();
        SpdmCertChain::encode_with_root(provider, hash, &certs, length_field)
    }

    /// The root as a trust anchor.
    ///
    /// # Errors
    /// [`ChainError::InvalidAnchor`] (not for chains this module generated).
    pub fn trust_anchor(&self) -> Result<TrustAnchor, ChainError> {
        TrustAnchor::from_der(self.root_der())
    }
}

/// Why generation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// Key generation or signing failed.
    #[error("Key generation or signing failed: {0}")]
    Crypto(#[from] vtrust_crypto::Error),
    /// A name, time or structure could not be DER-encoded.
    #[error("DER encoding failed: {0}")]
    Der(#[from] der::Error),
    /// The specification cannot be built.
    #[error("Invalid chain specification: {0}")]
    InvalidSpec(&'static str),
}

/// TBSCertificate (RFC 5280 §4.1), with public fields so that we can write it.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RawTbsCertificate {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: Version,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

/// Certificate (RFC 5280 §4.1) around already-encoded TBSCertificate bytes, so the bytes
/// embedded are exactly the bytes signed.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RawCertificate {
    tbs_certificate: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

fn extension<T: AssociatedOid + Encode>(critical: bool, value: &T) -> der::Result<Extension> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// A Time for `t`: UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
fn time(t: Timestamp) -> der::Result<Time> {
    Ok(Time::from(DateTime::from_unix_duration(
        Duration::from_secs(t.unix()),
    )?))
}

/// A positive 16-byte serial number from the provider's RNG (RFC 5280 §4.1.2.2: at most 20
/// octets, positive, unique per CA).
fn serial_number(provider: &CryptoProvider) -> Result<SerialNumber, GenerateError> {
    let mut bytes = provider.random_array::<16>()?;
    if let Some(first) = bytes.first_mut() {
        // Positive and minimally encoded in exactly 16 octets.
        *first = (*first & 0x7f) | 0x40;
    }
    Ok(SerialNumber::new(&bytes)?)
}

/// A key identifier: the leftmost 160 bits of SHA-256 over the subjectPublicKey BIT STRING
/// value (RFC 7093 §2 method 1).
fn key_identifier(provider: &CryptoProvider, spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    let digest = provider.digest(HashAlg::Sha256, spki.subject_public_key.raw_bytes());
    digest.as_bytes().iter().take(20).copied().collect()
}
