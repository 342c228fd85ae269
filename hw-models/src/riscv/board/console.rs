//! Where the board's character output goes.

/// A host output stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stream {
    /// Standard output: the UART, HTIF console putchar and `write` to fd 1.
    Stdout,
    /// Standard error: `write` to fd 2 through the HTIF syscall proxy.
    Stderr,
}

/// The host side of the board's character devices: the process's stdout/stderr in the CLI,
/// a buffer in tests.
pub trait Console {
    /// Writes `bytes` to `stream`.
    fn write(&mut self, stream: Stream, bytes: &[u8]);
}

/// A console that keeps everything in memory, for tests and embedding.
///
/// ```
/// use hw_models::riscv::board::{BufferConsole, Console, Stream};
/// let mut c = BufferConsole::default();
/// c.write(Stream::Stdout, b"hi");
/// c.write(Stream::Stderr, b"!");
/// assert_eq!(c.stdout, b"hi");
/// assert_eq!(c.stderr, b"!");
/// ```
#[derive(Clone, Debug, Default)]
pub struct BufferConsole {
    /// Everything written to [`Stream::Stdout`].
    pub stdout: alloc::vec::Vec<u8>,
    /// Everything written to [`Stream::Stderr`].
    pub stderr: alloc::vec::Vec<u8>,
}

impl Console for BufferConsole {
    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        match stream {
            Stream::Stdout => self.stdout.extend_from_slice(bytes),
            Stream::Stderr => self.stderr.extend_from_slice(bytes),
        }
    }
}
