//! One RV64IMAC hart with Zicsr, Zifencei, Zicntr, S-mode and the hypervisor extension (M, HS,
//! U, VS, VU), Sstc and Svade/Svadu: its architectural state, CSR file, trap logic,
//! two-stage translation through the MMU, interpreter, and the HS-host API a Rust hypervisor
//! drives it with.
//!
//! A board owns a [`Hart`] and a [`Bus`] and calls [`Hart::run`] in slices:
//!
//! ```
//! use hw_models::riscv::hart::{Hart, HartConfig, RamBus, StopReason};
//! use sim_core::{AccessWidth, HostPhysAddr};
//!
//! let mut bus = RamBus::new(0x8000_0000, 0x1_0000).unwrap();
//! // addi x1, x0, 42 ; wfi
//! bus.mem.write(HostPhysAddr::new(0x8000_0000), AccessWidth::Dword, 0x02a0_0093).unwrap();
//! bus.mem.write(HostPhysAddr::new(0x8000_0004), AccessWidth::Dword, 0x1050_0073).unwrap();
//! let mut hart = Hart::new(HartConfig::default());
//! assert_eq!(hart.run(&mut bus, 100), StopReason::Wfi);
//! assert_eq!(hart.reg(1), 42);
//! assert_eq!(hart.retired(), 2);
//! ```
//!
//! See docs/riscv-hart.md for the design and every implementation-defined choice.

mod bus;
mod config;
pub mod csr;
mod exec;
mod host;
mod icache;
mod mem;
mod run;
mod state;
mod system;
mod tinst;
mod trace;
mod trap;
mod xlate;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;

pub use bus::{Bus, BusError, MmioEffect, RamBus};
pub use config::{HartConfig, MisalignedPolicy};
pub use csr::access::CsrOp;
pub use host::CsrAccess;
pub use trace::HartEvent;
pub use trap::Exception;

/// The trap an HS-side operation raised: cause, tval, tval2 (htval), tinst (htinst).
pub type Trap = Exception;

use crate::riscv::cause::irq;
use crate::riscv::csr_num;
use crate::riscv::mmu::{Tlb, TranslateCtx};
use crate::riscv::privilege::Mode;
use config::Features;
use icache::DecodeCache;
use mem::RamTlb;
use sim_core::mem::PAGE_SHIFT;
use state::ArchState;

/// Why [`Hart::run`] returned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StopReason {
    /// The instruction budget ran out.
    Budget,
    /// The hart executed WFI (or is still waiting in it) and no interrupt is pending and
    /// enabled in mie: the board may advance virtual time to its next event, update the
    /// interrupt lines and call `run` again.
    Wfi,
    /// An MMIO write returned [`MmioEffect::Attention`]; the storing instruction retired.
    Attention,
    /// A store wrote a watched physical address (see [`Hart::watch_store`]); it retired.
    WatchedStore {
        /// The watched address that was written.
        addr: u64,
    },
    /// [`HartConfig::hs_host`] only: a trap was just taken into HS-mode (scause, sepc, stval,
    /// htval, htinst, hstatus written; the hart is in HS-mode at stvec).
    HsTrap,
    /// [`HartConfig::hs_host`] only: a trap was just taken into M-mode.
    MTrap,
}

/// An interrupt input driven by the board (priv "Machine Interrupt Registers").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IrqLine {
    /// Machine software interrupt (CLINT msip): mip.MSIP.
    Msip,
    /// Machine timer interrupt (mtime >= mtimecmp): mip.MTIP.
    Mtip,
    /// Machine external interrupt (PLIC/APLIC M context): mip.MEIP.
    Meip,
    /// Supervisor external interrupt (PLIC/APLIC S context): ORed into mip.SEIP.
    Seip,
}

impl IrqLine {
    const fn bit(self) -> u64 {
        1 << match self {
            Self::Msip => irq::MSI,
            Self::Mtip => irq::MTI,
            Self::Meip => irq::MEI,
            Self::Seip => irq::SEI,
        }
    }
}

impl Hart {
    /// Drives guest external interrupt line `n` (1..=GEILEN, i.e. bit `n` of `hgeip`).
    /// Other numbers are ignored. Takes effect at the next [`Hart::run`].
    pub fn set_guest_irq_line(&mut self, n: u32, level: bool) {
        if n == 0 || n > csr::mip::GEILEN {
            return;
        }
        let b = 1u64 << n;
        if level {
            self.st.csr.hgeip |= b;
        } else {
            self.st.csr.hgeip &= !b;
        }
    }

    /// The guest external interrupt lines (`hgeip`).
    pub fn guest_irq_lines(&self) -> u64 {
        self.st.csr.hgeip
    }
}

/// Errors from the hart's host-side API.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum HartError {
    /// The CSR number does not exist on this hart.
    #[error("CSR {0:#x} does not exist on this hart")]
    NoSuchCsr(u16),
    /// The CSR is read-only.
    #[error("CSR {0:#x} is read-only")]
    ReadOnlyCsr(u16),
    /// A register number outside 0..=31.
    #[error("x{0} is not a register")]
    NoSuchRegister(usize),
}

/// Sentinel for "no page cached" in the fetch fast path.
const NO_PAGE: u64 = u64::MAX;

/// A RISC-V hart. See the module documentation.
#[derive(Debug)]
pub struct Hart {
    st: ArchState,
    cfg: HartConfig,
    icache: DecodeCache,
    ram: RamTlb,
    /// Virtual page number (pc >> 12) of the page the fetch fast path serves, or `NO_PAGE`.
    fetch_vpn: u64,
    /// The decode-cache handle of that page.
    fetch_page: u32,
    /// Physical addresses whose stores end the slice.
    watches: Vec<u64>,
    /// Set by anything that must leave the inner loop: CSR writes, xRET, traps, FENCE.I,
    /// stops. The outer loop then re-checks interrupts and `stop`.
    exit: bool,
    /// Why the current slice must stop, once the inner loop exits.
    stop: Option<StopReason>,
    /// The hart is stalled in WFI.
    waiting: bool,
    /// The software TLB (tagged by V/VMID/ASID).
    tlb: Tlb,
    /// Translation context of instruction fetches, `None` when untranslated. Recomputed
    /// whenever the inner loop is left (every CSR write, trap, xRET and fence leaves it).
    fetch_ctx: Option<TranslateCtx>,
    /// Translation context of explicit loads and stores (MPRV applied).
    data_ctx: Option<TranslateCtx>,
    /// (VA page, PA page) of the last translated load, `NO_PAGE` when none.
    last_load: (u64, u64),
    /// (VA page, PA page) of the last translated store.
    last_store: (u64, u64),
    /// The `PhysMem::layout_generation` the RAM lookup cache was filled under.
    ram_layout: u64,
    /// The fetch page of the mode a trap left, for the return to it (run.rs, `ParkedFetch`).
    parked: Option<run::ParkedFetch>,
}

impl Hart {
    /// A hart in its reset state (M-mode, pc = `cfg.reset_pc`, norm:M_mode_at_rst,
    /// norm:pc_rst).
    pub fn new(cfg: HartConfig) -> Self {
        Self {
            st: ArchState::new(cfg.hart_id, cfg.reset_pc, Features::default()),
            cfg,
            icache: DecodeCache::new(cfg.icache_pages),
            ram: RamTlb::default(),
            fetch_vpn: NO_PAGE,
            fetch_page: 0,
            watches: Vec::new(),
            exit: false,
            stop: None,
            waiting: false,
            tlb: Tlb::new(cfg.tlb_entries),
            fetch_ctx: None,
            data_ctx: None,
            last_load: (NO_PAGE, 0),
            last_store: (NO_PAGE, 0),
            ram_layout: u64::MAX,
            parked: None,
        }
    }

    /// Resets the architectural state (registers, CSRs, mode, pc); keeps the configuration,
    /// the store watches, the interrupt lines' levels and the monotonic [`Hart::retired`]
    /// count (mcycle/minstret restart from 0).
    pub fn reset(&mut self) {
        let (lines, retired) = (self.st.csr.lines, self.st.retired);
        self.st = ArchState::new(self.cfg.hart_id, self.cfg.reset_pc, self.st.features);
        self.st.csr.lines = lines;
        self.st.retired = retired;
        self.st.csr.mcycle.write(0, retired.wrapping_sub(1), false);
        self.st
            .csr
            .minstret
            .write(0, retired.wrapping_sub(1), false);
        self.waiting = false;
        self.tlb.flush_all();
        self.flush_icache();
    }

    /// The configuration the hart was built with.
    pub fn config(&self) -> &HartConfig {
        &self.cfg
    }

    /// The pc of the next instruction.
    pub fn pc(&self) -> u64 {
        self.st.pc
    }

    /// Sets the pc (bit 0 is cleared: IALIGN = 16).
    pub fn set_pc(&mut self, pc: u64) {
        self.st.pc = pc & !1;
        self.waiting = false;
    }

    /// Register x`n` (x0 reads 0; numbers above 31 read 0).
    pub fn reg(&self, n: usize) -> u64 {
        self.st.x.get(n).copied().unwrap_or(0)
    }

    /// All 32 registers.
    pub fn regs(&self) -> &[u64; 32] {
        &self.st.x
    }

    /// Writes x`n`; writes to x0 are ignored.
    pub fn set_reg(&mut self, n: usize, value: u64) -> Result<(), HartError> {
        let r = self.st.x.get_mut(n).ok_or(HartError::NoSuchRegister(n))?;
        if n != 0 {
            *r = value;
        }
        Ok(())
    }

    /// The current privilege mode.
    pub fn mode(&self) -> Mode {
        self.st.mode
    }

    /// Forces the privilege mode (a debugger or firmware-model action, not an architectural
    /// transition).
    pub fn set_mode(&mut self, mode: Mode) {
        self.st.mode = mode;
        self.fetch_vpn = NO_PAGE;
    }

    /// Reads a CSR the way a debugger does: no privilege check, no side effects. `time` reads
    /// the value last latched from the bus.
    pub fn csr(&self, num: u16) -> Result<u64, HartError> {
        let def = self
            .st
            .csr
            .table
            .get(num)
            .ok_or(HartError::NoSuchCsr(num))?;
        Ok((def.read)(&self.st))
    }

    /// Writes a CSR through its WARL write rule, with no privilege check.
    pub fn set_csr(&mut self, num: u16, value: u64) -> Result<(), HartError> {
        let def = *self
            .st
            .csr
            .table
            .get(num)
            .ok_or(HartError::NoSuchCsr(num))?;
        let w = def.write.ok_or(HartError::ReadOnlyCsr(num))?;
        // A debugger write is not an instruction: counters must read back exactly `value`,
        // not `value` after the (absent) writing instruction retires.
        let counter = matches!(num, csr_num::MCYCLE | csr_num::MINSTRET);
        if counter {
            self.st.retired = self.st.retired.wrapping_sub(1);
        }
        w(&mut self.st, value);
        if counter {
            self.st.retired = self.st.retired.wrapping_add(1);
        }
        self.fetch_vpn = NO_PAGE;
        Ok(())
    }

    /// Drives an interrupt input. Takes effect at the next [`Hart::run`].
    pub fn set_irq_line(&mut self, line: IrqLine, level: bool) {
        if level {
            self.st.csr.lines |= line.bit();
        } else {
            self.st.csr.lines &= !line.bit();
        }
    }

    /// The level of an interrupt input.
    pub fn irq_line(&self, line: IrqLine) -> bool {
        self.st.csr.lines & line.bit() != 0
    }

    /// Whether the hart is stalled in WFI.
    pub fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// Whether an interrupt is pending and enabled in mie (what wakes WFI).
    pub fn interrupt_pending(&self) -> bool {
        trap::wfi_wakes(&self.st)
    }

    /// Instructions retired since construction (monotonic; traps do not retire,
    /// norm:ecall_ebreak_no_minstret_inc).
    pub fn retired(&self) -> u64 {
        self.st.retired
    }

    /// Makes stores to physical address `addr` (any access whose bytes include it) end the
    /// slice with [`StopReason::WatchedStore`] once the store retires. For HTIF `tohost`.
    pub fn watch_store(&mut self, addr: u64) {
        if !self.watches.contains(&addr) {
            self.watches.push(addr);
        }
        self.icache.mark(addr >> PAGE_SHIFT);
    }

    /// Removes all store watches.
    pub fn clear_watches(&mut self) {
        self.watches.clear();
    }

    /// Tells the hart that `[addr, addr + len)` of physical memory changed behind its back
    /// (a loader, a DMA-like device, the board): cached decodes there are dropped and an LR
    /// reservation there is invalidated (norm:sc_other_device_write_fail).
    pub fn invalidate_code(&mut self, addr: u64, len: u64) {
        self.icache.invalidate(addr, len);
        if let Some(r) = self.st.reservation {
            if len > 0 && r.wrapping_add(8) > addr && r < addr.saturating_add(len) {
                self.st.reservation = None;
            }
        }
    }

    /// Drops every cached decode (and the RAM lookup cache: call it after changing the
    /// memory map).
    pub fn flush_icache(&mut self) {
        self.icache.flush();
        self.remark_watches();
        self.ram = RamTlb::default();
        self.fetch_vpn = NO_PAGE;
    }

    /// Watched pages share the decode cache's store filter; a flush clears it.
    fn remark_watches(&mut self) {
        for &w in &self.watches {
            self.icache.mark(w >> PAGE_SHIFT);
        }
    }

    /// Physical code pages currently held by the decode cache.
    pub fn cached_code_pages(&self) -> usize {
        self.icache.pages()
    }
}
