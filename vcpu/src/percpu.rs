//! Per-physical-CPU virtualization state, owned by whoever owns the physical CPU.
//!
//! axvcpu keeps this in a `percpu` static. hvsim has no globals: the board or Machine
//! owns one [`PerCpu`] per physical CPU, next to that CPU's hardware handle, and passes
//! both to `VCpu::bind`/`run`/`unbind`. Two machines in one process therefore never see
//! each other's per-CPU state.

use crate::error::VCpuError;
use crate::id::VCpuKey;

/// One architecture's per-physical-CPU state, after axvcpu's `AxArchPerCpu`.
///
/// ```
/// use vcpu::ArchPerCpu;
/// use vcpu::mock::{MockHardware, MockPerCpu};
///
/// let mut hw = MockHardware::new(2);
/// let mut p = MockPerCpu::new(2, &mut hw)?;
/// assert!(!p.is_enabled());
/// p.hardware_enable(&mut hw)?;
/// assert!(p.is_enabled());
/// # Ok::<(), vcpu::VCpuError>(())
/// ```
pub trait ArchPerCpu: Sized {
    /// The handle of the physical CPU (see [`crate::ArchVCpu::Hardware`]).
    type Hardware: ?Sized;

    /// Creates the state for physical CPU `cpu_id`; may probe the hardware.
    fn new(cpu_id: usize, hw: &mut Self::Hardware) -> Result<Self, VCpuError>;

    /// Whether virtualization is enabled on this physical CPU (tracked in software).
    fn is_enabled(&self) -> bool;

    /// Enables virtualization (RISC-V: delegation CSRs; AArch64: HCR_EL2 and vectors; x86:
    /// VMXON). Fails with [`VCpuError::Unsupported`] if the hardware lacks it.
    fn hardware_enable(&mut self, hw: &mut Self::Hardware) -> Result<(), VCpuError>;

    /// Disables virtualization again.
    fn hardware_disable(&mut self, hw: &mut Self::Hardware) -> Result<(), VCpuError>;

    /// How many levels a guest's stage-2 table may have (4 for Sv48x4 / 4-level EPT).
    fn max_guest_page_table_levels(&self) -> usize {
        4
    }
}

/// A physical CPU's per-CPU state plus the key of the vCPU currently bound on it.
///
/// The manager keeps the invariant: `current()` is `Some(k)` exactly when the vCPU with key
/// `k` is bound (state Ready) on this physical CPU. An invalid vCPU is never current.
///
/// ```
/// use vcpu::PerCpu;
/// use vcpu::mock::{MockHardware, MockPerCpu};
///
/// let mut hw = MockHardware::new(0);
/// let mut pcpu = PerCpu::<MockPerCpu>::new(0, &mut hw)?;
/// pcpu.hardware_enable(&mut hw)?;
/// assert_eq!(pcpu.cpu_id(), 0);
/// assert_eq!(pcpu.current(), None);
/// # Ok::<(), vcpu::VCpuError>(())
/// ```
#[derive(Debug)]
pub struct PerCpu<P> {
    cpu_id: usize,
    arch: P,
    current: Option<VCpuKey>,
}

impl<P: ArchPerCpu> PerCpu<P> {
    /// Creates the per-CPU state of physical CPU `cpu_id`. Virtualization starts disabled.
    pub fn new(cpu_id: usize, hw: &mut P::Hardware) -> Result<Self, VCpuError> {
        Ok(Self {
            cpu_id,
            arch: P::new(cpu_id, hw)?,
            current: None,
        })
    }

    /// The physical CPU's id.
    pub fn cpu_id(&self) -> usize {
        self.cpu_id
    }

    /// The vCPU bound here, if any.
    pub fn current(&self) -> Option<VCpuKey> {
        self.current
    }

    /// Whether virtualization is enabled here.
    pub fn is_enabled(&self) -> bool {
        self.arch.is_enabled()
    }

    /// Enables virtualization. Does nothing if it is already enabled.
    pub fn hardware_enable(&mut self, hw: &mut P::Hardware) -> Result<(), VCpuError> {
        if self.arch.is_enabled() {
            return Ok(());
        }
        self.arch.hardware_enable(hw)
    }

    /// Disables virtualization. Does nothing if it is already disabled. Fails with
    /// [`VCpuError::PCpuBusy`], changing nothing, while a vCPU is bound here.
    pub fn hardware_disable(&mut self, hw: &mut P::Hardware) -> Result<(), VCpuError> {
        if let Some(current) = self.current {
            return Err(VCpuError::PCpuBusy {
                pcpu: self.cpu_id,
                current,
            });
        }
        if !self.arch.is_enabled() {
            return Ok(());
        }
        self.arch.hardware_disable(hw)
    }

    /// The stage-2 depth this physical CPU supports.
    pub fn max_guest_page_table_levels(&self) -> usize {
        self.arch.max_guest_page_table_levels()
    }

    /// The architecture's per-CPU state, read-only (mutation goes through the checked
    /// methods so the bookkeeping stays true).
    pub fn arch(&self) -> &P {
        &self.arch
    }

    pub(crate) fn set_current(&mut self, key: Option<VCpuKey>) {
        self.current = key;
    }
}
