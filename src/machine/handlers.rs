//! User handlers: hypercalls, MMIO regions and I/O ports, registered on the builder.
//!
//! Handlers are closures (or anything `FnMut`) that get the exit's details and return a
//! [`Reply`]. They run in registration order for hypercalls; MMIO and port handlers own a
//! range each.

use sim_core::{AccessWidth, GuestPhysAddr};

/// What a handler answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reply {
    /// Handled. For a read (MMIO, port) this is the value read; for a hypercall it is the
    /// return value, passed to `set_return_value`; for a write it is ignored.
    Value(u64),
    /// Handled, nothing to return: a read yields 0, a hypercall's registers stay as the
    /// architecture left them.
    Done,
    /// Not mine. The next hypercall handler is asked; an unhandled hypercall is answered
    /// `SBI_ERR_NOT_SUPPORTED`; an unhandled MMIO or port access stops the run with an error.
    Unhandled,
    /// Stop the run with [`crate::machine::Outcome::Stopped`] carrying this code.
    Stop(u64),
}

/// A hypercall as a handler sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HypercallCall {
    /// The calling vCPU.
    pub vcpu: usize,
    /// The hypercall number.
    pub nr: u64,
    /// The arguments.
    pub args: [u64; 6],
}

/// An MMIO access as a handler sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MmioAccess {
    /// The accessing vCPU.
    pub vcpu: usize,
    /// The guest-physical address.
    pub addr: GuestPhysAddr,
    /// The offset from the region's base.
    pub offset: u64,
    /// The access width.
    pub width: AccessWidth,
    /// `Some(value)` for a write, `None` for a read.
    pub write: Option<u64>,
}

/// An I/O-port access as a handler sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PortAccess {
    /// The accessing vCPU.
    pub vcpu: usize,
    /// The port.
    pub port: u16,
    /// The offset from the range's first port.
    pub offset: u16,
    /// The access width.
    pub width: AccessWidth,
    /// `Some(value)` for a write, `None` for a read.
    pub write: Option<u64>,
}

/// A hypercall handler.
pub type HypercallHandler = Box<dyn FnMut(&HypercallCall) -> Reply>;
/// An MMIO region handler.
pub type MmioHandler = Box<dyn FnMut(&MmioAccess) -> Reply>;
/// An I/O-port range handler.
pub type PortHandler = Box<dyn FnMut(&PortAccess) -> Reply>;
