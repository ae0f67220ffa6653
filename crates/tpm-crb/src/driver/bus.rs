//! Buses the [`Driver`](super::Driver) talks through: the [`CrbBus`] trait, an in-process
//! [`LocalBus`] that runs commands synchronously, and a [`ThreadedBus`] whose executor runs on
//! a worker thread while register accesses keep answering (the vCPU never waits).

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::device::{CrbAction, CrbDevice};

/// MMIO access to a CRB page: offsets are from the page base (0 = LOC_STATE, 0x80 = data
/// buffer), values little-endian.
pub trait CrbBus {
    /// Reads `data.len()` bytes at `offset`.
    fn read(&mut self, offset: u64, data: &mut [u8]);
    /// Writes `data` at `offset`.
    fn write(&mut self, offset: u64, data: &[u8]);
    /// Called between two reads of a polled register (Linux sleeps here).
    fn poll_wait(&mut self) {}
}

/// A bus straight onto a [`CrbDevice`] in this thread: an [`CrbAction::Execute`] runs the
/// executor at once, so Start is already clear when the write returns.
#[derive(Debug)]
pub struct LocalBus<E> {
    device: CrbDevice,
    executor: E,
    executed: usize,
    cancels: usize,
}

impl<E: FnMut(u8, &[u8]) -> Vec<u8>> LocalBus<E> {
    /// A bus onto `device`; `executor(locality, command)` returns the response.
    pub const fn new(device: CrbDevice, executor: E) -> Self {
        Self {
            device,
            executor,
            executed: 0,
            cancels: 0,
        }
    }

    /// The device.
    pub const fn device(&self) -> &CrbDevice {
        &self.device
    }

    /// The device, mutably (e.g. to snapshot or reset it).
    pub const fn device_mut(&mut self) -> &mut CrbDevice {
        &mut self.device
    }

    /// The device, giving up the bus.
    pub fn into_device(self) -> CrbDevice {
        self.device
    }

    /// Commands executed so far.
    pub const fn executed(&self) -> usize {
        self.executed
    }

    /// Cancel requests seen so far (the executor is synchronous, so there is never anything
    /// to cancel).
    pub const fn cancels(&self) -> usize {
        self.cancels
    }

    /// Runs the command a restored device holds ([`CrbDevice::pending_execute`]), if any.
    /// Returns whether one ran.
    pub fn resume_pending(&mut self) -> bool {
        match self.device.pending_execute() {
            Some(action) => {
                self.handle(action);
                true
            }
            None => false,
        }
    }

    fn handle(&mut self, action: CrbAction) {
        match action {
            CrbAction::Execute { locality, command } => {
                self.executed = self.executed.saturating_add(1);
                let response = (self.executor)(locality, &command);
                self.device.complete(response);
            }
            CrbAction::Cancel => self.cancels = self.cancels.saturating_add(1),
        }
    }
}

impl<E: FnMut(u8, &[u8]) -> Vec<u8>> CrbBus for LocalBus<E> {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        self.device.read(offset, data);
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        if let Some(action) = self.device.write(offset, data) {
            self.handle(action);
        }
    }
}

fn lock(device: &Mutex<CrbDevice>) -> MutexGuard<'_, CrbDevice> {
    // The device's methods never panic, so a poisoned lock still holds a consistent device.
    device.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long [`ThreadedBus`]'s `poll_wait` spins before it blocks.
const SPIN: Duration = Duration::from_micros(50);

/// A bus onto a device shared behind a mutex, with the executor on a worker thread: a write
/// that starts a command returns at once (Start reads 1 until the worker calls
/// [`CrbDevice::complete`]), as a VMM's vCPU thread would see it.
#[derive(Debug)]
pub struct ThreadedBus {
    device: Arc<Mutex<CrbDevice>>,
    /// Completions so far, signalled by the worker: `poll_wait` wakes as soon as a response
    /// is in (a guest would take the completion interrupt or see Start clear on its next
    /// poll), instead of sleeping a fixed interval.
    completed: Arc<(Mutex<u64>, Condvar)>,
    /// The same count, readable without the lock (for the spin phase).
    fast: Arc<std::sync::atomic::AtomicU64>,
    /// Completions already seen by `poll_wait`.
    seen: u64,
    jobs: Option<mpsc::Sender<(u8, Vec<u8>)>>,
    worker: Option<JoinHandle<()>>,
    poll_interval: Duration,
    cancels: usize,
}

impl ThreadedBus {
    /// A bus onto `device`; `executor(locality, command)` runs on a worker thread.
    pub fn new<E>(device: CrbDevice, mut executor: E) -> Self
    where
        E: FnMut(u8, &[u8]) -> Vec<u8> + Send + 'static,
    {
        let device = Arc::new(Mutex::new(device));
        let (tx, rx) = mpsc::channel::<(u8, Vec<u8>)>();
        let shared = Arc::clone(&device);
        let completed = Arc::new((Mutex::new(0u64), Condvar::new()));
        let signal = Arc::clone(&completed);
        let fast = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let fast_signal = Arc::clone(&fast);
        let worker = std::thread::spawn(move || {
            for (locality, command) in rx {
                let response = executor(locality, &command);
                lock(&shared).complete(response);
                let (count, cv) = &*signal;
                let mut n = count.lock().unwrap_or_else(PoisonError::into_inner);
                *n = n.wrapping_add(1);
                fast_signal.store(*n, std::sync::atomic::Ordering::Release);
                cv.notify_all();
            }
        });
        Self {
            device,
            completed,
            fast,
            seen: 0,
            jobs: Some(tx),
            worker: Some(worker),
            poll_interval: Duration::from_millis(1),
            cancels: 0,
        }
    }

    /// The shared device (for observers and snapshots).
    pub fn device(&self) -> Arc<Mutex<CrbDevice>> {
        Arc::clone(&self.device)
    }

    /// The longest [`CrbBus::poll_wait`] waits for a completion (default 1 ms).
    pub const fn set_poll_interval(&mut self, interval: Duration) {
        self.poll_interval = interval;
    }

    /// Cancel requests seen so far (the executor is not interrupted; the device waits for
    /// its response).
    pub const fn cancels(&self) -> usize {
        self.cancels
    }
}

impl CrbBus for ThreadedBus {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        lock(&self.device).read(offset, data);
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        let action = lock(&self.device).write(offset, data);
        match action {
            Some(CrbAction::Execute { locality, command }) => {
                let sent = self
                    .jobs
                    .as_ref()
                    .is_some_and(|tx| tx.send((locality, command)).is_ok());
                if !sent {
                    // The worker is gone (its executor panicked): answer with a failure so
                    // the guest is not left with Start = 1 for ever.
                    lock(&self.device)
                        .complete(crate::tpm::error_response(crate::tpm::TPM_RC_FAILURE));
                }
            }
            Some(CrbAction::Cancel) => self.cancels = self.cancels.saturating_add(1),
            None => {}
        }
    }

    /// Waits until the worker completes a command or `poll_interval` passes: spins for up to
    /// [`SPIN`] first (a wake-up across vCPUs costs tens of µs, more than a fast TPM command),
    /// then blocks.
    fn poll_wait(&mut self) {
        let (count, cv) = &*self.completed;
        let spin_start = std::time::Instant::now();
        while spin_start.elapsed() < SPIN {
            if self.fast.load(std::sync::atomic::Ordering::Acquire) != self.seen {
                self.seen = self.fast.load(std::sync::atomic::Ordering::Acquire);
                return;
            }
            std::hint::spin_loop();
        }
        let n = count.lock().unwrap_or_else(PoisonError::into_inner);
        let (n, _) = cv
            .wait_timeout_while(n, self.poll_interval, |n| *n == self.seen)
            .unwrap_or_else(PoisonError::into_inner);
        self.seen = *n;
    }
}

impl Drop for ThreadedBus {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            // A panic in the executor is the executor's; nothing to add here.
            let _ = worker.join();
        }
    }
}
