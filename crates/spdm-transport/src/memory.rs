//! An in-memory [`FrameTransport`] pair: two connected ends over `std::sync::mpsc` channels,
//! for running a requester and a responder in one process (two threads, or one thread
//! alternating).

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use vtrust_wire::{EncodeError, EncodeErrorKind};

use crate::error::ConnectionError;
use crate::frame_transport::FrameTransport;
use crate::limit::PayloadLimit;

/// One end of an in-memory pair made by [`pair`].
#[derive(Debug)]
pub struct MemoryTransport {
    tx: Sender<Vec<u8>>,
    rx: Receiver<Vec<u8>>,
    limit: PayloadLimit,
    read_timeout: Option<Duration>,
}

/// Two connected ends: what one sends, the other receives, in order. Both refuse to send a
/// message above `limit`; neither has a read timeout until one is set.
#[must_use]
pub fn pair(limit: PayloadLimit) -> (MemoryTransport, MemoryTransport) {
    let (a_tx, b_rx) = mpsc::channel();
    let (b_tx, a_rx) = mpsc::channel();
    (
        MemoryTransport {
            tx: a_tx,
            rx: a_rx,
            limit,
            read_timeout: None,
        },
        MemoryTransport {
            tx: b_tx,
            rx: b_rx,
            limit,
            read_timeout: None,
        },
    )
}

impl MemoryTransport {
    /// This end with `timeout` for [`recv`](FrameTransport::recv) (`None`: wait for ever, or
    /// until the other end is dropped).
    #[must_use]
    pub fn with_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }
}

impl FrameTransport for MemoryTransport {
    fn send(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        let max = self.limit.get();
        if payload.len() > max {
            return Err(ConnectionError::Encode(EncodeError::new(
                "payload",
                EncodeErrorKind::LimitExceeded {
                    needed: payload.len(),
                    available: max,
                },
            )));
        }
        self.tx
            .send(payload.to_vec())
            .map_err(|_| ConnectionError::Closed)
    }

    fn recv(&mut self) -> Result<Vec<u8>, ConnectionError> {
        match self.read_timeout {
            None => self.rx.recv().map_err(|_| ConnectionError::Closed),
            Some(timeout) => self.rx.recv_timeout(timeout).map_err(|e| match e {
                RecvTimeoutError::Timeout => ConnectionError::TimedOut { op: "recv" },
                RecvTimeoutError::Disconnected => ConnectionError::Closed,
            }),
        }
    }

    fn limit(&self) -> PayloadLimit {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::*;
    use crate::binding::{Binding, Mctp, Message};

    #[test]
    fn messages_cross_in_order_both_ways() {
        let (mut a, mut b) = pair(PayloadLimit::SPDM_EMU);
        a.send(&[1]).unwrap();
        a.send(&[]).unwrap();
        b.send(&[9, 9]).unwrap();
        assert_eq!(b.recv().unwrap(), [1]);
        assert_eq!(b.recv().unwrap(), [] as [u8; 0]);
        assert_eq!(a.recv().unwrap(), [9, 9]);
        assert_eq!(a.limit(), PayloadLimit::SPDM_EMU);
    }

    #[test]
    fn requester_and_responder_threads() {
        let (requester, mut responder) = pair(PayloadLimit::SPDM_EMU);
        let server = thread::spawn(move || {
            // Answer GET_VERSION with the VERSION of mctp_1.2_p384.txt [2].
            let request = responder.recv().unwrap();
            let decoded = Mctp.decode(&request).unwrap();
            assert_eq!(decoded.message, Message::Spdm(&[0x10, 0x84, 0x00, 0x00]));
            let version = hex::decode("1004000000010012").unwrap();
            responder
                .send(&Mctp.to_vec(Message::Spdm(&version)).unwrap())
                .unwrap();
        });
        let mut requester: Box<dyn FrameTransport> = Box::new(requester);
        requester
            .send(
                &Mctp
                    .to_vec(Message::Spdm(&[0x10, 0x84, 0x00, 0x00]))
                    .unwrap(),
            )
            .unwrap();
        let response = requester.recv().unwrap();
        assert_eq!(hex::encode(&response), "051004000000010012");
        server.join().unwrap();
    }

    #[test]
    fn refuses_to_send_over_limit() {
        let (mut a, _b) = pair(PayloadLimit::new(4).unwrap());
        assert!(matches!(
            a.send(&[0; 5]),
            Err(ConnectionError::Encode(e)) if e == EncodeError::new(
                "payload",
                EncodeErrorKind::LimitExceeded { needed: 5, available: 4 }
            )
        ));
        a.send(&[0; 4]).unwrap();
    }

    #[test]
    fn closed_peer_and_timeout() {
        let (a, b) = pair(PayloadLimit::SPDM_EMU);
        let mut a = a.with_read_timeout(Some(Duration::from_millis(10)));
        assert!(matches!(
            a.recv(),
            Err(ConnectionError::TimedOut { op: "recv" })
        ));
        drop(b);
        assert!(matches!(a.recv(), Err(ConnectionError::Closed)));
        assert!(matches!(a.send(&[1]), Err(ConnectionError::Closed)));
    }
}
