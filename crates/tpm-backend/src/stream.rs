//! Socket plumbing shared by the swtpm client and the swtpm-protocol server: where a socket
//! is ([`Endpoint`]), one connected socket of either kind, and reads with deadlines.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::BackendError;

/// Where a swtpm-protocol socket is: a unix socket path or a TCP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A unix stream socket (swtpm `type=unixio,path=...`). Needed for CMD_SET_DATAFD.
    Unix(PathBuf),
    /// A TCP address (swtpm `type=tcp,port=...`; tpm2-tss `-T swtpm:host=,port=`).
    Tcp(SocketAddr),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
            Self::Tcp(addr) => write!(f, "tcp:{addr}"),
        }
    }
}

impl Endpoint {
    /// Connects to the endpoint.
    pub(crate) fn connect(&self) -> Result<Stream, BackendError> {
        match self {
            Self::Unix(path) => UnixStream::connect(path).map(Stream::Unix),
            Self::Tcp(addr) => TcpStream::connect(addr).map(|s| {
                let _ = s.set_nodelay(true);
                Stream::Tcp(s)
            }),
        }
        .map_err(|source| BackendError::Io {
            context: format!("Connecting to {self}"),
            source,
        })
    }
}

/// One connected socket.
#[derive(Debug)]
pub(crate) enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    pub(crate) fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Self::Unix(s) => s.set_read_timeout(t),
            Self::Tcp(s) => s.set_read_timeout(t),
        }
    }

    pub(crate) fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Self::Unix(s) => s.set_write_timeout(t),
            Self::Tcp(s) => s.set_write_timeout(t),
        }
    }

    pub(crate) fn shutdown(&self) {
        let _ = match self {
            Self::Unix(s) => s.shutdown(Shutdown::Both),
            Self::Tcp(s) => s.shutdown(Shutdown::Both),
        };
    }

    pub(crate) fn try_clone(&self) -> io::Result<Self> {
        Ok(match self {
            Self::Unix(s) => Self::Unix(s.try_clone()?),
            Self::Tcp(s) => Self::Tcp(s.try_clone()?),
        })
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Unix(s) => s.read(buf),
            Self::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Unix(s) => s.write(buf),
            Self::Tcp(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Unix(s) => s.flush(),
            Self::Tcp(s) => s.flush(),
        }
    }
}

/// How a read with a deadline ended early.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The peer closed the socket after `got` bytes.
    Eof { got: usize },
    /// The deadline passed after `got` bytes.
    Timeout { got: usize },
    /// Another socket error.
    Io(io::Error),
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Fills `buf` completely, giving up when `deadline` passes (None: wait forever).
pub(crate) fn read_full(
    s: &mut Stream,
    buf: &mut [u8],
    deadline: Option<Instant>,
) -> Result<(), ReadFailure> {
    let mut got = 0usize;
    while let Some(rest) = buf.get_mut(got..) {
        if rest.is_empty() {
            break;
        }
        match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(ReadFailure::Timeout { got });
                }
                s.set_read_timeout(Some(left)).map_err(ReadFailure::Io)?;
            }
            None => s.set_read_timeout(None).map_err(ReadFailure::Io)?,
        }
        match s.read(rest) {
            Ok(0) => return Err(ReadFailure::Eof { got }),
            Ok(n) => got = got.saturating_add(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => return Err(ReadFailure::Timeout { got }),
            Err(e) => return Err(ReadFailure::Io(e)),
        }
    }
    Ok(())
}

/// Reads and drops whatever arrives until the peer is quiet for `idle` or `limit` bytes were
/// dropped. Used to get back in step after a malformed message.
pub(crate) fn drain(s: &mut Stream, idle: Duration, limit: usize) {
    let mut scratch = [0u8; 4096];
    let mut dropped = 0usize;
    if s.set_read_timeout(Some(idle)).is_err() {
        return;
    }
    while dropped < limit {
        match s.read(&mut scratch) {
            Ok(0) | Err(_) => break,
            Ok(n) => dropped = dropped.saturating_add(n),
        }
    }
}
