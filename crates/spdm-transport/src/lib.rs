//! SPDM transports for vtrust: how SPDM messages travel between a requester and a responder,
//! with no SPDM message semantics.
//!
//! Three layers, each usable alone:
//!
//! - **Platform protocol** ([`platform`]): the spdm-emu / QEMU socket framing, a 12-byte
//!   big-endian header `{command, transport_type, payload_size}` then the payload. The
//!   `transport_type` numbers differ between spdm-emu and QEMU, so a [`SocketTransport`] pairs
//!   a [`SocketFlavor`] with a [`TransportKind`]. [`PlatformCodec`] checks a header's transport
//!   and `payload_size` against our [`PayloadLimit`] before anything is allocated.
//! - **Bindings** ([`binding`]): what is inside a payload. [`Mctp`] (DSP0275), [`PciDoe`]
//!   (DSP0276 / PCIe DOE, with [`doe_discovery`](binding::doe_discovery)), [`Tcp`] (DSP0287)
//!   and [`RawSpdm`] (NONE), behind the [`Binding`] trait. PCI DOE pads to a dword; a
//!   [`Decoded`] message says how many trailing bytes may be padding and
//!   [`Decoded::strip_padding`] removes them once the SPDM layer knows the message length.
//! - **Transports** ([`FrameTransport`]): [`TcpTransport`] (blocking, requester side, with
//!   `TCP_NODELAY`, one write per frame and `TCP_QUICKACK`), [`PlatformListener`] (responder
//!   side, one connection at a time, TEST/CONTINUE/SHUTDOWN as spdm-emu), and an in-memory
//!   [`pair`](memory::pair) for in-process tests.
//!
//! [`capture`] parses the libspdm capture files used by the replay tests.
//!
//! ```
//! use vtrust_spdm_transport::{
//!     Binding, Command, Message, Mctp, PayloadLimit, PlatformCodec, SocketTransport,
//! };
//!
//! // GET_VERSION to spdm-emu over MCTP (spdm.md): `00000001 00000001 00000005 | 05 10 84 00 00`.
//! let payload = Mctp.to_vec(Message::Spdm(&[0x10, 0x84, 0x00, 0x00]))?;
//! let codec = PlatformCodec::new(SocketTransport::SPDM_EMU_MCTP, PayloadLimit::SPDM_EMU);
//! let frame = codec.encode_frame(Command::Normal, &payload)?;
//! assert_eq!(frame, [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0x05, 0x10, 0x84, 0x00, 0x00]);
//!
//! let received = codec.decode_frame(&frame)?;
//! let decoded = Mctp.decode(received.payload)?;
//! assert_eq!(decoded.strip_padding(4)?, [0x10, 0x84, 0x00, 0x00]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

pub mod binding;
pub mod capture;
mod error;
mod frame_transport;
mod limit;
mod listener;
pub mod memory;
pub mod platform;
mod tcp;
mod transport_type;

pub use binding::{
    AnyBinding, Binding, Decoded, Mctp, Message, PciDoe, RawSpdm, Tcp, strip_padding,
};
pub use error::{ConnectionError, ErrorClass, TransportError};
pub use frame_transport::FrameTransport;
pub use limit::PayloadLimit;
pub use listener::{PlatformListener, ServerEvent};
pub use memory::MemoryTransport;
pub use platform::{
    CLIENT_HELLO, Command, Frame, FrameRef, PlatformCodec, PlatformHeader, SERVER_HELLO,
};
pub use tcp::{SocketConfig, TcpTransport};
pub use transport_type::{SocketFlavor, SocketTransport, TransportKind};
