//! The mock architecture vCPU.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use sim_core::{GuestPhysAddr, HostPhysAddr};

use super::{MockHardware, MockPerCpu};
use crate::arch::ArchVCpu;
use crate::error::{ArchError, VCpuError};
use crate::exit::ExitReason;

/// General-purpose registers of the mock (`x0`..`x31`, RISC-V style: `x0` is hardwired 0).
pub const MOCK_GPRS: usize = 32;
/// Interrupt vectors the mock accepts (`0..MOCK_VECTORS`, one bit each in a pending mask).
pub const MOCK_VECTORS: usize = 64;
/// The register `set_return_value` writes (`a0`).
const RETURN_REG: usize = 10;

/// An [`ArchVCpu`] method of the mock, to name the call to fail.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MockOp {
    /// `set_entry`.
    SetEntry,
    /// `set_ept_root`.
    SetEptRoot,
    /// `setup`.
    Setup,
    /// `bind`.
    Bind,
    /// `run`.
    Run,
    /// `unbind`.
    Unbind,
    /// `set_gpr`.
    SetGpr,
    /// `inject_interrupt`.
    InjectInterrupt,
}

/// One call that reached the mock, with its arguments.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MockCall {
    /// `set_entry(entry)`.
    SetEntry(GuestPhysAddr),
    /// `set_ept_root(root)`.
    SetEptRoot(HostPhysAddr),
    /// `setup(())`.
    Setup,
    /// `bind(hw)`, with the hardware's CPU id.
    Bind {
        /// `hw.cpu_id()`.
        cpu: usize,
    },
    /// `run(hw)`, with the hardware's CPU id.
    Run {
        /// `hw.cpu_id()`.
        cpu: usize,
    },
    /// `unbind(hw)`, with the hardware's CPU id.
    Unbind {
        /// `hw.cpu_id()`.
        cpu: usize,
    },
    /// `set_gpr(idx, val)`.
    SetGpr(usize, u64),
    /// `inject_interrupt(vector)`.
    InjectInterrupt(usize),
    /// `set_return_value(val)`.
    SetReturnValue(u64),
}

/// How to build a [`MockVCpu`].
///
/// ```
/// use vcpu::ExitReason;
/// use vcpu::mock::MockConfig;
/// let c = MockConfig::with_exits([ExitReason::Halt]);
/// assert_eq!(c.idle_exit, ExitReason::Preempted);
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MockConfig {
    /// Exits `run` returns, in order.
    pub exits: Vec<ExitReason>,
    /// What `run` returns once the script is used up.
    pub idle_exit: ExitReason,
    /// If set, `new` fails with this error.
    pub fail_new: Option<VCpuError>,
    /// Whether to record calls (on by default; turn off for long benchmark loops, where
    /// the log would grow without bound).
    pub record_calls: bool,
}

impl MockConfig {
    /// A script of exits; afterwards `run` returns [`ExitReason::Preempted`].
    pub fn with_exits(exits: impl IntoIterator<Item = ExitReason>) -> Self {
        Self {
            exits: exits.into_iter().collect(),
            idle_exit: ExitReason::Preempted,
            fail_new: None,
            record_calls: true,
        }
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        Self::with_exits([])
    }
}

/// A scripted architecture vCPU.
///
/// ```
/// use vcpu::mock::{MockCall, MockConfig, MockHardware, MockOp, MockVCpu};
/// use vcpu::{ArchError, ArchVCpu, VCpuError};
///
/// let mut v = MockVCpu::new(MockConfig::default())?;
/// v.set_gpr(5, 42)?;
/// assert_eq!(v.gpr(5), Some(42));
/// let boom = VCpuError::Arch(ArchError::new("mock", "injected"));
/// v.fail_next(MockOp::SetGpr, boom);
/// assert_eq!(v.set_gpr(5, 1), Err(boom));
/// assert_eq!(v.gpr(5), Some(42));
/// assert_eq!(v.calls(), &[MockCall::SetGpr(5, 42), MockCall::SetGpr(5, 1)]);
/// # Ok::<(), vcpu::VCpuError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MockVCpu {
    script: VecDeque<ExitReason>,
    idle_exit: ExitReason,
    calls: Vec<MockCall>,
    record_calls: bool,
    fail: Option<(MockOp, VCpuError)>,
    gprs: [u64; MOCK_GPRS],
    pending: u64,
    entry: Option<GuestPhysAddr>,
    ept_root: Option<HostPhysAddr>,
    set_up: bool,
}

impl MockVCpu {
    /// Makes the next call of `op` fail with `err`, doing nothing else. Replaces an earlier
    /// pending failure.
    pub fn fail_next(&mut self, op: MockOp, err: VCpuError) {
        self.fail = Some((op, err));
    }

    /// Cancels a failure set by [`MockVCpu::fail_next`] that has not fired yet.
    pub fn clear_fail(&mut self) {
        self.fail = None;
    }

    /// Every call that reached the mock, in order (failed ones included); empty if
    /// [`MockConfig::record_calls`] was off.
    pub fn calls(&self) -> &[MockCall] {
        &self.calls
    }

    /// Register `idx`, or `None` if the mock has no such register.
    pub fn gpr(&self, idx: usize) -> Option<u64> {
        self.gprs.get(idx).copied()
    }

    /// The mask of queued interrupts (bit `v` for vector `v`); delivered, that is cleared,
    /// by the next `run`.
    pub fn pending_interrupts(&self) -> u64 {
        self.pending
    }

    /// The entry point set last.
    pub fn entry(&self) -> Option<GuestPhysAddr> {
        self.entry
    }

    /// The stage-2 root set last.
    pub fn ept_root(&self) -> Option<HostPhysAddr> {
        self.ept_root
    }

    /// Exits left in the script.
    pub fn remaining_exits(&self) -> usize {
        self.script.len()
    }

    fn record(&mut self, call: MockCall) {
        if self.record_calls {
            self.calls.push(call);
        }
    }

    fn enter(&mut self, call: MockCall, op: MockOp) -> Result<(), VCpuError> {
        self.record(call);
        match self.fail {
            Some((o, e)) if o == op => {
                self.fail = None;
                Err(e)
            }
            _ => Ok(()),
        }
    }
}

fn hw_fault(what: &'static str, hw: &MockHardware) -> VCpuError {
    ArchError::new("mock", what)
        .with_value(hw.cpu_id() as u64)
        .into()
}

impl ArchVCpu for MockVCpu {
    type CreateConfig = MockConfig;
    type SetupConfig = ();
    type Hardware = MockHardware;
    type PerCpu = MockPerCpu;

    fn new(config: MockConfig) -> Result<Self, VCpuError> {
        if let Some(e) = config.fail_new {
            return Err(e);
        }
        Ok(Self {
            script: config.exits.into(),
            idle_exit: config.idle_exit,
            calls: Vec::new(),
            record_calls: config.record_calls,
            fail: None,
            gprs: [0; MOCK_GPRS],
            pending: 0,
            entry: None,
            ept_root: None,
            set_up: false,
        })
    }

    fn set_entry(&mut self, entry: GuestPhysAddr) -> Result<(), VCpuError> {
        self.enter(MockCall::SetEntry(entry), MockOp::SetEntry)?;
        self.entry = Some(entry);
        Ok(())
    }

    fn set_ept_root(&mut self, root: HostPhysAddr) -> Result<(), VCpuError> {
        self.enter(MockCall::SetEptRoot(root), MockOp::SetEptRoot)?;
        self.ept_root = Some(root);
        Ok(())
    }

    fn setup(&mut self, (): ()) -> Result<(), VCpuError> {
        self.enter(MockCall::Setup, MockOp::Setup)?;
        self.set_up = true;
        Ok(())
    }

    fn run(&mut self, hw: &mut MockHardware) -> Result<ExitReason, VCpuError> {
        self.enter(MockCall::Run { cpu: hw.cpu_id() }, MockOp::Run)?;
        // What real hardware would refuse: entering with virtualization off, or with
        // another vCPU's stage-2 root loaded.
        if !hw.enabled {
            return Err(hw_fault("guest entry with virtualization disabled", hw));
        }
        if !self.set_up || hw.loaded_root != self.ept_root {
            return Err(hw_fault("guest entry without this vCPU's state loaded", hw));
        }
        hw.entries = hw.entries.saturating_add(1);
        self.pending = 0;
        Ok(self.script.pop_front().unwrap_or(self.idle_exit))
    }

    fn bind(&mut self, hw: &mut MockHardware) -> Result<(), VCpuError> {
        self.enter(MockCall::Bind { cpu: hw.cpu_id() }, MockOp::Bind)?;
        // Like writing hgatp / VTTBR_EL2 / VMPTRLD: overwrites whatever was loaded.
        hw.loaded_root = self.ept_root;
        Ok(())
    }

    fn unbind(&mut self, hw: &mut MockHardware) -> Result<(), VCpuError> {
        self.enter(MockCall::Unbind { cpu: hw.cpu_id() }, MockOp::Unbind)?;
        if hw.loaded_root != self.ept_root {
            return Err(hw_fault("unbind of state that is not loaded", hw));
        }
        hw.loaded_root = None;
        Ok(())
    }

    fn set_gpr(&mut self, idx: usize, val: u64) -> Result<(), VCpuError> {
        self.enter(MockCall::SetGpr(idx, val), MockOp::SetGpr)?;
        match self.gprs.get_mut(idx) {
            // x0 is hardwired to zero; writes are ignored as on RISC-V.
            Some(_) if idx == 0 => Ok(()),
            Some(r) => {
                *r = val;
                Ok(())
            }
            None => Err(VCpuError::BadGpr { idx }),
        }
    }

    fn inject_interrupt(&mut self, vector: usize) -> Result<(), VCpuError> {
        self.enter(MockCall::InjectInterrupt(vector), MockOp::InjectInterrupt)?;
        if vector >= MOCK_VECTORS {
            return Err(VCpuError::BadVector { vector });
        }
        self.pending |= 1 << vector;
        Ok(())
    }

    fn set_return_value(&mut self, val: u64) {
        self.record(MockCall::SetReturnValue(val));
        self.gprs[RETURN_REG] = val;
    }
}
