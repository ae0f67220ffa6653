//! Command builders for TPM clients (TPM 2.0 Part 1 §18 frames, Part 3 commands; the 1.85
//! post-quantum commands SignDigest, VerifyDigestSignature, Encapsulate and Decapsulate with
//! the layouts this crate's TPM parses). They build bytes for any TPM — swtpm as well as
//! [`crate::Tpm`] — and are what `vtrust tpm` sends. This crate's own tests build their
//! commands independently, so that the TPM is not checked against this encoder.
//!
//! Authorization is the password session (TPM_RS_PW) with `continueSession` set.

use crate::constants::{TPM_ST_HASHCHECK, TPM_ST_NO_SESSIONS, TPM_ST_SESSIONS, alg, cc, handle};

/// Why a command could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A TPM2B longer than 65535 bytes, or a command larger than 4 GiB.
    #[error("{0} is too long for its size field")]
    TooLong(&'static str),
    /// A PCR index outside 0-23.
    #[error("PCR {0} does not exist (0-23)")]
    NoSuchPcr(u32),
}

/// Appends `bytes` as a TPM2B (u16 size, then the bytes). Part 2 §10.4.
///
/// # Errors
/// More than 65535 bytes.
pub fn tpm2b(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), ClientError> {
    let len = u16::try_from(bytes.len()).map_err(|_| ClientError::TooLong("a TPM2B"))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// A command frame: `tag | commandSize | commandCode | handles | [authorizationSize |
/// TPMS_AUTH_COMMAND] | parameters`. With `password`, TPM_ST_SESSIONS and one TPM_RS_PW
/// session whose hmac is the password; without, TPM_ST_NO_SESSIONS.
///
/// # Errors
/// A password above 65535 bytes or a command above 4 GiB.
pub fn command(
    code: u32,
    handles: &[u32],
    password: Option<&[u8]>,
    params: &[u8],
) -> Result<Vec<u8>, ClientError> {
    let mut v = Vec::with_capacity(params.len().saturating_add(32));
    let tag = if password.is_some() {
        TPM_ST_SESSIONS
    } else {
        TPM_ST_NO_SESSIONS
    };
    v.extend_from_slice(&tag.to_be_bytes());
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(&code.to_be_bytes());
    for h in handles {
        v.extend_from_slice(&h.to_be_bytes());
    }
    if let Some(pw) = password {
        let mut auth = handle::PW.to_be_bytes().to_vec();
        tpm2b(&mut auth, &[])?; // nonceCaller
        auth.push(0x01); // sessionAttributes: continueSession
        tpm2b(&mut auth, pw)?; // hmac = the password
        let len = u32::try_from(auth.len()).map_err(|_| ClientError::TooLong("authorization"))?;
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&auth);
    }
    v.extend_from_slice(params);
    let size = u32::try_from(v.len()).map_err(|_| ClientError::TooLong("the command"))?;
    if let Some(field) = v.get_mut(2..6) {
        field.copy_from_slice(&size.to_be_bytes());
    }
    Ok(v)
}

/// TPM2_Startup(TPM_SU_CLEAR). Part 3 §9.3.
///
/// # Errors
/// None in practice (the signature is shared with the other builders).
pub fn startup_clear() -> Result<Vec<u8>, ClientError> {
    command(cc::STARTUP, &[], None, &0u16.to_be_bytes())
}

/// TPM2_GetRandom(bytesRequested). Part 3 §16.1.
///
/// # Errors
/// None in practice.
pub fn get_random(bytes: u16) -> Result<Vec<u8>, ClientError> {
    command(cc::GET_RANDOM, &[], None, &bytes.to_be_bytes())
}

/// TPM2_PCR_Read of SHA-256 PCRs `indices` (0-23). Part 3 §22.4.
///
/// # Errors
/// An index above 23.
pub fn pcr_read(indices: &[u32]) -> Result<Vec<u8>, ClientError> {
    let mut select = [0u8; 3];
    for &i in indices {
        let byte = usize::try_from(i / 8)
            .ok()
            .and_then(|b| select.get_mut(b))
            .ok_or(ClientError::NoSuchPcr(i))?;
        *byte |= 1 << (i % 8);
    }
    let mut p = 1u32.to_be_bytes().to_vec(); // TPML_PCR_SELECTION count
    p.extend_from_slice(&alg::SHA256.to_be_bytes());
    p.push(3); // sizeofSelect
    p.extend_from_slice(&select);
    command(cc::PCR_READ, &[], None, &p)
}

/// TPM2_PCR_Extend(pcr, SHA-256 `digest`), authorized with the empty password. Part 3 §22.2.
///
/// # Errors
/// None in practice.
pub fn pcr_extend(index: u32, digest: &[u8; 32]) -> Result<Vec<u8>, ClientError> {
    let mut p = 1u32.to_be_bytes().to_vec(); // TPML_DIGEST_VALUES count
    p.extend_from_slice(&alg::SHA256.to_be_bytes());
    p.extend_from_slice(digest);
    command(cc::PCR_EXTEND, &[index], Some(b""), &p)
}

/// TPM2_Hash(`data`, SHA-256, TPM_RH_NULL). Part 3 §15.4.
///
/// # Errors
/// More than 65535 bytes of data.
pub fn hash_sha256(data: &[u8]) -> Result<Vec<u8>, ClientError> {
    let mut p = Vec::new();
    tpm2b(&mut p, data)?;
    p.extend_from_slice(&alg::SHA256.to_be_bytes());
    p.extend_from_slice(&handle::NULL.to_be_bytes());
    command(cc::HASH, &[], None, &p)
}

/// TPM2B_PUBLIC template of an ML-DSA signing key (`set` 1-3 for 44/65/87):
/// fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign, nameAlg SHA-256,
/// TPMS_MLDSA_PARMS {parameterSet, allowExternalMu NO}, empty unique.
///
/// # Errors
/// None in practice.
pub fn mldsa_template(set: u16) -> Result<Vec<u8>, ClientError> {
    let mut t = Vec::new();
    t.extend_from_slice(&alg::MLDSA.to_be_bytes());
    t.extend_from_slice(&alg::SHA256.to_be_bytes());
    t.extend_from_slice(&0x0004_0072u32.to_be_bytes());
    tpm2b(&mut t, &[])?; // authPolicy
    t.extend_from_slice(&set.to_be_bytes());
    t.push(0); // allowExternalMu
    tpm2b(&mut t, &[])?; // unique
    let mut out = Vec::new();
    tpm2b(&mut out, &t)?;
    Ok(out)
}

/// TPM2B_PUBLIC template of an ML-KEM decryption key (`set` 1-3 for 512/768/1024):
/// ...|decrypt, TPMS_MLKEM_PARMS {symmetric NULL, parameterSet}.
///
/// # Errors
/// None in practice.
pub fn mlkem_template(set: u16) -> Result<Vec<u8>, ClientError> {
    let mut t = Vec::new();
    t.extend_from_slice(&alg::MLKEM.to_be_bytes());
    t.extend_from_slice(&alg::SHA256.to_be_bytes());
    t.extend_from_slice(&0x0002_0072u32.to_be_bytes());
    tpm2b(&mut t, &[])?;
    t.extend_from_slice(&alg::NULL.to_be_bytes());
    t.extend_from_slice(&set.to_be_bytes());
    tpm2b(&mut t, &[])?;
    let mut out = Vec::new();
    tpm2b(&mut out, &t)?;
    Ok(out)
}

/// TPM2_CreatePrimary(owner hierarchy, empty auth, `template` (a TPM2B_PUBLIC)). Part 3
/// §24.1.
///
/// # Errors
/// None in practice.
pub fn create_primary(template: &[u8]) -> Result<Vec<u8>, ClientError> {
    let mut p = Vec::new();
    let mut sensitive = Vec::new();
    tpm2b(&mut sensitive, &[])?; // userAuth
    tpm2b(&mut sensitive, &[])?; // data
    tpm2b(&mut p, &sensitive)?;
    p.extend_from_slice(template);
    tpm2b(&mut p, &[])?; // outsideInfo
    p.extend_from_slice(&0u32.to_be_bytes()); // creationPCR: empty
    command(cc::CREATE_PRIMARY, &[handle::OWNER], Some(b""), &p)
}

/// TPM2_SignDigest(key, context, digest, NULL ticket) (TPM Library 1.85).
///
/// # Errors
/// A context or digest above 65535 bytes.
pub fn sign_digest(key: u32, context: &[u8], digest: &[u8]) -> Result<Vec<u8>, ClientError> {
    let mut p = Vec::new();
    tpm2b(&mut p, context)?;
    tpm2b(&mut p, digest)?;
    p.extend_from_slice(&TPM_ST_HASHCHECK.to_be_bytes());
    p.extend_from_slice(&handle::NULL.to_be_bytes());
    tpm2b(&mut p, &[])?;
    command(cc::SIGN_DIGEST, &[key], Some(b""), &p)
}

/// TPM2_VerifyDigestSignature(key, context, digest, TPMT_SIGNATURE{MLDSA, signature})
/// (TPM Library 1.85).
///
/// # Errors
/// A field above 65535 bytes.
pub fn verify_digest_signature(
    key: u32,
    context: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>, ClientError> {
    let mut p = Vec::new();
    tpm2b(&mut p, context)?;
    tpm2b(&mut p, digest)?;
    p.extend_from_slice(&alg::MLDSA.to_be_bytes());
    tpm2b(&mut p, signature)?;
    command(cc::VERIFY_DIGEST_SIGNATURE, &[key], None, &p)
}

/// TPM2_Encapsulate(key) (TPM Library 1.85).
///
/// # Errors
/// None in practice.
pub fn encapsulate(key: u32) -> Result<Vec<u8>, ClientError> {
    command(cc::ENCAPSULATE, &[key], None, &[])
}

/// TPM2_Decapsulate(key, ciphertext) (TPM Library 1.85).
///
/// # Errors
/// A ciphertext above 65535 bytes.
pub fn decapsulate(key: u32, ciphertext: &[u8]) -> Result<Vec<u8>, ClientError> {
    let mut p = Vec::new();
    tpm2b(&mut p, ciphertext)?;
    command(cc::DECAPSULATE, &[key], Some(b""), &p)
}

/// TPM2_FlushContext(handle). Part 3 §28.4.
///
/// # Errors
/// None in practice.
pub fn flush_context(handle: u32) -> Result<Vec<u8>, ClientError> {
    command(cc::FLUSH_CONTEXT, &[], None, &handle.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_and_get_random_match_the_measured_swtpm_bytes() {
        // shared/tpm-crb.md §4: Startup `80 01 00 00 00 0c 00 00 01 44 00 00`,
        // GetRandom(16) `80 01 00 00 00 0c 00 00 01 7b 00 10`.
        assert_eq!(
            startup_clear().unwrap(),
            [0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x44, 0, 0]
        );
        assert_eq!(
            get_random(16).unwrap(),
            [0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 0x10]
        );
    }

    #[test]
    fn refuses_pcr_indices_above_23() {
        assert_eq!(pcr_read(&[24]), Err(ClientError::NoSuchPcr(24)));
        assert!(pcr_read(&[0, 23]).is_ok());
    }

    #[test]
    fn refuses_a_tpm2b_above_65535_bytes() {
        assert_eq!(
            decapsulate(0x8000_0000, &vec![0; 65536]),
            Err(ClientError::TooLong("a TPM2B"))
        );
    }
}
