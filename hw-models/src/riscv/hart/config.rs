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
    /// HS-host mode, for a hypervisor written in Rust on top of the hart: [`super::Hart::run`]
    /// returns [`super::StopReason::HsTrap`] right after a trap is taken into HS-mode and
    /// [`super::StopReason::MTrap`] right after a trap into M-mode, instead of executing the
    /// handler. With `false` (bare-machine boards) every mode's code is interpreted.
    pub hs_host: bool,
    /// Software TLB slots (power of two; see docs/riscv-mmu.md).
    pub tlb_entries: usize,
}

impl Default for HartConfig {
    fn default() -> Self {
        Self {
            hart_id: 0,
            reset_pc: 0x8000_0000,
            misaligned: MisalignedPolicy::Perform,
            icache_pages: 1024,
            hs_host: false,
            tlb_entries: crate::riscv::mmu::tlb::DEFAULT_ENTRIES,
        }
    }
}

/// Which optional privileged features the hart implements. The model implements S and H
/// ([`Features::default`]); the flags remain so the M/U-only masks stay testable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Features {
    /// S-mode (misa.S).
    pub s: bool,
    /// The hypervisor extension (misa.H).
    pub h: bool,
}

impl Default for Features {
    fn default() -> Self {
        Self { s: true, h: true }
    }
}
