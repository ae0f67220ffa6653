//! Fuzz target for the virtio crypto device (`vtrust-virtio-crypto`): arbitrary descriptor
//! chains (addresses, lengths, flags, next links, indirect tables) over arbitrary guest
//! memory contents, made available on the control queue and then on a data queue. The
//! device must not panic and must complete every chain it pops (the used index equals the
//! count it returns); a second pass finds nothing left.
//!
//! Input: `[features][n_ctrl][n_data][heads_ctrl][heads_data]`, then `n_ctrl + n_data`
//! descriptors of 8 bytes (`addr u16` offset into the data area, `len u16`, `flags u16`,
//! `next u16`), then one head index byte per available entry, then the data area.
#![no_main]

use libfuzzer_sys::fuzz_target;
use virtio_queue::desc::RawDescriptor;
use virtio_queue::desc::split::Descriptor;
use virtio_queue::mock::MockSplitQueue;
use virtio_queue::{Queue, QueueT};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
use vtrust_fuzz::Input;
use vtrust_virtio_crypto::{CryptoDevice, DeviceConfig};

const MEM: usize = 0x1_0000;
const QSIZE: u16 = 16;
const CTRL: u64 = 0;
const DATA: u64 = 0x1000;
const AREA: u64 = 0x2000;

fn setup(mem: &GuestMemoryMmap, start: u64, input: &mut Input<'_>, n: u8, heads: u8) -> Queue {
    let mock = MockSplitQueue::create(mem, GuestAddress(start), QSIZE);
    for i in 0..u16::from(n) {
        let addr = AREA + u64::from(input.u16());
        let len = u32::from(input.u16());
        let flags = input.u16() & 0x7;
        let next = input.u16() % (QSIZE + 2);
        let d = Descriptor::new(addr, len, flags, next);
        mock.desc_table().store(i, RawDescriptor::from(d)).unwrap();
    }
    for k in 0..u16::from(heads) {
        let head = u16::from(input.u8()) % (QSIZE + 1);
        mem.write_obj(head, mock.avail_addr().unchecked_add_(4 + 2 * u64::from(k)))
            .unwrap();
    }
    mem.write_obj(u16::from(heads), mock.avail_addr().unchecked_add_(2))
        .unwrap();
    mock.create_queue().unwrap()
}

trait AddrExt {
    fn unchecked_add_(self, v: u64) -> GuestAddress;
}
impl AddrExt for GuestAddress {
    fn unchecked_add_(self, v: u64) -> GuestAddress {
        GuestAddress(self.0 + v)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let features = input.u8();
    let n_ctrl = input.u8() % 9;
    let n_data = input.u8() % 9;
    let heads_ctrl = input.u8() % 4;
    let heads_data = input.u8() % 4;
    let mem = GuestMemoryMmap::from_ranges(&[(GuestAddress(0), MEM)]).unwrap();
    let mut ctrl = setup(&mem, CTRL, &mut input, n_ctrl, heads_ctrl);
    let mut dataq = setup(&mem, DATA, &mut input, n_data, heads_data);
    let area = input.0;
    let area = &area[..area.len().min(MEM - AREA as usize)];
    mem.write_slice(area, GuestAddress(AREA)).unwrap();

    let config = DeviceConfig {
        max_size: 4096,
        max_sessions: 4,
        ..DeviceConfig::default()
    };
    let mut device = CryptoDevice::new(config, Default::default());
    let offered = device.features();
    device.set_features(if features & 1 != 0 {
        offered
    } else {
        offered & !0x3f
    });

    for (q, is_ctrl) in [(&mut ctrl, true), (&mut dataq, false)] {
        let n = if is_ctrl {
            device.process_control_queue(&mem, q)
        } else {
            device.process_data_queue(&mem, q)
        };
        if let Ok(n) = n {
            let used = q
                .used_idx(&mem, std::sync::atomic::Ordering::Acquire)
                .unwrap();
            assert_eq!(usize::from(used.0), n, "every popped chain is completed");
            let again = if is_ctrl {
                device.process_control_queue(&mem, q)
            } else {
                device.process_data_queue(&mem, q)
            };
            assert_eq!(again.ok(), Some(0), "nothing left after a pass");
        }
    }
});
