//! Descriptor chains: splits a chain into its device-readable and device-writable parts,
//! copies the readable part out of guest memory once, and writes results back. VIRTIO 1.3
//! §2.7.4.2.

use std::ops::Deref;

use virtio_queue::DescriptorChain;
use vm_memory::{Address, Bytes, GuestAddress, GuestMemory, GuestMemoryBackend};

use crate::error::{ChainError, RequestError};

/// One buffer of a chain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pub(crate) addr: GuestAddress,
    pub(crate) len: usize,
}

/// The two parts of a chain; the vectors are reused from request to request.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    pub(crate) readable: Vec<Seg>,
    pub(crate) writable: Vec<Seg>,
    pub(crate) readable_len: usize,
    pub(crate) writable_len: usize,
}

impl Parts {
    /// Walks `chain` (virtio-queue bounds its length and follows indirect tables) and records
    /// its buffers. Both parts are recorded even when the chain is bad, so that the status can
    /// still be written.
    pub(crate) fn gather<M>(
        &mut self,
        chain: DescriptorChain<M>,
        max_readable: usize,
        max_writable: usize,
    ) -> Result<(), ChainError>
    where
        M: Deref,
        M::Target: GuestMemory,
    {
        self.readable.clear();
        self.writable.clear();
        self.readable_len = 0;
        self.writable_len = 0;
        let mut error = None;
        for desc in chain {
            let Ok(len) = usize::try_from(desc.len()) else {
                error.get_or_insert(ChainError::Memory);
                continue;
            };
            let seg = Seg {
                addr: desc.addr(),
                len,
            };
            if desc.is_write_only() {
                match self.writable_len.checked_add(len) {
                    Some(total) if total <= max_writable => {
                        self.writable_len = total;
                        self.writable.push(seg);
                    }
                    _ => {
                        error.get_or_insert(ChainError::TooLong {
                            part: "writable",
                            max: max_writable,
                        });
                    }
                }
            } else if !self.writable.is_empty() {
                error.get_or_insert(ChainError::ReadableAfterWritable);
            } else {
                match self.readable_len.checked_add(len) {
                    Some(total) if total <= max_readable => {
                        self.readable_len = total;
                        self.readable.push(seg);
                    }
                    _ => {
                        error.get_or_insert(ChainError::TooLong {
                            part: "readable",
                            max: max_readable,
                        });
                    }
                }
            }
        }
        error.map_or(Ok(()), Err)
    }

    /// Copies the readable part into `buf[..readable_len]` (growing `buf` if needed) and
    /// returns that slice.
    pub(crate) fn read<'b, M: GuestMemory>(
        &self,
        mem: &M,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b mut [u8], ChainError> {
        if buf.len() < self.readable_len {
            buf.resize(self.readable_len, 0);
        }
        let mut pos = 0usize;
        for seg in &self.readable {
            let end = pos.checked_add(seg.len).ok_or(ChainError::Memory)?;
            let dst = buf.get_mut(pos..end).ok_or(ChainError::Memory)?;
            read_guest(mem, seg.addr, dst)?;
            pos = end;
        }
        buf.get_mut(..self.readable_len).ok_or(ChainError::Memory)
    }

    /// Writes `data` at byte `offset` of the writable part.
    pub(crate) fn write_at<M: GuestMemory>(
        &self,
        mem: &M,
        mut offset: usize,
        mut data: &[u8],
    ) -> Result<(), ChainError> {
        for seg in &self.writable {
            if data.is_empty() {
                break;
            }
            if offset >= seg.len {
                offset = offset.saturating_sub(seg.len);
                continue;
            }
            let room = seg.len.saturating_sub(offset);
            let (now, later) = data.split_at(room.min(data.len()));
            let addr = seg
                .addr
                .checked_add(u64::try_from(offset).map_err(|_| ChainError::Memory)?)
                .ok_or(ChainError::Memory)?;
            write_guest(mem, addr, now)?;
            data = later;
            offset = 0;
        }
        if data.is_empty() {
            Ok(())
        } else {
            Err(ChainError::NoStatus)
        }
    }
}

/// Copies guest memory at `addr` into `dst`. One `VolatileSlice` copy when the range lies in
/// one region (vm-memory's `read_slice` walks a slice iterator and costs about 10x more for
/// small buffers); `read_slice` when it spans regions.
fn read_guest<M: GuestMemory>(
    mem: &M,
    addr: GuestAddress,
    dst: &mut [u8],
) -> Result<(), ChainError> {
    if dst.is_empty() {
        return Ok(());
    }
    if let Some(Ok(slice)) = mem
        .physical_memory()
        .map(|pm| pm.get_slice(addr, dst.len()))
        && slice.len() == dst.len()
    {
        slice.copy_to(dst);
        return Ok(());
    }
    mem.read_slice(dst, addr).map_err(|_| ChainError::Memory)
}

/// Copies `data` into guest memory at `addr`; see [`read_guest`].
fn write_guest<M: GuestMemory>(mem: &M, addr: GuestAddress, data: &[u8]) -> Result<(), ChainError> {
    if data.is_empty() {
        return Ok(());
    }
    if let Some(Ok(slice)) = mem
        .physical_memory()
        .map(|pm| pm.get_slice(addr, data.len()))
        && slice.len() == data.len()
    {
        slice.copy_from(data);
        return Ok(());
    }
    mem.write_slice(data, addr).map_err(|_| ChainError::Memory)
}

/// Where a service writes its output: the writable part of the chain, less the status byte.
pub(crate) trait Sink {
    /// Bytes the output may still take.
    fn room(&self) -> usize;
    /// Appends `data` to the output.
    fn write(&mut self, data: &[u8]) -> Result<(), RequestError>;
}

/// A [`Sink`] over guest memory.
pub(crate) struct GuestSink<'a, M> {
    pub(crate) mem: &'a M,
    pub(crate) parts: &'a Parts,
    pub(crate) written: usize,
    pub(crate) limit: usize,
}

impl<M: GuestMemory> Sink for GuestSink<'_, M> {
    fn room(&self) -> usize {
        self.limit.saturating_sub(self.written)
    }

    fn write(&mut self, data: &[u8]) -> Result<(), RequestError> {
        if data.len() > self.room() {
            return Err(RequestError::LengthMismatch {
                what: "output longer than the device-writable buffer",
            });
        }
        self.parts.write_at(self.mem, self.written, data)?;
        self.written = self.written.saturating_add(data.len());
        Ok(())
    }
}

/// A [`Sink`] into a vector (tests, the direct API).
impl Sink for Vec<u8> {
    fn room(&self) -> usize {
        usize::MAX
    }

    fn write(&mut self, data: &[u8]) -> Result<(), RequestError> {
        self.extend_from_slice(data);
        Ok(())
    }
}
