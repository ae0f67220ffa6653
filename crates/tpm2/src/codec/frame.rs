//! The command frame (TPM 2.0 Part 1 §18, Part 3 §4): header, handle area, authorization
//! area (TPMS_AUTH_COMMAND, Part 2 §10.13.2) and parameters; and the response frame.

use vtrust_wire::{DecodeError, Reader, Writer};

use super::{MAX_DIGEST, read_2b, write_2b};
use crate::constants::{TPM_ST_NO_SESSIONS, TPM_ST_SESSIONS};

/// At most three sessions per command (Part 1 §18.6).
pub(crate) const MAX_SESSIONS: usize = 3;

/// TPMS_AUTH_COMMAND (Part 2 §10.13.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthCommand<'a> {
    /// sessionHandle (TPMI_SH_AUTH_SESSION).
    pub session_handle: u32,
    /// nonce (TPM2B_NONCE).
    pub nonce: &'a [u8],
    /// sessionAttributes (TPMA_SESSION).
    pub attributes: u8,
    /// hmac (TPM2B_AUTH): the HMAC or, for TPM_RS_PW, the password.
    pub hmac: &'a [u8],
}

impl<'a> AuthCommand<'a> {
    pub(crate) fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            session_handle: r.u32_be("sessionHandle")?,
            nonce: read_2b(r, "nonce", MAX_DIGEST)?,
            attributes: r.u8("sessionAttributes")?,
            hmac: read_2b(r, "hmac", MAX_DIGEST)?,
        })
    }
}

/// TPMS_AUTH_RESPONSE (Part 2 §10.13.3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct AuthResponse {
    pub nonce: Vec<u8>,
    pub attributes: u8,
    pub hmac: Vec<u8>,
}

impl AuthResponse {
    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), vtrust_wire::EncodeError> {
        write_2b(w, "nonce", &self.nonce)?;
        w.u8("sessionAttributes", self.attributes)?;
        write_2b(w, "hmac", &self.hmac)
    }
}

/// A command header (Part 1 §18.2): tag, commandSize, commandCode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub tag: u16,
    pub size: u32,
    pub code: u32,
}

impl Header {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            tag: r.u16_be("tag")?,
            size: r.u32_be("commandSize")?,
            code: r.u32_be("commandCode")?,
        })
    }
}

/// A response: `TPM_ST_NO_SESSIONS` or `TPM_ST_SESSIONS` with handles, parameters and
/// session responses (Part 1 §18.8). An error response is the 10-byte header alone.
pub(crate) fn encode_response(
    handles: &[u32],
    params: &[u8],
    auths: Option<&[AuthResponse]>,
) -> Result<Vec<u8>, vtrust_wire::EncodeError> {
    let mut w = Writer::with_capacity(params.len().saturating_add(64));
    let tag = if auths.is_some() {
        TPM_ST_SESSIONS
    } else {
        TPM_ST_NO_SESSIONS
    };
    w.u16_be("tag", tag)?;
    w.u32_be("responseSize", 0)?;
    w.u32_be("responseCode", 0)?;
    for h in handles {
        w.u32_be("handle", *h)?;
    }
    if let Some(auths) = auths {
        w.u32_len_be("parameterSize", params.len())?;
        w.bytes("parameters", params)?;
        for a in auths {
            a.encode(&mut w)?;
        }
    } else {
        w.bytes("parameters", params)?;
    }
    let mut out = w.into_vec();
    let len = u32::try_from(out.len())
        .map_err(|_| vtrust_wire::EncodeError::invalid_value("responseSize"))?;
    if let Some(slot) = out.get_mut(2..6) {
        slot.copy_from_slice(&len.to_be_bytes());
    }
    Ok(out)
}

/// The 10-byte error response for `rc` (Part 1 §18.8: always TPM_ST_NO_SESSIONS).
pub(crate) fn error_response(rc: u32) -> Vec<u8> {
    let mut r = Vec::with_capacity(10);
    r.extend_from_slice(&TPM_ST_NO_SESSIONS.to_be_bytes());
    r.extend_from_slice(&10u32.to_be_bytes());
    r.extend_from_slice(&rc.to_be_bytes());
    r
}
