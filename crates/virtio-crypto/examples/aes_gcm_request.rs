//! An AES-256-GCM session, one encryption and one decryption through the virtio crypto
//! device, driven by the test driver exactly as a guest would (control queue for the
//! session, data queue for the requests), with timings.
//!
//! Run: `cargo run --release -p vtrust-virtio-crypto --example aes_gcm_request`

use std::time::Instant;

use vtrust_crypto::CryptoProvider;
use vtrust_virtio_crypto::codec::Layout;
use vtrust_virtio_crypto::driver::{TestDriver, guest_memory};
use vtrust_virtio_crypto::spec::{aead_algo, ctrl_op};
use vtrust_virtio_crypto::{CryptoDevice, DeviceConfig, Status};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mem = guest_memory();
    let device = CryptoDevice::new(DeviceConfig::default(), CryptoProvider::new());
    let mut driver = TestDriver::new(&mem, device, Layout::Legacy);
    let key = [0x42u8; 32];
    let nonce = [0x24u8; 12];
    let aad = b"virtio-crypto tour";
    let plaintext = b"The guest asked the device to seal this message.";

    let t = Instant::now();
    let session = driver
        .create_aead_session(aead_algo::GCM, &key, 16, aad.len() as u32, true)
        .map_err(|s| format!("CREATE_SESSION: {s:?}"))?;
    println!(
        "CREATE_SESSION (AES-256-GCM)  -> session {session}  in {:?}",
        t.elapsed()
    );

    let t = Instant::now();
    let sealed = driver
        .aead(session, true, &nonce, aad, plaintext, 16)
        .map_err(|s| format!("AEAD_ENCRYPT: {s:?}"))?;
    println!(
        "AEAD_ENCRYPT {} B            -> {} B ciphertext+tag in {:?}",
        plaintext.len(),
        sealed.len(),
        t.elapsed()
    );

    let t = Instant::now();
    let opened = driver
        .aead(session, false, &nonce, aad, &sealed, 16)
        .map_err(|s| format!("AEAD_DECRYPT: {s:?}"))?;
    println!(
        "AEAD_DECRYPT                  -> {:?} in {:?}",
        String::from_utf8_lossy(&opened),
        t.elapsed()
    );
    assert_eq!(opened, plaintext);

    let mut forged = sealed.clone();
    if let Some(b) = forged.last_mut() {
        *b ^= 1;
    }
    let status = driver.aead(session, false, &nonce, aad, &forged, 16);
    println!("AEAD_DECRYPT of a forged tag  -> {status:?}");
    assert_eq!(status, Err(Status::BadMsg));

    let t = Instant::now();
    let n = 1000;
    for _ in 0..n {
        driver
            .aead(session, true, &nonce, aad, plaintext, 16)
            .map_err(|s| format!("{s:?}"))?;
    }
    println!(
        "{n} AEAD_ENCRYPT requests (driver + device): {:?} each",
        t.elapsed() / n
    );

    let st = driver.destroy_session(ctrl_op::AEAD_DESTROY_SESSION, session);
    println!("DESTROY_SESSION               -> {st:?}");
    Ok(())
}
