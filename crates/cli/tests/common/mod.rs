//! Shared by the CLI tests: a scratch directory, an emulated SPDM device (`vtrust spdm
//! responder --once` on an ephemeral port) and running `vtrust`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_vtrust");

/// A scratch directory removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("vtrust-cli-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn state(&self) -> String {
        self.path("state").display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A responder we started; killed by its handle if it has not exited.
pub struct Device {
    child: Child,
    /// The address the responder listens on.
    pub addr: String,
    /// Kept open: the responder prints more lines.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Device {
    /// `vtrust spdm responder --listen 127.0.0.1:0 --once ARGS`; reads the bound address
    /// from the first stdout line.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["spdm", "responder", "--listen", "127.0.0.1:0", "--once"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start responder");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut first).expect("first line");
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        Self {
            child,
            addr,
            _stdout: reader,
        }
    }

    /// Waits (bounded) for the responder to exit after its one connection.
    pub fn wait_success(mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                assert!(status.success(), "responder exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("responder still running after its --once connection");
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `vtrust ARGS` to completion.
pub fn vtrust(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run vtrust")
}

/// Lossy UTF-8 of captured output.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
