//! Privileged instructions beyond Zicsr: SRET, WFI, SFENCE.VMA, HFENCE.VVMA/GVMA and the
//! hypervisor virtual-machine loads and stores (priv "Supervisor Instructions", hypervisor
//! "Hypervisor Instructions", "Virtual-Instruction Exceptions").

use super::bus::Bus;
use super::csr::hstatus::{HU, VTSR, VTVM, VTW};
use super::csr::mstatus::{TSR, TVM, TW};
use super::trap::{self, Exception, tval_is_address};
use super::xlate::{ctx_for, hyp_mode};
use super::{Hart, NO_PAGE, StopReason};
use crate::riscv::isa::Insn;
use crate::riscv::mmu::atp::Hgatp;
use crate::riscv::privilege::{Mode, PrivLevel};

/// Which mode class an instruction executes in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    M,
    Hs,
    U,
    Vs,
    Vu,
}

const fn class(m: Mode) -> Class {
    match (m.privilege, m.virt) {
        (PrivLevel::Machine, _) => Class::M,
        (PrivLevel::Supervisor, false) => Class::Hs,
        (PrivLevel::User, false) => Class::U,
        (PrivLevel::Supervisor, true) => Class::Vs,
        (PrivLevel::User, true) => Class::Vu,
    }
}

/// The permission rules, shared by the interpreter and the host API (which passes the mode
/// the operation is performed as).
pub(crate) mod rules {
    use super::*;

    /// SRET (norm:H_virtinst_vu_sret_sfence, norm:H_virtinst_vs_sret_vtsr1, mstatus.TSR).
    pub(crate) fn sret(mode: Mode, mstatus: u64, hstatus: u64, raw: u32) -> Result<(), Exception> {
        match class(mode) {
            Class::U => Err(Exception::illegal(raw)),
            Class::Vu => Err(Exception::virtual_insn(raw)),
            Class::Hs if mstatus & TSR != 0 => Err(Exception::illegal(raw)),
            Class::Vs if hstatus & VTSR != 0 => Err(Exception::virtual_insn(raw)),
            _ => Ok(()),
        }
    }

    /// WFI. hvsim's "implementation-specific bounded time" is zero: with TW=1 (or VTW=1 in
    /// VS) WFI traps at once (norm:MSTATUS_TW_TIME_LIMIT, norm:vtw_virtinstr). TW takes
    /// precedence over VTW (mstatus.TW applies to every mode but M; an illegal-instruction
    /// exception outranks the virtual-instruction one).
    pub(crate) fn wfi(mode: Mode, mstatus: u64, hstatus: u64, raw: u32) -> Result<(), Exception> {
        let c = class(mode);
        if c == Class::M {
            return Ok(());
        }
        if mstatus & TW != 0 {
            return Err(Exception::illegal(raw));
        }
        match c {
            // norm:mstatus_tw_umode_op: WFI in U-mode is illegal when S exists.
            Class::U => Err(Exception::illegal(raw)),
            // norm:H_virtinst_vu_wfi_tw0
            Class::Vu => Err(Exception::virtual_insn(raw)),
            // norm:H_virtinst_wfi_vtw1_tw0
            Class::Vs if hstatus & VTW != 0 => Err(Exception::virtual_insn(raw)),
            _ => Ok(()),
        }
    }

    /// SFENCE.VMA (mstatus.TVM in HS; norm:H_virtinst_vs_sfence_sinval_satp_vtvm1;
    /// norm:H_virtinst_vu_sret_sfence). TVM is ignored in VS-mode.
    pub(crate) fn sfence(
        mode: Mode,
        mstatus: u64,
        hstatus: u64,
        raw: u32,
    ) -> Result<(), Exception> {
        match class(mode) {
            Class::U => Err(Exception::illegal(raw)),
            Class::Vu => Err(Exception::virtual_insn(raw)),
            Class::Hs if mstatus & TVM != 0 => Err(Exception::illegal(raw)),
            Class::Vs if hstatus & VTVM != 0 => Err(Exception::virtual_insn(raw)),
            _ => Ok(()),
        }
    }

    /// HFENCE.VVMA / HFENCE.GVMA: HS or M only; virtual-instruction from V=1
    /// (norm:H_virtinst_vu_vs_hinst); illegal from U (whatever HU says, norm:hstatus_hu_op
    /// covers only HLV/HLVX/HSV); HFENCE.GVMA in HS with TVM=1 is illegal (hypervisor
    /// "mstatus": TVM=1 prevents HFENCE.GVMA).
    pub(crate) fn hfence(mode: Mode, mstatus: u64, gvma: bool, raw: u32) -> Result<(), Exception> {
        match class(mode) {
            Class::U => Err(Exception::illegal(raw)),
            Class::Vs | Class::Vu => Err(Exception::virtual_insn(raw)),
            Class::Hs if gvma && mstatus & TVM != 0 => Err(Exception::illegal(raw)),
            _ => Ok(()),
        }
    }

    /// HLV/HLVX/HSV: HS or M; U only with hstatus.HU=1 (norm:hstatus_hu_op); V=1 →
    /// virtual-instruction (norm:H_virtinst_vu_vs_hinst).
    pub(crate) fn hlsv(mode: Mode, hstatus: u64, raw: u32) -> Result<(), Exception> {
        match class(mode) {
            Class::U if hstatus & HU == 0 => Err(Exception::illegal(raw)),
            Class::Vs | Class::Vu => Err(Exception::virtual_insn(raw)),
            _ => Ok(()),
        }
    }
}

/// `Some(x[r])` unless the operand register is x0 (the "all" forms of the fences).
fn operand(x: &[u64; 32], r: u8) -> Option<u64> {
    (r & 31 != 0).then(|| x[usize::from(r & 31)])
}

impl Hart {
    /// Leaves the inner loop and drops everything derived from translation state.
    pub(crate) fn translation_changed(&mut self) {
        self.fetch_vpn = NO_PAGE;
        self.forget_last_pages();
        self.exit = true;
    }

    pub(crate) fn exec_sret(&mut self, insn: Insn) -> Result<u64, Exception> {
        let c = &self.st.csr;
        rules::sret(self.st.mode, c.mstatus, c.hstatus, insn.raw)?;
        if self.st.mode.virt {
            trap::sret_vs(&mut self.st);
        } else {
            trap::sret_hs(&mut self.st);
        }
        self.translation_changed();
        Ok(self.st.pc)
    }

    /// WFI (norm:wfi_op): with no interrupt pending and enabled in mie the hart stalls and
    /// the slice ends so the board can advance time.
    pub(crate) fn exec_wfi(&mut self, insn: Insn, next: u64) -> Result<u64, Exception> {
        let c = &self.st.csr;
        rules::wfi(self.st.mode, c.mstatus, c.hstatus, insn.raw)?;
        if !trap::wfi_wakes(&self.st) {
            self.waiting = true;
            self.request_stop(StopReason::Wfi);
        }
        Ok(next)
    }

    /// SFENCE.VMA: at V=0 it fences the HS-level (V=0) translations (norm:sfence_vma_v0); at
    /// V=1 the VS-stage translations of the current VMID (norm:sfence_vma_v1). The ASID
    /// operand is masked to ASIDLEN = 16 by the TLB.
    pub(crate) fn exec_sfence(&mut self, insn: Insn) -> Result<(), Exception> {
        let c = &self.st.csr;
        rules::sfence(self.st.mode, c.mstatus, c.hstatus, insn.raw)?;
        let va = operand(&self.st.x, insn.rs1);
        let asid = operand(&self.st.x, insn.rs2);
        let vmid = u64::from(Hgatp::decode(c.hgatp).vmid);
        self.tlb.sfence_vma(self.st.mode.virt, vmid, va, asid);
        self.translation_changed();
        Ok(())
    }

    pub(crate) fn exec_hfence(&mut self, insn: Insn, gvma: bool) -> Result<(), Exception> {
        rules::hfence(self.st.mode, self.st.csr.mstatus, gvma, insn.raw)?;
        let a = operand(&self.st.x, insn.rs1);
        let b = operand(&self.st.x, insn.rs2);
        if gvma {
            self.do_hfence_gvma(a.map(|g| g << 2), b);
        } else {
            self.do_hfence_vvma(a, b);
        }
        self.translation_changed();
        Ok(())
    }

    /// HFENCE.VVMA for the current `hgatp`.VMID (norm:hfence-vvma_mode).
    pub(crate) fn do_hfence_vvma(&mut self, va: Option<u64>, asid: Option<u64>) {
        let vmid = u64::from(Hgatp::decode(self.st.csr.hgatp).vmid);
        self.tlb.hfence_vvma(vmid, va, asid);
    }

    /// HFENCE.GVMA with the guest-physical address itself (the instruction's rs1 << 2); the
    /// VMID operand is masked to VMIDLEN by the TLB (norm:hfence-gvma_vmid).
    pub(crate) fn do_hfence_gvma(&mut self, gpa: Option<u64>, vmid: Option<u64>) {
        self.tlb.hfence_gvma(vmid, gpa);
    }

    /// An HLV/HLVX load of `size` bytes as V=1 with privilege hstatus.SPVP, sign- or
    /// zero-extended. Faults carry GVA = 1 (the address is a guest virtual address).
    pub(crate) fn hyp_access_load<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        size: usize,
        signed: bool,
        hlvx: bool,
    ) -> Result<u64, Exception> {
        let ctx = ctx_for(&self.st, hyp_mode(&self.st), hlvx);
        let saved = core::mem::replace(&mut self.data_ctx, ctx);
        self.forget_last_pages();
        let r = self.load(bus, va, size);
        self.data_ctx = saved;
        self.forget_last_pages();
        let v = r.map_err(mark_gva)?;
        Ok(if signed { sign_extend(v, size) } else { v })
    }

    /// An HSV store as V=1 with privilege hstatus.SPVP.
    pub(crate) fn hyp_access_store<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        size: usize,
        value: u64,
    ) -> Result<(), Exception> {
        let ctx = ctx_for(&self.st, hyp_mode(&self.st), false);
        let saved = core::mem::replace(&mut self.data_ctx, ctx);
        self.forget_last_pages();
        let r = self.store(bus, va, size, value);
        self.data_ctx = saved;
        self.forget_last_pages();
        r.map_err(mark_gva)
    }
}

fn mark_gva(mut e: Exception) -> Exception {
    if tval_is_address(e.cause) {
        e.gva = true;
    }
    e
}

/// Sign-extends the low `size` bytes.
pub(crate) const fn sign_extend(v: u64, size: usize) -> u64 {
    match size {
        1 => v as i8 as i64 as u64,
        2 => v as i16 as i64 as u64,
        4 => v as i32 as i64 as u64,
        _ => v,
    }
}
