//! The spdm-emu / QEMU socket "platform" protocol: a 12-byte big-endian header, then the
//! payload.
//!
//! ```text
//! +0  u32 BE command
//! +4  u32 BE transport_type   (see [`SocketTransport`]; a responder drops a mismatch)
//! +8  u32 BE payload_size     (bytes after the header; 0 allowed)
//! +12 payload                 a transport message (MCTP, PCI DOE, TCP binding or raw SPDM)
//! ```
//!
//! Source: spdm-emu `spdm_emu/spdm_emu_common/command.{h,c}` (`send_platform_data`,
//! `receive_platform_data`) and QEMU `backends/spdm-socket.c`, which speaks the same protocol.
//! This module is sans-I/O: [`PlatformCodec`] builds and checks frames, [`TcpTransport`] moves
//! them.
//!
//! [`TcpTransport`]: crate::TcpTransport

use vtrust_wire::{
    Decode, DecodeError, DecodeErrorKind, Encode, EncodeError, EncodeErrorKind, OpenEnum, Reader,
    Writer,
};

use crate::error::TransportError;
use crate::limit::PayloadLimit;
use crate::transport_type::SocketTransport;

vtrust_wire::open_enum! {
    /// Platform command, `SOCKET_SPDM_COMMAND_*` (spdm-emu `command.h`) and
    /// `SPDM_SOCKET_*` (QEMU `spdm-socket.h`); u32 big-endian.
    pub enum Command: u32 be {
        /// 0x0001 NORMAL: the payload is a transport message.
        Normal = 0x0001,
        /// 0x0002 STORAGE_IF_SEND (QEMU, spdm-utils): a DSP0286 storage security send.
        StorageIfSend = 0x0002,
        /// 0x0003 STORAGE_IF_RECV (QEMU, spdm-utils): a DSP0286 storage security receive.
        StorageIfRecv = 0x0003,
        /// 0x0004 STORAGE_ACK_STATUS (QEMU, spdm-utils): the 2-byte status of a storage command.
        StorageAckStatus = 0x0004,
        /// 0x8001 OOB_ENCAP_KEY_UPDATE: start an encapsulated KEY_UPDATE (payload: optional
        /// session ID u32); the responder echoes it with an empty payload.
        OobEncapKeyUpdate = 0x8001,
        /// 0x8002 OOB_ENCAP_ENDPOINT_INFO: start an encapsulated GET_ENDPOINT_INFO; echoed
        /// with an empty payload.
        OobEncapEndpointInfo = 0x8002,
        /// 0xDEAD TEST: the handshake, "Client Hello!\0" answered by "Server Hello!\0".
        Test = 0xDEAD,
        /// 0xFFFD CONTINUE: echoed; the responder closes this connection and accepts the
        /// next, keeping its SPDM state.
        Continue = 0xFFFD,
        /// 0xFFFE SHUTDOWN: empty, echoed; the responder stops.
        Shutdown = 0xFFFE,
        /// 0xFFFF, spdm-emu `SOCKET_SPDM_COMMAND_UNKOWN` (sic): the responder's reply to a
        /// command it does not serve, before it disconnects. (Named `Unrecognized` because
        /// every open enum has an `Unknown(raw)` variant.)
        Unrecognized = 0xFFFF,
    }
}

/// The TEST payload a requester sends: `"Client Hello!\0"` (14 bytes, C `sizeof`).
pub const CLIENT_HELLO: &[u8; 14] = b"Client Hello!\0";

/// The TEST payload a responder answers: `"Server Hello!\0"` (14 bytes).
pub const SERVER_HELLO: &[u8; 14] = b"Server Hello!\0";

/// The 12-byte platform header, as read from the wire (not yet checked against a
/// connection's transport or our limit: see [`PlatformCodec::check_header`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlatformHeader {
    /// `command`.
    pub command: Command,
    /// `transport_type`, numbered by the peer's [`SocketFlavor`](crate::SocketFlavor).
    pub transport_type: u32,
    /// `payload_size`: bytes of payload after the header.
    pub payload_size: u32,
}

impl PlatformHeader {
    /// Bytes in the header.
    pub const LEN: usize = 12;

    /// The header's 12 bytes.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let [c0, c1, c2, c3] = self.command.raw().to_be_bytes();
        let [t0, t1, t2, t3] = self.transport_type.to_be_bytes();
        let [s0, s1, s2, s3] = self.payload_size.to_be_bytes();
        [c0, c1, c2, c3, t0, t1, t2, t3, s0, s1, s2, s3]
    }

    /// Parses a header from exactly its 12 bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; Self::LEN]) -> Self {
        let [c0, c1, c2, c3, t0, t1, t2, t3, s0, s1, s2, s3] = *bytes;
        Self {
            command: Command::from(u32::from_be_bytes([c0, c1, c2, c3])),
            transport_type: u32::from_be_bytes([t0, t1, t2, t3]),
            payload_size: u32::from_be_bytes([s0, s1, s2, s3]),
        }
    }
}

impl Decode<'_> for PlatformHeader {
    /// Reads the 12 bytes as one field, `"header"`, so a short input reports
    /// `Truncated { needed: 12, .. }` whatever its length.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.array::<{ Self::LEN }>("header")
            .map(|bytes| Self::from_bytes(&bytes))
    }
}

impl Encode for PlatformHeader {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.bytes("header", &self.to_bytes())
    }

    fn encoded_len(&self) -> Option<usize> {
        Some(Self::LEN)
    }
}

/// A frame borrowed from a buffer: command and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRef<'a> {
    /// The platform command.
    pub command: Command,
    /// The payload (a transport message for [`Command::Normal`]).
    pub payload: &'a [u8],
}

/// A frame received from a socket: command and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The platform command.
    pub command: Command,
    /// The payload, at most the connection's [`PayloadLimit`].
    pub payload: Vec<u8>,
}

impl Frame {
    /// The frame as a [`FrameRef`].
    #[must_use]
    pub fn as_ref(&self) -> FrameRef<'_> {
        FrameRef {
            command: self.command,
            payload: &self.payload,
        }
    }
}

/// Builds and checks platform frames for one connection: its transport (as its peer numbers
/// it) and our payload limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlatformCodec {
    transport: SocketTransport,
    limit: PayloadLimit,
}

impl PlatformCodec {
    /// A codec for frames of `transport`, with payloads of at most `limit` bytes.
    #[must_use]
    pub const fn new(transport: SocketTransport, limit: PayloadLimit) -> Self {
        Self { transport, limit }
    }

    /// The connection's transport.
    #[must_use]
    pub const fn transport(&self) -> SocketTransport {
        self.transport
    }

    /// Our payload limit.
    #[must_use]
    pub const fn limit(&self) -> PayloadLimit {
        self.limit
    }

    /// Checks a received header, in spdm-emu's order: the transport type, then the payload
    /// size against our limit. Returns the payload size, safe to allocate.
    ///
    /// # Errors
    /// [`TransportError::TransportMismatch`] for another transport;
    /// [`TransportError::Malformed`] with [`DecodeErrorKind::TooLong`] (field
    /// `payload_size`) above our limit.
    pub fn check_header(&self, header: &PlatformHeader) -> Result<usize, TransportError> {
        let expected = self.transport.transport_type();
        if header.transport_type != expected {
            return Err(TransportError::TransportMismatch {
                expected,
                received: header.transport_type,
            });
        }
        // Where `usize` is narrower than `u32`, a saturated size fails the limit check.
        let size = usize::try_from(header.payload_size).unwrap_or(usize::MAX);
        let max = self.limit.get();
        if size > max {
            return Err(TransportError::Malformed(DecodeError::new(
                "payload_size",
                DecodeErrorKind::TooLong { len: size, max },
            )));
        }
        Ok(size)
    }

    /// Parses and checks a header from its 12 bytes (see [`check_header`](Self::check_header)).
    ///
    /// # Errors
    /// As [`check_header`](Self::check_header).
    pub fn decode_header(
        &self,
        bytes: &[u8; PlatformHeader::LEN],
    ) -> Result<(PlatformHeader, usize), TransportError> {
        let header = PlatformHeader::from_bytes(bytes);
        let size = self.check_header(&header)?;
        Ok((header, size))
    }

    /// Parses one whole frame held in `bytes`: header, then exactly `payload_size` bytes.
    ///
    /// # Errors
    /// `Malformed` with `Truncated` (field `header` or `payload`) or `TrailingBytes` (field
    /// `frame`), or as [`check_header`](Self::check_header).
    pub fn decode_frame<'a>(&self, bytes: &'a [u8]) -> Result<FrameRef<'a>, TransportError> {
        let mut r = Reader::new(bytes);
        let header = PlatformHeader::decode(&mut r)?;
        let size = self.check_header(&header)?;
        let payload = r.bytes("payload", size)?;
        r.expect_end("frame")?;
        Ok(FrameRef {
            command: header.command,
            payload,
        })
    }

    /// One frame, header and payload in one buffer (so a socket sends it with one write).
    ///
    /// # Errors
    /// [`EncodeErrorKind::LimitExceeded`] (field `payload`) if `payload` is above our limit.
    pub fn encode_frame(&self, command: Command, payload: &[u8]) -> Result<Vec<u8>, EncodeError> {
        let limit = self.limit.get();
        if payload.len() > limit {
            return Err(EncodeError::new(
                "payload",
                EncodeErrorKind::LimitExceeded {
                    needed: payload.len(),
                    available: limit,
                },
            ));
        }
        let mut w = Writer::with_capacity(PlatformHeader::LEN.saturating_add(payload.len()));
        command.write_field(&mut w, "command")?;
        w.u32_be("transport_type", self.transport.transport_type())?;
        w.u32_len_be("payload_size", payload.len())?;
        w.bytes("payload", payload)?;
        Ok(w.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport_type::{SocketFlavor, TransportKind};

    const MCTP: PlatformCodec =
        PlatformCodec::new(SocketTransport::SPDM_EMU_MCTP, PayloadLimit::SPDM_EMU);

    /// spdm.md: GET_VERSION over MCTP, `00000001 00000001 00000005 | 05 10 84 00 00`.
    const GET_VERSION_FRAME: [u8; 17] = [
        0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0x05, 0x10, 0x84, 0x00, 0x00,
    ];

    #[test]
    fn command_values() {
        let table = [
            (Command::Normal, 0x0001),
            (Command::StorageIfSend, 0x0002),
            (Command::StorageIfRecv, 0x0003),
            (Command::StorageAckStatus, 0x0004),
            (Command::OobEncapKeyUpdate, 0x8001),
            (Command::OobEncapEndpointInfo, 0x8002),
            (Command::Test, 0xDEAD),
            (Command::Continue, 0xFFFD),
            (Command::Shutdown, 0xFFFE),
            (Command::Unrecognized, 0xFFFF),
        ];
        assert_eq!(Command::ALL.len(), table.len());
        for (command, raw) in table {
            assert_eq!(u32::from(command), raw);
            assert_eq!(command.to_vec(), Ok(raw.to_be_bytes().to_vec()));
        }
        let odd = Command::from(0x1234);
        assert!(!odd.is_known());
        assert_eq!(u32::from(odd), 0x1234);
    }

    #[test]
    fn hello_payloads_are_c_strings() {
        assert_eq!(CLIENT_HELLO.len(), 14);
        assert_eq!(SERVER_HELLO.len(), 14);
        // The capture comments: `436c69656e742048656c6c6f2100` / `5365727665722048656c6c6f2100`.
        assert_eq!(hex::encode(CLIENT_HELLO), "436c69656e742048656c6c6f2100");
        assert_eq!(hex::encode(SERVER_HELLO), "5365727665722048656c6c6f2100");
    }

    #[test]
    fn decodes_get_version_frame_from_spec() {
        let frame = MCTP.decode_frame(&GET_VERSION_FRAME).unwrap();
        assert_eq!(frame.command, Command::Normal);
        assert_eq!(frame.payload, [0x05, 0x10, 0x84, 0x00, 0x00]);
        let header = PlatformHeader::decode(&mut Reader::new(&GET_VERSION_FRAME)).unwrap();
        assert_eq!(
            header,
            PlatformHeader {
                command: Command::Normal,
                transport_type: 1,
                payload_size: 5
            }
        );
    }

    #[test]
    fn encodes_get_version_frame_from_spec() {
        assert_eq!(
            MCTP.encode_frame(Command::Normal, &[0x05, 0x10, 0x84, 0x00, 0x00]),
            Ok(GET_VERSION_FRAME.to_vec())
        );
    }

    #[test]
    fn encodes_shutdown_and_test() {
        let doe = PlatformCodec::new(SocketTransport::SPDM_EMU_PCI_DOE, PayloadLimit::SPDM_EMU);
        // The raw logs: "Transmit command: 00 00 de ad / transport_type: 00 00 00 02 / size: 00 00 00 0e".
        let mut expect = hex::decode("0000dead000000020000000e").unwrap();
        expect.extend_from_slice(CLIENT_HELLO);
        assert_eq!(doe.encode_frame(Command::Test, CLIENT_HELLO), Ok(expect));
        assert_eq!(
            doe.encode_frame(Command::Shutdown, &[]),
            Ok(hex::decode("0000fffe0000000200000000").unwrap())
        );
    }

    #[test]
    fn accepts_payload_at_the_limit() {
        let codec = PlatformCodec::new(
            SocketTransport::SPDM_EMU_MCTP,
            PayloadLimit::new(8).unwrap(),
        );
        let bytes = codec.encode_frame(Command::Normal, &[7; 8]).unwrap();
        assert_eq!(codec.decode_frame(&bytes).unwrap().payload, [7; 8]);
        let empty = codec.encode_frame(Command::Normal, &[]).unwrap();
        assert_eq!(codec.decode_frame(&empty).unwrap().payload, [] as [u8; 0]);
    }

    #[test]
    fn refuses_truncated_header() {
        for len in 0..PlatformHeader::LEN {
            assert_eq!(
                MCTP.decode_frame(GET_VERSION_FRAME.get(..len).unwrap()),
                Err(TransportError::Malformed(DecodeError::new(
                    "header",
                    DecodeErrorKind::Truncated {
                        needed: 12,
                        available: len
                    }
                )))
            );
        }
    }

    #[test]
    fn refuses_truncated_payload() {
        assert_eq!(
            MCTP.decode_frame(&GET_VERSION_FRAME[..15]),
            Err(TransportError::Malformed(DecodeError::new(
                "payload",
                DecodeErrorKind::Truncated {
                    needed: 5,
                    available: 3
                }
            )))
        );
    }

    #[test]
    fn refuses_trailing_bytes_after_frame() {
        let mut bytes = GET_VERSION_FRAME.to_vec();
        bytes.push(0);
        assert_eq!(
            MCTP.decode_frame(&bytes),
            Err(TransportError::Malformed(DecodeError::new(
                "frame",
                DecodeErrorKind::TrailingBytes { count: 1 }
            )))
        );
    }

    #[test]
    fn refuses_payload_over_limit() {
        let header = hex::decode("000000010000000100001281").unwrap();
        let header: [u8; 12] = header.try_into().unwrap();
        assert_eq!(
            MCTP.decode_header(&header),
            Err(TransportError::Malformed(DecodeError::new(
                "payload_size",
                DecodeErrorKind::TooLong {
                    len: 4737,
                    max: 4736
                }
            )))
        );
        let huge = PlatformHeader {
            command: Command::Normal,
            transport_type: 1,
            payload_size: u32::MAX,
        };
        assert_eq!(
            MCTP.check_header(&huge),
            Err(TransportError::Malformed(DecodeError::new(
                "payload_size",
                DecodeErrorKind::TooLong {
                    len: 0xFFFF_FFFF,
                    max: 4736
                }
            )))
        );
        // 4736 is fine.
        let at_limit = PlatformHeader {
            payload_size: 4736,
            ..huge
        };
        assert_eq!(MCTP.check_header(&at_limit), Ok(4736));
    }

    #[test]
    fn refuses_transport_mismatch() {
        // A PCI DOE frame on an MCTP connection.
        let mut bytes = GET_VERSION_FRAME;
        bytes[7] = 2;
        assert_eq!(
            MCTP.decode_frame(&bytes),
            Err(TransportError::TransportMismatch {
                expected: 1,
                received: 2
            })
        );
        // Value 3 on a QEMU SCSI connection is fine, on spdm-emu TCP too, but not across.
        let scsi = PlatformCodec::new(
            SocketTransport::new(SocketFlavor::Qemu, TransportKind::Scsi).unwrap(),
            PayloadLimit::SPDM_EMU,
        );
        let tcp = PlatformCodec::new(SocketTransport::SPDM_EMU_TCP, PayloadLimit::SPDM_EMU);
        let frame = tcp.encode_frame(Command::Normal, &[1]).unwrap();
        assert!(scsi.decode_frame(&frame).is_ok());
        assert_eq!(
            MCTP.decode_frame(&frame),
            Err(TransportError::TransportMismatch {
                expected: 1,
                received: 3
            })
        );
    }

    #[test]
    fn refuses_to_send_payload_over_limit() {
        let payload = vec![0; 4737];
        assert_eq!(
            MCTP.encode_frame(Command::Normal, &payload),
            Err(EncodeError::new(
                "payload",
                EncodeErrorKind::LimitExceeded {
                    needed: 4737,
                    available: 4736
                }
            ))
        );
    }

    #[test]
    fn header_round_trip_keeps_unknown_commands() {
        let header = PlatformHeader {
            command: Command::from(0x4242),
            transport_type: 0xFFFF_FFFF,
            payload_size: 0x0102_0304,
        };
        let bytes = header.to_vec().unwrap();
        assert_eq!(
            bytes,
            [0, 0, 0x42, 0x42, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]
        );
        assert_eq!(PlatformHeader::decode_exact(&bytes), Ok(header));
    }
}
