//! Where the guest's UART output goes: an in-memory buffer, optionally mirrored to a writer.

use std::fmt;
use std::io::Write;

/// Most bytes kept in the in-memory buffer; later bytes are counted as dropped (the writer
/// still gets them), so a chatty guest cannot exhaust host memory.
pub const CONSOLE_LIMIT: usize = 16 << 20;

/// The console sink.
///
/// ```
/// use hvsim::machine::Console;
/// let mut c = Console::new();
/// c.push(b"hi");
/// assert_eq!(c.output(), b"hi");
/// ```
#[derive(Default)]
pub struct Console {
    buf: Vec<u8>,
    dropped: u64,
    writer: Option<Box<dyn Write>>,
    write_failed: bool,
}

impl fmt::Debug for Console {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Console")
            .field("bytes", &self.buf.len())
            .field("dropped", &self.dropped)
            .field("has_writer", &self.writer.is_some())
            .finish()
    }
}

impl Console {
    /// An empty console with no writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Mirrors output to `w` (stdout in the CLI). Write errors are remembered, not fatal.
    pub fn set_writer(&mut self, w: Box<dyn Write>) {
        self.writer = Some(w);
    }

    /// Appends guest output.
    pub fn push(&mut self, bytes: &[u8]) {
        let room = CONSOLE_LIMIT.saturating_sub(self.buf.len());
        let keep = room.min(bytes.len());
        self.buf.extend_from_slice(&bytes[..keep]);
        self.dropped = self.dropped.saturating_add((bytes.len() - keep) as u64);
        if let Some(w) = self.writer.as_mut() {
            if !self.write_failed {
                self.write_failed = w.write_all(bytes).and_then(|()| w.flush()).is_err();
            }
        }
    }

    /// Everything the guest wrote (up to [`CONSOLE_LIMIT`]).
    pub fn output(&self) -> &[u8] {
        &self.buf
    }

    /// The output as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf).into_owned()
    }

    /// Bytes not kept in the buffer.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Whether writing to the mirror writer failed.
    pub fn write_failed(&self) -> bool {
        self.write_failed
    }
}
