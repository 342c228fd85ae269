//! [`SharedConsole`]: one console stream written by two producers in program order — the
//! Machine's UART (MMIO exits) and the firmware's console (SBI DBCN and legacy putchar,
//! answered inside a vCPU run and drained by the backend right after the run).

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// Most console bytes kept in memory (more are still passed to the echo writer).
pub const SHARED_CONSOLE_LIMIT: usize = 16 << 20;

#[derive(Default)]
struct Inner {
    kept: Vec<u8>,
    dropped: u64,
    echo: Option<Box<dyn Write>>,
    echo_failed: bool,
}

/// A cloneable console sink: every clone appends to the same buffer and echo writer.
/// One thread, no re-entrant writes: each `write` borrows the buffer only for its own
/// duration and calls nothing that could write back.
#[derive(Clone, Default)]
pub struct SharedConsole {
    inner: Rc<RefCell<Inner>>,
}

impl std::fmt::Debug for SharedConsole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedConsole").finish_non_exhaustive()
    }
}

impl SharedConsole {
    /// A console that only keeps the bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// A console that also copies every byte to `w` (stdout for `hvsim run`).
    pub fn with_echo(w: Box<dyn Write>) -> Self {
        let c = Self::default();
        if let Ok(mut i) = c.inner.try_borrow_mut() {
            i.echo = Some(w);
        }
        c
    }

    /// Everything written so far (up to [`SHARED_CONSOLE_LIMIT`] bytes).
    pub fn bytes(&self) -> Vec<u8> {
        self.inner
            .try_borrow()
            .map(|i| i.kept.clone())
            .unwrap_or_default()
    }

    /// Bytes not kept because of the limit.
    pub fn dropped(&self) -> u64 {
        self.inner.try_borrow().map(|i| i.dropped).unwrap_or(0)
    }

    /// Whether writing to the echo writer failed (it is then no longer written).
    pub fn echo_failed(&self) -> bool {
        self.inner
            .try_borrow()
            .map(|i| i.echo_failed)
            .unwrap_or(true)
    }
}

impl Write for SharedConsole {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Ok(mut i) = self.inner.try_borrow_mut() else {
            return Err(io::Error::other("console written re-entrantly"));
        };
        let room = SHARED_CONSOLE_LIMIT.saturating_sub(i.kept.len());
        let keep = buf.len().min(room);
        i.kept.extend_from_slice(&buf[..keep]);
        i.dropped = i.dropped.saturating_add((buf.len() - keep) as u64);
        if !i.echo_failed {
            let r = i
                .echo
                .as_mut()
                .map(|w| w.write_all(buf).and_then(|()| w.flush()));
            if let Some(Err(_)) = r {
                i.echo_failed = true;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
