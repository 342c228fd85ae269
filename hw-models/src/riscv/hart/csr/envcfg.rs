//! menvcfg / henvcfg / senvcfg fields (priv "Machine Environment Configuration Register",
//! hypervisor "henvcfg", supervisor "senvcfg").

/// Fence of I/O implies memory.
pub const FIOM: u64 = 1 << 0;
/// Svadu: hardware A/D updates (norm:menvcfg_adue_op, norm:henvcfg_adue_op).
pub const ADUE: u64 = 1 << 61;
/// Sstc: `stimecmp`/`vstimecmp` enable (norm:menvcfg_stce_op1).
pub const STCE: u64 = 1 << 63;

/// Writable `menvcfg` bits: FIOM, ADUE (Svadu), STCE (Sstc). CBIE/CBCFE/CBZE (no Zicbo*),
/// PBMTE (no Svpbmt), PMM, LPE, SSE, DTE are read-only zero.
pub const MENVCFG_MASK: u64 = FIOM | ADUE | STCE;
/// Writable `henvcfg` bits (ADUE/STCE additionally read zero while clear in `menvcfg`).
pub const HENVCFG_MASK: u64 = FIOM | ADUE | STCE;
/// Writable `senvcfg` bits: FIOM only.
pub const SENVCFG_MASK: u64 = FIOM;
