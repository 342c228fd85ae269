//! Architecture-free primitives every hvsim hardware model stands on.
//!
//! - [`addr`]: guest-physical, guest-virtual and host-physical address newtypes.
//! - [`width`]: [`AccessWidth`] and sign/zero extension.
//! - [`mem`]: sparse, bounded physical memory with a region map and a frame allocator.
//! - [`clock`] and [`event`]: virtual time and the deterministic timer queue.
//! - [`trace`]: trace records, sinks and the run digest.
//!
//! The crate is `no_std` + `alloc` because the `native` build of hvsim runs on bare metal.
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
pub use error::SimError;
pub use width::AccessWidth;
