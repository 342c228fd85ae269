//! The interpreter loop and instruction fetch.
//!
//! The inner loop runs until the budget ends or something sets `exit`: per instruction it
//! tests that the pc is still in the page the fetch fast path serves, copies the cached
//! [`Insn`] out of the decode cache, executes it and counts it. Interrupts are checked only in
//! the outer loop — at the start of a slice and after whatever can change the pending or
//! enabled set (CSR writes, xRET, traps, line changes between slices) — so the common path
//! has no interrupt test at all.

use sim_core::mem::{PAGE_SHIFT, PAGE_SIZE};

use super::bus::Bus;
use super::csr::envcfg::STCE;
use super::mem::AccessType;
use super::trace::HartEvent;
use super::trap::{self, Exception};
use super::{Hart, NO_PAGE, StopReason, tinst, xlate};
use crate::riscv::cause::exc;
use crate::riscv::isa::{Insn, decode};
use crate::riscv::mmu::TranslateCtx;
use crate::riscv::privilege::{Mode, PrivLevel};

const PAGE_MASK: u64 = PAGE_SIZE as u64 - 1;
/// Instructions between two polls of the Sstc comparators while `menvcfg`.STCE = 1.
const TIMER_POLL: u64 = 1024;
/// The low two bits of a 32-bit (non-compressed) encoding.
const LEN32_BITS: u16 = 0b11;

/// A trace sink that does nothing; the untraced loop is monomorphised with it.
struct NoTrace;
/// Where events go.
trait Sink {
    const ON: bool;
    fn event(&mut self, e: HartEvent);
}
impl Sink for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn event(&mut self, _: HartEvent) {}
}
struct FnSink<'a>(&'a mut dyn FnMut(&HartEvent));
impl Sink for FnSink<'_> {
    const ON: bool = true;
    fn event(&mut self, e: HartEvent) {
        (self.0)(&e)
    }
}

impl Hart {
    /// Runs at most `budget` instructions (every attempted instruction counts, including
    /// ones that trap, so a trap loop cannot run forever) and reports why it stopped.
    pub fn run<B: Bus + ?Sized>(&mut self, bus: &mut B, budget: u64) -> StopReason {
        self.run_with(bus, budget, &mut NoTrace)
    }

    /// [`Hart::run`] that reports every retired instruction, exception and interrupt to
    /// `hook`.
    pub fn run_traced<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        budget: u64,
        hook: &mut dyn FnMut(&HartEvent),
    ) -> StopReason {
        self.run_with(bus, budget, &mut FnSink(hook))
    }

    fn run_with<B: Bus + ?Sized, S: Sink>(
        &mut self,
        bus: &mut B,
        budget: u64,
        sink: &mut S,
    ) -> StopReason {
        // The board may have changed the memory map between slices.
        self.sync_ram_cache(bus);
        let mut left = budget;
        loop {
            // Sstc comparators: polled here, so with STCE set the inner loop runs at most
            // TIMER_POLL instructions between polls (a timer interrupt's latency).
            let timers = self.st.csr.menvcfg & STCE != 0;
            if timers {
                self.st.time = bus.time(self.st.retired);
                self.st.csr.refresh_timers(self.st.time);
            }
            if self.waiting {
                if trap::wfi_wakes(&self.st) {
                    self.waiting = false;
                } else {
                    return StopReason::Wfi;
                }
            }
            if let Some(i) = trap::pending_interrupt(&self.st) {
                if S::ON {
                    sink.event(HartEvent::Interrupt {
                        pc: self.st.pc,
                        cause: i,
                    });
                }
                self.park_fetch();
                let to = trap::take_trap(&mut self.st, Exception::new(i, 0), true);
                self.fetch_vpn = NO_PAGE;
                if let Some(r) = self.host_stop(to) {
                    return r;
                }
            }
            self.refresh_ctx();
            self.unpark_fetch();
            self.exit = false;
            let floor = if timers {
                left.saturating_sub(TIMER_POLL)
            } else {
                0
            };
            // The pc lives in a local while the inner loop runs; `self.st.pc` is brought up
            // to date before anything that reads it (traps, the slow path) and on every exit.
            let mut pc = self.st.pc;
            while !self.exit {
                if left == floor {
                    self.st.pc = pc;
                    if left == 0 {
                        return StopReason::Budget;
                    }
                    break;
                }
                left -= 1;
                // One source for the instruction (a copy out of the cache array) keeps it in
                // registers; everything else goes through the cold `step_slow`.
                let cached = if pc >> PAGE_SHIFT == self.fetch_vpn {
                    self.icache.slot(self.fetch_page, pc & PAGE_MASK)
                } else {
                    None
                };
                let insn = match cached {
                    // Field by field, not `*i`: a whole-struct copy is lowered to a 16-byte
                    // spill and narrow reloads (a store-forwarding stall per instruction).
                    Some(i) if i.len != 0 => Insn {
                        op: i.op,
                        rd: i.rd,
                        rs1: i.rs1,
                        rs2: i.rs2,
                        len: i.len,
                        imm: i.imm,
                        raw: i.raw,
                    },
                    _ => {
                        self.st.pc = pc;
                        self.step_slow(bus, sink);
                        pc = self.st.pc;
                        continue;
                    }
                };
                pc = self.step(bus, sink, insn, pc);
            }
            self.st.pc = pc;
            if let Some(r) = self.stop.take() {
                return r;
            }
        }
    }

    /// Executes `insn` at `pc` with the retire/trap bookkeeping; returns the next pc.
    #[inline(always)]
    fn step<B: Bus + ?Sized, S: Sink>(
        &mut self,
        bus: &mut B,
        sink: &mut S,
        insn: Insn,
        pc: u64,
    ) -> u64 {
        match self.execute(bus, insn, pc) {
            Ok(next) => {
                self.st.x[0] = 0;
                self.st.retired = self.st.retired.wrapping_add(1);
                if S::ON {
                    let rd = usize::from(insn.rd & 31);
                    let wrote = rd != 0 && writes_rd(insn);
                    sink.event(HartEvent::Retired {
                        pc,
                        insn,
                        rd: wrote.then(|| (insn.rd, self.st.x[rd])),
                    });
                }
                next
            }
            Err(e) => {
                if S::ON {
                    sink.event(HartEvent::Exception {
                        pc,
                        insn: Some(insn),
                        cause: e.cause,
                        tval: e.tval,
                    });
                }
                self.st.pc = pc;
                self.raise(e, Some(insn));
                self.st.pc
            }
        }
    }

    /// One instruction at `self.st.pc` outside the fast path: a new page, an empty slot, or
    /// an instruction that straddles a page boundary. Leaves the next pc in `self.st.pc`.
    #[cold]
    #[inline(never)]
    fn step_slow<B: Bus + ?Sized, S: Sink>(&mut self, bus: &mut B, sink: &mut S) {
        let pc = self.st.pc;
        match self.fetch_slow(bus, pc) {
            Ok(insn) => self.st.pc = self.step(bus, sink, insn, pc),
            Err(e) => {
                if S::ON {
                    sink.event(HartEvent::Exception {
                        pc,
                        insn: None,
                        cause: e.cause,
                        tval: e.tval,
                    });
                }
                self.raise(e, None);
            }
        }
    }

    /// Takes a synchronous exception at the current pc. `insn` is the instruction that
    /// raised it (None for fetch faults): explicit memory faults get its transformed form in
    /// htinst/mtinst.
    fn raise(&mut self, mut e: Exception, insn: Option<Insn>) {
        if let (Some(i), 0, false) = (insn, e.tinst, e.implicit) {
            let va = tinst::original_va(i, &self.st.x);
            e.tinst = tinst::transform(i, e.cause, e.tval, va);
        }
        self.park_fetch();
        let to = trap::take_trap(&mut self.st, e, false);
        self.fetch_vpn = NO_PAGE;
        self.exit = true;
        if let Some(r) = self.host_stop(to) {
            self.stop = Some(r);
        }
    }

    /// In HS-host mode, the stop reason for a trap just taken into `to`.
    fn host_stop(&self, to: Mode) -> Option<StopReason> {
        if !self.cfg.hs_host {
            return None;
        }
        match (to.privilege, to.virt) {
            (PrivLevel::Machine, _) => Some(StopReason::MTrap),
            (_, false) => Some(StopReason::HsTrap),
            _ => None,
        }
    }

    /// Recomputes the fetch and data translation contexts from the CSRs and the mode.
    pub(crate) fn refresh_ctx(&mut self) {
        self.fetch_ctx = xlate::ctx_for(&self.st, self.st.mode, false);
        // Loads and stores translate as the current mode except under MPRV in M-mode: then
        // the contexts are the same and one computation serves both.
        let data_mode = xlate::data_mode(&self.st);
        self.data_ctx = if data_mode == self.st.mode {
            self.fetch_ctx
        } else {
            xlate::ctx_for(&self.st, data_mode, false)
        };
        self.forget_last_pages();
    }

    /// Fetch and decode at `pc`, caching the result unless the instruction straddles a page
    /// boundary (those are decoded every time and never cached, so a store to either page
    /// needs no cross-page invalidation).
    #[inline(always)]
    fn fetch_slow<B: Bus + ?Sized>(&mut self, bus: &mut B, pc: u64) -> Result<Insn, Exception> {
        let pa = self.translate(bus, pc, AccessType::Fetch)?;
        let ppn = pa >> PAGE_SHIFT;
        // Code must live in RAM: fetching from a device region is an access fault.
        let page = self
            .ram_page(bus, ppn)
            .ok_or(Exception::new(exc::INSTRUCTION_ACCESS_FAULT, pc))?;
        let off = (pa & PAGE_MASK) as usize;
        // A page already in the decode cache may hold this very instruction (entering a page
        // again after a trap or a jump away): then there is nothing to read or decode.
        // Straddling instructions are never cached, so a filled slot is not one.
        if let Some(&handle) = self.icache.handle_of(ppn) {
            if let Some(i) = self
                .icache
                .slot(handle, pa & PAGE_MASK)
                .filter(|i| i.len != 0)
            {
                let insn = *i;
                self.fetch_vpn = pc >> PAGE_SHIFT;
                self.fetch_page = handle;
                return Ok(insn);
            }
        }
        let lo = {
            let p = bus.mem().page(page);
            match (p.get(off), p.get(off + 1)) {
                (Some(&a), Some(&b)) => u16::from_le_bytes([a, b]),
                _ => 0,
            }
        };
        let (raw, straddles) = if lo & LEN32_BITS != LEN32_BITS {
            (u32::from(lo), false)
        } else if off + 4 <= PAGE_SIZE {
            let p = bus.mem().page(page);
            let hi = match (p.get(off + 2), p.get(off + 3)) {
                (Some(&a), Some(&b)) => u16::from_le_bytes([a, b]),
                _ => 0,
            };
            (u32::from(lo) | (u32::from(hi) << 16), false)
        } else {
            // The upper parcel is on the next page: fetch it separately; a fault there
            // reports the address of that parcel.
            let pc2 = pc.wrapping_add(2);
            let pa2 = self.translate(bus, pc2, AccessType::Fetch)?;
            let p2 = self
                .ram_page(bus, pa2 >> PAGE_SHIFT)
                .ok_or(Exception::new(exc::INSTRUCTION_ACCESS_FAULT, pc2))?;
            let off2 = (pa2 & PAGE_MASK) as usize;
            let m = bus.mem().page(p2);
            let hi = match (m.get(off2), m.get(off2 + 1)) {
                (Some(&a), Some(&b)) => u16::from_le_bytes([a, b]),
                _ => 0,
            };
            (u32::from(lo) | (u32::from(hi) << 16), true)
        };
        let insn = decode(raw);
        let (handle, flushed) = self.icache.page_for(ppn);
        if flushed {
            self.remark_watches();
        }
        if !straddles {
            self.icache.set(handle, pa & PAGE_MASK, insn);
        }
        self.fetch_vpn = pc >> PAGE_SHIFT;
        self.fetch_page = handle;
        Ok(insn)
    }
}

/// The fetch page of a mode that took a trap: its translation (virtual page -> decode
/// cache page) stays usable after the trap returns, without a new translation, while
/// nothing could have changed it: the same mode and translation context (satp/vsatp/hgatp,
/// privilege), no TLB fence or flush since (a hart may keep using a translation until it is
/// fenced, priv "Supervisor Memory-Management Fence Instruction"), and no decode cache flush
/// (which renames pages). This is what makes a trap and return (an exit of a guest to its
/// hypervisor) not pay for a fresh instruction translation and decode.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ParkedFetch {
    mode: Mode,
    ctx: Option<TranslateCtx>,
    vpn: u64,
    page: u32,
    tlb_generation: u64,
    icache_generation: u64,
}

impl Hart {
    /// Remembers the current fetch page before a trap changes the mode.
    #[inline]
    fn park_fetch(&mut self) {
        self.parked = (self.fetch_vpn != NO_PAGE).then_some(ParkedFetch {
            mode: self.st.mode,
            ctx: self.fetch_ctx,
            vpn: self.fetch_vpn,
            page: self.fetch_page,
            tlb_generation: self.tlb.generation(),
            icache_generation: self.icache.generation(),
        });
    }

    /// Takes the parked fetch page back if the hart is again in the mode and translation
    /// context it was parked in, and nothing invalidated it since (see [`ParkedFetch`]).
    /// Call after `refresh_ctx`.
    #[inline]
    fn unpark_fetch(&mut self) {
        let Some(p) = self.parked.take() else {
            return;
        };
        if p.mode == self.st.mode
            && p.ctx == self.fetch_ctx
            && p.tlb_generation == self.tlb.generation()
            && p.icache_generation == self.icache.generation()
        {
            self.fetch_vpn = p.vpn;
            self.fetch_page = p.page;
        }
    }
}

/// Whether an instruction writes `rd` (for the trace only).
fn writes_rd(insn: Insn) -> bool {
    use crate::riscv::isa::Op;
    !matches!(
        insn.op,
        Op::Beq
            | Op::Bne
            | Op::Blt
            | Op::Bge
            | Op::Bltu
            | Op::Bgeu
            | Op::Sb
            | Op::Sh
            | Op::Sw
            | Op::Sd
            | Op::Fence
            | Op::FenceI
            | Op::Ecall
            | Op::Ebreak
            | Op::Mret
            | Op::Sret
            | Op::Wfi
            | Op::SfenceVma
            | Op::HfenceVvma
            | Op::HfenceGvma
            | Op::HsvB
            | Op::HsvH
            | Op::HsvW
            | Op::HsvD
            | Op::Illegal
    )
}
