//! Construction-time parameters of a hart.

/// What a misaligned load or store to RAM does.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum MisalignedPolicy {
    /// Perform it (Zicclsm: misaligned loads and stores to main memory are supported). The
    /// default. LR/SC and AMOs still trap: LR with cause 4, SC/AMO with cause 6.
    #[default]
    Perform,
    /// Raise load-address-misaligned (4) or store/AMO-address-misaligned (6).
    Trap,
}

/// Construction-time parameters of a [`super::Hart`].
///
/// ```
/// use hw_models::riscv::hart::{HartConfig, MisalignedPolicy};
/// let cfg = HartConfig { hart_id: 1, reset_pc: 0x8000_0000, ..HartConfig::default() };
/// assert_eq!(cfg.misaligned, MisalignedPolicy::Perform);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HartConfig {
    /// The value of `mhartid`.
    pub hart_id: u64,
    /// The pc after reset (norm:pc_rst: implementation-defined reset vector).
    pub reset_pc: u64,
    /// Misaligned RAM access behaviour.
    pub misaligned: MisalignedPolicy,
    /// How many distinct physical code pages the decode cache holds before it is flushed
    /// wholesale (bounds host memory: each page costs 32 KiB of decoded instructions).
    pub icache_pages: usize,
}

impl Default for HartConfig {
    fn default() -> Self {
        Self {
            hart_id: 0,
            reset_pc: 0x8000_0000,
            misaligned: MisalignedPolicy::Perform,
            icache_pages: 1024,
        }
    }
}

/// Which optional privileged features the hart implements. Part 1 of the hart model has
/// M and U only; S and H arrive with their CSRs (part 2). The CSR file already consults these
/// flags so the S/H-dependent WARL masks (medeleg, mideleg, mstatus.SUM/MXR/TVM/TSR ...) are
/// written and tested once.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Features {
    /// S-mode (misa.S).
    pub s: bool,
    /// The hypervisor extension (misa.H).
    pub h: bool,
}
