//! HTIF, the host-target interface of Spike and riscv-tests, seen from the host.
//!
//! The guest talks to the host through two 64-bit words in its own RAM, found by the ELF
//! symbols `tohost` and `fromhost`. A command in `tohost` is
//! `device << 56 | command << 48 | payload` (48-bit payload). The host takes every command by
//! clearing `tohost` to 0, as Spike's front end does, and answers commands that have a
//! response by writing `fromhost`. Supported commands (documented in docs/bare-machine.md):
//!
//! | device | command | payload                 | meaning                                  |
//! |--------|---------|-------------------------|------------------------------------------|
//! | 0      | 0       | odd: `code << 1 \| 1`   | exit; code 0 is a pass                   |
//! | 0      | 0       | even, non-zero          | pointer to a syscall block ([`syscall`]) |
//! | 1      | 1       | character in bits 7:0   | console putchar, no response             |
//!
//! # Half-written `tohost`
//!
//! RV32 code and riscv-tests' `p` environment write `tohost` as two 32-bit stores (the
//! environment writes the low half first and the high half last). The host must not act on a
//! half-written word: a putchar command written low half first would otherwise read as a
//! syscall pointer, and high half first as a putchar of the wrong character. [`Htif`]
//! therefore tracks which bytes of `tohost` the guest stored since the host last took a
//! command ([`Htif::note_store`]); the command is complete when all eight bytes were stored,
//! in any order and with any access widths. A guest that stores only part of the word and
//! then goes on without storing the rest (say, a low-half store followed by a spin until
//! `tohost` reads 0) has finished writing: the board takes such a partial command once the
//! hart has run [`PARTIAL_GRACE_INSNS`] instructions past the first partial store (the bytes
//! the guest did not store keep the value the host left, 0).

pub mod syscall;

use sim_core::mem::{MemError, PhysMem};
use sim_core::{AccessWidth, HostPhysAddr};

pub use syscall::SyscallOutcome;

use super::console::{Console, Stream};

/// Instructions a partly stored `tohost` may wait for its remaining bytes before the board
/// takes it as it is (see the module documentation).
pub const PARTIAL_GRACE_INSNS: u64 = 4096;
/// The size of `tohost` and `fromhost` in bytes.
pub const HTIF_WORD_BYTES: u64 = 8;
/// All bytes of `tohost` stored.
const ALL_BYTES: u8 = 0xff;

/// Bit position of the device field in a command.
const DEVICE_SHIFT: u32 = 56;
/// Bit position of the command field in a command.
const COMMAND_SHIFT: u32 = 48;
/// The command and device fields are 8 bits wide.
const FIELD_MASK: u64 = 0xff;
/// The payload is the low 48 bits.
const PAYLOAD_MASK: u64 = (1 << COMMAND_SHIFT) - 1;

/// Device 0: exit and the syscall proxy.
pub const DEVICE_SYSCALL: u8 = 0;
/// Device 1: the character console.
pub const DEVICE_CONSOLE: u8 = 1;
/// Device 1 command 0: read a character (not supported: the bare board has no input).
pub const CONSOLE_GETCHAR: u8 = 0;
/// Device 1 command 1: write the character in the payload's low byte.
pub const CONSOLE_PUTCHAR: u8 = 1;
/// Payload bit 0 on device 0: the command is an exit, its code in the bits above.
const EXIT_FLAG: u64 = 1;
/// What the host writes to `fromhost` when a syscall completes (device 0, command 0, 1).
pub const SYSCALL_DONE: u64 = 1;

/// A raw HTIF command word split into its fields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HtifCommand {
    /// Bits 63:56.
    pub device: u8,
    /// Bits 55:48.
    pub command: u8,
    /// Bits 47:0.
    pub payload: u64,
}

impl HtifCommand {
    /// Splits a `tohost` value.
    ///
    /// ```
    /// use hw_models::riscv::board::htif::HtifCommand;
    /// let c = HtifCommand::from_raw(0x0101_0000_0000_0041);
    /// assert_eq!((c.device, c.command, c.payload), (1, 1, 0x41));
    /// ```
    pub const fn from_raw(raw: u64) -> Self {
        Self {
            device: ((raw >> DEVICE_SHIFT) & FIELD_MASK) as u8,
            command: ((raw >> COMMAND_SHIFT) & FIELD_MASK) as u8,
            payload: raw & PAYLOAD_MASK,
        }
    }

    /// The command word.
    pub const fn raw(self) -> u64 {
        ((self.device as u64) << DEVICE_SHIFT)
            | ((self.command as u64) << COMMAND_SHIFT)
            | (self.payload & PAYLOAD_MASK)
    }

    /// What the command asks for.
    pub const fn request(self) -> HtifRequest {
        match (self.device, self.command) {
            (DEVICE_SYSCALL, 0) if self.payload & EXIT_FLAG != 0 => {
                HtifRequest::Exit(self.payload >> 1)
            }
            (DEVICE_SYSCALL, 0) => HtifRequest::Syscall(HostPhysAddr::new(self.payload)),
            (DEVICE_CONSOLE, CONSOLE_PUTCHAR) => HtifRequest::Putchar(self.payload as u8),
            _ => HtifRequest::Unsupported(self),
        }
    }
}

/// A decoded HTIF command.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HtifRequest {
    /// Exit with this code (0 = pass).
    Exit(u64),
    /// Run the syscall whose block starts here.
    Syscall(HostPhysAddr),
    /// Write one character to the console.
    Putchar(u8),
    /// Anything else (for example console getchar).
    Unsupported(HtifCommand),
}

/// What serving a command led to, when the guest keeps running it is `Continue`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HtifOutcome {
    /// The command was served; the guest continues.
    Continue,
    /// The guest asked to exit with this code (0 = pass), by an exit command or SYS_exit.
    Exit(u64),
}

/// A command the host cannot serve. The board stops with it as an error.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum HtifError {
    /// `tohost` or `fromhost` is not 8 bytes of RAM.
    #[error("HTIF {name} at {addr} is not in RAM")]
    NotRam {
        /// `tohost` or `fromhost`.
        name: &'static str,
        /// The symbol's address.
        addr: HostPhysAddr,
    },
    /// `tohost` and `fromhost` overlap.
    #[error("HTIF tohost ({tohost}) and fromhost ({fromhost}) overlap")]
    Overlap {
        /// The `tohost` address.
        tohost: HostPhysAddr,
        /// The `fromhost` address.
        fromhost: HostPhysAddr,
    },
    /// The syscall block (8 doublewords) is not in RAM.
    #[error("HTIF syscall block at {0} is not in RAM")]
    SyscallBlockNotRam(HostPhysAddr),
    /// A device/command pair hvsim does not implement.
    #[error(
        "unsupported HTIF command {raw:#018x} (device {device}, command {command}); \
         hvsim implements exit, the syscall proxy and console putchar"
    )]
    Unsupported {
        /// The command word.
        raw: u64,
        /// Its device field.
        device: u8,
        /// Its command field.
        command: u8,
    },
}

/// The host side of HTIF for one guest: where `tohost`/`fromhost` are and which bytes of
/// `tohost` the guest has stored since the host last took a command.
#[derive(Clone, Debug)]
pub struct Htif {
    tohost: HostPhysAddr,
    fromhost: Option<HostPhysAddr>,
    stored: u8,
}

impl Htif {
    /// HTIF at the given symbol addresses. `fromhost` is optional: without it, commands that
    /// need a response still run but the guest is not told.
    pub fn new(
        mem: &PhysMem,
        tohost: HostPhysAddr,
        fromhost: Option<HostPhysAddr>,
    ) -> Result<Self, HtifError> {
        let ram = |name, addr: HostPhysAddr| {
            mem.check_ram(addr, HTIF_WORD_BYTES)
                .map_err(|_| HtifError::NotRam { name, addr })
        };
        ram("tohost", tohost)?;
        if let Some(from) = fromhost {
            ram("fromhost", from)?;
            if overlap(tohost.as_u64(), HTIF_WORD_BYTES, from.as_u64()).is_some() {
                return Err(HtifError::Overlap {
                    tohost,
                    fromhost: from,
                });
            }
        }
        Ok(Self {
            tohost,
            fromhost,
            stored: 0,
        })
    }

    /// The address of `tohost`.
    pub fn tohost(&self) -> HostPhysAddr {
        self.tohost
    }

    /// The address of `fromhost`, if the guest has one.
    pub fn fromhost(&self) -> Option<HostPhysAddr> {
        self.fromhost
    }

    /// Whether an access of `len` bytes at `addr` touches `tohost`.
    #[inline]
    pub fn touches(&self, addr: u64, len: u64) -> bool {
        overlap(addr, len, self.tohost.as_u64()).is_some()
    }

    /// Notes a guest store of `len` bytes at `addr` (already written to memory). Returns true
    /// when `tohost` now holds a complete command for [`Htif::serve`].
    pub fn note_store(&mut self, addr: u64, len: u64) -> bool {
        if let Some(mask) = overlap(addr, len, self.tohost.as_u64()) {
            self.stored |= mask;
        }
        self.stored == ALL_BYTES
    }

    /// Whether the guest has stored any byte of `tohost` that the host has not taken.
    pub fn pending(&self) -> bool {
        self.stored != 0
    }

    /// Takes the command in `tohost`, clearing it to 0 as Spike's front end does. Returns
    /// `None` when `tohost` holds 0.
    pub fn take(&mut self, mem: &mut PhysMem) -> Result<Option<HtifCommand>, HtifError> {
        let not_ram = |_: MemError| HtifError::NotRam {
            name: "tohost",
            addr: self.tohost,
        };
        self.stored = 0;
        let raw = mem.read(self.tohost, AccessWidth::Qword).map_err(not_ram)?;
        if raw == 0 {
            return Ok(None);
        }
        mem.write(self.tohost, AccessWidth::Qword, 0)
            .map_err(not_ram)?;
        Ok(Some(HtifCommand::from_raw(raw)))
    }

    /// Writes `value` to `fromhost`, if the guest has one.
    pub fn respond(&self, mem: &mut PhysMem, value: u64) -> Result<(), HtifError> {
        if let Some(from) = self.fromhost {
            mem.write(from, AccessWidth::Qword, value)
                .map_err(|_| HtifError::NotRam {
                    name: "fromhost",
                    addr: from,
                })?;
        }
        Ok(())
    }

    /// Takes and serves the command in `tohost`: console output goes to `console`, syscalls
    /// run through the proxy, and their results are written back as the protocol says.
    pub fn serve(
        &mut self,
        mem: &mut PhysMem,
        console: &mut dyn Console,
    ) -> Result<HtifOutcome, HtifError> {
        match self.take(mem)? {
            Some(cmd) => self.execute(cmd, mem, console),
            None => Ok(HtifOutcome::Continue),
        }
    }

    /// Serves a command already taken with [`Htif::take`].
    pub fn execute(
        &mut self,
        cmd: HtifCommand,
        mem: &mut PhysMem,
        console: &mut dyn Console,
    ) -> Result<HtifOutcome, HtifError> {
        match cmd.request() {
            HtifRequest::Exit(code) => Ok(HtifOutcome::Exit(code)),
            HtifRequest::Putchar(c) => {
                console.write(Stream::Stdout, &[c]);
                Ok(HtifOutcome::Continue)
            }
            HtifRequest::Syscall(block) => match syscall::run(mem, block, console)? {
                SyscallOutcome::Exit(code) => Ok(HtifOutcome::Exit(code)),
                SyscallOutcome::Returned => {
                    self.respond(mem, SYSCALL_DONE)?;
                    Ok(HtifOutcome::Continue)
                }
            },
            HtifRequest::Unsupported(c) => Err(HtifError::Unsupported {
                raw: c.raw(),
                device: c.device,
                command: c.command,
            }),
        }
    }
}

/// The bytes of the 8-byte word at `word` that `[addr, addr + len)` covers, as a mask (bit
/// i = byte i), or `None` if they do not meet. Wrapping ranges count up to the top of the
/// address space.
#[inline]
fn overlap(addr: u64, len: u64, word: u64) -> Option<u8> {
    let start = addr.max(word);
    let end = addr
        .saturating_add(len)
        .min(word.saturating_add(HTIF_WORD_BYTES));
    if start >= end {
        return None;
    }
    let first = start - word;
    let count = end - start;
    let ones = ((1u16 << count) - 1) as u8;
    Some(ones << first)
}

#[cfg(test)]
mod tests;
