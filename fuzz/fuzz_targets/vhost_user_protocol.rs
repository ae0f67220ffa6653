//! Fuzz target for `vtrust_vhost_user_crypto::protocol`: arbitrary bytes as a stream of
//! vhost-user messages (header, then the payload its size names). No panic; a parsed header's
//! size is the payload's; replies to parsed session requests have the form's size.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vtrust_vhost_user_crypto::protocol::{FrontendReq, HEADER_LEN, Header, Reply, Request};

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    for _ in 0..32 {
        let Some(head) = rest.get(..HEADER_LEN) else {
            return;
        };
        let Ok(header) = Header::decode(head) else {
            return;
        };
        let Some(payload) = rest.get(HEADER_LEN..HEADER_LEN + header.size) else {
            return;
        };
        rest = &rest[HEADER_LEN + header.size..];
        if let Ok(Request::CreateCryptoSession(req)) = Request::decode(&header, payload) {
            let reply = Reply::CryptoSession {
                form: req.form,
                session_id: 1,
            }
            .to_message(FrontendReq::CreateCryptoSession);
            assert_eq!(reply.len(), HEADER_LEN + req.form.len());
        }
    }
});
