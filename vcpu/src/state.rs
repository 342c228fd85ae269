//! The manager's lifecycle states and the operations that move between them.

use core::fmt;

/// Lifecycle state of a [`crate::VCpu`], named as in axvcpu.
///
/// The legal transitions are listed in `docs/vcpu.md` and on [`crate::VCpu`].
///
/// ```
/// use vcpu::VCpuState;
/// assert_eq!(VCpuState::Created.to_string(), "created");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum VCpuState {
    /// Built by `new`, not yet set up.
    Created,
    /// Set up, not bound to any physical CPU.
    Free,
    /// Bound to a physical CPU and ready to run.
    Ready,
    /// Inside `run`. Never observable through the manager's API, because `run` holds the
    /// vCPU mutably for the whole guest entry; it exists so the state names match axvcpu
    /// and so an arch callback or a debugger sees the truth.
    Running,
    /// Parked by the VMM (for example after a `Halt` exit); not bound, not schedulable
    /// until `unblock`.
    Blocked,
    /// An architecture call failed part-way; the arch state cannot be trusted. Terminal:
    /// only `VCpu::release` is legal, to free a physical CPU it still occupies.
    Invalid,
}

impl VCpuState {
    /// All states, in declaration order.
    pub const ALL: [VCpuState; 6] = [
        Self::Created,
        Self::Free,
        Self::Ready,
        Self::Running,
        Self::Blocked,
        Self::Invalid,
    ];

    /// The lower-case name used in errors and traces.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Free => "free",
            Self::Ready => "ready",
            Self::Running => "running",
            Self::Blocked => "blocked",
            Self::Invalid => "invalid",
        }
    }
}

impl fmt::Display for VCpuState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A manager operation, as named in [`crate::VCpuError::InvalidState`].
///
/// ```
/// use vcpu::VCpuOp;
/// assert_eq!(VCpuOp::SetEptRoot.to_string(), "set_ept_root");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum VCpuOp {
    /// `VCpu::setup`.
    Setup,
    /// `VCpu::set_entry`.
    SetEntry,
    /// `VCpu::set_ept_root`.
    SetEptRoot,
    /// `VCpu::bind`.
    Bind,
    /// `VCpu::run`.
    Run,
    /// `VCpu::unbind`.
    Unbind,
    /// `VCpu::block`.
    Block,
    /// `VCpu::unblock`.
    Unblock,
    /// `VCpu::release`.
    Release,
    /// `VCpu::set_gpr`.
    SetGpr,
    /// `VCpu::set_return_value`.
    SetReturnValue,
    /// `VCpu::inject_interrupt`.
    InjectInterrupt,
}

impl VCpuOp {
    /// The snake-case name of the method.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::SetEntry => "set_entry",
            Self::SetEptRoot => "set_ept_root",
            Self::Bind => "bind",
            Self::Run => "run",
            Self::Unbind => "unbind",
            Self::Block => "block",
            Self::Unblock => "unblock",
            Self::Release => "release",
            Self::SetGpr => "set_gpr",
            Self::SetReturnValue => "set_return_value",
            Self::InjectInterrupt => "inject_interrupt",
        }
    }
}

impl fmt::Display for VCpuOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
