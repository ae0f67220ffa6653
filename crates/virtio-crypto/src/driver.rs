//! A test driver (feature `test-utils`): plays the guest. It lays out a control queue and
//! a data queue with virtio-queue's `MockSplitQueue`, writes spec requests into guest
//! memory as descriptor chains (header and keys or data in separate readable buffers,
//! outputs and status in writable ones, as Linux does), lets the device process them and
//! reads back the used ring, the outputs and the status.
//!
//! ```
//! use vtrust_virtio_crypto::{CryptoDevice, DeviceConfig, codec::Layout};
//! use vtrust_virtio_crypto::driver::{TestDriver, guest_memory};
//! let mem = guest_memory();
//! let device = CryptoDevice::new(DeviceConfig::default(), Default::default());
//! let mut driver = TestDriver::new(&mem, device, Layout::Legacy);
//! let id = driver.create_hash_session(4 /* SHA-256 */, 32).unwrap();
//! let digest = driver.hash(id, b"abc", 32).unwrap();
//! assert_eq!(digest[..4], [0xba, 0x78, 0x16, 0xbf]);
//! ```

#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_arguments,
    missing_docs
)]

use virtio_queue::desc::RawDescriptor;
use virtio_queue::desc::split::Descriptor as SplitDescriptor;
use virtio_queue::mock::MockSplitQueue;
use virtio_queue::{Queue, QueueT};
use vm_memory::{Address, Bytes, GuestAddress, GuestMemoryMmap};

use crate::codec::Layout;
use crate::codec::control::{
    AeadCreateSessionFlf, AkcipherCreateSessionFlf, CipherSessionFlf, CtrlFlf, CtrlHeader,
    CtrlRequest, HashCreateSessionFlf, MacCreateSessionFlf, SessionInput, SymCreateSessionFlf,
};
use crate::codec::data::{
    AeadDataFlf, AkcipherDataFlf, AlgChainDataFlf, CipherDataFlf, DataFlf, DataRequest,
    HashDataFlf, OpHeader, StatelessParams, SymDataFlf,
};
use crate::device::{CryptoDevice, DataQueue};
use crate::session::SessionParams;
use crate::spec::{Status, VIRTIO_CRYPTO_FLAG_SESSION_MODE, ctrl_op, data_op, sym};

/// Guest memory size of [`guest_memory`].
pub const GUEST_MEM_SIZE: usize = 64 << 20;
/// Queue size of both queues.
pub const QUEUE_SIZE: u16 = 256;
const CTRL_QUEUE_ADDR: u64 = 0;
const DATA_QUEUE_ADDR: u64 = 0x1_0000;
const BUFFERS_START: u64 = 0x10_0000;
const USED_RING_OFFSET: u64 = 0x2000;
/// Byte the driver fills writable buffers with before submitting.
pub const POISON: u8 = 0xa5;

/// 64 MiB of guest memory at address 0.
pub fn guest_memory() -> GuestMemoryMmap {
    GuestMemoryMmap::from_ranges(&[(GuestAddress(0), GUEST_MEM_SIZE)]).expect("guest memory")
}

/// Which queue a chain goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The control queue.
    Control,
    /// The data queue.
    Data,
}

/// One completed chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The used element's `len`.
    pub used_len: u32,
    /// The content of each writable buffer after completion.
    pub writable: Vec<Vec<u8>>,
}

/// The result of a data request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataResult {
    /// The status byte.
    pub status: u8,
    /// The output buffer (its full length, `POISON` where nothing was written).
    pub output: Vec<u8>,
    /// The used length.
    pub used_len: u32,
}

impl DataResult {
    /// `Ok(output[..used_len - 1])` if the status is OK, else the status.
    pub fn ok(self) -> Result<Vec<u8>, Status> {
        if self.status == Status::Ok.as_u8() {
            let n = (self.used_len as usize)
                .saturating_sub(1)
                .min(self.output.len());
            Ok(self.output[..n].to_vec())
        } else {
            Err(Status::from_u8(self.status).unwrap_or(Status::Err))
        }
    }
}

struct DriverQueue {
    queue: Queue,
    desc: GuestAddress,
    avail: GuestAddress,
    used: GuestAddress,
    avail_idx: u16,
    used_idx: u16,
}

impl DriverQueue {
    fn new(mem: &GuestMemoryMmap, start: u64) -> Self {
        let mock = MockSplitQueue::create(mem, GuestAddress(start), QUEUE_SIZE);
        let mut queue: Queue = mock.create_queue().expect("queue");
        // virtio-queue 0.18's mock places the used ring `len` bytes after the avail ring's
        // entries (`SplitQueueRing::end` counts elements, not bytes), so it overlaps the
        // second half of the avail ring. Put the used ring on its own page instead.
        let used = GuestAddress(start + USED_RING_OFFSET);
        queue.set_ready(false);
        queue.set_used_ring_address(Some(used.0 as u32), Some((used.0 >> 32) as u32));
        queue.set_ready(true);
        assert!(queue.is_valid(mem), "driver queue layout");
        Self {
            queue,
            desc: mock.desc_table_addr(),
            avail: mock.avail_addr(),
            used,
            avail_idx: 0,
            used_idx: 0,
        }
    }
}

/// Whom a data request names: a session, or (stateless mode) an algorithm and its key.
#[derive(Debug, Clone, Copy)]
enum Target<'k> {
    Session(u64),
    Stateless { algo: u32, key: &'k [u8] },
}

impl Target<'_> {
    fn session(&self) -> u64 {
        match self {
            Self::Session(id) => *id,
            Self::Stateless { .. } => 0,
        }
    }

    /// The key that leads the request's variable part (stateless mode only).
    fn key(&self) -> &[u8] {
        match self {
            Self::Session(_) => &[],
            Self::Stateless { key, .. } => key,
        }
    }

    /// The stateless parameters `make(algo, key_len)` builds, in stateless mode.
    fn stateless(&self, make: impl FnOnce(u32, u32) -> StatelessParams) -> Option<StatelessParams> {
        match self {
            Self::Session(_) => None,
            Self::Stateless { algo, key } => Some(make(*algo, key.len() as u32)),
        }
    }
}

/// CIPHER_ENCRYPT or CIPHER_DECRYPT (plain and chained cipher requests).
fn cipher_op(encrypt: bool) -> u32 {
    if encrypt {
        data_op::CIPHER_ENCRYPT
    } else {
        data_op::CIPHER_DECRYPT
    }
}

fn sym_op(encrypt: bool) -> u32 {
    if encrypt {
        sym::OP_ENCRYPT
    } else {
        sym::OP_DECRYPT
    }
}

/// The test driver. See the module documentation.
pub struct TestDriver<'m> {
    mem: &'m GuestMemoryMmap,
    device: CryptoDevice,
    ctrl: DriverQueue,
    data: DriverQueue,
    layout: Layout,
    /// Processes the data queue instead of `device` when set ([`TestDriver::use_data_queue`]).
    data_queue: Option<DataQueue>,
    /// Chains to put on the data queue before processing (for batch tests and benches).
    pending: Vec<u16>,
    next_desc: u16,
    next_buf: u64,
}

impl<'m> TestDriver<'m> {
    /// A driver over `mem` that negotiates `layout` (Legacy: no crypto feature bits;
    /// Revision1: every offered bit).
    pub fn new(mem: &'m GuestMemoryMmap, mut device: CryptoDevice, layout: Layout) -> Self {
        let features = match layout {
            Layout::Legacy => device.features() & !0x3f,
            Layout::Revision1 => device.features(),
        };
        device.set_features(features);
        Self {
            mem,
            device,
            ctrl: DriverQueue::new(mem, CTRL_QUEUE_ADDR),
            data: DriverQueue::new(mem, DATA_QUEUE_ADDR),
            layout,
            data_queue: None,
            pending: Vec::new(),
            next_desc: 0,
            next_buf: BUFFERS_START,
        }
    }

    /// Serves this driver's data queue with `queue` (another device's data queue, as a
    /// second queue of that device on another thread) instead of its own device.
    pub fn use_data_queue(&mut self, queue: DataQueue) {
        self.data_queue = Some(queue);
    }

    /// The device.
    pub fn device(&self) -> &CryptoDevice {
        &self.device
    }

    /// The device, mutably.
    pub fn device_mut(&mut self) -> &mut CryptoDevice {
        &mut self.device
    }

    /// The negotiated layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Guest memory.
    pub fn memory(&self) -> &'m GuestMemoryMmap {
        self.mem
    }

    fn alloc(&mut self, len: usize) -> GuestAddress {
        let addr = self.next_buf;
        self.next_buf += (len as u64 + 63) & !63;
        assert!(
            self.next_buf <= GUEST_MEM_SIZE as u64,
            "test driver out of guest memory"
        );
        GuestAddress(addr)
    }

    /// Writes raw descriptors (addresses, lengths, flags and next as given) at the next
    /// free table slots of `which` and makes the first one available. For hostile-chain
    /// tests; returns the head index.
    pub fn push_raw(&mut self, which: Which, descs: &[SplitDescriptor]) -> u16 {
        let q = match which {
            Which::Control => &mut self.ctrl,
            Which::Data => &mut self.data,
        };
        let head = self.next_desc;
        for (i, d) in descs.iter().enumerate() {
            let idx = (head as usize + i) % QUEUE_SIZE as usize;
            let addr = q.desc.unchecked_add(idx as u64 * 16);
            self.mem.write_obj(RawDescriptor::from(*d), addr).unwrap();
        }
        let slot = q.avail.0 + 4 + u64::from(q.avail_idx % QUEUE_SIZE) * 2;
        self.mem.write_obj(head, GuestAddress(slot)).unwrap();
        q.avail_idx = q.avail_idx.wrapping_add(1);
        self.mem
            .write_obj(q.avail_idx, GuestAddress(q.avail.0 + 2))
            .unwrap();
        self.next_desc = ((head as usize + descs.len()) % QUEUE_SIZE as usize) as u16;
        head
    }

    /// Builds a chain of `readable` then `writable` buffers in guest memory and makes it
    /// available on `which` (not processed yet). Returns the writable buffers' addresses.
    pub fn enqueue(
        &mut self,
        which: Which,
        readable: &[&[u8]],
        writable: &[usize],
    ) -> Vec<(GuestAddress, usize)> {
        let n = readable.len() + writable.len();
        assert!(n >= 1 && n <= QUEUE_SIZE as usize);
        let first = if self.next_desc as usize + n > QUEUE_SIZE as usize {
            0
        } else {
            self.next_desc
        };
        self.next_desc = first;
        let mut descs = Vec::with_capacity(n);
        let mut outs = Vec::with_capacity(writable.len());
        for (i, r) in readable.iter().enumerate() {
            let addr = self.alloc(r.len());
            self.mem.write_slice(r, addr).unwrap();
            descs.push((addr, r.len(), 0u16, i));
        }
        for (j, w) in writable.iter().enumerate() {
            let addr = self.alloc(*w);
            self.mem.write_slice(&vec![POISON; *w], addr).unwrap();
            descs.push((addr, *w, 2u16, readable.len() + j));
            outs.push((addr, *w));
        }
        let raw: Vec<SplitDescriptor> = descs
            .iter()
            .map(|(addr, len, flags, i)| {
                let last = *i + 1 == n;
                let next = if last { 0 } else { first + *i as u16 + 1 };
                let flags = if last { *flags } else { *flags | 1 };
                SplitDescriptor::new(addr.0, *len as u32, flags, next)
            })
            .collect();
        let head = self.push_raw(which, &raw);
        if which == Which::Data {
            self.pending.push(head);
        }
        outs
    }

    /// Copies `readable` into fresh guest buffers and allocates `writable` ones (filled with
    /// [`POISON`]); returns the buffers as `(address, length, device-writable)`, ready for
    /// [`Self::push_chain`] (benches push the same buffers many times).
    pub fn prepare(
        &mut self,
        readable: &[&[u8]],
        writable: &[usize],
    ) -> Vec<(GuestAddress, u32, bool)> {
        let mut out = Vec::new();
        for r in readable {
            let addr = self.alloc(r.len());
            self.mem.write_slice(r, addr).unwrap();
            out.push((addr, r.len() as u32, false));
        }
        for w in writable {
            let addr = self.alloc(*w);
            self.mem.write_slice(&vec![POISON; *w], addr).unwrap();
            out.push((addr, *w as u32, true));
        }
        out
    }

    /// Makes a chain of `bufs` available on `which` (next links filled in); not processed.
    pub fn push_chain(&mut self, which: Which, bufs: &[(GuestAddress, u32, bool)]) -> u16 {
        let n = bufs.len();
        if self.next_desc as usize + n > QUEUE_SIZE as usize {
            self.next_desc = 0;
        }
        let first = self.next_desc;
        let descs: Vec<SplitDescriptor> = bufs
            .iter()
            .enumerate()
            .map(|(i, (addr, len, w))| {
                let more = i + 1 < n;
                let flags = u16::from(*w) * 2 + u16::from(more);
                let next = if more { first + i as u16 + 1 } else { 0 };
                SplitDescriptor::new(addr.0, *len, flags, next)
            })
            .collect();
        self.push_raw(which, &descs)
    }

    /// Starts allocating data buffers from the beginning of the buffer area again.
    pub fn next_buf_reset(&mut self) {
        self.next_buf = BUFFERS_START;
    }

    /// Submits one data chain whose buffers come in the order given by `layout`
    /// (`(writable, len)`), readable contents taken from `readable` in order; for
    /// descriptor-order tests. Returns the used length and the last writable byte.
    pub fn submit_mixed(&mut self, layout: &[(bool, usize)], readable: &[&[u8]]) -> (u32, u8) {
        self.next_buf = BUFFERS_START;
        let first = 0u16;
        self.next_desc = first;
        let mut r = readable.iter();
        let mut descs = Vec::new();
        let mut last_w = None;
        for (i, (w, len)) in layout.iter().enumerate() {
            let addr = self.alloc(*len);
            if *w {
                self.mem.write_slice(&vec![POISON; *len], addr).unwrap();
                last_w = Some(addr.unchecked_add(*len as u64 - 1));
            } else {
                self.mem.write_slice(r.next().unwrap(), addr).unwrap();
            }
            let more = i + 1 < layout.len();
            let flags = u16::from(*w) * 2 + u16::from(more);
            descs.push(SplitDescriptor::new(
                addr.0,
                *len as u32,
                flags,
                if more { i as u16 + 1 } else { 0 },
            ));
        }
        self.push_raw(Which::Data, &descs);
        assert_eq!(self.process(Which::Data), 1);
        let (_, used) = self.pop_used(Which::Data).unwrap();
        let st: u8 = self.mem.read_obj(last_w.unwrap()).unwrap();
        (used, st)
    }

    /// Lets the device process `which` and returns the number of chains it completed.
    pub fn process(&mut self, which: Which) -> usize {
        let mem = self.mem;
        match which {
            Which::Control => self
                .device
                .process_control_queue(mem, &mut self.ctrl.queue)
                .expect("control queue"),
            Which::Data => {
                self.pending.clear();
                match self.data_queue.as_mut() {
                    Some(q) => q.process_data_queue(mem, &mut self.data.queue),
                    None => self.device.process_data_queue(mem, &mut self.data.queue),
                }
                .expect("data queue")
            }
        }
    }

    /// Pops the next used element of `which`: `(id, len)`.
    pub fn pop_used(&mut self, which: Which) -> Option<(u32, u32)> {
        let q = match which {
            Which::Control => &mut self.ctrl,
            Which::Data => &mut self.data,
        };
        let idx: u16 = self.mem.read_obj(GuestAddress(q.used.0 + 2)).unwrap();
        if idx == q.used_idx {
            return None;
        }
        let slot = GuestAddress(q.used.0 + 4 + u64::from(q.used_idx % QUEUE_SIZE) * 8);
        let id: u32 = self.mem.read_obj(slot).unwrap();
        let len: u32 = self.mem.read_obj(slot.unchecked_add(4)).unwrap();
        q.used_idx = q.used_idx.wrapping_add(1);
        Some((id, len))
    }

    /// Submits one chain, processes the queue and returns the completion.
    pub fn submit(&mut self, which: Which, readable: &[&[u8]], writable: &[usize]) -> Completion {
        self.next_buf = BUFFERS_START;
        let outs = self.enqueue(which, readable, writable);
        assert_eq!(self.process(which), 1, "the device must complete the chain");
        let (_, used_len) = self.pop_used(which).expect("a used element");
        let writable = outs
            .iter()
            .map(|(addr, len)| {
                let mut v = vec![0u8; *len];
                self.mem.read_slice(&mut v, *addr).unwrap();
                v
            })
            .collect();
        Completion { used_len, writable }
    }

    // ---- control queue ----

    /// Sends a CREATE_SESSION with `params` and keys; returns the session id or the status.
    pub fn create_session(
        &mut self,
        params: &SessionParams,
        cipher_key: &[u8],
        auth_key: &[u8],
    ) -> Result<u64, Status> {
        let (opcode, algo, flf) = match params {
            SessionParams::Sym(s) => {
                let algo = match s {
                    SymCreateSessionFlf::Cipher(c) => c.algo,
                    SymCreateSessionFlf::Chain(c) => c.cipher.algo,
                    SymCreateSessionFlf::Other(_) => 0,
                };
                (ctrl_op::CIPHER_CREATE_SESSION, algo, CtrlFlf::CreateSym(*s))
            }
            SessionParams::Hash(h) => (
                ctrl_op::HASH_CREATE_SESSION,
                h.algo,
                CtrlFlf::CreateHash(*h),
            ),
            SessionParams::Mac(m) => (ctrl_op::MAC_CREATE_SESSION, m.algo, CtrlFlf::CreateMac(*m)),
            SessionParams::Aead(a) => (
                ctrl_op::AEAD_CREATE_SESSION,
                a.algo,
                CtrlFlf::CreateAead(*a),
            ),
            SessionParams::Akcipher(a) => (
                ctrl_op::AKCIPHER_CREATE_SESSION,
                a.algo,
                CtrlFlf::CreateAkcipher(*a),
            ),
        };
        let header = CtrlHeader {
            opcode,
            algo,
            flag: 0,
            reserved: 0,
        };
        let fixed = CtrlRequest::encode_fixed(&header, &flf, self.layout);
        let mut readable: Vec<&[u8]> = vec![&fixed];
        if !cipher_key.is_empty() {
            readable.push(cipher_key);
        }
        if !auth_key.is_empty() {
            readable.push(auth_key);
        }
        let c = self.submit(Which::Control, &readable, &[SessionInput::LEN]);
        let input = SessionInput::decode(&c.writable[0]).unwrap();
        assert_eq!(c.used_len as usize, SessionInput::LEN);
        if input.status == 0 {
            Ok(input.session_id)
        } else {
            Err(Status::from_u8(input.status as u8).unwrap_or(Status::Err))
        }
    }

    /// Sends a DESTROY_SESSION with `opcode` (`*_DESTROY_SESSION`); returns the status.
    pub fn destroy_session(&mut self, opcode: u32, session_id: u64) -> Status {
        let header = CtrlHeader {
            opcode,
            algo: 0,
            flag: 0,
            reserved: 0,
        };
        let fixed =
            CtrlRequest::encode_fixed(&header, &CtrlFlf::Destroy { session_id }, self.layout);
        let c = self.submit(Which::Control, &[&fixed], &[1]);
        Status::from_u8(c.writable[0][0]).unwrap_or(Status::Err)
    }

    /// A cipher-only session.
    pub fn create_cipher_session(
        &mut self,
        algo: u32,
        key: &[u8],
        encrypt: bool,
    ) -> Result<u64, Status> {
        let c = CipherSessionFlf {
            algo,
            key_len: key.len() as u32,
            op: sym_op(encrypt),
        };
        self.create_session(
            &SessionParams::Sym(SymCreateSessionFlf::Cipher(c)),
            key,
            &[],
        )
    }

    /// A hash session.
    pub fn create_hash_session(&mut self, algo: u32, result_len: u32) -> Result<u64, Status> {
        let h = HashCreateSessionFlf {
            algo,
            hash_result_len: result_len,
        };
        self.create_session(&SessionParams::Hash(h), &[], &[])
    }

    /// A MAC session.
    pub fn create_mac_session(
        &mut self,
        algo: u32,
        key: &[u8],
        result_len: u32,
    ) -> Result<u64, Status> {
        let m = MacCreateSessionFlf {
            algo,
            hash_result_len: result_len,
            auth_key_len: key.len() as u32,
        };
        self.create_session(&SessionParams::Mac(m), &[], key)
    }

    /// An AEAD session.
    pub fn create_aead_session(
        &mut self,
        algo: u32,
        key: &[u8],
        tag_len: u32,
        aad_len: u32,
        encrypt: bool,
    ) -> Result<u64, Status> {
        let a = AeadCreateSessionFlf {
            algo,
            key_len: key.len() as u32,
            tag_len,
            aad_len,
            op: sym_op(encrypt),
        };
        self.create_session(&SessionParams::Aead(a), key, &[])
    }

    /// An AKCIPHER session.
    pub fn create_akcipher_session(
        &mut self,
        algo: u32,
        key_type: u32,
        algo_params: [u32; 2],
        key: &[u8],
    ) -> Result<u64, Status> {
        let a = AkcipherCreateSessionFlf {
            algo,
            key_type,
            key_len: key.len() as u32,
            algo_params,
        };
        self.create_session(&SessionParams::Akcipher(a), key, &[])
    }

    // ---- data queue ----

    /// Sends a data request: header + `op_flf` (+ `params` in stateless mode), then
    /// `vlf` as separate readable buffers, then an output buffer of `out_len` (if not 0) and
    /// the status byte.
    pub fn data_request(
        &mut self,
        opcode: u32,
        session_id: u64,
        flf: &DataFlf,
        params: Option<&StatelessParams>,
        vlf: &[&[u8]],
        out_len: usize,
    ) -> DataResult {
        let header = OpHeader {
            opcode,
            algo: 0,
            session_id,
            flag: if params.is_some() {
                0
            } else {
                VIRTIO_CRYPTO_FLAG_SESSION_MODE
            },
        };
        let fixed = DataRequest::encode_fixed(&header, flf, params, self.layout);
        let mut readable: Vec<&[u8]> = vec![&fixed];
        readable.extend(vlf.iter().filter(|v| !v.is_empty()));
        let writable: Vec<usize> = if out_len > 0 {
            vec![out_len, 1]
        } else {
            vec![1]
        };
        let c = self.submit(Which::Data, &readable, &writable);
        let status = c.writable.last().unwrap()[0];
        let output = if out_len > 0 {
            c.writable[0].clone()
        } else {
            Vec::new()
        };
        DataResult {
            status,
            output,
            used_len: c.used_len,
        }
    }

    /// CIPHER_ENCRYPT / _DECRYPT in session mode.
    pub fn cipher(
        &mut self,
        session: u64,
        encrypt: bool,
        iv: &[u8],
        src: &[u8],
    ) -> Result<Vec<u8>, Status> {
        self.cipher_to(Target::Session(session), encrypt, iv, src)
    }

    /// CIPHER_ENCRYPT / _DECRYPT in stateless mode.
    pub fn cipher_stateless(
        &mut self,
        algo: u32,
        key: &[u8],
        encrypt: bool,
        iv: &[u8],
        src: &[u8],
    ) -> Result<Vec<u8>, Status> {
        self.cipher_to(Target::Stateless { algo, key }, encrypt, iv, src)
    }

    fn cipher_to(
        &mut self,
        to: Target<'_>,
        encrypt: bool,
        iv: &[u8],
        src: &[u8],
    ) -> Result<Vec<u8>, Status> {
        let f = CipherDataFlf {
            iv_len: iv.len() as u32,
            src_data_len: src.len() as u32,
            dst_data_len: src.len() as u32,
        };
        let p = to.stateless(|algo, key_len| StatelessParams::Cipher {
            algo,
            key_len,
            op: sym_op(encrypt),
        });
        let op = cipher_op(encrypt);
        let flf = DataFlf::Sym(SymDataFlf::Cipher(f));
        self.data_request(
            op,
            to.session(),
            &flf,
            p.as_ref(),
            &[to.key(), iv, src],
            src.len(),
        )
        .ok()
    }

    /// Chained cipher + hash/MAC in session mode: returns `(dst, hash_result)`.
    pub fn chain(
        &mut self,
        session: u64,
        encrypt: bool,
        f: &AlgChainDataFlf,
        params: Option<&StatelessParams>,
        keys: &[&[u8]],
        iv: &[u8],
        src: &[u8],
        aad: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), Status> {
        let op = cipher_op(encrypt);
        let mut vlf: Vec<&[u8]> = keys.to_vec();
        vlf.extend([iv, src, aad]);
        let out_len = f.dst_data_len as usize + f.hash_result_len as usize;
        let out = self
            .data_request(
                op,
                session,
                &DataFlf::Sym(SymDataFlf::Chain(*f)),
                params,
                &vlf,
                out_len,
            )
            .ok()?;
        let (d, h) = out.split_at(f.dst_data_len as usize);
        Ok((d.to_vec(), h.to_vec()))
    }

    /// HASH in session mode.
    pub fn hash(&mut self, session: u64, src: &[u8], result_len: u32) -> Result<Vec<u8>, Status> {
        self.hash_to(Target::Session(session), data_op::HASH, src, result_len)
    }

    /// HASH in stateless mode.
    pub fn hash_stateless(
        &mut self,
        algo: u32,
        src: &[u8],
        result_len: u32,
    ) -> Result<Vec<u8>, Status> {
        let to = Target::Stateless { algo, key: &[] };
        self.hash_to(to, data_op::HASH, src, result_len)
    }

    /// MAC in session mode.
    pub fn mac(&mut self, session: u64, src: &[u8], result_len: u32) -> Result<Vec<u8>, Status> {
        self.hash_to(Target::Session(session), data_op::MAC, src, result_len)
    }

    /// MAC in stateless mode.
    pub fn mac_stateless(
        &mut self,
        algo: u32,
        key: &[u8],
        src: &[u8],
        result_len: u32,
    ) -> Result<Vec<u8>, Status> {
        self.hash_to(
            Target::Stateless { algo, key },
            data_op::MAC,
            src,
            result_len,
        )
    }

    /// HASH or MAC (`op`): the same data request, the MAC with a key.
    fn hash_to(
        &mut self,
        to: Target<'_>,
        op: u32,
        src: &[u8],
        result_len: u32,
    ) -> Result<Vec<u8>, Status> {
        let f = HashDataFlf {
            src_data_len: src.len() as u32,
            hash_result_len: result_len,
        };
        let (flf, p) = if op == data_op::MAC {
            let p = to.stateless(|algo, auth_key_len| StatelessParams::Mac { algo, auth_key_len });
            (DataFlf::Mac(f), p)
        } else {
            (
                DataFlf::Hash(f),
                to.stateless(|algo, _| StatelessParams::Hash { algo }),
            )
        };
        let vlf = [to.key(), src];
        self.data_request(
            op,
            to.session(),
            &flf,
            p.as_ref(),
            &vlf,
            result_len as usize,
        )
        .ok()
    }

    /// AEAD_ENCRYPT / _DECRYPT in session mode (`src` = plaintext, or ciphertext || tag).
    pub fn aead(
        &mut self,
        session: u64,
        encrypt: bool,
        iv: &[u8],
        aad: &[u8],
        src: &[u8],
        tag_len: u32,
    ) -> Result<Vec<u8>, Status> {
        self.aead_to(Target::Session(session), encrypt, iv, aad, src, tag_len)
    }

    /// AEAD_ENCRYPT / _DECRYPT in stateless mode.
    pub fn aead_stateless(
        &mut self,
        algo: u32,
        key: &[u8],
        encrypt: bool,
        iv: &[u8],
        aad: &[u8],
        src: &[u8],
        tag_len: u32,
    ) -> Result<Vec<u8>, Status> {
        let to = Target::Stateless { algo, key };
        self.aead_to(to, encrypt, iv, aad, src, tag_len)
    }

    fn aead_to(
        &mut self,
        to: Target<'_>,
        encrypt: bool,
        iv: &[u8],
        aad: &[u8],
        src: &[u8],
        tag_len: u32,
    ) -> Result<Vec<u8>, Status> {
        let dst = if encrypt {
            src.len() + tag_len as usize
        } else {
            src.len().saturating_sub(tag_len as usize)
        };
        let f = AeadDataFlf {
            iv_len: iv.len() as u32,
            aad_len: aad.len() as u32,
            src_data_len: src.len() as u32,
            dst_data_len: dst as u32,
            tag_len,
        };
        let p = to.stateless(|algo, key_len| StatelessParams::Aead {
            algo,
            key_len,
            op: sym_op(encrypt),
        });
        let op = if encrypt {
            data_op::AEAD_ENCRYPT
        } else {
            data_op::AEAD_DECRYPT
        };
        let vlf = [to.key(), iv, src, aad];
        self.data_request(
            op,
            to.session(),
            &DataFlf::Aead(f),
            p.as_ref(),
            &vlf,
            dst.max(1),
        )
        .ok()
    }

    /// AKCIPHER_SIGN over `digest`; `dst_len` bytes of room; returns the signature.
    pub fn akcipher_sign(
        &mut self,
        session: u64,
        params: Option<&StatelessParams>,
        key: &[u8],
        digest: &[u8],
        dst_len: u32,
    ) -> Result<Vec<u8>, Status> {
        let f = AkcipherDataFlf {
            src_data_len: digest.len() as u32,
            dst_data_len: dst_len,
        };
        self.data_request(
            data_op::AKCIPHER_SIGN,
            session,
            &DataFlf::Akcipher(f),
            params,
            &[key, digest],
            dst_len as usize,
        )
        .ok()
    }

    /// AKCIPHER_VERIFY of `sig` over `digest`; returns the status.
    pub fn akcipher_verify(
        &mut self,
        session: u64,
        params: Option<&StatelessParams>,
        key: &[u8],
        sig: &[u8],
        digest: &[u8],
    ) -> Status {
        let f = AkcipherDataFlf {
            src_data_len: sig.len() as u32,
            dst_data_len: digest.len() as u32,
        };
        let r = self.data_request(
            data_op::AKCIPHER_VERIFY,
            session,
            &DataFlf::Akcipher(f),
            params,
            &[key, sig, digest],
            0,
        );
        Status::from_u8(r.status).unwrap_or(Status::Err)
    }
}
