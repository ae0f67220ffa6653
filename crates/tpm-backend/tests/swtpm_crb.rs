//! Real swtpm behind the CRB device model, driven by the Linux driver's algorithm with the
//! backend on the device's worker thread (as in a VMM): GetRandom, PCR extend and read,
//! Hash, a 4096-byte command chunked across two windows, and swtpm killed mid-command and
//! restarted (the guest gets TPM_RC_FAILURE for the command in flight, and the next command
//! succeeds).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use vtrust_tpm_backend::swtpm::{SwtpmBackend, SwtpmConfig, SwtpmProcess};
use vtrust_tpm_backend::{InitOptions, TPM_RC_FAILURE, TpmBackend, error_response};
use vtrust_tpm_crb::driver::{Driver, DriverConfig, ThreadedBus};
use vtrust_tpm_crb::{CrbConfig, CrbDevice};

/// The device and driver in front of `backend`, with the VMM's rule: a backend error
/// becomes a TPM_RC_FAILURE response to the guest.
fn guest(backend: Arc<SwtpmBackend>) -> Driver<ThreadedBus> {
    let device = CrbDevice::new(CrbConfig::default()).unwrap();
    let bus = ThreadedBus::new(device, move |locality, command| {
        backend
            .execute(locality, command)
            .unwrap_or_else(|_| error_response(TPM_RC_FAILURE))
    });
    Driver::new(bus, DriverConfig::default())
}

fn start(tag: &str) -> (TempDir, SwtpmProcess, Arc<SwtpmBackend>) {
    ensure_swtpm();
    let dir = TempDir::new(tag);
    let process = SwtpmProcess::spawn(dir.path()).unwrap();
    let (ctrl, data) = process.paths().endpoints();
    let mut config = SwtpmConfig::new(ctrl, data);
    config.command_timeout = Duration::from_secs(120);
    let tpm = Arc::new(SwtpmBackend::with_config(config).unwrap());
    tpm.init(InitOptions::default()).unwrap();
    (dir, process, tpm)
}

#[test]
fn get_random_pcr_and_hash_through_the_crb() {
    let (_dir, _process, tpm) = start("crb-basic");
    let mut driver = guest(tpm);
    let (rsp, stats) = driver.transmit(&startup_clear()).unwrap();
    assert_eq!(rc(&rsp), 0);
    assert_eq!((stats.chunks_sent, stats.chunks_received), (1, 1));

    let (rsp, _) = driver.transmit(&get_random(32)).unwrap();
    assert_eq!(rc(&rsp), 0);
    assert_eq!(rsp.len(), 10 + 2 + 32);

    // PCR 16 = SHA-256(zeros || digest): computed here with the provider, not by the TPM.
    let digest: [u8; 32] = sha256(b"through the CRB").try_into().unwrap();
    let (rsp, _) = driver.transmit(&pcr_extend_sha256(16, &digest)).unwrap();
    assert_eq!(rc(&rsp), 0);
    let (rsp, _) = driver.transmit(&pcr_read_sha256(16)).unwrap();
    let mut expected = vec![0u8; 32];
    expected.extend_from_slice(&digest);
    assert_eq!(pcr_read_digest(&rsp), sha256(&expected));

    // TPM2_Hash, compared with an independent SHA-256.
    let data = b"vtrust hashes through swtpm";
    let (rsp, _) = driver.transmit(&hash_sha256(data)).unwrap();
    assert_eq!(rc(&rsp), 0);
    // outHash is the TPM2B right after the header: size 32, then the digest.
    assert_eq!(&rsp[10..12], &[0, 32]);
    assert_eq!(&rsp[12..44], sha256(data).as_slice());
}

#[test]
fn a_4096_byte_command_crosses_two_windows_and_reaches_swtpm() {
    let (_dir, _process, tpm) = start("crb-4096");
    let mut driver = guest(tpm);
    assert_eq!(rc(&driver.transmit(&startup_clear()).unwrap().0), 0);
    // A TPM2_Hash of 4096 bytes in all: 3968 + 128 through the window. swtpm takes commands
    // up to its 4096-byte buffer and parses this one, refusing only the oversized TPM2B
    // (0x1D5, as measured in tpm-crb.md §4): the whole command arrived intact.
    let pad = 4096 - hash_sha256(&[0x5A; 1024]).len();
    let command = hash_sha256(&vec![0x5A; 1024 + pad]);
    assert_eq!(command.len(), 4096);
    let (rsp, stats) = driver.transmit(&command).unwrap();
    assert_eq!(stats.chunks_sent, 2, "3968 + 128 bytes");
    assert_eq!(rc(&rsp), 0x1D5, "{rsp:02x?}");
    // One byte more than swtpm's buffer: refused with TPM_RC_COMMAND_SIZE (the backend
    // answers it without desynchronising swtpm's stream), and the TPM still works after.
    let command = hash_sha256(&vec![0x5A; 1024 + pad + 1]);
    assert_eq!(command.len(), 4097);
    let (rsp, _) = driver.transmit(&command).unwrap();
    assert_eq!(rc(&rsp), 0x142);
    assert_eq!(rc(&driver.transmit(&get_random(8)).unwrap().0), 0);
}

#[test]
fn swtpm_killed_mid_command_then_restarted_through_the_crb() {
    let (dir, mut process, tpm) = start("crb-kill");
    let mut driver = guest(Arc::clone(&tpm));
    assert_eq!(rc(&driver.transmit(&startup_clear()).unwrap().0), 0);
    let mut interrupted = false;
    for attempt in 0u8..10 {
        // RSA CreatePrimary takes tens of ms: kill swtpm while it runs.
        let killer = {
            let pid = process.pid();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(3));
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
            })
        };
        let started = Instant::now();
        let (rsp, _) = driver.transmit(&create_primary_rsa(&[attempt; 8])).unwrap();
        killer.join().unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        let _ = process.wait_exit(Duration::from_secs(5));
        if rc(&rsp) == TPM_RC_FAILURE {
            // The guest got a well-formed TPM_RC_FAILURE for the command in flight.
            assert_eq!(rsp, error_response(TPM_RC_FAILURE));
            interrupted = true;
        }
        // Restart swtpm on the same sockets and state: the next command reconnects.
        process = SwtpmProcess::spawn(dir.path()).unwrap();
        let (rsp, _) = driver.transmit(&startup_clear()).unwrap();
        assert_eq!(rc(&rsp), 0, "{rsp:02x?}");
        let (rsp, _) = driver.transmit(&get_random(16)).unwrap();
        assert_eq!(rc(&rsp), 0);
        if interrupted {
            break;
        }
    }
    assert!(interrupted, "swtpm never was killed while a command ran");
}
