//! Building the MMU's [`TranslateCtx`] from the CSRs (docs/riscv-mmu.md, "How the hart fills
//! TranslateCtx") and turning MMU faults into exceptions.

use super::csr::envcfg::ADUE;
use super::csr::hstatus::SPVP;
use super::csr::mstatus::{self, MPRV, MPV, MXR, SUM};
use super::state::ArchState;
use super::trap::Exception;
use crate::riscv::mmu::atp::MODE_SHIFT;
use crate::riscv::mmu::{Fault, TranslateCtx};
use crate::riscv::privilege::{Mode, PrivLevel};

/// The mode whose translation and protection explicit loads and stores use: the current
/// mode, or with `mstatus`.MPRV = 1 in M-mode, MPP and MPV (hypervisor "Effect of MPRV";
/// MPRV only matters in M-mode because every xRET to a lower mode clears it).
pub(crate) fn data_mode(st: &ArchState) -> Mode {
    let s = st.csr.mstatus;
    if st.mode.privilege == PrivLevel::Machine && s & MPRV != 0 {
        let mpp = mstatus::mpp(s);
        Mode {
            privilege: mpp,
            virt: mpp != PrivLevel::Machine && s & MPV != 0,
        }
    } else {
        st.mode
    }
}

/// The mode HLV/HLVX/HSV accesses act as: V=1 with privilege `hstatus`.SPVP
/// (norm:hstatus_spvp_op; MPRV does not apply).
pub(crate) fn hyp_mode(st: &ArchState) -> Mode {
    Mode {
        privilege: if st.csr.hstatus & SPVP != 0 {
            PrivLevel::Supervisor
        } else {
            PrivLevel::User
        },
        virt: true,
    }
}

/// The translation context for accesses made as `mode`, or `None` when they are not
/// translated (M-mode, or V=0 with `satp` Bare).
pub(crate) fn ctx_for(st: &ArchState, mode: Mode, hlvx: bool) -> Option<TranslateCtx> {
    let c = &st.csr;
    if mode.privilege == PrivLevel::Machine {
        return None;
    }
    let ms = c.mstatus;
    let menv_adue = c.menvcfg & ADUE != 0;
    if !mode.virt {
        if c.satp >> MODE_SHIFT == 0 {
            return None;
        }
        return Some(TranslateCtx {
            atp: c.satp,
            hgatp: 0,
            virt: false,
            privilege: mode.privilege,
            sum: ms & SUM != 0,
            mxr: ms & MXR != 0,
            hs_mxr: false,
            hlvx: false,
            adue: menv_adue,
            g_adue: false,
        });
    }
    let vs = c.vsstatus;
    Some(TranslateCtx {
        atp: c.vsatp,
        hgatp: c.hgatp,
        virt: true,
        privilege: mode.privilege,
        sum: vs & SUM != 0,
        mxr: (vs | ms) & MXR != 0,
        hs_mxr: ms & MXR != 0,
        hlvx,
        adue: c.henvcfg_effective() & ADUE != 0,
        g_adue: menv_adue,
    })
}

/// The exception for an MMU fault on an access to `va`. `virt`: the access was made as V=1,
/// so `va` is a guest virtual address (GVA).
pub(crate) fn fault_exception(f: Fault, va: u64, virt: bool) -> Exception {
    Exception {
        cause: f.cause(),
        tval: va,
        tval2: f.htval(),
        tinst: f.htinst(),
        gva: virt,
        implicit: matches!(f, Fault::Access { .. }) || f.htinst() != 0,
    }
}
