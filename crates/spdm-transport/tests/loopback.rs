//! Real TCP on 127.0.0.1: our listener against our connector, and each against a raw socket
//! speaking the platform protocol byte by byte (spdm-emu's frames as its raw logs show them).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use vtrust_spdm_transport::{
    Command, ConnectionError, FrameTransport, PayloadLimit, PlatformListener, SERVER_HELLO,
    ServerEvent, SocketConfig, SocketTransport, TcpTransport, TransportError,
};
use vtrust_wire::{DecodeError, DecodeErrorKind};

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(10));

fn config(transport: SocketTransport) -> SocketConfig {
    SocketConfig::new(transport)
        .with_read_timeout(TIMEOUT)
        .with_write_timeout(TIMEOUT)
}

fn mctp() -> SocketConfig {
    config(SocketTransport::SPDM_EMU_MCTP)
}

fn listener(config: SocketConfig) -> (PlatformListener, SocketAddr) {
    let listener = PlatformListener::bind("127.0.0.1:0", config).unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

fn frame(command: u32, transport: u32, payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend(command.to_be_bytes());
    bytes.extend(transport.to_be_bytes());
    bytes.extend((payload.len() as u32).to_be_bytes());
    bytes.extend(payload);
    bytes
}

fn raw_client(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(TIMEOUT).unwrap();
    stream
}

fn read_exactly(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    stream.read_exact(&mut buf).unwrap();
    buf
}

/// Reads until the peer closes (EOF, or a reset if it closed with our bytes unread).
fn read_to_eof(stream: &mut TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return rest,
            Ok(n) => rest.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return rest,
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// What the responder saw, as text.
fn describe(event: &ServerEvent) -> String {
    match event {
        ServerEvent::Connected { .. } => "connected".into(),
        ServerEvent::Message(m) => format!("message {}", m.len()),
        ServerEvent::OutOfBand { command, payload } => {
            format!("oob {command:?} {}", hex::encode(payload))
        }
        ServerEvent::Continue => "continue".into(),
        ServerEvent::Disconnected { reason } => format!("disconnected: {reason}"),
        ServerEvent::Shutdown => "shutdown".into(),
        other => format!("{other:?}"),
    }
}

/// Serves until SHUTDOWN, answering each message with its bytes reversed.
fn serve_reversing(mut listener: PlatformListener) -> Vec<String> {
    let mut log = Vec::new();
    loop {
        let event = listener.next_event().unwrap();
        log.push(describe(&event));
        match event {
            ServerEvent::Message(request) => {
                let reply: Vec<u8> = request.iter().rev().copied().collect();
                listener.respond(&reply).unwrap();
            }
            ServerEvent::Shutdown => break,
            _ => {}
        }
    }
    assert!(matches!(
        listener.next_event(),
        Err(ConnectionError::Stopped)
    ));
    assert!(matches!(
        listener.respond(&[1]),
        Err(ConnectionError::NotConnected)
    ));
    log
}

#[test]
fn test_normal_continue_shutdown_between_our_ends() {
    let (listener, addr) = listener(mctp());
    let server = thread::spawn(move || serve_reversing(listener));

    let sizes = [0usize, 1, 5, 17, 1024, 4095, PayloadLimit::SPDM_EMU.get()];
    let mut client = TcpTransport::connect(addr, &mctp()).unwrap();
    for &size in &sizes {
        let payload: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        client.send(&payload).unwrap();
        let reply = client.recv().unwrap();
        assert_eq!(
            reply,
            payload.iter().rev().copied().collect::<Vec<_>>(),
            "{size}"
        );
    }
    // CONTINUE: this connection ends, the listener accepts the next one.
    client.close_continue().unwrap();

    let mut client = TcpTransport::connect(addr, &mctp()).unwrap();
    client.send(&[1, 2, 3]).unwrap();
    assert_eq!(client.recv().unwrap(), [3, 2, 1]);
    // Over our limit: refused before anything is sent, the connection still works.
    assert!(matches!(
        client.send(&vec![0; PayloadLimit::SPDM_EMU.get() + 1]),
        Err(ConnectionError::Encode(_))
    ));
    client.send(&[4]).unwrap();
    assert_eq!(client.recv().unwrap(), [4]);
    client.shutdown().unwrap();

    let log = server.join().unwrap();
    let mut expect = vec!["connected".to_string()];
    expect.extend(sizes.iter().map(|s| format!("message {s}")));
    expect.extend(
        [
            "continue",
            "connected",
            "message 3",
            "message 1",
            "shutdown",
        ]
        .map(String::from),
    );
    assert_eq!(log, expect);
}

#[test]
fn large_limit_carries_mldsa_sized_messages() {
    let config = mctp().with_limit(PayloadLimit::LARGE);
    let (listener, addr) = listener(config);
    let server = thread::spawn(move || serve_reversing(listener));
    let mut client = TcpTransport::connect(addr, &config).unwrap();
    let payload: Vec<u8> = (0..PayloadLimit::LARGE.get())
        .map(|i| (i % 253) as u8)
        .collect();
    client.send(&payload).unwrap();
    assert_eq!(client.recv().unwrap().len(), payload.len());
    client.shutdown().unwrap();
    server.join().unwrap();
}

#[test]
fn listener_answers_test_with_server_hello_bytes() {
    let (mut listener, addr) = listener(config(SocketTransport::SPDM_EMU_PCI_DOE));
    let server = thread::spawn(move || {
        let log = vec![
            describe(&listener.next_event().unwrap()),
            describe(&listener.next_event().unwrap()),
        ];
        log
    });
    let mut raw = raw_client(addr);
    // doe_1.3_p256 raw logs: "Transmit command: 00 00 de ad / transport_type: 00 00 00 02 /
    // size: 00 00 00 0e / 43 6c 69 ..." and the reply with "53 65 72 ...".
    raw.write_all(&frame(0xDEAD, 2, b"Client Hello!\0"))
        .unwrap();
    let reply = read_exactly(&mut raw, 26);
    assert_eq!(hex::encode(&reply[..12]), "0000dead000000020000000e");
    assert_eq!(&reply[12..], SERVER_HELLO);
    drop(raw);
    assert_eq!(
        server.join().unwrap(),
        ["connected", "disconnected: Connection closed by the peer"]
    );
}

#[test]
fn listener_drops_transport_mismatch() {
    let (mut listener, addr) = listener(mctp());
    let server = thread::spawn(move || {
        let _ = listener.next_event().unwrap();
        listener.next_event().unwrap()
    });
    let mut raw = raw_client(addr);
    // The DOE GET_VERSION of spdm.md sent to an MCTP responder.
    raw.write_all(&frame(
        1,
        2,
        &hex::decode("010001000300000010840000").unwrap(),
    ))
    .unwrap();
    assert_eq!(
        read_to_eof(&mut raw),
        [] as [u8; 0],
        "no reply, then closed"
    );
    let ServerEvent::Disconnected { reason } = server.join().unwrap() else {
        panic!("not dropped");
    };
    assert!(matches!(
        reason,
        ConnectionError::Frame(TransportError::TransportMismatch {
            expected: 1,
            received: 2
        })
    ));
}

#[test]
fn listener_refuses_oversized_payload_size_without_reading_it() {
    let (mut listener, addr) = listener(mctp());
    let server = thread::spawn(move || {
        let _ = listener.next_event().unwrap();
        let dropped = listener.next_event().unwrap();
        // Still serving: the next connection works.
        let next = listener.next_event().unwrap();
        (dropped, next)
    });
    let mut raw = raw_client(addr);
    // 4 GiB announced, nothing sent: a reader that tried to read (or allocate) it would hang.
    raw.write_all(&frame(1, 1, &[])[..8]).unwrap();
    raw.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert_eq!(read_to_eof(&mut raw), [] as [u8; 0]);
    let _next = raw_client(addr);
    let (dropped, next) = server.join().unwrap();
    let ServerEvent::Disconnected { reason } = dropped else {
        panic!("not dropped: {dropped:?}");
    };
    assert!(matches!(
        reason,
        ConnectionError::Frame(TransportError::Malformed(e)) if e == DecodeError::new(
            "payload_size",
            DecodeErrorKind::TooLong { len: 0xFFFF_FFFF, max: 4736 }
        )
    ));
    assert!(matches!(next, ServerEvent::Connected { .. }));
}

#[test]
fn listener_answers_unknown_command_with_ffff_then_disconnects() {
    let (mut listener, addr) = listener(mctp());
    let server = thread::spawn(move || {
        let _ = listener.next_event().unwrap();
        listener.next_event().unwrap()
    });
    let mut raw = raw_client(addr);
    raw.write_all(&frame(0x1234, 1, &[9, 9])).unwrap();
    let reply = read_to_eof(&mut raw);
    assert_eq!(hex::encode(reply), "0000ffff0000000100000000");
    let ServerEvent::Disconnected { reason } = server.join().unwrap() else {
        panic!("not dropped");
    };
    assert!(matches!(
        reason,
        ConnectionError::Frame(TransportError::Unsupported {
            field: "command",
            value: 0x1234
        })
    ));
}

#[test]
fn listener_echoes_out_of_band_commands() {
    let (mut listener, addr) = listener(mctp());
    let server = thread::spawn(move || {
        (0..3)
            .map(|_| describe(&listener.next_event().unwrap()))
            .collect::<Vec<_>>()
    });
    let mut raw = raw_client(addr);
    raw.write_all(&frame(0x8001, 1, &[0xFF, 0xFF, 0xFF, 0xFF]))
        .unwrap();
    assert_eq!(
        hex::encode(read_exactly(&mut raw, 12)),
        "000080010000000100000000"
    );
    raw.write_all(&frame(0x8002, 1, &[])).unwrap();
    assert_eq!(
        hex::encode(read_exactly(&mut raw, 12)),
        "000080020000000100000000"
    );
    assert_eq!(
        server.join().unwrap(),
        [
            "connected",
            "oob OobEncapKeyUpdate ffffffff",
            "oob OobEncapEndpointInfo "
        ]
    );
}

#[test]
fn serve_runs_a_handler_until_shutdown() {
    let (mut listener, addr) = listener(mctp());
    let server = thread::spawn(move || {
        listener
            .serve(|request| (request != [0xDE, 0xAD]).then(|| request.to_vec()))
            .unwrap();
    });
    let mut client = TcpTransport::connect(addr, &mctp()).unwrap();
    client.send(&[5, 0x10, 0x84, 0, 0]).unwrap();
    assert_eq!(client.recv().unwrap(), [5, 0x10, 0x84, 0, 0]);
    // The handler refuses this one: the listener drops the connection.
    client.send(&[0xDE, 0xAD]).unwrap();
    assert!(matches!(client.recv(), Err(ConnectionError::Closed)));
    let client = TcpTransport::connect(addr, &mctp()).unwrap();
    client.shutdown().unwrap();
    server.join().unwrap();
}

/// A raw responder: accepts one connection and runs `script` on it.
fn raw_server<F>(script: F) -> (SocketAddr, thread::JoinHandle<()>)
where
    F: FnOnce(TcpStream) + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(TIMEOUT).unwrap();
        script(stream);
    });
    (addr, handle)
}

#[test]
fn connector_sends_client_hello_and_shutdown() {
    let (addr, server) = raw_server(|mut s| {
        let hello = read_exactly(&mut s, 26);
        assert_eq!(hex::encode(&hello[..12]), "0000dead000000010000000e");
        assert_eq!(&hello[12..], b"Client Hello!\0");
        s.write_all(&frame(0xDEAD, 1, SERVER_HELLO)).unwrap();
        let shutdown = read_exactly(&mut s, 12);
        assert_eq!(hex::encode(shutdown), "0000fffe0000000100000000");
        s.write_all(&frame(0xFFFE, 1, &[])).unwrap();
    });
    let client = TcpTransport::connect(addr, &mctp()).unwrap();
    client.shutdown().unwrap();
    server.join().unwrap();
}

#[test]
fn connector_sends_no_test_with_transport_none() {
    let (addr, server) = raw_server(|mut s| {
        // The first frame is the NORMAL one.
        let first = read_exactly(&mut s, 16);
        assert_eq!(hex::encode(first), "00000001000000000000000410840000");
    });
    let mut client = TcpTransport::connect(addr, &config(SocketTransport::SPDM_EMU_NONE)).unwrap();
    client.send(&[0x10, 0x84, 0, 0]).unwrap();
    server.join().unwrap();
}

#[test]
fn connector_refuses_unknown_reply_to_test() {
    let (addr, server) = raw_server(|mut s| {
        let _ = read_exactly(&mut s, 26);
        s.write_all(&frame(0xFFFF, 1, &[])).unwrap();
    });
    let err = TcpTransport::connect(addr, &mctp()).unwrap_err();
    assert!(matches!(
        err,
        ConnectionError::Frame(TransportError::UnexpectedCommand {
            expected: Command::Test,
            received: Command::Unrecognized
        })
    ));
    server.join().unwrap();
}

#[test]
fn connector_refuses_oversized_reply_and_mismatch() {
    let no_handshake = mctp().with_handshake(false);
    let (addr, server) = raw_server(|mut s| {
        let _ = read_exactly(&mut s, 13);
        s.write_all(&[0, 0, 0, 1, 0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF])
            .unwrap();
    });
    let mut client = TcpTransport::connect(addr, &no_handshake).unwrap();
    client.send(&[5]).unwrap();
    assert!(matches!(
        client.recv(),
        Err(ConnectionError::Frame(TransportError::Malformed(e))) if e == DecodeError::new(
            "payload_size",
            DecodeErrorKind::TooLong { len: 0x7FFF_FFFF, max: 4736 }
        )
    ));
    server.join().unwrap();

    let (addr, server) = raw_server(|mut s| {
        let _ = read_exactly(&mut s, 13);
        // QEMU's SCSI (3) is not spdm-emu's MCTP (1).
        s.write_all(&frame(1, 3, &[5])).unwrap();
    });
    let mut client = TcpTransport::connect(addr, &no_handshake).unwrap();
    client.send(&[5]).unwrap();
    assert!(matches!(
        client.recv(),
        Err(ConnectionError::Frame(TransportError::TransportMismatch {
            expected: 1,
            received: 3
        }))
    ));
    server.join().unwrap();
}

#[test]
fn connector_reports_truncation_close_and_timeout() {
    let no_handshake = mctp().with_handshake(false);
    // Closed inside a payload.
    let (addr, server) = raw_server(|mut s| {
        s.write_all(&frame(1, 1, &[1; 10])[..15]).unwrap();
    });
    let mut client = TcpTransport::connect(addr, &no_handshake).unwrap();
    server.join().unwrap();
    assert!(matches!(
        client.recv_frame(),
        Err(ConnectionError::Frame(TransportError::Malformed(e))) if e == DecodeError::new(
            "payload",
            DecodeErrorKind::Truncated { needed: 10, available: 3 }
        )
    ));
    // Closed inside a header.
    let (addr, server) = raw_server(|mut s| {
        s.write_all(&[0, 0, 0, 1, 0]).unwrap();
    });
    let mut client = TcpTransport::connect(addr, &no_handshake).unwrap();
    server.join().unwrap();
    assert!(matches!(
        client.recv_frame(),
        Err(ConnectionError::Frame(TransportError::Malformed(e))) if e == DecodeError::new(
            "header",
            DecodeErrorKind::Truncated { needed: 12, available: 5 }
        )
    ));
    // Closed at a frame boundary.
    let (addr, server) = raw_server(drop);
    let mut client = TcpTransport::connect(addr, &no_handshake).unwrap();
    server.join().unwrap();
    assert!(matches!(client.recv_frame(), Err(ConnectionError::Closed)));
    // Nothing within the read timeout.
    let (addr, server) = raw_server(|mut s| {
        let _ = read_to_eof(&mut s);
    });
    let quick = no_handshake.with_read_timeout(Some(Duration::from_millis(50)));
    let mut client = TcpTransport::connect(addr, &quick).unwrap();
    assert!(matches!(
        client.recv_frame(),
        Err(ConnectionError::TimedOut { op: "read" })
    ));
    drop(client);
    server.join().unwrap();
}

#[test]
fn connector_refuses_non_normal_frame_as_message() {
    let (addr, server) = raw_server(|mut s| {
        s.write_all(&frame(0xFFFE, 1, &[])).unwrap();
    });
    let mut client = TcpTransport::connect(addr, &mctp().with_handshake(false)).unwrap();
    assert!(matches!(
        client.recv(),
        Err(ConnectionError::Frame(TransportError::UnexpectedCommand {
            expected: Command::Normal,
            received: Command::Shutdown
        }))
    ));
    server.join().unwrap();
}
