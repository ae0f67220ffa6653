//! The device: feature negotiation, config space, and the two queue kinds. Every available
//! chain is completed with a status and put on the used ring, whatever it holds.
//! VIRTIO 1.3 §5.9.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use virtio_queue::{DescriptorChain, QueueT};
use vm_memory::GuestMemory;
use vtrust_crypto::CryptoProvider;
use vtrust_wire::Reader;

use crate::chain::{GuestSink, Parts};
use crate::codec::Layout;
use crate::codec::control::{CtrlFlf, CtrlHeader, CtrlRequest, SessionInput};
use crate::codec::data::{DataRequest, OpHeader};
use crate::config::{DeviceConfig, MAX_AKCIPHER_KEY_LEN};
use crate::error::{ChainError, RequestError};
use crate::service::{self, Ctx};
use crate::session::{
    CreateSessionRequest, Session, SessionParams, SessionTable, stateless_session,
};
use crate::spec::{
    Service, Status, VIRTIO_CRYPTO_F_REVISION_1, VIRTIO_CRYPTO_FLAG_SESSION_MODE, ctrl_op,
};

/// Room for headers and fixed parts in the readable-length limits.
const FIXED_ROOM: usize = 256;

/// The shape of a control request's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// `struct virtio_crypto_session_input` (16 bytes).
    Create,
    /// `struct virtio_crypto_inhdr` (1 byte).
    Destroy,
}

fn outcome_of(opcode: u32) -> Option<Outcome> {
    match opcode {
        ctrl_op::CIPHER_CREATE_SESSION
        | ctrl_op::HASH_CREATE_SESSION
        | ctrl_op::MAC_CREATE_SESSION
        | ctrl_op::AEAD_CREATE_SESSION
        | ctrl_op::AKCIPHER_CREATE_SESSION => Some(Outcome::Create),
        ctrl_op::CIPHER_DESTROY_SESSION
        | ctrl_op::HASH_DESTROY_SESSION
        | ctrl_op::MAC_DESTROY_SESSION
        | ctrl_op::AEAD_DESTROY_SESSION
        | ctrl_op::AKCIPHER_DESTROY_SESSION => Some(Outcome::Destroy),
        _ => None,
    }
}

/// The session table, shared by the device (control path) and its data queues. Data requests
/// hold the read lock while they run, so a session is never destroyed (nor its id reused)
/// under a request naming it.
type Sessions = Arc<RwLock<SessionTable>>;

fn read(sessions: &Sessions) -> RwLockReadGuard<'_, SessionTable> {
    sessions.read().unwrap_or_else(PoisonError::into_inner)
}

fn write(sessions: &Sessions) -> RwLockWriteGuard<'_, SessionTable> {
    sessions.write().unwrap_or_else(PoisonError::into_inner)
}

/// The virtio crypto device (device ID 20): sessions, request parsing and service dispatch
/// over guest memory. No I/O: the caller owns the queues and signals the guest.
pub struct CryptoDevice {
    config: DeviceConfig,
    provider: CryptoProvider,
    sessions: Sessions,
    parts: Parts,
    inbuf: Vec<u8>,
    last_error: Option<RequestError>,
    /// The data path [`CryptoDevice::process_data_queue`] uses.
    data: DataQueue,
}

/// One data queue's request processor: its own scratch buffers, the device's configuration,
/// features and session table. Several run in parallel, one per thread and queue
/// ([`CryptoDevice::data_queue`]); control requests on the device meanwhile take the
/// session table's write lock between data requests.
pub struct DataQueue {
    config: DeviceConfig,
    provider: CryptoProvider,
    sessions: Sessions,
    acked: u64,
    parts: Parts,
    inbuf: Vec<u8>,
    last_error: Option<RequestError>,
}

impl std::fmt::Debug for DataQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataQueue")
            .field("acked", &self.acked)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CryptoDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CryptoDevice")
            .field("config", &self.config)
            .field("acked", &self.data.acked)
            .field("sessions", &read(&self.sessions).len())
            .finish()
    }
}

impl CryptoDevice {
    /// A device offering `config`, doing its crypto with `provider`.
    pub fn new(config: DeviceConfig, provider: CryptoProvider) -> Self {
        let sessions = Arc::new(RwLock::new(SessionTable::new(config.max_sessions)));
        let data = DataQueue::new(&config, &provider, &sessions, 0);
        Self {
            config,
            provider,
            sessions,
            parts: Parts::default(),
            inbuf: Vec::new(),
            last_error: None,
            data,
        }
    }

    /// A processor for one more data queue, sharing this device's sessions and the
    /// features accepted so far (set them first). Each runs on its own thread.
    pub fn data_queue(&self) -> DataQueue {
        DataQueue::new(
            &self.config,
            &self.provider,
            &self.sessions,
            self.data.acked,
        )
    }

    /// The configuration.
    pub fn config(&self) -> &DeviceConfig {
        &self.config
    }

    /// The 56-byte config space, `VIRTIO_CRYPTO_S_HW_READY` set. VIRTIO 1.3 §5.9.4.
    pub fn config_space(&self) -> [u8; 56] {
        self.config.config_space(true)
    }

    /// The offered feature bits. VIRTIO 1.3 §5.9.3.
    pub fn features(&self) -> u64 {
        self.config.features()
    }

    /// Records the driver's accepted features (masked to the offered ones). REVISION_1
    /// decides the request layouts; a stateless bit without REVISION_1 is dropped
    /// (VIRTIO 1.3 §5.9.3.1: each requires REVISION_1).
    pub fn set_features(&mut self, acked: u64) {
        let mut f = acked & self.features();
        if f & (1 << VIRTIO_CRYPTO_F_REVISION_1) == 0 {
            f &= !0x3e;
        }
        self.data.acked = f;
    }

    /// The accepted features.
    pub fn acked_features(&self) -> u64 {
        self.data.acked
    }

    /// The request layout the accepted features select.
    pub fn layout(&self) -> Layout {
        self.data.layout()
    }

    fn revision_1(&self) -> bool {
        self.data.revision_1()
    }

    /// How many sessions are live.
    pub fn session_count(&self) -> usize {
        read(&self.sessions).len()
    }

    /// Why the last refused request was refused (for logs and tests); cleared by nothing.
    pub fn last_error(&self) -> Option<&RequestError> {
        self.last_error.as_ref()
    }

    /// Creates a session (the control queue's CREATE_SESSION, or a vhost-user
    /// `CREATE_CRYPTO_SESSION` message) and returns its id.
    pub fn create_session(&mut self, req: &CreateSessionRequest<'_>) -> Result<u64, Status> {
        let rev1 = self.revision_1();
        self.try_create(req).map_err(|e| {
            let s = e.status(rev1);
            self.last_error = Some(e);
            s
        })
    }

    fn try_create(&mut self, req: &CreateSessionRequest<'_>) -> Result<u64, RequestError> {
        let session = Session::new(&self.provider, &self.config, req)?;
        write(&self.sessions).insert(session)
    }

    /// Destroys session `id` whatever its service (vhost-user `CLOSE_CRYPTO_SESSION`):
    /// `Status::Ok`, or `Status::InvSess` for an id that is not live.
    pub fn destroy_session(&mut self, id: u64) -> Status {
        let removed = write(&self.sessions).remove_any(id);
        match removed {
            Ok(()) => Status::Ok,
            Err(e) => {
                let s = e.status(self.revision_1());
                self.last_error = Some(e);
                s
            }
        }
    }

    /// Completes every available chain of the control queue (writing each outcome and
    /// adding each chain to the used ring); returns how many. The caller signals the guest.
    pub fn process_control_queue<M: GuestMemory, Q: QueueT>(
        &mut self,
        mem: &M,
        queue: &mut Q,
    ) -> Result<usize, virtio_queue::Error> {
        drain(self, mem, queue, Self::process_control_chain)
    }

    /// Completes every available chain of a data queue; returns how many.
    pub fn process_data_queue<M: GuestMemory, Q: QueueT>(
        &mut self,
        mem: &M,
        queue: &mut Q,
    ) -> Result<usize, virtio_queue::Error> {
        let n = self.data.process_data_queue(mem, queue);
        if let Some(e) = self.data.last_error.take() {
            self.last_error = Some(e);
        }
        n
    }

    /// Runs one data chain (see [`DataQueue::process_data_chain`]); returns the used length.
    pub fn process_data_chain<M: GuestMemory>(
        &mut self,
        mem: &M,
        chain: DescriptorChain<&M>,
    ) -> u32 {
        let used = self.data.process_data_chain(mem, chain);
        if let Some(e) = self.data.last_error.take() {
            self.last_error = Some(e);
        }
        used
    }

    fn ctrl_limits(&self) -> (usize, usize) {
        ctrl_limits(&self.config)
    }
}

/// Readable and writable limits of a control chain.
fn ctrl_limits(config: &DeviceConfig) -> (usize, usize) {
    let keys = u64::from(config.max_cipher_key_len)
        .saturating_add(u64::from(config.max_auth_key_len))
        .saturating_add(u64::from(MAX_AKCIPHER_KEY_LEN));
    let r = usize::try_from(keys)
        .unwrap_or(usize::MAX)
        .saturating_add(FIXED_ROOM);
    (r, FIXED_ROOM)
}

/// Readable and writable limits of a data chain.
fn data_limits(config: &DeviceConfig) -> (usize, usize) {
    let (ctrl, _) = ctrl_limits(config);
    let max = config.max_size_usize();
    let r = max.saturating_mul(2).saturating_add(ctrl);
    let w = max.saturating_add(FIXED_ROOM);
    (r, w)
}

/// Runs `one` on every available chain of `queue` and adds each to the used ring.
fn drain<S, M: GuestMemory, Q: QueueT>(
    s: &mut S,
    mem: &M,
    queue: &mut Q,
    one: fn(&mut S, &M, DescriptorChain<&M>) -> u32,
) -> Result<usize, virtio_queue::Error> {
    let mut n = 0usize;
    while let Some(chain) = queue.pop_descriptor_chain(mem) {
        let head = chain.head_index();
        let used = one(s, mem, chain);
        queue.add_used(mem, head, used)?;
        n = n.saturating_add(1);
    }
    Ok(n)
}

impl CryptoDevice {
    /// Runs one control chain and writes its outcome; returns the used length.
    pub fn process_control_chain<M: GuestMemory>(
        &mut self,
        mem: &M,
        chain: DescriptorChain<&M>,
    ) -> u32 {
        let rev1 = self.revision_1();
        let mut outcome = None;
        let result = self.run_control(mem, chain, &mut outcome);
        let status = match &result {
            Ok(_) => Status::Ok,
            Err(e) => e.status(rev1),
        };
        let id = result.as_ref().copied().unwrap_or(0);
        if let Err(e) = result {
            self.last_error = Some(e);
        }
        let outcome = outcome.unwrap_or(if self.parts.writable_len >= SessionInput::LEN {
            Outcome::Create
        } else {
            Outcome::Destroy
        });
        let written = match outcome {
            Outcome::Create => {
                let input = SessionInput {
                    session_id: if status == Status::Ok { id } else { 0 },
                    status: u32::from(status.as_u8()),
                };
                self.parts
                    .write_at(mem, 0, &input.encode())
                    .map(|()| SessionInput::LEN)
            }
            Outcome::Destroy => self.parts.write_at(mem, 0, &[status.as_u8()]).map(|()| 1),
        };
        written
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    }

    fn run_control<M: GuestMemory>(
        &mut self,
        mem: &M,
        chain: DescriptorChain<&M>,
        outcome: &mut Option<Outcome>,
    ) -> Result<u64, RequestError> {
        let (max_r, max_w) = self.ctrl_limits();
        let layout = self.layout();
        let gathered = self.parts.gather(chain, max_r, max_w);
        let bytes = self.parts.read(mem, &mut self.inbuf)?;
        if let Ok(h) = CtrlHeader::decode(&mut Reader::new(bytes)) {
            *outcome = outcome_of(h.opcode);
        }
        gathered?;
        let need = match outcome {
            Some(Outcome::Create) => SessionInput::LEN,
            _ => 1,
        };
        if self.parts.writable_len < need {
            return Err(ChainError::NoStatus.into());
        }
        let req = CtrlRequest::decode(bytes, layout)?;
        let mut keys: &[u8] = req.vlf;
        let mut key = |len: u32, max: u32, field: &'static str| -> Result<&[u8], RequestError> {
            if len > max {
                return Err(RequestError::TooLong {
                    field,
                    len: u64::from(len),
                    max: u64::from(max),
                });
            }
            let (k, rest) = keys
                .split_at_checked(usize::try_from(len).unwrap_or(usize::MAX))
                .ok_or(RequestError::LengthMismatch {
                    what: "op_vlf shorter than the key lengths",
                })?;
            keys = rest;
            Ok(k)
        };
        let (mc, ma) = (self.config.max_cipher_key_len, self.config.max_auth_key_len);
        let (params, cipher_key, auth_key) = match req.flf {
            CtrlFlf::CreateSym(s) => {
                use crate::codec::control::{ChainHashFlf, SymCreateSessionFlf};
                match s {
                    SymCreateSessionFlf::Cipher(c) => (
                        SessionParams::Sym(s),
                        key(c.key_len, mc, "key_len")?,
                        &[][..],
                    ),
                    SymCreateSessionFlf::Chain(ch) => {
                        let ck = key(ch.cipher.key_len, mc, "key_len")?;
                        let ak = match ch.hash {
                            ChainHashFlf::Auth(m) => key(m.auth_key_len, ma, "auth_key_len")?,
                            _ => &[][..],
                        };
                        (SessionParams::Sym(s), ck, ak)
                    }
                    SymCreateSessionFlf::Other(_) => (SessionParams::Sym(s), &[][..], &[][..]),
                }
            }
            CtrlFlf::CreateHash(h) => (SessionParams::Hash(h), &[][..], &[][..]),
            CtrlFlf::CreateMac(m) => {
                let ak = key(m.auth_key_len, ma, "auth_key_len")?;
                (SessionParams::Mac(m), &[][..], ak)
            }
            CtrlFlf::CreateAead(a) => (
                SessionParams::Aead(a),
                key(a.key_len, mc, "key_len")?,
                &[][..],
            ),
            CtrlFlf::CreateAkcipher(a) => (
                SessionParams::Akcipher(a),
                key(a.key_len, MAX_AKCIPHER_KEY_LEN, "key_len")?,
                &[][..],
            ),
            CtrlFlf::Destroy { session_id } => {
                let service = Service::from_number(req.header.opcode >> 8).ok_or(
                    RequestError::Unsupported {
                        what: "control opcode",
                    },
                )?;
                if !keys.is_empty() {
                    return Err(RequestError::LengthMismatch {
                        what: "bytes after destroy_session_flf",
                    });
                }
                write(&self.sessions).remove(session_id, service)?;
                return Ok(0);
            }
            CtrlFlf::Unknown => {
                return Err(RequestError::Unsupported {
                    what: "control opcode",
                });
            }
        };
        if !keys.is_empty() {
            return Err(RequestError::LengthMismatch {
                what: "op_vlf longer than the key lengths",
            });
        }
        let session = Session::new(
            &self.provider,
            &self.config,
            &CreateSessionRequest {
                params,
                cipher_key,
                auth_key,
            },
        )?;
        write(&self.sessions).insert(session)
    }
}

impl DataQueue {
    fn new(
        config: &DeviceConfig,
        provider: &CryptoProvider,
        sessions: &Sessions,
        acked: u64,
    ) -> Self {
        Self {
            config: config.clone(),
            provider: provider.clone(),
            sessions: Arc::clone(sessions),
            acked,
            parts: Parts::default(),
            inbuf: Vec::new(),
            last_error: None,
        }
    }

    /// Completes every available chain of this data queue; returns how many.
    pub fn process_data_queue<M: GuestMemory, Q: QueueT>(
        &mut self,
        mem: &M,
        queue: &mut Q,
    ) -> Result<usize, virtio_queue::Error> {
        drain(self, mem, queue, Self::process_data_chain)
    }

    /// Why the last refused request was refused (for logs and tests).
    pub fn last_error(&self) -> Option<&RequestError> {
        self.last_error.as_ref()
    }

    fn revision_1(&self) -> bool {
        self.acked & (1 << VIRTIO_CRYPTO_F_REVISION_1) != 0
    }

    fn layout(&self) -> Layout {
        if self.revision_1() {
            Layout::Revision1
        } else {
            Layout::Legacy
        }
    }

    /// Runs one data chain and writes its status into the last device-writable byte;
    /// returns the used length (output bytes + 1 for the status; 0 when no status could be
    /// written).
    pub fn process_data_chain<M: GuestMemory>(
        &mut self,
        mem: &M,
        chain: DescriptorChain<&M>,
    ) -> u32 {
        let rev1 = self.revision_1();
        let (status, out_len) = match self.run_data(mem, chain) {
            Ok(n) => (Status::Ok, n),
            Err(e) => {
                let s = e.status(rev1);
                self.last_error = Some(e);
                (s, 0)
            }
        };
        let Some(pos) = self.parts.writable_len.checked_sub(1) else {
            return 0;
        };
        if self.parts.write_at(mem, pos, &[status.as_u8()]).is_err() {
            return 0;
        }
        u32::try_from(out_len.saturating_add(1)).unwrap_or(u32::MAX)
    }

    fn stateless_ok(&self, service: Service) -> bool {
        self.revision_1() && self.acked & (1 << service.stateless_feature()) != 0
    }

    fn run_data<M: GuestMemory>(
        &mut self,
        mem: &M,
        chain: DescriptorChain<&M>,
    ) -> Result<usize, RequestError> {
        let (max_r, max_w) = data_limits(&self.config);
        let rev1 = self.revision_1();
        let layout = self.layout();
        self.parts.gather(chain, max_r, max_w)?;
        let limit = self
            .parts
            .writable_len
            .checked_sub(1)
            .ok_or(ChainError::NoStatus)?;
        let header = {
            let bytes = self.parts.read(mem, &mut self.inbuf)?;
            OpHeader::decode(&mut Reader::new(bytes))?
        };
        let service = header.service().ok_or(RequestError::Unsupported {
            what: "data opcode",
        })?;
        if !self.config.offers(service) {
            return Err(RequestError::Unsupported {
                what: "service not offered",
            });
        }
        let stateless = rev1 && header.flag & VIRTIO_CRYPTO_FLAG_SESSION_MODE == 0;
        if stateless && !self.stateless_ok(service) {
            return Err(RequestError::Unsupported {
                what: "stateless mode not negotiated for this service",
            });
        }
        let bytes = self
            .inbuf
            .get_mut(..self.parts.readable_len)
            .ok_or(ChainError::Memory)?;
        let (flf, params, vlf_len) = {
            let req = DataRequest::decode(bytes, layout, stateless)?.ok_or(
                RequestError::Unsupported {
                    what: "data opcode",
                },
            )?;
            (req.flf, req.stateless, req.vlf.len())
        };
        let vlf_start = bytes.len().saturating_sub(vlf_len);
        let vlf = bytes.get_mut(vlf_start..).ok_or(ChainError::Memory)?;
        let ctx = Ctx {
            provider: &self.provider,
            config: &self.config,
        };
        let mut sink = GuestSink {
            mem,
            parts: &self.parts,
            written: 0,
            limit,
        };
        match params {
            None => {
                let sessions = read(&self.sessions);
                let session = sessions.get(header.session_id, service)?;
                service::run(&ctx, session, header.opcode, &flf, vlf, &mut sink)?;
            }
            Some(p) => {
                let (session, vlf) =
                    stateless_session(&self.provider, &self.config, &p, &flf, vlf)?;
                service::run(&ctx, &session, header.opcode, &flf, vlf, &mut sink)?;
            }
        }
        Ok(sink.written)
    }
}
