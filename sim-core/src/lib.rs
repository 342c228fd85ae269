//! Architecture-free primitives every hvsim hardware model stands on.
//!
//! - [`addr`]: guest-physical, guest-virtual and host-physical address newtypes.
//! - [`width`]: [`AccessWidth`] and sign/zero extension.
//! - [`mem`]: sparse, bounded physical memory ([`PhysMem`]) with a region map, and a
//!   deterministic frame allocator ([`FrameAllocator`]).
//! - [`clock`] and [`event`]: virtual time derived from retired instructions
//!   ([`VirtualClock`]) and the deterministic timer queue ([`EventQueue`]).
//! - [`trace`]: trace records, sinks and the run digest ([`Tracer`]).
//! - [`error`]: [`SimError`], what a simulation reports when it cannot go on.
//!
//! Nothing here reads the wall clock, iterates a hash map or depends on host endianness, so a
//! run is reproducible bit for bit. The crate is `no_std` + `alloc` because the `native` build
//! of hvsim runs on bare metal. The formats and algorithms are documented in
//! `docs/sim-core.md`.
//!
//! ```
//! use sim_core::{AccessWidth, HostPhysAddr, PhysMem, VirtualClock};
//! use sim_core::clock::ClockConfig;
//!
//! let mut mem = PhysMem::new(64 << 20);
//! mem.add_ram(HostPhysAddr::new(0x8000_0000), 64 << 20)?;
//! mem.write(HostPhysAddr::new(0x8000_0000), AccessWidth::Dword, 0x0000_0073)?;
//! assert_eq!(mem.read(HostPhysAddr::new(0x8000_0000), AccessWidth::Dword)?, 0x73);
//!
//! let mut clock = VirtualClock::new(ClockConfig::default())?;
//! clock.retire(1_000);
//! assert_eq!(clock.ticks(), 100);
//! # Ok::<(), sim_core::SimError>(())
//! ```
#![no_std]

extern crate alloc;

pub mod addr;
pub mod clock;
pub mod error;
pub mod event;
pub mod mem;
pub mod trace;
pub mod width;

pub use addr::{GuestPhysAddr, GuestVirtAddr, HostPhysAddr};
pub use clock::VirtualClock;
pub use error::SimError;
pub use event::EventQueue;
pub use mem::{FrameAllocator, PhysMem};
pub use trace::Tracer;
pub use width::AccessWidth;
