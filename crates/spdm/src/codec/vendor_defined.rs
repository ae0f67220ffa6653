//! VENDOR_DEFINED_REQUEST and VENDOR_DEFINED_RESPONSE (DSP0274 1.1 §10.14, §10.15).
//!
//! Both: StandardID (u16), Len (u8), VendorID (Len bytes), ReqLength / RespLength (u16),
//! payload. SPDM 1.4 LargeReq / LargeResp (Param1 bit 7): the 16-bit length is written as zero
//! and a 32-bit LargeReqLength / LargeRespLength follows it, then the payload.

use vtrust_wire::{Encode, EncodeError, LengthPrefix, OpenEnum, Reader, Writer, open_enum};

use super::error::CodecError;
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{MAX_LARGE_LEN, MAX_VENDOR_ID_LEN, check_absent, decode_exact};

open_enum! {
    /// DSP0274 1.1 §10.14 StandardID: the registry that defines the VendorID (the registry
    /// IDs, 16 bits wide here).
    pub enum StandardId: u16 {
        /// DMTF.
        Dmtf = 0x0000,
        /// TCG.
        Tcg = 0x0001,
        /// USB.
        Usb = 0x0002,
        /// PCI-SIG.
        PciSig = 0x0003,
        /// IANA.
        Iana = 0x0004,
        /// HDBaseT.
        HdBaseT = 0x0005,
        /// MIPI.
        Mipi = 0x0006,
        /// CXL.
        Cxl = 0x0007,
        /// JEDEC.
        Jedec = 0x0008,
        /// VESA (1.2).
        Vesa = 0x0009,
        /// IANA CBOR (1.3).
        IanaCbor = 0x000A,
        /// DMTF DSP (1.4).
        DmtfDsp = 0x000B,
    }
}

/// Param1 bit 7 (1.4): LargeReq / LargeResp.
const LARGE: u8 = 0x80;

/// The body both messages share.
struct Body<'a> {
    large: bool,
    standard_id: StandardId,
    vendor_id: &'a [u8],
    payload: &'a [u8],
}

fn decode_body<'a>(
    header: &Header,
    r: &mut Reader<'a>,
    (len_field, large_field): (&'static str, &'static str),
) -> Result<Body<'a>, CodecError> {
    let large = header.version.at_least(SpdmVersion::V14) && header.param1 & LARGE != 0;
    let standard_id = StandardId::read_field(r, "StandardID")?;
    let vendor_id = r
        .prefixed("Len", LengthPrefix::U8, MAX_VENDOR_ID_LEN)?
        .rest();
    let payload = if large {
        r.skip_reserved(len_field, 2)?;
        r.prefixed(large_field, LengthPrefix::U32Le, MAX_LARGE_LEN)?
            .rest()
    } else {
        r.prefixed(len_field, LengthPrefix::U16Le, usize::from(u16::MAX))?
            .rest()
    };
    Ok(Body {
        large,
        standard_id,
        vendor_id,
        payload,
    })
}

fn encode_body(
    w: &mut Writer,
    version: SpdmVersion,
    code: u8,
    body: &Body<'_>,
    (len_field, large_field): (&'static str, &'static str),
) -> Result<(), EncodeError> {
    check_absent("Param1", version.at_least(SpdmVersion::V14) || !body.large)?;
    check_absent("Len", body.vendor_id.len() <= MAX_VENDOR_ID_LEN)?;
    let max = if body.large {
        MAX_LARGE_LEN
    } else {
        usize::from(u16::MAX)
    };
    check_absent(len_field, body.payload.len() <= max)?;
    write_header(w, version, code, if body.large { LARGE } else { 0 }, 0)?;
    body.standard_id.write_field(w, "StandardID")?;
    w.u8_len("Len", body.vendor_id.len())?;
    w.bytes("VendorID", body.vendor_id)?;
    if body.large {
        w.zeros(len_field, 2)?;
        w.u32_len_le(large_field, body.payload.len())?;
    } else {
        w.u16_len_le(len_field, body.payload.len())?;
    }
    w.bytes("VendorDefinedPayload", body.payload)
}

macro_rules! vendor_defined_message {
    (
        $(#[$meta:meta])*
        $name:ident, $code:expr, $large_doc:literal, $len_fields:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a> {
            /// SPDMVersion.
            pub version: SpdmVersion,
            #[doc = $large_doc]
            pub large: bool,
            /// StandardID.
            pub standard_id: StandardId,
            /// VendorID (Len at most [`MAX_VENDOR_ID_LEN`]).
            pub vendor_id: &'a [u8],
            /// The vendor-defined payload.
            pub payload: &'a [u8],
        }

        impl<'a> $name<'a> {
            /// Decodes a message of this kind that fills `bytes`.
            ///
            /// # Errors
            /// A [`CodecError`] for a malformed message, a VendorID above
            /// [`MAX_VENDOR_ID_LEN`], a large payload above [`MAX_LARGE_LEN`] or another
            /// code.
            pub fn decode(bytes: &'a [u8]) -> Result<Self, CodecError> {
                decode_exact(bytes, $code.into(), Self::decode_body)
            }

            pub(crate) fn decode_body(
                header: &Header,
                r: &mut Reader<'a>,
            ) -> Result<Self, CodecError> {
                let body = decode_body(header, r, $len_fields)?;
                Ok(Self {
                    version: header.version,
                    large: body.large,
                    standard_id: body.standard_id,
                    vendor_id: body.vendor_id,
                    payload: body.payload,
                })
            }
        }

        impl Encode for $name<'_> {
            fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
                let body = Body {
                    large: self.large,
                    standard_id: self.standard_id,
                    vendor_id: self.vendor_id,
                    payload: self.payload,
                };
                super::atomic(w, |w| {
                    encode_body(w, self.version, $code.into(), &body, $len_fields)
                })
            }
        }
    };
}

vendor_defined_message! {
    /// DSP0274 1.1 §10.14 VENDOR_DEFINED_REQUEST.
    VendorDefinedRequest,
    RequestCode::VendorDefinedRequest,
    "1.4 LargeReq (Param1 bit 7): 32-bit LargeReqLength.",
    ("ReqLength", "LargeReqLength")
}

vendor_defined_message! {
    /// DSP0274 1.1 §10.15 VENDOR_DEFINED_RESPONSE.
    VendorDefinedResponse,
    ResponseCode::VendorDefinedResponse,
    "1.4 LargeResp (Param1 bit 7): 32-bit LargeRespLength.",
    ("RespLength", "LargeRespLength")
}
