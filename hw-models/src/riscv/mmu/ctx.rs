//! The architectural state one translation depends on.

use crate::riscv::privilege::PrivLevel;

/// Everything [`translate`](super::translate) needs besides memory and the address. The hart
/// fills it from its CSRs for each access (or caches it until one of them changes).
///
/// ```
/// use hw_models::riscv::PrivLevel;
/// use hw_models::riscv::mmu::TranslateCtx;
/// // VS-mode with vsatp = Sv39 (root PPN 0x80), hgatp = Sv39x4 (VMID 1, root PPN 0x100).
/// let ctx = TranslateCtx {
///     atp: (8 << 60) | 0x80,
///     hgatp: (8 << 60) | (1 << 44) | 0x100,
///     virt: true,
///     ..TranslateCtx::bare(PrivLevel::Supervisor)
/// };
/// assert!(ctx.virt);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TranslateCtx {
    /// Raw `satp` (V=0) or `vsatp` (V=1, HLV/HLVX/HSV).
    pub atp: u64,
    /// Raw `hgatp`; used only when `virt`.
    pub hgatp: u64,
    /// Two-stage translation applies: V=1, or an HLV/HLVX/HSV, or MPRV with MPV=1
    /// (norm:H_vm_twostage, norm:hlsv_trans).
    pub virt: bool,
    /// Effective privilege of the access. `Machine` means no translation (satp is not active,
    /// norm:satp_op_active): the address is returned unchanged.
    pub privilege: PrivLevel,
    /// First-stage SUM: `sstatus`.SUM (V=0) or `vsstatus`.SUM (virt; HS-level SUM is ignored
    /// by HLV/HSV, norm:hlsv_trans).
    pub sum: bool,
    /// First-stage MXR: `sstatus`.MXR (V=0) or `vsstatus`.MXR | `sstatus`.MXR (virt)
    /// (norm:vsstatus_mxr_vm, norm:sstatus_mxr_vm).
    pub mxr: bool,
    /// HS-level `sstatus`.MXR, the only MXR that applies to the G-stage (norm:sstatus_mxr_vm,
    /// norm:hlsv_sstatus_mxr).
    pub hs_mxr: bool,
    /// HLVX: a `Load` that needs execute permission instead of read permission in both stages
    /// (norm:hlsv_u_op). Ignored for `Fetch` and `Store`.
    pub hlvx: bool,
    /// Svadu for the first stage: `menvcfg`.ADUE (V=0) or `henvcfg`.ADUE (virt)
    /// (norm:menvcfg_adue_op, norm:henvcfg_adue_op). Clear: Svade, A/D faults.
    pub adue: bool,
    /// Svadu for the G-stage: `menvcfg`.ADUE (norm:menvcfg_adue_op).
    pub g_adue: bool,
}

impl TranslateCtx {
    /// A context with Bare translation, no SUM/MXR/HLVX and Svade on both stages.
    pub const fn bare(privilege: PrivLevel) -> Self {
        Self {
            atp: 0,
            hgatp: 0,
            virt: false,
            privilege,
            sum: false,
            mxr: false,
            hs_mxr: false,
            hlvx: false,
            adue: false,
            g_adue: false,
        }
    }
}
