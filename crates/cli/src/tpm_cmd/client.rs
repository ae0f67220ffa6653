//! TPM 2.0 commands as the `vtrust tpm` command sends them, and their responses.
//!
//! Builders for exactly the commands the CLI and the tour need (TPM 2.0 Part 3; the 1.85
//! post-quantum commands SignDigest 0x1A6, VerifyDigestSignature 0x1A5, Encapsulate 0x1A7 and
//! Decapsulate 0x1A8 with the structure layouts `vtrust-tpm2` documents), and a checked
//! response reader: a response that does not parse is an error, never a panic.

use anyhow::{Context as _, bail};
use vtrust_wire::Reader;

/// TPM_ST_NO_SESSIONS.
const ST_NO_SESSIONS: u16 = 0x8001;
/// TPM_ST_SESSIONS.
const ST_SESSIONS: u16 = 0x8002;
/// TPM_RS_PW: the password session.
const RS_PW: u32 = 0x4000_0009;
/// TPM_RH_OWNER.
pub const RH_OWNER: u32 = 0x4000_0001;
/// TPM_RH_NULL.
const RH_NULL: u32 = 0x4000_0007;
/// TPM_ALG_SHA256.
const ALG_SHA256: u16 = 0x000B;
/// TPM_ALG_NULL.
const ALG_NULL: u16 = 0x0010;
/// TPM_ALG_MLKEM (TPM Library 1.85).
pub const ALG_MLKEM: u16 = 0x00A0;
/// TPM_ALG_MLDSA (TPM Library 1.85).
pub const ALG_MLDSA: u16 = 0x00A1;
/// TPM_ST_HASHCHECK (the NULL validation ticket of SignDigest).
const ST_HASHCHECK: u16 = 0x8024;
/// TPM_ST_DIGEST_VERIFIED (the ticket of VerifyDigestSignature).
pub const ST_DIGEST_VERIFIED: u16 = 0x8027;

/// Command codes (TPM 2.0 Part 2 §6.5.2; 1.85 for the PQC ones).
pub mod cc {
    /// TPM2_Startup.
    pub const STARTUP: u32 = 0x144;
    /// TPM2_GetRandom.
    pub const GET_RANDOM: u32 = 0x17B;
    /// TPM2_PCR_Read.
    pub const PCR_READ: u32 = 0x17E;
    /// TPM2_PCR_Extend.
    pub const PCR_EXTEND: u32 = 0x182;
    /// TPM2_CreatePrimary.
    pub const CREATE_PRIMARY: u32 = 0x131;
    /// TPM2_FlushContext.
    pub const FLUSH_CONTEXT: u32 = 0x165;
    /// TPM2_VerifyDigestSignature (1.85).
    pub const VERIFY_DIGEST_SIGNATURE: u32 = 0x1A5;
    /// TPM2_SignDigest (1.85).
    pub const SIGN_DIGEST: u32 = 0x1A6;
    /// TPM2_Encapsulate (1.85).
    pub const ENCAPSULATE: u32 = 0x1A7;
    /// TPM2_Decapsulate (1.85).
    pub const DECAPSULATE: u32 = 0x1A8;
}

/// TPM_RC_INITIALIZE: TPM2_Startup when the TPM is already started.
pub const RC_INITIALIZE: u32 = 0x100;

fn tpm2b(out: &mut Vec<u8>, bytes: &[u8]) -> anyhow::Result<()> {
    let len = u16::try_from(bytes.len()).context("TPM2B longer than 65535 bytes")?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// A command frame (TPM 2.0 Part 1 §18): with `password` a TPM_RS_PW authorization area.
pub fn command(
    code: u32,
    handles: &[u32],
    password: Option<&[u8]>,
    params: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let mut v = Vec::with_capacity(params.len().saturating_add(32));
    let tag = if password.is_some() {
        ST_SESSIONS
    } else {
        ST_NO_SESSIONS
    };
    v.extend_from_slice(&tag.to_be_bytes());
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(&code.to_be_bytes());
    for h in handles {
        v.extend_from_slice(&h.to_be_bytes());
    }
    if let Some(pw) = password {
        let mut auth = RS_PW.to_be_bytes().to_vec();
        tpm2b(&mut auth, &[])?; // nonceCaller
        auth.push(0x01); // sessionAttributes: continueSession
        tpm2b(&mut auth, pw)?; // hmac = the password
        let len = u32::try_from(auth.len()).context("authorization size")?;
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&auth);
    }
    v.extend_from_slice(params);
    let size = u32::try_from(v.len()).context("command larger than 4 GiB")?;
    if let Some(field) = v.get_mut(2..6) {
        field.copy_from_slice(&size.to_be_bytes());
    }
    Ok(v)
}

/// TPM2_Startup(TPM_SU_CLEAR).
pub fn startup_clear() -> anyhow::Result<Vec<u8>> {
    command(cc::STARTUP, &[], None, &0u16.to_be_bytes())
}

/// TPM2_GetRandom(bytesRequested).
pub fn get_random(bytes: u16) -> anyhow::Result<Vec<u8>> {
    command(cc::GET_RANDOM, &[], None, &bytes.to_be_bytes())
}

/// TPM2_PCR_Read of SHA-256 PCRs `indices` (0-23).
pub fn pcr_read(indices: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut select = [0u8; 3];
    for &i in indices {
        let Some(byte) = select.get_mut(usize::from(i / 8)) else {
            bail!("PCR {i} does not exist (0-23)");
        };
        *byte |= 1 << (i % 8);
    }
    let mut p = 1u32.to_be_bytes().to_vec(); // TPML_PCR_SELECTION count
    p.extend_from_slice(&ALG_SHA256.to_be_bytes());
    p.push(3); // sizeofSelect
    p.extend_from_slice(&select);
    command(cc::PCR_READ, &[], None, &p)
}

/// TPM2_PCR_Extend(pcr, SHA-256 `digest`), authorized with the empty password.
pub fn pcr_extend(index: u8, digest: &[u8; 32]) -> anyhow::Result<Vec<u8>> {
    let mut p = 1u32.to_be_bytes().to_vec(); // TPML_DIGEST_VALUES count
    p.extend_from_slice(&ALG_SHA256.to_be_bytes());
    p.extend_from_slice(digest);
    command(cc::PCR_EXTEND, &[u32::from(index)], Some(b""), &p)
}

/// TPM2B_PUBLIC template of an ML-DSA signing key (`set` 1-3 for 44/65/87):
/// fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign, nameAlg SHA-256,
/// TPMS_MLDSA_PARMS {parameterSet, allowExternalMu NO}, empty unique.
pub fn mldsa_template(set: u16) -> anyhow::Result<Vec<u8>> {
    let mut t = Vec::new();
    t.extend_from_slice(&ALG_MLDSA.to_be_bytes());
    t.extend_from_slice(&ALG_SHA256.to_be_bytes());
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
pub fn mlkem_template(set: u16) -> anyhow::Result<Vec<u8>> {
    let mut t = Vec::new();
    t.extend_from_slice(&ALG_MLKEM.to_be_bytes());
    t.extend_from_slice(&ALG_SHA256.to_be_bytes());
    t.extend_from_slice(&0x0002_0072u32.to_be_bytes());
    tpm2b(&mut t, &[])?;
    t.extend_from_slice(&ALG_NULL.to_be_bytes());
    t.extend_from_slice(&set.to_be_bytes());
    tpm2b(&mut t, &[])?;
    let mut out = Vec::new();
    tpm2b(&mut out, &t)?;
    Ok(out)
}

/// TPM2_CreatePrimary(owner hierarchy, empty auth, `template`).
pub fn create_primary(template: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut p = Vec::new();
    let mut sensitive = Vec::new();
    tpm2b(&mut sensitive, &[])?; // userAuth
    tpm2b(&mut sensitive, &[])?; // data
    tpm2b(&mut p, &sensitive)?;
    p.extend_from_slice(template);
    tpm2b(&mut p, &[])?; // outsideInfo
    p.extend_from_slice(&0u32.to_be_bytes()); // creationPCR: empty
    command(cc::CREATE_PRIMARY, &[RH_OWNER], Some(b""), &p)
}

/// TPM2_SignDigest(key, context, digest, NULL ticket) (TPM Library 1.85).
pub fn sign_digest(key: u32, context: &[u8], digest: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut p = Vec::new();
    tpm2b(&mut p, context)?;
    tpm2b(&mut p, digest)?;
    p.extend_from_slice(&ST_HASHCHECK.to_be_bytes());
    p.extend_from_slice(&RH_NULL.to_be_bytes());
    tpm2b(&mut p, &[])?;
    command(cc::SIGN_DIGEST, &[key], Some(b""), &p)
}

/// TPM2_VerifyDigestSignature(key, context, digest, TPMT_SIGNATURE{MLDSA, signature}).
pub fn verify_digest_signature(
    key: u32,
    context: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let mut p = Vec::new();
    tpm2b(&mut p, context)?;
    tpm2b(&mut p, digest)?;
    p.extend_from_slice(&ALG_MLDSA.to_be_bytes());
    tpm2b(&mut p, signature)?;
    command(cc::VERIFY_DIGEST_SIGNATURE, &[key], None, &p)
}

/// TPM2_Encapsulate(key).
pub fn encapsulate(key: u32) -> anyhow::Result<Vec<u8>> {
    command(cc::ENCAPSULATE, &[key], None, &[])
}

/// TPM2_Decapsulate(key, ciphertext).
pub fn decapsulate(key: u32, ciphertext: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut p = Vec::new();
    tpm2b(&mut p, ciphertext)?;
    command(cc::DECAPSULATE, &[key], Some(b""), &p)
}

/// TPM2_FlushContext(handle).
pub fn flush_context(handle: u32) -> anyhow::Result<Vec<u8>> {
    command(cc::FLUSH_CONTEXT, &[], None, &handle.to_be_bytes())
}

/// A response checked for a consistent header: its code, handles and parameter area.
#[derive(Debug)]
pub struct Response<'a> {
    /// responseCode.
    pub code: u32,
    bytes: &'a [u8],
}

impl<'a> Response<'a> {
    /// Checks the header (size field equals the length, at least 10 bytes).
    ///
    /// # Errors
    /// A malformed header.
    pub fn parse(bytes: &'a [u8]) -> anyhow::Result<Self> {
        let header = vtrust_tpm_crb::tpm::TpmHeader::parse(bytes)?;
        if header.size_usize() != bytes.len() {
            bail!(
                "response size field {} but {} bytes came",
                header.size,
                bytes.len()
            );
        }
        Ok(Self {
            code: header.code,
            bytes,
        })
    }

    /// Fails with the response code unless it is TPM_RC_SUCCESS.
    ///
    /// # Errors
    /// The TPM refused the command.
    pub fn success(self, what: &str) -> anyhow::Result<Self> {
        if self.code != 0 {
            bail!("{what}: the TPM answered {}", rc_name(self.code));
        }
        Ok(self)
    }

    /// The parameter area after `handles` response handles (and the parameterSize of a
    /// TPM_ST_SESSIONS response), and the handles.
    ///
    /// # Errors
    /// A truncated response.
    pub fn params(&self, handles: usize) -> anyhow::Result<(Vec<u32>, Reader<'a>)> {
        let mut r = Reader::new(self.bytes);
        let tag = r.u16_be("tag")?;
        r.u32_be("responseSize")?;
        r.u32_be("responseCode")?;
        let mut hs = Vec::with_capacity(handles);
        for _ in 0..handles {
            hs.push(r.u32_be("handle")?);
        }
        if tag == ST_SESSIONS {
            let size = r.u32_be("parameterSize")?;
            let size = usize::try_from(size).context("parameterSize")?;
            let params = r.bytes("parameters", size)?;
            return Ok((hs, Reader::new(params)));
        }
        Ok((hs, Reader::new(r.rest())))
    }
}

/// Reads a TPM2B.
///
/// # Errors
/// Truncated.
pub fn read_tpm2b<'a>(r: &mut Reader<'a>, field: &'static str) -> anyhow::Result<&'a [u8]> {
    let len = r.u16_be(field)?;
    Ok(r.bytes(field, usize::from(len))?)
}

/// A response code with its name for the common ones (TPM 2.0 Part 2 §6.6).
pub fn rc_name(rc: u32) -> String {
    let name = match rc {
        0x100 => "TPM_RC_INITIALIZE",
        0x101 => "TPM_RC_FAILURE",
        0x142 => "TPM_RC_COMMAND_SIZE",
        0x143 => "TPM_RC_COMMAND_CODE",
        0x902 => "TPM_RC_OBJECT_MEMORY",
        0x922 => "TPM_RC_RETRY",
        _ if rc & 0x080 != 0 => match rc & 0x03F {
            0x01 => "TPM_RC_ASYMMETRIC",
            0x02 => "TPM_RC_ATTRIBUTES",
            0x03 => "TPM_RC_HASH",
            0x04 => "TPM_RC_VALUE",
            0x0A => "TPM_RC_TYPE",
            0x0B => "TPM_RC_HANDLE",
            0x0E => "TPM_RC_AUTH_FAIL",
            0x12 => "TPM_RC_SCHEME",
            0x15 => "TPM_RC_SIZE",
            0x1B => "TPM_RC_SIGNATURE",
            _ => "",
        },
        _ => "",
    };
    if name.is_empty() {
        format!("{rc:#05x}")
    } else {
        format!("{rc:#05x} ({name})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_and_get_random_match_the_measured_swtpm_bytes() {
        // tpm-crb.md §4: Startup `80 01 00 00 00 0c 00 00 01 44 00 00`,
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
    fn refuses_a_response_whose_size_field_disagrees() {
        let bad = [0x80, 0x01, 0, 0, 0, 0x0b, 0, 0, 0, 0];
        assert!(Response::parse(&bad).is_err());
        assert!(Response::parse(&bad[..8]).is_err());
    }

    #[test]
    fn refuses_pcr_indices_above_23() {
        assert!(pcr_read(&[24]).is_err());
    }
}
