//! [`HartHandle`]: the physical hart HS code runs on, as the [`RiscvHardware`] seam.

use sim_core::AccessWidth;

use super::env::FwEnv;
use super::{BoardStop, Platform};
use crate::riscv::PrivLevel;
use crate::riscv::csr_num;
use crate::riscv::firmware::{HsmState, MTrapAction};
use crate::riscv::hart::{CsrAccess, Exception, Hart, StopReason};
use crate::riscv::hw::{GuestContext, GuestRunEnd, HwTrap, RiscvHardware, SbiRet};
use crate::riscv::privilege::Mode;

/// sstatus fields a preemption writes (priv "Supervisor Status Register").
const SSTATUS_SIE: u64 = 1 << 1;
const SSTATUS_SPIE: u64 = 1 << 5;
const SSTATUS_SPP: u64 = 1 << 8;
/// hstatus fields (priv "Hypervisor Status Register").
const HSTATUS_SPV: u64 = 1 << 7;
const HSTATUS_SPVP: u64 = 1 << 8;

/// One physical hart of a [`Platform`], borrowed for HS code running on it. Every method
/// acts as the corresponding HS-mode instruction on that hart.
#[derive(Debug)]
pub struct HartHandle<'a> {
    p: &'a mut Platform,
    n: usize,
}

fn hw_trap(e: Exception) -> HwTrap {
    HwTrap {
        cause: e.cause,
        tval: e.tval,
        htval: e.tval2,
        htinst: e.tinst,
    }
}

impl<'a> HartHandle<'a> {
    pub(crate) fn new(p: &'a mut Platform, n: usize) -> Self {
        Self { p, n }
    }

    /// The hart id.
    pub fn hart_id(&self) -> usize {
        self.n
    }

    /// The hart model (inspection).
    pub fn hart(&self) -> &Hart {
        // `n` was checked when the handle was made and harts are never removed.
        &self.p.harts[self.n]
    }

    /// The board.
    pub fn platform(&mut self) -> &mut Platform {
        self.p
    }

    fn hart_mut(&mut self) -> &mut Hart {
        &mut self.p.harts[self.n]
    }

    fn csr(&mut self, csr: u16, op: CsrAccess) -> Result<u64, HwTrap> {
        self.p.service(self.n);
        self.hart_mut()
            .csr_access(Mode::HS, csr, op)
            .map_err(hw_trap)
    }

    /// Ends a slice with the guest still running: the state a trap into HS would leave,
    /// minus scause/stval/htval/htinst — sepc = guest pc, hstatus.SPV/SPVP and sstatus.SPP
    /// name the guest's mode, SPIE <- SIE, SIE <- 0 — so the next SRET resumes the guest.
    fn preempt(&mut self) {
        let h = self.hart_mut();
        let mode = h.mode();
        let pc = h.pc();
        h.set_mode(Mode::HS);
        if mode.privilege == PrivLevel::Machine {
            return;
        }
        let s_prev = mode.privilege == PrivLevel::Supervisor;
        let _ = h.csr_access(Mode::HS, csr_num::SEPC, CsrAccess::Write(pc));
        let ss = h
            .csr_access(Mode::HS, csr_num::SSTATUS, CsrAccess::Read)
            .unwrap_or(0);
        let mut ns = ss & !(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP);
        if ss & SSTATUS_SIE != 0 {
            ns |= SSTATUS_SPIE;
        }
        if s_prev {
            ns |= SSTATUS_SPP;
        }
        let _ = h.csr_access(Mode::HS, csr_num::SSTATUS, CsrAccess::Write(ns));
        let hs = h
            .csr_access(Mode::HS, csr_num::HSTATUS, CsrAccess::Read)
            .unwrap_or(0);
        let mut nh = hs & !HSTATUS_SPV;
        if mode.virt {
            nh = (nh | HSTATUS_SPV) & !HSTATUS_SPVP;
            if s_prev {
                nh |= HSTATUS_SPVP;
            }
        }
        let _ = h.csr_access(Mode::HS, csr_num::HSTATUS, CsrAccess::Write(nh));
    }

    /// Returns control to HS code: the guest's registers and CSRs saved (and the trap
    /// CSRs on a trap), the hypervisor's sstatus and hstatus restored, M-level interrupts
    /// serviced.
    fn back_to_hs(
        &mut self,
        hyp: (u64, u64),
        guest: &mut GuestContext,
        end: GuestRunEnd,
    ) -> GuestRunEnd {
        if end == GuestRunEnd::SliceEnd {
            self.preempt();
        }
        let h = self.hart_mut();
        guest.gprs.x = h.gprs();
        guest.gprs.x[0] = 0;
        h.swap_out_guest(hyp, guest);
        if end == GuestRunEnd::Trap {
            guest.trap = h.trap_csrs();
        }
        self.p.service_all();
        end
    }

    /// The board's reaction to a stop other than a trap into HS. `Some` ends the run.
    fn after_stop(&mut self, stop: StopReason) -> Option<GuestRunEnd> {
        let n = self.n;
        match stop {
            StopReason::HsTrap => Some(GuestRunEnd::Trap),
            StopReason::MTrap => {
                let p = &mut *self.p;
                let mut env = FwEnv {
                    harts: &mut p.harts,
                    hw: &mut p.hw,
                };
                match p.fw.handle_mtrap(&mut env, n) {
                    MTrapAction::Mret => {
                        let h = &mut p.harts[n];
                        if h.mret().is_err() {
                            return Some(GuestRunEnd::SliceEnd);
                        }
                        // A redirected exception lands in HS: that is the trap into HS.
                        (h.mode() == Mode::HS).then_some(GuestRunEnd::Trap)
                    }
                    MTrapAction::Fatal { cause, epc } => {
                        p.hw.stop = Some(BoardStop::FirmwareFault {
                            hart: n,
                            cause,
                            epc,
                        });
                        Some(GuestRunEnd::SliceEnd)
                    }
                }
            }
            StopReason::Attention => {
                let hw = &mut self.p.hw;
                if hw.bus.clint_dirty {
                    hw.bus.clint_dirty = false;
                    hw.reschedule_all();
                }
                if let Some(s) = hw.bus.finisher_status() {
                    hw.stop = Some(BoardStop::Finisher(s));
                    return Some(GuestRunEnd::SliceEnd);
                }
                None
            }
            StopReason::Wfi => {
                // Nothing pending: jump to the next event, or give the slice back so the
                // caller (which may inject an interrupt) decides.
                let p = &mut *self.p;
                if p.hw.skip_to_next_event(&mut p.harts) {
                    None
                } else {
                    Some(GuestRunEnd::SliceEnd)
                }
            }
            StopReason::Budget | StopReason::WatchedStore { .. } => None,
        }
    }
}

impl RiscvHardware for HartHandle<'_> {
    fn csr_read(&mut self, csr: u16) -> Result<u64, HwTrap> {
        self.csr(csr, CsrAccess::Read)
    }

    fn csr_write(&mut self, csr: u16, value: u64) -> Result<(), HwTrap> {
        self.csr(csr, CsrAccess::Write(value)).map(|_| ())
    }

    fn csr_set(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap> {
        self.csr(csr, CsrAccess::Set(bits))
    }

    fn csr_clear(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap> {
        self.csr(csr, CsrAccess::Clear(bits))
    }

    fn hfence_vvma(&mut self, vaddr: Option<u64>, asid: Option<u64>) {
        self.hart_mut().hfence_vvma(vaddr, asid);
    }

    fn hfence_gvma(&mut self, gaddr: Option<u64>, vmid: Option<u64>) {
        self.hart_mut().hfence_gvma(gaddr, vmid);
    }

    fn hlv(&mut self, addr: u64, width: AccessWidth, signed: bool) -> Result<u64, HwTrap> {
        let p = &mut *self.p;
        p.hw.bus.current = self.n;
        p.harts[self.n]
            .hyp_load(&mut p.hw.bus, addr, width, signed, false)
            .map_err(hw_trap)
    }

    fn hlvx(&mut self, addr: u64, width: AccessWidth) -> Result<u64, HwTrap> {
        let p = &mut *self.p;
        p.hw.bus.current = self.n;
        p.harts[self.n]
            .hyp_load(&mut p.hw.bus, addr, width, false, true)
            .map_err(hw_trap)
    }

    fn hsv(&mut self, addr: u64, width: AccessWidth, value: u64) -> Result<(), HwTrap> {
        let p = &mut *self.p;
        p.hw.bus.current = self.n;
        p.harts[self.n]
            .hyp_store(&mut p.hw.bus, addr, width, value)
            .map_err(hw_trap)
    }

    fn run_guest(&mut self, guest: &mut GuestContext) -> GuestRunEnd {
        let n = self.n;
        if self.p.hw.stop.is_some() || self.p.fw.hsm_state(n) != Some(HsmState::Started) {
            // Nothing runs on a stopped board or a stopped hart.
            return GuestRunEnd::SliceEnd;
        }
        if guest.hstatus & HSTATUS_SPV == 0 {
            // run_guest is SRET into V=1; SPV = 0 would enter HS/U code, which on this
            // board is Rust: nothing is entered.
            return GuestRunEnd::SliceEnd;
        }
        self.p.service(n);
        let hyp = {
            let h = self.hart_mut();
            if h.mode() != Mode::HS {
                return GuestRunEnd::SliceEnd;
            }
            let hyp = h.swap_in_guest(guest);
            h.set_gprs(&guest.gprs.x);
            if h.sret().is_err() {
                // SRET from HS faults only with mstatus.TSR, which the firmware never sets.
                h.swap_out_guest(hyp, guest);
                return GuestRunEnd::SliceEnd;
            }
            hyp
        };
        let mut left = self.p.slice;
        loop {
            let p = &mut *self.p;
            let now = p.hw.now();
            let until =
                p.hw.next_event(&p.harts)
                    .map_or(u64::MAX, |t| p.hw.bus.clock.insns_until(t.max(now)));
            let budget = left.min(until.max(1));
            let h = &mut p.harts[n];
            let before = h.retired();
            p.hw.bus.current = n;
            let stop = p.insn_trace.run(h, &mut p.hw.bus, n, budget);
            let retired = h.retired();
            p.hw.bus.sync(retired);
            p.hw.update_lines(&mut p.harts);
            let used = if stop == StopReason::Budget {
                budget
            } else {
                retired.wrapping_sub(before).max(1)
            };
            left = left.saturating_sub(used);
            if let Some(end) = self.after_stop(stop) {
                return self.back_to_hs(hyp, guest, end);
            }
            if left == 0 {
                return self.back_to_hs(hyp, guest, GuestRunEnd::SliceEnd);
            }
        }
    }

    fn sbi_call(&mut self, eid: u64, fid: u64, args: [u64; 6]) -> SbiRet {
        let n = self.n;
        let p = &mut *self.p;
        let mut env = FwEnv {
            harts: &mut p.harts,
            hw: &mut p.hw,
        };
        let r = p.fw.call(&mut env, n, eid, fid, args);
        p.hw.update_lines(&mut p.harts);
        p.service_all();
        r
    }
}
