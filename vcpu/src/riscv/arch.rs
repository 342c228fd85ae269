//! The shared vCPU contracts ([`crate::ArchVCpu`], [`crate::ArchPerCpu`]) for RISC-V: thin
//! adapters over the inherent API, plus the mapping of [`RiscvVCpuError`] onto
//! [`crate::VCpuError`].

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;
use sim_core::{GuestPhysAddr, HostPhysAddr};

use super::bits::hgatp;
use super::config::{GStageMode, RiscvVCpuConfig};
use super::error::RiscvVCpuError;
use super::percpu::{RiscvPerCpu, has_hypervisor_extension};
use super::vcpu::RiscvVCpu;
use crate::{ArchError, ArchPerCpu, ArchVCpu, ExitReason, VCpuError};

const ARCH: &str = "riscv";

impl From<RiscvVCpuError> for VCpuError {
    fn from(e: RiscvVCpuError) -> Self {
        use RiscvVCpuError as E;
        match e {
            E::BadGpr { idx } => VCpuError::BadGpr { idx },
            E::BadVector { vector } => VCpuError::BadVector { vector },
            E::BadConfig(what) => VCpuError::BadConfig(what),
            E::MisalignedRoot { .. } => {
                VCpuError::BadConfig("the hgatp root must be 16 KiB aligned")
            }
            E::NoEptRoot => VCpuError::BadConfig("set_ept_root must come before bind"),
            E::NoHypervisorExtension { .. } => VCpuError::Unsupported("the RISC-V H extension"),
            E::UnsupportedGStageMode { mode, .. } => VCpuError::Unsupported(match mode {
                GStageMode::Sv39x4 => "G-stage mode Sv39x4 on this hart",
                GStageMode::Sv48x4 => "G-stage mode Sv48x4 on this hart",
            }),
            E::UnsupportedVmid { vmid, .. } => VCpuError::Arch(
                ArchError::new(ARCH, "VMID does not fit VMIDLEN").with_value(u64::from(vmid)),
            ),
            E::Csr { csr, .. } => VCpuError::Arch(
                ArchError::new(ARCH, "CSR access trapped").with_value(u64::from(csr)),
            ),
            E::UnexpectedTrap { scause, .. } => VCpuError::Arch(
                ArchError::new(ARCH, "trap that cannot come from V=1").with_value(scause),
            ),
            E::NotBound => VCpuError::Arch(ArchError::new(ARCH, "vCPU not bound")),
            E::AlreadyBound => VCpuError::Arch(ArchError::new(ARCH, "vCPU already bound")),
            E::NotSetUp => VCpuError::Arch(ArchError::new(ARCH, "vCPU not set up")),
        }
    }
}

impl<H: RiscvHardware> ArchVCpu for RiscvVCpu<H> {
    type CreateConfig = RiscvVCpuConfig;
    type SetupConfig = ();
    type Hardware = H;
    type PerCpu = RiscvPerCpu<H>;

    fn new(config: RiscvVCpuConfig) -> Result<Self, VCpuError> {
        Ok(RiscvVCpu::new(config)?)
    }

    fn set_entry(&mut self, entry: GuestPhysAddr) -> Result<(), VCpuError> {
        RiscvVCpu::set_entry(self, entry);
        Ok(())
    }

    fn set_ept_root(&mut self, root: HostPhysAddr) -> Result<(), VCpuError> {
        Ok(RiscvVCpu::set_ept_root(self, root)?)
    }

    fn setup(&mut self, _config: ()) -> Result<(), VCpuError> {
        Ok(RiscvVCpu::setup(self)?)
    }

    fn run(&mut self, hw: &mut H) -> Result<ExitReason, VCpuError> {
        Ok(RiscvVCpu::run(self, hw)?)
    }

    fn bind(&mut self, hw: &mut H) -> Result<(), VCpuError> {
        Ok(RiscvVCpu::bind(self, hw)?)
    }

    fn unbind(&mut self, hw: &mut H) -> Result<(), VCpuError> {
        Ok(RiscvVCpu::unbind(self, hw)?)
    }

    fn set_gpr(&mut self, idx: usize, val: u64) -> Result<(), VCpuError> {
        Ok(RiscvVCpu::set_gpr(self, idx, val)?)
    }

    fn inject_interrupt(&mut self, vector: usize) -> Result<(), VCpuError> {
        Ok(RiscvVCpu::inject_interrupt(self, vector)?)
    }

    fn set_return_value(&mut self, val: u64) {
        RiscvVCpu::set_return_value(self, val);
    }
}

impl<H: RiscvHardware> ArchPerCpu for RiscvPerCpu<H> {
    type Hardware = H;

    /// Also probes whether hgatp keeps MODE=Sv48x4 (hgatp is restored afterwards), for
    /// `max_guest_page_table_levels`.
    fn new(cpu_id: usize, hw: &mut H) -> Result<Self, VCpuError> {
        let mut p = RiscvPerCpu::new(cpu_id);
        if has_hypervisor_extension(hw)? {
            let old = hw
                .csr_read(csr_num::HGATP)
                .map_err(|t| RiscvVCpuError::csr(csr_num::HGATP, t))?;
            let probe = hgatp::MODE_SV48X4 << hgatp::MODE_SHIFT;
            let sv48x4 = hw.csr_write(csr_num::HGATP, probe).is_ok()
                && hw
                    .csr_read(csr_num::HGATP)
                    .is_ok_and(|v| v >> hgatp::MODE_SHIFT == hgatp::MODE_SV48X4);
            hw.csr_write(csr_num::HGATP, old)
                .map_err(|t| RiscvVCpuError::csr(csr_num::HGATP, t))?;
            p.set_sv48x4(sv48x4);
        }
        Ok(p)
    }

    fn is_enabled(&self) -> bool {
        RiscvPerCpu::is_enabled(self)
    }

    fn hardware_enable(&mut self, hw: &mut H) -> Result<(), VCpuError> {
        Ok(RiscvPerCpu::hardware_enable(self, hw)?)
    }

    fn hardware_disable(&mut self, hw: &mut H) -> Result<(), VCpuError> {
        Ok(RiscvPerCpu::hardware_disable(self, hw)?)
    }

    /// 4 when the hart supports Sv48x4, else 3 (Sv39x4 is required with Sv39/Sv48 VS-stage
    /// support, norm:hgatp_mode_sv39x4).
    fn max_guest_page_table_levels(&self) -> usize {
        if self.sv48x4() { 4 } else { 3 }
    }
}
