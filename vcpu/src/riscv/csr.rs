//! CSR access helpers that turn a hardware trap into a [`RiscvVCpuError`].
//!
//! The CSRs used here are guaranteed by the H extension, so a trap means the hart below is
//! not what the vCPU was set up for; it is reported, never ignored.

use hw_models::riscv::hw::RiscvHardware;

use super::error::{Result, RiscvVCpuError};

/// `csrr`.
pub(crate) fn read<H: RiscvHardware>(hw: &mut H, csr: u16) -> Result<u64> {
    hw.csr_read(csr).map_err(|t| RiscvVCpuError::csr(csr, t))
}

/// `csrw`.
pub(crate) fn write<H: RiscvHardware>(hw: &mut H, csr: u16, value: u64) -> Result<()> {
    hw.csr_write(csr, value)
        .map_err(|t| RiscvVCpuError::csr(csr, t))
}

/// `csrrs` (old value discarded).
pub(crate) fn set<H: RiscvHardware>(hw: &mut H, csr: u16, bits: u64) -> Result<()> {
    hw.csr_set(csr, bits)
        .map(|_| ())
        .map_err(|t| RiscvVCpuError::csr(csr, t))
}

/// `csrrc` (old value discarded).
pub(crate) fn clear<H: RiscvHardware>(hw: &mut H, csr: u16, bits: u64) -> Result<()> {
    hw.csr_clear(csr, bits)
        .map(|_| ())
        .map_err(|t| RiscvVCpuError::csr(csr, t))
}
