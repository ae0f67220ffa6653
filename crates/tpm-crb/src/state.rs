//! The CRB protocol state (TCG PTP 1.07 §6.5.3 and Figure "CRB state diagram", plus the 1.07
//! chunking phases): a closed enum of per-state structs, each holding only what is valid in
//! that state. The device never infers the phase from buffer contents (QEMU quirk 1).

/// Idle (CTRL_STS.tpmIdle = 1): low-power, no command or response held.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Idle;

/// Ready: cmdReady done, waiting for the first command chunk or Start.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Ready;

/// Command reception (PTP 1.07 chunking): at least one chunk came with nextChunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CmdReception {
    /// Header accepted; `command` holds the bytes so far, `command.len() <= total`.
    Receiving {
        /// `commandSize` from the first chunk's header, `10..=max_command`.
        total: usize,
        /// Bytes received so far.
        command: Vec<u8>,
    },
    /// The first chunk's header was refused; further chunks are swallowed and Start answers
    /// with a synthesized response carrying `rc`.
    Rejected {
        /// The response code to give at Start.
        rc: u32,
    },
}

/// Command execution: Start = 1, the backend holds the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Executing {
    /// Locality the command came from.
    pub(crate) locality: u8,
    /// The command, kept so a snapshot taken now can re-issue it.
    pub(crate) command: Vec<u8>,
}

/// Command completion: a response is held; the window shows the chunk ending at `next`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CmdCompletion {
    /// The whole response, `10..=max_response` bytes, header size equal to its length.
    pub(crate) response: Vec<u8>,
    /// Offset of the next chunk to deliver (`min(k * window, len)`, k >= 1).
    pub(crate) next: usize,
}

/// The device's protocol state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    Idle(Idle),
    Ready(Ready),
    CmdReception(CmdReception),
    Executing(Executing),
    CmdCompletion(CmdCompletion),
}

impl Default for State {
    fn default() -> Self {
        Self::Idle(Idle)
    }
}

/// The protocol phase, for callers and tests (a copy of the state's tag, without its data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// tpmIdle = 1.
    Idle,
    /// Ready for a command.
    Ready,
    /// Receiving a chunked command.
    CmdReception,
    /// Start = 1, the backend is running the command.
    Executing,
    /// A response is available in the window (possibly in several chunks).
    CmdCompletion,
}

impl State {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            Self::Idle(_) => Phase::Idle,
            Self::Ready(_) => Phase::Ready,
            Self::CmdReception(_) => Phase::CmdReception,
            Self::Executing(_) => Phase::Executing,
            Self::CmdCompletion(_) => Phase::CmdCompletion,
        }
    }
}
