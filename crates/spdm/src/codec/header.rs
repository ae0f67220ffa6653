//! The four bytes every SPDM message starts with and the code points they carry:
//! [`SpdmVersion`], [`RequestCode`], [`ResponseCode`] and [`Header`].

use core::cmp::Ordering;

use vtrust_wire::{EncodeError, Reader, Writer, open_enum};

use super::error::{CodecError, CodecErrorKind};

open_enum! {
    /// DSP0274 1.1 §8 (generic SPDM message format) SPDMVersion: major version in bits 7:4, minor version in bits 3:0.
    ///
    /// GET_VERSION and VERSION always carry 1.0; every later message carries the negotiated
    /// version, which selects its layout. Ordered by the raw byte ([`SpdmVersion::at_least`]).
    pub enum SpdmVersion: u8 {
        /// SPDM 1.0 (DSP0274 1.0).
        V10 = 0x10,
        /// SPDM 1.1: sessions, mutual authentication, algorithm structures.
        V11 = 0x11,
        /// SPDM 1.2: transfer sizes, CHUNK, opaque data format, signing prefix.
        V12 = 0x12,
        /// SPDM 1.3: RequesterContext, multi-key, slot masks in DIGESTS, MEL, events.
        V13 = 0x13,
        /// SPDM 1.4: PQC algorithms, KEM, large certificate chains and payloads.
        V14 = 0x14,
    }
}

impl SpdmVersion {
    /// The raw SPDMVersion byte.
    #[must_use]
    pub fn raw(self) -> u8 {
        self.into()
    }

    /// Major version (bits 7:4).
    #[must_use]
    pub fn major(self) -> u8 {
        self.raw() / 16
    }

    /// Minor version (bits 3:0).
    #[must_use]
    pub fn minor(self) -> u8 {
        self.raw() % 16
    }

    /// Whether this version is `other` or later: the layout test every version-dependent
    /// field uses (`version.at_least(SpdmVersion::V13)` for RequesterContext).
    #[must_use]
    pub fn at_least(self, other: Self) -> bool {
        self.raw() >= other.raw()
    }
}

impl PartialOrd for SpdmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SpdmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.raw().cmp(&other.raw())
    }
}

impl core::fmt::Display for SpdmVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}", self.major(), self.minor())
    }
}

open_enum! {
    /// DSP0274 1.1 §8.3 SPDM request codes (RequestResponseCode of a request), all of SPDM
    /// 1.0-1.4.
    pub enum RequestCode: u8 {
        /// GET_DIGESTS (1.0).
        GetDigests = 0x81,
        /// GET_CERTIFICATE (1.0).
        GetCertificate = 0x82,
        /// CHALLENGE (1.0).
        Challenge = 0x83,
        /// GET_VERSION (1.0).
        GetVersion = 0x84,
        /// CHUNK_SEND (1.2).
        ChunkSend = 0x85,
        /// CHUNK_GET (1.2).
        ChunkGet = 0x86,
        /// GET_ENDPOINT_INFO (1.3).
        GetEndpointInfo = 0x87,
        /// SLOT_MANAGEMENT (1.4).
        SlotManagement = 0x88,
        /// GET_MEASUREMENTS (1.0).
        GetMeasurements = 0xE0,
        /// GET_CAPABILITIES (1.0).
        GetCapabilities = 0xE1,
        /// GET_SUPPORTED_EVENT_TYPES (1.3).
        GetSupportedEventTypes = 0xE2,
        /// NEGOTIATE_ALGORITHMS (1.0).
        NegotiateAlgorithms = 0xE3,
        /// KEY_EXCHANGE (1.1).
        KeyExchange = 0xE4,
        /// FINISH (1.1).
        Finish = 0xE5,
        /// PSK_EXCHANGE (1.1).
        PskExchange = 0xE6,
        /// PSK_FINISH (1.1).
        PskFinish = 0xE7,
        /// HEARTBEAT (1.1).
        Heartbeat = 0xE8,
        /// KEY_UPDATE (1.1).
        KeyUpdate = 0xE9,
        /// GET_ENCAPSULATED_REQUEST (1.1).
        GetEncapsulatedRequest = 0xEA,
        /// DELIVER_ENCAPSULATED_RESPONSE (1.1).
        DeliverEncapsulatedResponse = 0xEB,
        /// END_SESSION (1.1).
        EndSession = 0xEC,
        /// GET_CSR (1.2).
        GetCsr = 0xED,
        /// SET_CERTIFICATE (1.2).
        SetCertificate = 0xEE,
        /// GET_MEASUREMENT_EXTENSION_LOG (1.3).
        GetMeasurementExtensionLog = 0xEF,
        /// SUBSCRIBE_EVENT_TYPES (1.3).
        SubscribeEventTypes = 0xF0,
        /// SEND_EVENT (1.3).
        SendEvent = 0xF1,
        /// GET_KEY_PAIR_INFO (1.3).
        GetKeyPairInfo = 0xFC,
        /// SET_KEY_PAIR_INFO (1.3).
        SetKeyPairInfo = 0xFD,
        /// VENDOR_DEFINED_REQUEST (1.0).
        VendorDefinedRequest = 0xFE,
        /// RESPOND_IF_READY (1.0).
        RespondIfReady = 0xFF,
    }
}

open_enum! {
    /// DSP0274 1.1 §8.4 SPDM response codes (RequestResponseCode of a response), all of SPDM
    /// 1.0-1.4.
    pub enum ResponseCode: u8 {
        /// DIGESTS (1.0).
        Digests = 0x01,
        /// CERTIFICATE (1.0).
        Certificate = 0x02,
        /// CHALLENGE_AUTH (1.0).
        ChallengeAuth = 0x03,
        /// VERSION (1.0).
        Version = 0x04,
        /// CHUNK_SEND_ACK (1.2).
        ChunkSendAck = 0x05,
        /// CHUNK_RESPONSE (1.2).
        ChunkResponse = 0x06,
        /// ENDPOINT_INFO (1.3).
        EndpointInfo = 0x07,
        /// SLOT_MANAGEMENT_RESP (1.4).
        SlotManagementResp = 0x08,
        /// MEASUREMENTS (1.0).
        Measurements = 0x60,
        /// CAPABILITIES (1.0).
        Capabilities = 0x61,
        /// SUPPORTED_EVENT_TYPES (1.3).
        SupportedEventTypes = 0x62,
        /// ALGORITHMS (1.0).
        Algorithms = 0x63,
        /// KEY_EXCHANGE_RSP (1.1).
        KeyExchangeRsp = 0x64,
        /// FINISH_RSP (1.1).
        FinishRsp = 0x65,
        /// PSK_EXCHANGE_RSP (1.1).
        PskExchangeRsp = 0x66,
        /// PSK_FINISH_RSP (1.1).
        PskFinishRsp = 0x67,
        /// HEARTBEAT_ACK (1.1).
        HeartbeatAck = 0x68,
        /// KEY_UPDATE_ACK (1.1).
        KeyUpdateAck = 0x69,
        /// ENCAPSULATED_REQUEST (1.1).
        EncapsulatedRequest = 0x6A,
        /// ENCAPSULATED_RESPONSE_ACK (1.1).
        EncapsulatedResponseAck = 0x6B,
        /// END_SESSION_ACK (1.1).
        EndSessionAck = 0x6C,
        /// CSR (1.2).
        Csr = 0x6D,
        /// SET_CERTIFICATE_RSP (1.2).
        SetCertificateRsp = 0x6E,
        /// MEASUREMENT_EXTENSION_LOG (1.3).
        MeasurementExtensionLog = 0x6F,
        /// SUBSCRIBE_EVENT_TYPES_ACK (1.3).
        SubscribeEventTypesAck = 0x70,
        /// EVENT_ACK (1.3).
        EventAck = 0x71,
        /// KEY_PAIR_INFO (1.3).
        KeyPairInfo = 0x7C,
        /// SET_KEY_PAIR_INFO_ACK (1.3).
        SetKeyPairInfoAck = 0x7D,
        /// VENDOR_DEFINED_RESPONSE (1.0).
        VendorDefinedResponse = 0x7E,
        /// ERROR (1.0).
        Error = 0x7F,
    }
}

/// DSP0274 1.1 §8 generic SPDM message header: SPDMVersion, RequestResponseCode, Param1,
/// Param2.
///
/// [`Header::decode`] refuses a version byte this crate does not know (SPDM 1.0-1.4), so
/// every decoded message has a known [`SpdmVersion`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// RequestResponseCode, raw: a request or a response code depending on the direction.
    pub code: u8,
    /// Param1.
    pub param1: u8,
    /// Param2.
    pub param2: u8,
}

impl Header {
    /// Size of the header on the wire.
    pub const LEN: usize = 4;

    /// Reads the header.
    ///
    /// # Errors
    /// [`CodecErrorKind::UnsupportedVersion`] for an SPDMVersion other than 1.0-1.4, else a
    /// truncation error.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let raw = r.peek_u8("SPDMVersion")?;
        let version = SpdmVersion::from(raw);
        if !version.is_known() {
            return Err(CodecError::new(
                "SPDMVersion",
                CodecErrorKind::UnsupportedVersion { version: raw },
            ));
        }
        r.skip("SPDMVersion", 1)?;
        Ok(Self {
            version,
            code: r.u8("RequestResponseCode")?,
            param1: r.u8("Param1")?,
            param2: r.u8("Param2")?,
        })
    }

    /// The header of `message`, without decoding the rest: what a state machine looks at
    /// to pick a decoder (or to answer an unknown version with VersionMismatch).
    ///
    /// # Errors
    /// As [`Header::decode`].
    pub fn peek(message: &[u8]) -> Result<Self, CodecError> {
        Self::decode(&mut Reader::new(message))
    }

    /// The code as a request code.
    #[must_use]
    pub fn request_code(&self) -> RequestCode {
        self.code.into()
    }

    /// The code as a response code.
    #[must_use]
    pub fn response_code(&self) -> ResponseCode {
        self.code.into()
    }

    /// Writes the header.
    ///
    /// # Errors
    /// As [`Writer::bytes`].
    pub fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.bytes(
            "Header",
            &[self.version.raw(), self.code, self.param1, self.param2],
        )
    }
}

/// Writes a header from its parts.
pub(crate) fn write_header(
    w: &mut Writer,
    version: SpdmVersion,
    code: u8,
    param1: u8,
    param2: u8,
) -> Result<(), EncodeError> {
    Header {
        version,
        code,
        param1,
        param2,
    }
    .encode(w)
}
