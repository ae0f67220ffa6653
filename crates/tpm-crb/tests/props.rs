//! Properties: arbitrary register access sequences never panic and keep the invariants;
//! snapshots round-trip at any point; snapshot parsing never panics; the driver moves any
//! command and response size intact over any window.

mod common;

use common::*;
use proptest::prelude::*;
use vtrust_tpm_crb::driver::{Driver, DriverConfig, LocalBus};
use vtrust_tpm_crb::{CrbAction, CrbConfig, CrbDevice, Snapshot};

#[derive(Debug, Clone)]
enum Op {
    Read(u64, usize),
    Write(u64, Vec<u8>),
    Reg(u64, u32),
    Header(u32),
    Complete(usize, bool),
    Established(bool),
    Snapshot,
}

fn op() -> impl Strategy<Value = Op> {
    let reg = prop_oneof![
        Just(0x08u64),
        Just(0x40),
        Just(0x48),
        Just(0x4C),
        Just(0x50),
        0u64..0x80
    ];
    let value = prop_oneof![Just(1u32), Just(2), Just(4), Just(3), Just(7), any::<u32>()];
    let offset = prop_oneof![0u64..0x1100, any::<u64>()];
    prop_oneof![
        1 => (offset.clone(), 0usize..16).prop_map(|(o, l)| Op::Read(o, l)),
        1 => (offset, proptest::collection::vec(any::<u8>(), 0..9)).prop_map(|(o, d)| Op::Write(o, d)),
        4 => (reg, value).prop_map(|(r, v)| Op::Reg(r, v)),
        2 => prop_oneof![0u32..20, 3900u32..4100, 8000u32..8300, any::<u32>()].prop_map(Op::Header),
        1 => (0usize..9000, any::<bool>()).prop_map(|(l, ok)| Op::Complete(l, ok)),
        1 => any::<bool>().prop_map(Op::Established),
        1 => Just(Op::Snapshot),
    ]
}

fn config() -> impl Strategy<Value = CrbConfig> {
    (
        prop_oneof![Just(3968usize), Just(10), Just(64), 10usize..=3968],
        prop_oneof![Just(8192usize), Just(10), 10usize..=20000],
        any::<bool>(),
    )
        .prop_map(|(window, max_size, chunking)| CrbConfig {
            window,
            max_size,
            chunking,
            ..CrbConfig::default()
        })
}

fn apply(dev: &mut CrbDevice, op: &Op) {
    let cfg = *dev.config();
    let action = match op {
        Op::Read(o, l) => {
            let before = dev.clone();
            let mut buf = vec![0u8; *l];
            dev.read(*o, &mut buf);
            assert_eq!(*dev, before, "reads have no side effects");
            None
        }
        Op::Write(o, d) => dev.write(*o, d),
        Op::Reg(r, v) => w32(dev, *r, *v),
        Op::Header(size) => {
            let mut h = vec![0x80, 0x01];
            h.extend_from_slice(&size.to_be_bytes());
            dev.write(DATA, &h)
        }
        Op::Complete(len, ok) => {
            let mut r = response_for(b"", (*len).max(10));
            if !ok {
                r.truncate(*len);
            }
            dev.complete(r);
            None
        }
        Op::Established(e) => {
            dev.set_established(*e);
            None
        }
        Op::Snapshot => {
            let b = dev.snapshot().to_bytes().unwrap();
            let restored = CrbDevice::restore(cfg, &Snapshot::from_bytes(&b).unwrap()).unwrap();
            assert_eq!(restored, *dev);
            None
        }
    };
    if let Some(CrbAction::Execute { locality, command }) = &action {
        assert_eq!(*locality, 0);
        assert!(command.len() >= 10 && command.len() <= cfg.max_command());
        assert_eq!(
            u32::from_be_bytes(command[2..6].try_into().unwrap()) as usize,
            command.len()
        );
        assert_eq!(r32(dev, CTRL_START) & 1, 1);
    }
    if action == Some(CrbAction::Cancel) {
        assert!(dev.is_executing());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn register_sequences_never_panic_and_keep_invariants(
        cfg in config(),
        ops in proptest::collection::vec(op(), 0..200),
    ) {
        let mut dev = device(cfg);
        for op in &ops {
            apply(&mut dev, op);
            prop_assert_eq!(dev.window().len(), cfg.window);
            if let Err(e) = dev.check_invariants() {
                prop_assert!(false, "{} after {:?}", e, op);
            }
        }
    }

    #[test]
    fn snapshot_round_trips_and_truncations_fail(
        cfg in config(),
        ops in proptest::collection::vec(op(), 0..100),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut dev = device(cfg);
        for op in &ops {
            apply(&mut dev, op);
        }
        let b = dev.snapshot().to_bytes().unwrap();
        let snap = Snapshot::from_bytes(&b).unwrap();
        prop_assert_eq!(CrbDevice::restore(cfg, &snap).unwrap(), dev);
        let cut = cut.index(b.len());
        prop_assert!(Snapshot::from_bytes(&b[..cut]).is_err());
    }

    #[test]
    fn snapshot_parsing_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200), cfg in config()) {
        let mut with_magic = b"VTCRBSNP\x01\x00".to_vec();
        with_magic.extend_from_slice(&data);
        for b in [&data, &with_magic] {
            if let Ok(snap) = Snapshot::from_bytes(b)
                && let Ok(dev) = CrbDevice::restore(cfg, &snap)
            {
                prop_assert!(dev.check_invariants().is_ok());
            }
        }
    }

    #[test]
    fn driver_moves_any_size_intact(
        window in prop_oneof![Just(3968usize), 10usize..=3968],
        cmd_len in 14usize..=12000,
        rsp_len in 10usize..=12000,
        width in 1usize..=8,
    ) {
        let cfg = CrbConfig { window, max_size: 12000, ..CrbConfig::default() };
        let bus = LocalBus::new(device(cfg), fake_executor);
        let mut d = Driver::new(bus, DriverConfig { max_response: 12000, access_width: width, ..DriverConfig::default() });
        let cmd = command(cmd_len, rsp_len);
        let (rsp, stats) = d.transmit(&cmd).unwrap();
        prop_assert_eq!(rsp, response_for(&cmd, rsp_len));
        prop_assert_eq!(stats.chunks_sent, cmd_len.div_ceil(window));
        prop_assert_eq!(stats.chunks_received, rsp_len.div_ceil(window));
    }
}
