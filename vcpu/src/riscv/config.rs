//! Creation-time configuration of a RISC-V vCPU.

use alloc::sync::Arc;

use super::bits::hgatp;
use super::remote_fence::RemoteFences;

/// The G-stage translation scheme written to hgatp.MODE.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum GStageMode {
    /// Sv39x4: 41-bit guest-physical addresses (norm:hgatp_mode_sv39x4). The default.
    #[default]
    Sv39x4,
    /// Sv48x4: 50-bit guest-physical addresses (norm:hgatp_mode_sv48x4).
    Sv48x4,
}

impl GStageMode {
    /// The hgatp.MODE encoding.
    pub const fn hgatp_mode(self) -> u64 {
        match self {
            Self::Sv39x4 => hgatp::MODE_SV39X4,
            Self::Sv48x4 => hgatp::MODE_SV48X4,
        }
    }

    /// The spec name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sv39x4 => "Sv39x4",
            Self::Sv48x4 => "Sv48x4",
        }
    }
}

/// How a RISC-V vCPU is created (after upstream `RISCVVCpuCreateConfig`, plus the VM-level
/// facts the SBI implementation needs).
///
/// ```
/// use vcpu::riscv::RiscvVCpuConfig;
/// let c = RiscvVCpuConfig { hart_id: 1, hart_count: 2, ..Default::default() };
/// assert!(c.validate().is_ok());
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RiscvVCpuConfig {
    /// The guest hart id of this vCPU (a0 at entry, per the RISC-V Linux boot protocol).
    pub hart_id: u64,
    /// The number of harts in the VM: guest hart ids are `0..hart_count`. SBI IPI, RFENCE
    /// and HSM validate hart ids against it.
    pub hart_count: u64,
    /// The guest-physical address of the device tree (a1 at entry).
    pub dtb_addr: u64,
    /// The VMID written to hgatp.
    pub vmid: u16,
    /// The G-stage scheme.
    pub gstage: GStageMode,
    /// mvendorid reported by SBI Base; `None` forwards the call to the firmware.
    pub mvendorid: Option<u64>,
    /// marchid reported by SBI Base; `None` forwards the call to the firmware.
    pub marchid: Option<u64>,
    /// mimpid reported by SBI Base; `None` forwards the call to the firmware.
    pub mimpid: Option<u64>,
    /// The VM's remote-fence requests, one structure shared by all its vCPUs (one slot per
    /// hart, `hart_count` slots). SBI RFENCE marks the targeted siblings in it and each vCPU
    /// fences its own hart before it enters the guest. `None`: only the calling hart is
    /// fenced, which is enough for a single-vCPU VM only (docs/sbi.md, "RFENCE").
    pub remote_fences: Option<Arc<RemoteFences>>,
}

impl Default for RiscvVCpuConfig {
    fn default() -> Self {
        Self {
            hart_id: 0,
            hart_count: 1,
            dtb_addr: 0,
            vmid: 0,
            gstage: GStageMode::Sv39x4,
            mvendorid: None,
            marchid: None,
            mimpid: None,
            remote_fences: None,
        }
    }
}

impl RiscvVCpuConfig {
    /// Checks the fields against each other and against the spec's limits.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.hart_count == 0 {
            return Err("hart_count must be at least 1");
        }
        if self.hart_id >= self.hart_count {
            return Err("hart_id must be below hart_count");
        }
        if u64::from(self.vmid) > hgatp::VMID_MASK {
            return Err("vmid exceeds the 14-bit hgatp.VMID field");
        }
        if self
            .remote_fences
            .as_ref()
            .is_some_and(|f| u64::try_from(f.harts()) != Ok(self.hart_count))
        {
            return Err("remote_fences must have one slot per hart (hart_count)");
        }
        Ok(())
    }
}
