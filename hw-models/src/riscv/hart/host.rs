//! The HS-side API: what a hypervisor (or firmware) written in Rust does on the hart instead
//! of executing instructions — CSR instructions, xRET, HLV/HLVX/HSV, HFENCE — with the same
//! permission checks and results as the instructions (docs/riscv-hart.md, "HS-host API").

use sim_core::AccessWidth;

use super::bus::Bus;
use super::csr::access::{CsrFault, CsrOp, csr_op};
use super::csr::hypervisor::{read_hstatus, write_hstatus};
use super::csr::supervisor::{read_sstatus, write_sepc, write_sstatus};
use super::system::{rules, sign_extend};
use super::trap::{self, Exception};
use super::{Hart, NO_PAGE};
use crate::riscv::cause::irq;
use crate::riscv::hw::{GuestContext, TrapCsrs};
use crate::riscv::privilege::Mode;

/// A CSR instruction's effect, with its operand.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CsrAccess {
    /// `csrr` (CSRRS with rs1 = x0: never writes).
    Read,
    /// `csrw`/CSRRW.
    Write(u64),
    /// CSRRS with a nonzero operand register (a zero value still counts as a write, as
    /// for the instruction with rs1 ≠ x0).
    Set(u64),
    /// CSRRC likewise.
    Clear(u64),
}

impl Hart {
    /// Executes a CSR instruction as if in `mode` (normally [`Mode::HS`]), with every
    /// hardware permission check, and returns the old value. The exception carries cause 2
    /// (illegal) or 22 (virtual instruction) with tval 0 (there are no instruction bits). The
    /// hart's own mode is unchanged. `time` reads the value last latched by [`Hart::run`] or
    /// set with [`Hart::set_time`].
    ///
    /// ```
    /// use hw_models::riscv::hart::{CsrAccess, Hart, HartConfig};
    /// use hw_models::riscv::{Mode, csr_num};
    /// let mut hart = Hart::new(HartConfig::default());
    /// hart.csr_access(Mode::HS, csr_num::HVIP, CsrAccess::Write(1 << 10)).unwrap();
    /// assert_eq!(hart.csr_access(Mode::HS, csr_num::HIP, CsrAccess::Read).unwrap(), 1 << 10);
    /// // M-level CSRs are out of reach from HS.
    /// assert_eq!(hart.csr_access(Mode::HS, csr_num::MSTATUS, CsrAccess::Read).unwrap_err().cause, 2);
    /// ```
    pub fn csr_access(&mut self, mode: Mode, csr: u16, op: CsrAccess) -> Result<u64, Exception> {
        let (o, operand, writes) = match op {
            CsrAccess::Read => (CsrOp::Set, 0, false),
            CsrAccess::Write(v) => (CsrOp::Write, v, true),
            CsrAccess::Set(v) => (CsrOp::Set, v, true),
            CsrAccess::Clear(v) => (CsrOp::Clear, v, true),
        };
        let saved = core::mem::replace(&mut self.st.mode, mode);
        let r = csr_op(&mut self.st, csr, o, operand, writes);
        self.st.mode = saved;
        self.fetch_vpn = NO_PAGE;
        r.map_err(|f| match f {
            CsrFault::Illegal => Exception::illegal(0),
            CsrFault::Virtual => Exception::virtual_insn(0),
        })
    }

    /// The CSR half of a world switch into the guest: sstatus, hstatus and sepc take the
    /// guest's values (each written with its WARL rules, as `csrrw` in HS-mode would; HS
    /// may always access these three, so no access check runs), and the hypervisor's
    /// sstatus and hstatus come back for [`Hart::swap_out_guest`]. Call in HS-mode, before
    /// [`Hart::sret`].
    pub fn swap_in_guest(&mut self, guest: &GuestContext) -> (u64, u64) {
        // The CSRs' own read/write functions (their WARL rules), called directly: the
        // switch runs once per exit and needs no lookup.
        let st = &mut self.st;
        let sstatus = read_sstatus(st);
        let hstatus = read_hstatus(st);
        write_sstatus(st, guest.sstatus);
        write_hstatus(st, guest.hstatus);
        write_sepc(st, guest.sepc);
        (sstatus, hstatus)
    }

    /// The CSR half of the switch back after a trap into HS (or a preemption): the guest's
    /// sstatus, hstatus and sepc as the trap left them go to `guest`, the hypervisor's
    /// `hyp` = (sstatus, hstatus) are restored.
    pub fn swap_out_guest(&mut self, hyp: (u64, u64), guest: &mut GuestContext) {
        let st = &mut self.st;
        guest.sstatus = read_sstatus(st);
        guest.hstatus = read_hstatus(st);
        write_sstatus(st, hyp.0);
        write_hstatus(st, hyp.1);
        guest.sepc = st.csr.sepc;
    }

    /// scause, stval, htval and htinst: what the last trap into HS wrote.
    pub fn trap_csrs(&self) -> TrapCsrs {
        let c = &self.st.csr;
        TrapCsrs {
            scause: c.scause,
            stval: c.stval,
            htval: c.htval,
            htinst: c.htinst,
        }
    }

    /// Whether MTI or MSI is pending in `mip` and enabled in `mie`: the only M-level
    /// interrupts the firmware's `service_interrupts` acts on, so when this is false it has
    /// nothing to do. A plain read of two fields, for the board's per-access check.
    #[inline]
    pub(crate) fn m_soft_or_timer_irq_ready(&self) -> bool {
        const MASK: u64 = (1 << irq::MTI) | (1 << irq::MSI);
        let c = &self.st.csr;
        // mip.MTIP and mip.MSIP come only from the board's lines: software cannot write
        // them (mip's writable bits are SSIP, STIP, SEIP and the VSSIP alias), and the
        // Sstc, hvip and hgeip terms of `mip()` hold S- and VS-level bits only. So the
        // lines alone give the same answer as the whole `mip()` (tested in csr_tests).
        c.lines & c.line_mask & c.mie & MASK != 0
    }

    /// SRET from the current mode without fetching: the state transition of the instruction
    /// (from HS/M: privilege = sstatus.SPP, V = hstatus.SPV; from VS: vsstatus), pc = sepc
    /// (vsepc). Fails like the instruction (TSR, VTSR, U/VU).
    pub fn sret(&mut self) -> Result<(), Exception> {
        let c = &self.st.csr;
        rules::sret(self.st.mode, c.mstatus, c.hstatus, 0)?;
        if self.st.mode.virt {
            trap::sret_vs(&mut self.st);
        } else {
            trap::sret_hs(&mut self.st);
        }
        self.fetch_vpn = NO_PAGE;
        self.waiting = false;
        Ok(())
    }

    /// MRET without fetching: privilege = MPP, V = MPV (unless MPP = M), pc = mepc. Fails
    /// with illegal-instruction outside M-mode.
    pub fn mret(&mut self) -> Result<(), Exception> {
        if self.st.mode != Mode::M {
            return Err(Exception::illegal(0));
        }
        trap::mret(&mut self.st);
        self.fetch_vpn = NO_PAGE;
        self.waiting = false;
        Ok(())
    }

    /// HLV/HLVX as executed in HS-mode: a load from guest-virtual `va` with two-stage
    /// translation, privilege hstatus.SPVP, vsstatus.SUM/MXR (norm:hlsv_trans). `hlvx`
    /// requires execute permission instead of read (only `Word`/`Dword` exist for HLVX; other
    /// widths raise illegal-instruction). On failure the exception carries the values the
    /// trap would write: cause, tval (the guest VA), tval2 (htval = GPA >> 2), tinst (the
    /// transformed HLV with rd = x0, or a pseudoinstruction).
    pub fn hyp_load<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        width: AccessWidth,
        signed: bool,
        hlvx: bool,
    ) -> Result<u64, Exception> {
        let size = width.size();
        if hlvx && !matches!(width, AccessWidth::Word | AccessWidth::Dword) {
            return Err(Exception::illegal(0));
        }
        self.sync_ram_cache(bus);
        let r = self.hyp_access_load(bus, va, size, false, hlvx);
        let v = r.map_err(|e| with_hyp_tinst(e, va, hlv_encoding(width, signed, hlvx)))?;
        Ok(if signed { sign_extend(v, size) } else { v })
    }

    /// HSV as executed in HS-mode: a store of the low `width` bytes of `value` to
    /// guest-virtual `va`. Failure as for [`Hart::hyp_load`].
    pub fn hyp_store<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        width: AccessWidth,
        value: u64,
    ) -> Result<(), Exception> {
        self.sync_ram_cache(bus);
        self.hyp_access_store(bus, va, width.size(), value)
            .map_err(|e| with_hyp_tinst(e, va, hsv_encoding(width)))
    }

    /// HFENCE.VVMA with rs1 = `vaddr` and rs2 = `asid` (`None` = x0) for the current
    /// hgatp.VMID, as executed in HS-mode (no permission check).
    pub fn hfence_vvma(&mut self, vaddr: Option<u64>, asid: Option<u64>) {
        self.do_hfence_vvma(vaddr, asid);
        self.fetch_vpn = NO_PAGE;
        self.forget_last_pages();
    }

    /// HFENCE.GVMA for guest-physical `gaddr` (the address itself, not rs1 = gaddr >> 2) and
    /// VMID `vmid` (`None` = x0).
    pub fn hfence_gvma(&mut self, gaddr: Option<u64>, vmid: Option<u64>) {
        self.do_hfence_gvma(gaddr, vmid);
        self.fetch_vpn = NO_PAGE;
        self.forget_last_pages();
    }

    /// x0..x31.
    pub fn gprs(&self) -> [u64; 32] {
        self.st.x
    }

    /// Loads x1..x31 (x0 stays 0).
    pub fn set_gprs(&mut self, x: &[u64; 32]) {
        self.st.x = *x;
        self.st.x[0] = 0;
    }

    /// Sets the value of `time` the hart uses outside [`Hart::run`] (CSR reads through
    /// [`Hart::csr_access`], Sstc comparators). `run` latches it from [`Bus::time`].
    pub fn set_time(&mut self, time: u64) {
        self.st.time = time;
        self.st.csr.refresh_timers(time);
    }

    /// The earliest `time` value at which an Sstc comparator (stimecmp, or vstimecmp with
    /// htimedelta) will raise STIP/VSTIP, if one is armed and not yet pending. A board that
    /// fast-forwards time for WFI must not skip past it.
    pub fn next_timer_deadline(&self) -> Option<u64> {
        use super::csr::envcfg::STCE;
        let c = &self.st.csr;
        if c.menvcfg & STCE == 0 {
            return None;
        }
        let mut d = None::<u64>;
        if self.st.time < c.stimecmp {
            d = Some(c.stimecmp);
        }
        if c.henvcfg_effective() & STCE != 0 {
            let guest_now = self.st.time.wrapping_add(c.htimedelta);
            if guest_now < c.vstimecmp {
                let at = self.st.time.saturating_add(c.vstimecmp - guest_now);
                d = Some(d.map_or(at, |x| x.min(at)));
            }
        }
        d
    }
}

/// The HLV/HLVX instruction a load of `width` stands for (rd = rs1 = x0).
fn hlv_encoding(width: AccessWidth, signed: bool, hlvx: bool) -> u32 {
    use crate::riscv::isa::encode::{self as e, Reg};
    let z = Reg::ZERO;
    match (width, signed, hlvx) {
        (AccessWidth::Byte, true, _) => e::hlv_b(z, z),
        (AccessWidth::Byte, false, _) => e::hlv_bu(z, z),
        (AccessWidth::Word, _, true) => e::hlvx_hu(z, z),
        (AccessWidth::Word, true, _) => e::hlv_h(z, z),
        (AccessWidth::Word, false, _) => e::hlv_hu(z, z),
        (AccessWidth::Dword, _, true) => e::hlvx_wu(z, z),
        (AccessWidth::Dword, true, _) => e::hlv_w(z, z),
        (AccessWidth::Dword, false, _) => e::hlv_wu(z, z),
        (AccessWidth::Qword, _, _) => e::hlv_d(z, z),
    }
}

/// The HSV instruction a store of `width` stands for (rs1 = rs2 = x0).
fn hsv_encoding(width: AccessWidth) -> u32 {
    use crate::riscv::isa::encode::{self as e, Reg};
    let z = Reg::ZERO;
    match width {
        AccessWidth::Byte => e::hsv_b(z, z),
        AccessWidth::Word => e::hsv_h(z, z),
        AccessWidth::Dword => e::hsv_w(z, z),
        AccessWidth::Qword => e::hsv_d(z, z),
    }
}

/// The tinst an HS-mode HLV/HSV trap would carry (rs1 field = address offset, rd = x0,
/// rs2 of HSV = x0).
fn with_hyp_tinst(mut e: Exception, va: u64, enc: u32) -> Exception {
    if e.tinst == 0 && !e.implicit {
        let insn = crate::riscv::isa::decode(enc);
        e.tinst = super::tinst::transform(insn, e.cause, e.tval, va);
    }
    e
}
