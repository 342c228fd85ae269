//! Per-physical-hart virtualization state (upstream `RISCVPerCpu`).
//!
//! Delegation and counter access are per hart, not per vCPU, so they are programmed once
//! when virtualization is enabled on a hart and torn down when it is disabled.

use core::marker::PhantomData;

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;

use super::bits::{HEDELEG_GUEST, HIDELEG_GUEST, SIE_HOST};
use super::csr;
use super::error::{Result, RiscvVCpuError};

/// hcounteren with every counter visible to the guest (cycle, time, instret, hpmcounters).
const HCOUNTEREN_ALL: u64 = 0xffff_ffff;

/// The per-hart state of the RISC-V hypervisor.
///
/// ```
/// use vcpu::riscv::RiscvPerCpu;
/// use vcpu::riscv::doc_support::NoHart;
/// let mut percpu = RiscvPerCpu::<NoHart>::new(0);
/// // A hart without the H extension refuses hstatus: enabling fails cleanly.
/// assert!(percpu.hardware_enable(&mut NoHart).is_err());
/// assert!(!percpu.is_enabled());
/// ```
#[derive(Debug)]
pub struct RiscvPerCpu<H> {
    cpu_id: usize,
    enabled: bool,
    sv48x4: bool,
    _hw: PhantomData<fn(&mut H)>,
}

impl<H: RiscvHardware> RiscvPerCpu<H> {
    /// Per-hart state for physical hart `cpu_id`, disabled.
    pub fn new(cpu_id: usize) -> Self {
        Self {
            cpu_id,
            enabled: false,
            sv48x4: false,
            _hw: PhantomData,
        }
    }

    /// The physical hart this state belongs to.
    pub fn cpu_id(&self) -> usize {
        self.cpu_id
    }

    /// Whether the hart keeps hgatp.MODE = Sv48x4 (probed by `ArchPerCpu::new`).
    pub fn sv48x4(&self) -> bool {
        self.sv48x4
    }

    pub(crate) fn set_sv48x4(&mut self, yes: bool) {
        self.sv48x4 = yes;
    }

    /// Whether `hardware_enable` succeeded and `hardware_disable` has not run since.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Checks for the H extension and programs the per-hart CSRs ([`Self::setup_csrs`]).
    pub fn hardware_enable(&mut self, hw: &mut H) -> Result<()> {
        if !has_hypervisor_extension(hw)? {
            return Err(RiscvVCpuError::NoHypervisorExtension {
                cause: hw_models::riscv::cause::exc::ILLEGAL_INSTRUCTION,
            });
        }
        Self::setup_csrs(hw)?;
        self.enabled = true;
        Ok(())
    }

    /// Undoes [`Self::setup_csrs`]: no exception or interrupt is delegated to VS any more,
    /// no VS interrupt stays pending, and hgatp goes back to Bare. sie and hcounteren are
    /// left to the host.
    pub fn hardware_disable(&mut self, hw: &mut H) -> Result<()> {
        csr::write(hw, csr_num::HEDELEG, 0)?;
        csr::write(hw, csr_num::HIDELEG, 0)?;
        csr::write(hw, csr_num::HVIP, 0)?;
        csr::write(hw, csr_num::HGATP, 0)?;
        self.enabled = false;
        Ok(())
    }

    /// Programs the per-hart CSRs as upstream `setup_csrs` documents: hedeleg (instruction
    /// misaligned, breakpoint, ecall from U, the three page faults, illegal instruction),
    /// hideleg (VSSI, VSTI, VSEI), hvip cleared, hcounteren all ones, and sie with SEIE,
    /// STIE and SSIE (so host interrupts preempt the guest: norm:hideleg_hs).
    pub fn setup_csrs(hw: &mut H) -> Result<()> {
        csr::write(hw, csr_num::HEDELEG, HEDELEG_GUEST)?;
        csr::write(hw, csr_num::HIDELEG, HIDELEG_GUEST)?;
        csr::write(hw, csr_num::HVIP, 0)?;
        csr::write(hw, csr_num::HCOUNTEREN, HCOUNTEREN_ALL)?;
        csr::set(hw, csr_num::SIE, SIE_HOST)?;
        Ok(())
    }
}

/// Probes for the H extension the way HS software can: misa.H (norm:misa_h_op) is an M-mode
/// CSR, but reading hstatus raises illegal-instruction on a hart without the extension.
pub fn has_hypervisor_extension<H: RiscvHardware>(hw: &mut H) -> Result<bool> {
    match hw.csr_read(csr_num::HSTATUS) {
        Ok(_) => Ok(true),
        Err(t) if t.cause == hw_models::riscv::cause::exc::ILLEGAL_INSTRUCTION => Ok(false),
        Err(t) => Err(RiscvVCpuError::csr(csr_num::HSTATUS, t)),
    }
}
