//! The fields CHALLENGE_AUTH and MEASUREMENTS share before their Signature (DSP0274 1.3
//! §10.9, §10.11): OpaqueDataLength, OpaqueData and the 1.3 RequesterContext. Decoded,
//! checked and written here once.

use vtrust_wire::{EncodeError, LengthPrefix, Reader, Writer};

use super::error::CodecError;
use super::header::SpdmVersion;
use super::{MAX_OPAQUE_DATA_LEN, REQUESTER_CONTEXT_LEN, check_absent, check_presence, read_if};

/// The shared fields of a signed response.
pub(crate) struct SignedTail<'a> {
    /// OpaqueData (at most [`MAX_OPAQUE_DATA_LEN`]).
    pub(crate) opaque_data: &'a [u8],
    /// RequesterContext (1.3+).
    pub(crate) requester_context: Option<[u8; REQUESTER_CONTEXT_LEN]>,
}

impl<'a> SignedTail<'a> {
    /// Reads OpaqueDataLength, OpaqueData and (1.3+) RequesterContext.
    pub(crate) fn decode(r: &mut Reader<'a>, version: SpdmVersion) -> Result<Self, CodecError> {
        let opaque_data = r
            .prefixed("OpaqueDataLength", LengthPrefix::U16Le, MAX_OPAQUE_DATA_LEN)?
            .rest();
        let requester_context = read_if(r, "RequesterContext", version.at_least(SpdmVersion::V13))?;
        Ok(Self {
            opaque_data,
            requester_context,
        })
    }

    /// Checks, before anything is written, that the fields fit `version` and our limits.
    pub(crate) fn check(&self, version: SpdmVersion) -> Result<(), EncodeError> {
        check_presence(
            "RequesterContext",
            self.requester_context,
            version.at_least(SpdmVersion::V13),
        )?;
        check_absent(
            "OpaqueDataLength",
            self.opaque_data.len() <= MAX_OPAQUE_DATA_LEN,
        )
    }

    /// Writes the fields (after [`check`](Self::check)).
    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.u16_len_le("OpaqueDataLength", self.opaque_data.len())?;
        w.bytes("OpaqueData", self.opaque_data)?;
        if let Some(context) = self.requester_context {
            w.bytes("RequesterContext", &context)?;
        }
        Ok(())
    }

    /// Their encoded length.
    pub(crate) fn len(&self) -> usize {
        2usize
            .saturating_add(self.opaque_data.len())
            .saturating_add(self.requester_context.map_or(0, |c| c.len()))
    }
}
