//! Key derivation and loaded objects.
//!
//! - [`kdfa`]: KDFa (TPM 2.0 Part 1 §11.4.10.2, SP 800-108 counter mode with HMAC).
//! - Primary keys are derived from the hierarchy's primary seed and the template (Part 1
//!   §28.3 "primary keys"): the same seed and the same template give the same key. The
//!   derivation here (documented in the README): `ctx = H_nameAlg(TPMT_PUBLIC template)`,
//!   then for ECC the private scalar is `KDFa(nameAlg, seed, "ECC", ctx, counter, bits)`
//!   with `counter` counting up until the value is in `[1, n-1]`; ML-DSA's 32-byte seed ξ is
//!   `KDFa(nameAlg, seed, "MLDSA", ctx, "", 256)` (the 1.85 ML-DSA private key is the seed)
//!   and ML-KEM's 64-byte seed `d || z` is `KDFa(nameAlg, seed, "MLKEM", ctx, "", 512)`.
//!   libtpms derives keys with its own DRBG construction, so keys differ from swtpm's.

use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::kem::{DecapsulationKey, KemAlg};
use vtrust_crypto::sign::{SignatureAlg, SigningKey};
use vtrust_crypto::{CryptoProvider, Error as CryptoError};
use vtrust_wire::{Reader, Writer};

use crate::codec::public::{Curve, KeyParms, Public, mldsa_from_set, mlkem_from_set};
use crate::codec::{alg_of_hash, read_2b, write_2b};
use crate::rc::{Rc, TPM_RC_KEY, TPM_RC_NO_RESULT};

/// KDFa (Part 1 §11.4.10.2): `K(i) = HMAC(key, [i]32 || label || 0x00 || contextU ||
/// contextV || [bits]32)`, concatenated and cut to `out.len()` bytes (`bits = 8 * len`).
pub(crate) fn kdfa(
    provider: &CryptoProvider,
    hash: HashAlg,
    key: &[u8],
    label: &[u8],
    context_u: &[u8],
    context_v: &[u8],
    out: &mut [u8],
) -> Result<(), Rc> {
    let bits = u32::try_from(out.len())
        .ok()
        .and_then(|l| l.checked_mul(8))
        .ok_or(Rc(TPM_RC_NO_RESULT))?;
    let hkey = provider
        .hmac_key(hash, key)
        .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
    for (chunk, i) in out.chunks_mut(hash.output_len()).zip(1u32..) {
        let mut ctx = hkey.context();
        ctx.update(&i.to_be_bytes());
        ctx.update(label);
        ctx.update(&[0]);
        ctx.update(context_u);
        ctx.update(context_v);
        ctx.update(&bits.to_be_bytes());
        let t = ctx.sign();
        for (d, s) in chunk.iter_mut().zip(t.as_bytes()) {
            *d = *s;
        }
    }
    Ok(())
}

/// The private part of a loaded key.
pub(crate) enum KeyMaterial {
    /// An ECC key (signing or decrypt; only signing is used).
    Ecc(SigningKey),
    /// An ML-DSA key.
    MlDsa(SigningKey),
    /// An ML-KEM key.
    MlKem(DecapsulationKey),
}

/// A loaded key object (Part 1 §27 "object").
pub(crate) struct Object {
    pub public: Public,
    /// The marshaled TPMT_PUBLIC.
    pub public_bytes: Vec<u8>,
    /// Name: nameAlg || H(TPMT_PUBLIC) (Part 1 §16).
    pub name: Vec<u8>,
    /// Qualified name: nameAlg || H(parent QN || Name) (Part 1 §26.5).
    pub qualified_name: Vec<u8>,
    /// The hierarchy (TPM_RH_OWNER, _ENDORSEMENT, _PLATFORM, _NULL).
    pub hierarchy: u32,
    /// userAuth.
    pub auth: Vec<u8>,
    /// The secret the key is built from: ECC scalar, ML-DSA ξ, ML-KEM d || z.
    pub sensitive: Vec<u8>,
    pub key: KeyMaterial,
}

fn crypto(_: CryptoError) -> Rc {
    Rc(TPM_RC_NO_RESULT)
}

/// `nameAlg || H_nameAlg(data)`.
pub(crate) fn name_of(provider: &CryptoProvider, alg: HashAlg, data: &[&[u8]]) -> Vec<u8> {
    let mut h = provider.hasher(alg);
    for d in data {
        h.update(d);
    }
    let mut out = alg_of_hash(alg).to_be_bytes().to_vec();
    out.extend_from_slice(h.finish().as_bytes());
    out
}

fn ecdsa_alg(curve: Curve) -> SignatureAlg {
    match curve {
        Curve::P256 => SignatureAlg::EcdsaP256Sha256,
        Curve::P384 => SignatureAlg::EcdsaP384Sha384,
    }
}

/// Builds the key from its secret and fills the public key into `public.parms`.
fn build_key(
    provider: &CryptoProvider,
    public: &mut Public,
    sensitive: &[u8],
) -> Result<KeyMaterial, Rc> {
    match &mut public.parms {
        KeyParms::Ecc { curve, x, y, .. } => {
            let key = provider
                .signing_key_from_ec_scalar(ecdsa_alg(*curve), sensitive)
                .map_err(|_| Rc(TPM_RC_KEY))?;
            let xy = key.public_key().ec_xy().ok_or(Rc(TPM_RC_NO_RESULT))?;
            let (px, py) = xy
                .split_at_checked(curve.coord_len())
                .ok_or(Rc(TPM_RC_NO_RESULT))?;
            *x = px.to_vec();
            *y = py.to_vec();
            Ok(KeyMaterial::Ecc(key))
        }
        KeyParms::MlDsa {
            parameter_set,
            public: pk,
            ..
        } => {
            let alg = mldsa_from_set(*parameter_set).ok_or(Rc(TPM_RC_KEY))?;
            let key = provider
                .signing_key_from_seed(alg, sensitive)
                .map_err(crypto)?;
            *pk = key.public_key().as_bytes().to_vec();
            Ok(KeyMaterial::MlDsa(key))
        }
        KeyParms::MlKem {
            parameter_set,
            public: pk,
            ..
        } => {
            let alg: KemAlg = mlkem_from_set(*parameter_set).ok_or(Rc(TPM_RC_KEY))?;
            let seed: &[u8; 64] = sensitive.try_into().map_err(|_| Rc(TPM_RC_KEY))?;
            let key = provider.kem_key_from_seed(alg, seed).map_err(crypto)?;
            *pk = key.encapsulation_key_bytes().to_vec();
            Ok(KeyMaterial::MlKem(key))
        }
    }
}

impl Object {
    /// Derives a primary key from `seed` and `template` (see the module docs).
    pub(crate) fn derive_primary(
        provider: &CryptoProvider,
        seed: &[u8],
        hierarchy: u32,
        template: &Public,
        auth: Vec<u8>,
    ) -> Result<Self, Rc> {
        let template_bytes = template.to_bytes().map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let ctx = provider.digest(template.name_alg, &template_bytes);
        let h = template.name_alg;
        let sensitive = match &template.parms {
            KeyParms::Ecc { curve, .. } => {
                let mut scalar = vec![0u8; curve.coord_len()];
                let mut found = false;
                for counter in 1u32..=64 {
                    kdfa(
                        provider,
                        h,
                        seed,
                        b"ECC",
                        ctx.as_bytes(),
                        &counter.to_be_bytes(),
                        &mut scalar,
                    )?;
                    if provider
                        .signing_key_from_ec_scalar(ecdsa_alg(*curve), &scalar)
                        .is_ok()
                    {
                        found = true;
                        break;
                    }
                }
                if !found {
                    return Err(Rc(TPM_RC_NO_RESULT));
                }
                scalar
            }
            KeyParms::MlDsa { .. } => {
                let mut xi = vec![0u8; 32];
                kdfa(provider, h, seed, b"MLDSA", ctx.as_bytes(), &[], &mut xi)?;
                xi
            }
            KeyParms::MlKem { .. } => {
                let mut dz = vec![0u8; 64];
                kdfa(provider, h, seed, b"MLKEM", ctx.as_bytes(), &[], &mut dz)?;
                dz
            }
        };
        Self::from_parts(provider, template.clone(), hierarchy, auth, sensitive)
    }

    /// Rebuilds an object from its template, hierarchy, auth and secret.
    pub(crate) fn from_parts(
        provider: &CryptoProvider,
        mut public: Public,
        hierarchy: u32,
        auth: Vec<u8>,
        sensitive: Vec<u8>,
    ) -> Result<Self, Rc> {
        let key = build_key(provider, &mut public, &sensitive)?;
        let public_bytes = public.to_bytes().map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let name = name_of(provider, public.name_alg, &[&public_bytes]);
        let qualified_name = name_of(
            provider,
            public.name_alg,
            &[&hierarchy.to_be_bytes(), &name],
        );
        Ok(Self {
            public,
            public_bytes,
            name,
            qualified_name,
            hierarchy,
            auth,
            sensitive,
            key,
        })
    }

    /// The object's private serialization (for context blobs and volatile state):
    /// hierarchy, TPM2B public, TPM2B auth, TPM2B sensitive.
    pub(crate) fn serialize(&self, w: &mut Writer) -> Result<(), vtrust_wire::EncodeError> {
        w.u32_be("hierarchy", self.hierarchy)?;
        write_2b(w, "public", &self.public_bytes)?;
        write_2b(w, "auth", &self.auth)?;
        write_2b(w, "sensitive", &self.sensitive)
    }

    /// Reads what [`Self::serialize`] wrote and rebuilds the key; the public key must match.
    pub(crate) fn deserialize(provider: &CryptoProvider, r: &mut Reader<'_>) -> Result<Self, Rc> {
        let bad = |_| Rc(crate::rc::TPM_RC_BAD_CONTEXT);
        let hierarchy = r.u32_be("hierarchy").map_err(bad)?;
        let public_bytes = read_2b(r, "public", 4096).map_err(bad)?;
        let auth = read_2b(r, "auth", 64).map_err(bad)?.to_vec();
        let sensitive = read_2b(r, "sensitive", 64).map_err(bad)?.to_vec();
        let public = Public::decode(&mut Reader::new(public_bytes)).map_err(bad)?;
        let obj = Self::from_parts(provider, public, hierarchy, auth, sensitive)?;
        if obj.public_bytes != public_bytes {
            return Err(Rc(crate::rc::TPM_RC_BAD_CONTEXT));
        }
        Ok(obj)
    }
}
