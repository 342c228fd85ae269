//! The bare-machine board: one RV64 hart starting in M-mode, RAM, a CLINT, a 16550 UART, the
//! SiFive test finisher and HTIF, as `hvsim run --bare` runs it. See docs/bare-machine.md for
//! the address map ([`map`]), the HTIF protocol ([`htif`]) and the run loop.
//!
//! Virtual time comes from retired instructions ([`sim_core::clock::VirtualClock`]). The
//! CLINT's timer deadline is an event in a [`sim_core::event::EventQueue`], and the hart runs in
//! slices that end at the next event, so MTIP rises at the exact instruction boundary where
//! `mtime` reaches `mtimecmp`. WFI with nothing pending jumps time to the next event.

pub mod console;
pub mod htif;
mod machine;
pub mod map;
mod store_extent;

pub use console::{BufferConsole, Console, Stream};
pub use machine::{BareBoard, BareConfig, BoardError, BoardStop, ExitSource, SLICE_MAX};
