//! TPM 2.0 commands as the `vtrust tpm` command sends them (the builders of
//! `vtrust_tpm2::client`), and a checked response reader: a response that does not parse is
//! an error, never a panic.

use anyhow::{Context as _, bail};
use vtrust_wire::Reader;

pub use vtrust_tpm2::client::{
    create_primary, decapsulate, encapsulate, flush_context, get_random, mldsa_template,
    mlkem_template, pcr_extend, pcr_read, sign_digest, startup_clear, verify_digest_signature,
};
/// TPM_ST_DIGEST_VERIFIED (the ticket of VerifyDigestSignature).
pub use vtrust_tpm2::constants::TPM_ST_DIGEST_VERIFIED as ST_DIGEST_VERIFIED;
use vtrust_tpm2::constants::TPM_ST_SESSIONS as ST_SESSIONS;
/// TPM_ALG_MLDSA (TPM Library 1.85).
pub use vtrust_tpm2::constants::alg::MLDSA as ALG_MLDSA;

/// TPM_RC_INITIALIZE: TPM2_Startup when the TPM is already started.
pub const RC_INITIALIZE: u32 = 0x100;

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
    fn refuses_a_response_whose_size_field_disagrees() {
        let bad = [0x80, 0x01, 0, 0, 0, 0x0b, 0, 0, 0, 0];
        assert!(Response::parse(&bad).is_err());
        assert!(Response::parse(&bad[..8]).is_err());
    }
}
