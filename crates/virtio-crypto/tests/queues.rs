//! Several data queues of one device, each served on its own thread by a `DataQueue`
//! (as the vhost-user daemon runs them): they share the device's sessions, run at the same
//! time, and see sessions created and destroyed on the control path.

use vtrust_virtio_crypto::codec::Layout;
use vtrust_virtio_crypto::driver::{TestDriver, guest_memory};
use vtrust_virtio_crypto::spec::{ctrl_op, mac_algo};
use vtrust_virtio_crypto::{CryptoDevice, DeviceConfig, Status};

/// RFC 4231 test case 2 (HMAC-SHA-256).
const KEY: &[u8] = b"Jefe";
const DATA: &[u8] = b"what do ya want for nothing?";
const MAC: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn two_data_queues_share_sessions_and_run_in_parallel() {
    let (mem_a, mem_b) = (guest_memory(), guest_memory());
    let device = CryptoDevice::new(DeviceConfig::default(), Default::default());
    let mut a = TestDriver::new(&mem_a, device, Layout::Legacy);
    // Queue B is a second data queue of A's device, made before the session exists.
    let mut b = TestDriver::new(
        &mem_b,
        CryptoDevice::new(DeviceConfig::default(), Default::default()),
        Layout::Legacy,
    );
    b.use_data_queue(a.device().data_queue());
    let id = a
        .create_mac_session(mac_algo::HMAC_SHA_256, KEY, 32)
        .unwrap();

    std::thread::scope(|s| {
        let ta = s.spawn(|| {
            for _ in 0..300 {
                assert_eq!(hex(&a.mac(id, DATA, 32).unwrap()), MAC, "queue A");
            }
        });
        let tb = s.spawn(|| {
            for _ in 0..300 {
                assert_eq!(hex(&b.mac(id, DATA, 32).unwrap()), MAC, "queue B");
            }
        });
        ta.join().unwrap();
        tb.join().unwrap();
    });

    // Destroyed on the control path: queue B refuses the id at once.
    assert_eq!(
        a.destroy_session(ctrl_op::MAC_DESTROY_SESSION, id),
        Status::Ok
    );
    assert_eq!(b.mac(id, DATA, 32), Err(Status::InvSess));
    assert_eq!(a.mac(id, DATA, 32), Err(Status::InvSess));
}
