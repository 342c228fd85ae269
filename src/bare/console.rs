//! The process's stdout and stderr as the board's console.

use std::io::{self, Write};

use hw_models::riscv::board::{Console, Stream};

/// Guest output straight to the process's stdout/stderr. Write errors (a closed pipe) are
/// remembered and reported after the run instead of disturbing the guest.
#[derive(Debug, Default)]
pub struct StdConsole {
    error: Option<io::ErrorKind>,
}

impl StdConsole {
    /// A console on the process streams.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first write error, if any.
    pub fn error(&self) -> Option<io::ErrorKind> {
        self.error
    }

    /// Flushes both streams.
    pub fn flush(&mut self) {
        if let Err(e) = io::stdout().flush().and_then(|()| io::stderr().flush()) {
            self.error.get_or_insert(e.kind());
        }
    }
}

impl Console for StdConsole {
    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        let r = match stream {
            Stream::Stdout => io::stdout().write_all(bytes),
            Stream::Stderr => io::stderr().write_all(bytes),
        };
        if let Err(e) = r {
            self.error.get_or_insert(e.kind());
        }
    }
}
