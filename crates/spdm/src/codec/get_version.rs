//! GET_VERSION request and VERSION response (DSP0274 1.1 §10.2), always SPDM 1.0 on the
//! wire.

use vtrust_wire::{Encode, EncodeError, Reader, Writer};

use super::error::{CodecError, CodecErrorKind, check_count};
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{MAX_VERSION_ENTRIES, decode_exact};

/// Refuses a GET_VERSION / VERSION whose SPDMVersion is not 1.0.
fn check_v10(header: &Header) -> Result<(), CodecError> {
    if header.version == SpdmVersion::V10 {
        Ok(())
    } else {
        Err(CodecError::new(
            "SPDMVersion",
            CodecErrorKind::UnsupportedVersion {
                version: header.version.raw(),
            },
        ))
    }
}

/// DSP0274 1.1 §10.2 GET_VERSION request: the header alone, SPDMVersion 1.0, Param1 and
/// Param2 reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GetVersion;

impl GetVersion {
    /// Decodes a GET_VERSION that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message, a version other than 1.0 or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, RequestCode::GetVersion.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, _r: &mut Reader<'_>) -> Result<Self, CodecError> {
        check_v10(header)?;
        Ok(Self)
    }
}

impl Encode for GetVersion {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        write_header(w, SpdmVersion::V10, RequestCode::GetVersion.into(), 0, 0)
    }

    fn encoded_len(&self) -> Option<usize> {
        Some(Header::LEN)
    }
}

/// DSP0274 1.1 §10.2 VersionNumberEntry: bits 15:12 MajorVersion, 11:8 MinorVersion, 7:4
/// UpdateVersionNumber, 3:0 Alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionNumberEntry(pub u16);

impl VersionNumberEntry {
    /// The entry for `version` with update and alpha 0.
    #[must_use]
    pub fn new(version: SpdmVersion) -> Self {
        Self(u16::from_be_bytes([version.raw(), 0]))
    }

    /// MajorVersion.
    #[must_use]
    pub const fn major(self) -> u8 {
        let [hi, _] = self.0.to_be_bytes();
        hi / 16
    }

    /// MinorVersion.
    #[must_use]
    pub const fn minor(self) -> u8 {
        let [hi, _] = self.0.to_be_bytes();
        hi % 16
    }

    /// UpdateVersionNumber.
    #[must_use]
    pub const fn update(self) -> u8 {
        let [_, lo] = self.0.to_be_bytes();
        lo / 16
    }

    /// Alpha (0 for a released version).
    #[must_use]
    pub const fn alpha(self) -> u8 {
        let [_, lo] = self.0.to_be_bytes();
        lo % 16
    }

    /// The SPDMVersion this entry stands for (major and minor), known or not.
    #[must_use]
    pub fn spdm_version(self) -> SpdmVersion {
        let [hi, _] = self.0.to_be_bytes();
        SpdmVersion::from(hi)
    }
}

/// DSP0274 1.1 §10.2 VERSION response: SPDMVersion 1.0, Reserved, VersionNumberEntryCount,
/// VersionNumberEntry list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Version {
    /// VersionNumberEntry list (at most [`MAX_VERSION_ENTRIES`]).
    pub entries: Vec<VersionNumberEntry>,
}

impl Version {
    /// Decodes a VERSION that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message, a version other than 1.0, another code or
    /// more entries than [`MAX_VERSION_ENTRIES`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::Version.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        check_v10(header)?;
        r.skip_reserved("Reserved", 1)?;
        let count = usize::from(r.u8("VersionNumberEntryCount")?);
        check_count("VersionNumberEntryCount", count, MAX_VERSION_ENTRIES)?;
        let entries = (0..count)
            .map(|_| Ok(VersionNumberEntry(r.u16_le("VersionNumberEntry")?)))
            .collect::<Result<_, CodecError>>()?;
        Ok(Self { entries })
    }
}

impl Encode for Version {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            if self.entries.len() > MAX_VERSION_ENTRIES {
                return Err(EncodeError::invalid_value("VersionNumberEntryCount"));
            }
            write_header(w, SpdmVersion::V10, ResponseCode::Version.into(), 0, 0)?;
            w.zeros("Reserved", 1)?;
            w.u8_len("VersionNumberEntryCount", self.entries.len())?;
            self.entries
                .iter()
                .try_for_each(|e| w.u16_le("VersionNumberEntry", e.0))
        })
    }
}
