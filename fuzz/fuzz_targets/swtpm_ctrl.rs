//! swtpm control channel: arbitrary bytes as control requests into the server's parser and
//! dispatcher (`ControlHandler`, over an in-memory backend), as TPM commands into the server's
//! data path, and as control replies into the client's reply parser. Whatever parses must
//! re-encode to bytes that parse to the same message.
#![no_main]

use std::sync::{Arc, Mutex};

use libfuzzer_sys::fuzz_target;
use vtrust_tpm_backend::ptm::{self, Request, Response};
use vtrust_tpm_backend::server::ControlHandler;
use vtrust_tpm_backend::{BackendError, BackendState, InitOptions, TpmBackend};

/// An in-memory backend: answers every command with rc 0, keeps state blobs.
struct Fake {
    state: Mutex<BackendState>,
}

impl TpmBackend for Fake {
    fn name(&self) -> &str {
        "fuzz"
    }
    fn init(&self, o: InitOptions) -> Result<usize, BackendError> {
        Ok(o.buffer_size.unwrap_or(4096))
    }
    fn buffer_size(&self) -> usize {
        4096
    }
    fn execute(&self, _locality: u8, command: &[u8]) -> Result<Vec<u8>, BackendError> {
        if command.len() % 7 == 3 {
            return Err(BackendError::NotRunning("fuzz".into()));
        }
        Ok(vtrust_tpm_backend::error_response(0))
    }
    fn cancel(&self) -> Result<(), BackendError> {
        Ok(())
    }
    fn established(&self) -> Result<bool, BackendError> {
        Ok(false)
    }
    fn reset_established(&self, _locality: u8) -> Result<(), BackendError> {
        Ok(())
    }
    fn reset(&self) -> Result<(), BackendError> {
        Ok(())
    }
    fn save_state(&self) -> Result<BackendState, BackendError> {
        Ok(self.state.lock().map(|s| s.clone()).unwrap_or_default())
    }
    fn load_state(&self, state: &BackendState) -> Result<(), BackendError> {
        if let Ok(mut s) = self.state.lock() {
            *s = state.clone();
        }
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    // Client side: the bytes as the reply to every command code.
    for command in 0..=0x14u32 {
        let _ = ptm::response_len(command, data);
        if let Ok(resp) = Response::decode(command, data) {
            let bytes = resp.encode().expect("a parsed reply encodes");
            assert_eq!(Response::decode(command, &bytes).as_ref(), Ok(&resp));
        }
    }
    let _ = ptm::tpm_header(data);

    // Server side: the bytes as a stream of control requests, framed as the server frames
    // them, into one handler (so sequences such as STOP, SET_STATEBLOB, INIT happen).
    let handler = ControlHandler::new(Arc::new(Fake {
        state: Mutex::new(BackendState {
            permanent: vec![1; 8],
            volatile: vec![2; 4],
            savestate: Vec::new(),
        }),
    }));
    let mut rest = data;
    while !rest.is_empty() {
        let need = ptm::request_len(rest)
            .unwrap_or(rest.len())
            .min(rest.len())
            .max(1);
        let (msg, tail) = rest.split_at(need);
        if let Ok(req) = Request::decode(msg) {
            let bytes = req.encode().expect("a parsed request encodes");
            assert_eq!(Request::decode(&bytes).as_ref(), Ok(&req));
        }
        let outcome = handler.handle(msg, None);
        assert!(outcome.reply.len() >= 4, "every request gets a reply");
        // The data path, in whatever state the control requests left.
        let _ = handler.execute(None, msg);
        rest = tail;
    }
});
