//! The contract every architecture vCPU implements.

use sim_core::{GuestPhysAddr, HostPhysAddr};

use crate::error::VCpuError;
use crate::exit::ExitReason;
use crate::percpu::ArchPerCpu;

/// One architecture's vCPU, after axvcpu's `AxArchVCpu`.
///
/// The manager [`crate::VCpu`] calls these methods only in the states its state machine
/// allows, so an implementation need not re-check the lifecycle. It must:
/// - never panic on guest behaviour; every guest action ends in a trap into the guest, an
///   [`ExitReason`], or an error;
/// - return a *rejection* error ([`VCpuError::is_rejection`]) only if it changed nothing;
///   any other error makes the manager mark the vCPU invalid.
///
/// # Reaching the hardware
///
/// The physical CPU is an explicit argument. The methods that touch it (`bind`, `run`,
/// `unbind`) take `&mut Self::Hardware`: the handle of the physical CPU the caller runs on
/// (a hart model plus the board's memory in the sim, the real CSRs with feature `native`).
/// Every other method edits only the vCPU's software state (saved registers, pending
/// interrupts, the stage-2 root), which the architecture loads into the hardware at `bind`
/// or `run`. There is no global hardware state, so any number of machines can run in one
/// process.
///
/// ```
/// use sim_core::{GuestPhysAddr, HostPhysAddr};
/// use vcpu::mock::{MockConfig, MockHardware, MockPerCpu, MockVCpu};
/// use vcpu::{ArchPerCpu, ArchVCpu, ExitReason};
///
/// // The physical CPU: its hardware handle and its per-CPU state.
/// let mut hw = MockHardware::new(0);
/// let mut pcpu = MockPerCpu::new(0, &mut hw)?;
/// pcpu.hardware_enable(&mut hw)?;
///
/// let mut v = MockVCpu::new(MockConfig::with_exits([ExitReason::Halt]))?;
/// v.set_entry(GuestPhysAddr::new(0x8000_0000))?;
/// v.set_ept_root(HostPhysAddr::new(0x9000_0000))?;
/// v.setup(())?;
/// v.bind(&mut hw)?;
/// assert_eq!(v.run(&mut hw)?, ExitReason::Halt);
/// v.unbind(&mut hw)?;
/// # Ok::<(), vcpu::VCpuError>(())
/// ```
pub trait ArchVCpu: Sized {
    /// Creation-time configuration (hart id, device-tree address ...).
    type CreateConfig;
    /// Setup-time configuration.
    type SetupConfig;
    /// The handle of the physical CPU `bind`/`run`/`unbind` execute on.
    type Hardware: ?Sized;
    /// The per-physical-CPU state this architecture needs (enabled virtualization, the VMXON
    /// region ...). It shares the hardware handle type.
    type PerCpu: ArchPerCpu<Hardware = Self::Hardware>;

    /// Creates the vCPU's software state. Touches no hardware.
    fn new(config: Self::CreateConfig) -> Result<Self, VCpuError>;

    /// Sets the guest-physical address the guest starts at.
    fn set_entry(&mut self, entry: GuestPhysAddr) -> Result<(), VCpuError>;

    /// Sets the host-physical address of the root of the stage-2 table (hgatp root,
    /// VTTBR_EL2 base, EPT PML4). Takes effect at the next `bind`.
    fn set_ept_root(&mut self, root: HostPhysAddr) -> Result<(), VCpuError>;

    /// Finishes configuration after `set_entry` and `set_ept_root`.
    fn setup(&mut self, config: Self::SetupConfig) -> Result<(), VCpuError>;

    /// Enters the guest and runs it until something needs the VMM.
    fn run(&mut self, hw: &mut Self::Hardware) -> Result<ExitReason, VCpuError>;

    /// Loads the vCPU's state that lives in hardware (stage-2 root, VMCS) onto the
    /// physical CPU.
    fn bind(&mut self, hw: &mut Self::Hardware) -> Result<(), VCpuError>;

    /// Saves that state back and releases the physical CPU.
    fn unbind(&mut self, hw: &mut Self::Hardware) -> Result<(), VCpuError>;

    /// Writes general-purpose register `idx` (`x0`..`x31` on RISC-V, where writes to `x0`
    /// are ignored as the ISA says; `x0`..`x30` on AArch64; the SDM's order on x86).
    /// Fails with [`VCpuError::BadGpr`] for an index the architecture does not have.
    fn set_gpr(&mut self, idx: usize, val: u64) -> Result<(), VCpuError>;

    /// Queues interrupt `vector` for delivery at the next entry.
    /// Fails with [`VCpuError::BadVector`] for a vector the architecture cannot inject.
    fn inject_interrupt(&mut self, vector: usize) -> Result<(), VCpuError>;

    /// Sets the value a hypercall returns to the guest (`a0`, `x0`, `RAX`).
    fn set_return_value(&mut self, val: u64);
}
