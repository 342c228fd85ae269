//! The hypervisor platform board: several harts in HS-host mode, host-physical memory, the
//! CLINT, a UART, the test finisher, the M-level firmware model and virtual time — all plain
//! hardware, on the QEMU `virt` addresses.
//!
//! Hypervisor code (HS-mode) is Rust running *on* a hart: [`Platform::hart_handle`] lends a
//! [`HartHandle`] for one physical hart, which implements
//! [`RiscvHardware`](crate::riscv::hw::RiscvHardware): CSR instructions, HFENCEs, HLV/HSV,
//! entering the guest, and SBI calls to the firmware below. No globals: many platforms can
//! live side by side.
//!
//! ```
//! use hw_models::riscv::platform::{Platform, PlatformConfig};
//! use hw_models::riscv::hw::RiscvHardware;
//! use hw_models::riscv::csr_num;
//!
//! let mut p = Platform::new(PlatformConfig { harts: 2, ..PlatformConfig::default() }).unwrap();
//! let mut cpu0 = p.hart_handle(0).unwrap();
//! // SBI Base: spec version 2.0.
//! assert_eq!(cpu0.sbi_call(0x10, 0, [0; 6]).value, 0x0200_0000);
//! cpu0.csr_write(csr_num::HEDELEG, 1 << 8).unwrap();
//! assert_eq!(cpu0.csr_read(csr_num::HEDELEG).unwrap(), 1 << 8);
//! ```
//!
//! See docs/riscv-platform.md.

mod board;
mod env;
mod handle;
mod insn_trace;
/// The platform's physical address map (the QEMU `virt` layout, shared with the bare board).
pub use crate::riscv::virt::map;

use alloc::vec::Vec;

use sim_core::HostPhysAddr;
use sim_core::clock::{ClockConfig, ClockError, VirtualClock};
use sim_core::mem::{MemError, PhysMem};

/// The platform's bus (the one both boards use).
pub use crate::riscv::virt::bus::VirtBus as PlatformBus;
pub use handle::HartHandle;
pub use insn_trace::InsnHook;

use crate::dev::{Clint, DevError, FinisherStatus, Uart16550};
use crate::riscv::firmware::{Firmware, HsmState, SystemReset};
use crate::riscv::hart::{Hart, HartConfig};
use board::BoardHw;
use env::FwEnv;

/// Instructions one `run_guest` call executes at most, by default.
pub const DEFAULT_SLICE: u64 = 1_000_000;
/// Default RAM size: 128 MiB.
pub const DEFAULT_RAM_SIZE: u64 = 128 << 20;
/// Largest RAM the board accepts: 16 GiB (bounds the host memory of the page table).
pub const MAX_RAM_SIZE: u64 = 16 << 30;
/// Largest hart count (the CLINT layout's limit is 4095; a board of more than 64 harts has
/// no use here and would make every "all harts" SBI call slow).
pub const MAX_HARTS: usize = 64;

/// How to build a [`Platform`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PlatformConfig {
    /// Number of harts (hart ids 0..harts); hart 0 boots, the others start STOPPED.
    pub harts: usize,
    /// Start of RAM.
    pub ram_base: u64,
    /// RAM size in bytes (page multiple).
    pub ram_size: u64,
    /// Instruction rate and timebase frequency of virtual time.
    pub clock: ClockConfig,
    /// Instructions one `run_guest` call executes at most before it returns `SliceEnd`.
    pub slice: u64,
    /// Software TLB slots per hart.
    pub tlb_entries: usize,
    /// Enable Sstc (menvcfg.STCE) and let SBI set_timer program stimecmp, as OpenSBI does on
    /// harts with Sstc. Off by default: the TIME extension drives the CLINT MTIMER.
    pub sstc: bool,
}

impl Default for PlatformConfig {
    fn default() -> Self {
        Self {
            harts: 1,
            ram_base: map::RAM_BASE,
            ram_size: DEFAULT_RAM_SIZE,
            clock: ClockConfig::default(),
            slice: DEFAULT_SLICE,
            tlb_entries: HartConfig::default().tlb_entries,
            sstc: false,
        }
    }
}

/// Why a platform could not be built.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum PlatformError {
    /// Hart count outside 1..=[`MAX_HARTS`].
    #[error("hart count {0} is outside 1..=64")]
    HartCount(usize),
    /// RAM size zero or above [`MAX_RAM_SIZE`].
    #[error("RAM size {0:#x} is outside 1 page ..= 16 GiB")]
    RamSize(u64),
    /// RAM overlaps a device window.
    #[error("RAM at {0:#x} overlaps a device window")]
    RamOverlapsDevice(u64),
    /// The memory rejected the RAM region.
    #[error("RAM region rejected: {0}")]
    Mem(#[from] MemError),
    /// The clock configuration is invalid.
    #[error("clock: {0}")]
    Clock(#[from] ClockError),
    /// A device could not be built.
    #[error("device: {0}")]
    Device(#[from] DevError),
    /// A slice of zero instructions would never run the guest.
    #[error("the guest slice must be at least one instruction")]
    ZeroSlice,
}

/// Why the board stopped as a whole (every `run_guest` returns at once afterwards).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BoardStop {
    /// SBI SRST system_reset.
    Reset(SystemReset),
    /// A guest wrote the test finisher.
    Finisher(FinisherStatus),
    /// A trap reached M-mode that the firmware cannot handle (from M or HS code; see
    /// [`crate::riscv::firmware::MTrapAction::Fatal`]).
    FirmwareFault {
        /// The hart.
        hart: usize,
        /// mcause.
        cause: u64,
        /// mepc.
        epc: u64,
    },
}

/// The board. See the module documentation.
#[derive(Debug)]
pub struct Platform {
    harts: Vec<Hart>,
    hw: BoardHw,
    fw: Firmware,
    slice: u64,
    insn_trace: insn_trace::InsnTrace,
}

impl Platform {
    /// Builds and cold-boots the board: the firmware programs every hart, hart 0 enters HS
    /// at the start of RAM with a1 = 0, the others are STOPPED.
    pub fn new(cfg: PlatformConfig) -> Result<Self, PlatformError> {
        if cfg.harts == 0 || cfg.harts > MAX_HARTS {
            return Err(PlatformError::HartCount(cfg.harts));
        }
        if cfg.ram_size == 0 || cfg.ram_size > MAX_RAM_SIZE {
            return Err(PlatformError::RamSize(cfg.ram_size));
        }
        if map::overlaps_device(cfg.ram_base, cfg.ram_size) {
            return Err(PlatformError::RamOverlapsDevice(cfg.ram_base));
        }
        if cfg.slice == 0 {
            return Err(PlatformError::ZeroSlice);
        }
        let mut mem = PhysMem::new(cfg.ram_size);
        mem.add_ram(HostPhysAddr::new(cfg.ram_base), cfg.ram_size)?;
        let clock = VirtualClock::new(cfg.clock)?;
        let clint = Clint::new(cfg.harts)?;
        let harts = (0..cfg.harts)
            .map(|i| {
                Hart::new(HartConfig {
                    hart_id: i as u64,
                    reset_pc: cfg.ram_base,
                    hs_host: true,
                    tlb_entries: cfg.tlb_entries,
                    ..HartConfig::default()
                })
            })
            .collect();
        let bus = PlatformBus::new(mem, clint, clock, cfg.harts);
        let mut p = Self {
            harts,
            hw: BoardHw::new(bus, cfg.harts),
            fw: Firmware::new(cfg.harts).with_sstc(cfg.sstc),
            slice: cfg.slice,
            insn_trace: insn_trace::InsnTrace::default(),
        };
        let mut env = FwEnv {
            harts: &mut p.harts,
            hw: &mut p.hw,
        };
        p.fw.cold_boot(&mut env, 0, cfg.ram_base, 0);
        p.hw.update_lines(&mut p.harts);
        Ok(p)
    }

    /// Sets how many instructions the next `run_guest` calls execute at most (at least 1):
    /// a VMM sizes each slice by its own schedule (quantum, budget, timer deadlines).
    pub fn set_slice(&mut self, insns: u64) {
        self.slice = insns.max(1);
    }

    /// Number of harts.
    pub fn hart_count(&self) -> usize {
        self.harts.len()
    }

    /// The handle of physical hart `n`: "the CPU this code is running on". Selecting a hart
    /// completes a pending HSM hart_start for it. `None` if there is no such hart.
    pub fn hart_handle(&mut self, n: usize) -> Option<HartHandle<'_>> {
        if n >= self.harts.len() {
            return None;
        }
        let mut env = FwEnv {
            harts: &mut self.harts,
            hw: &mut self.hw,
        };
        self.fw.complete_start(&mut env, n);
        self.service_all();
        Some(HartHandle::new(self, n))
    }

    /// The handle of hart `n` without `hart_handle`'s bookkeeping (completing a pending
    /// HSM start, servicing every hart's M-level interrupts). For HS code that selected the
    /// hart with [`Platform::hart_handle`] and then issues many instructions on it, as a
    /// VMM's exit path does: each CSR access still services this hart's own M-level
    /// interrupts first. `None` if there is no such hart.
    pub fn hart_handle_selected(&mut self, n: usize) -> Option<HartHandle<'_>> {
        (n < self.harts.len()).then(|| HartHandle::new(self, n))
    }

    /// The hart model (inspection, debugger access).
    pub fn hart(&self, n: usize) -> Option<&Hart> {
        self.harts.get(n)
    }

    /// The hart model, mutably (debugger access; the board does not see the changes until
    /// its next action).
    pub fn hart_mut(&mut self, n: usize) -> Option<&mut Hart> {
        // The caller may change the hart's interrupt lines or time.
        self.hw.invalidate_lines();
        self.harts.get_mut(n)
    }

    /// Host-physical memory.
    pub fn mem(&self) -> &PhysMem {
        &self.hw.bus.mem
    }

    /// Writes host-physical memory (a loader, the Machine building stage-2 tables), telling
    /// every hart's decode cache.
    pub fn write_mem(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.hw.bus.mem.write_bytes(HostPhysAddr::new(addr), data)?;
        for h in &mut self.harts {
            h.invalidate_code(addr, data.len() as u64);
        }
        Ok(())
    }

    /// Host-physical memory, mutably. After writing code through it, call
    /// [`Platform::write_mem`] instead or flush the harts' decode caches.
    pub fn mem_mut(&mut self) -> &mut PhysMem {
        &mut self.hw.bus.mem
    }

    /// The UART (console input and output of the firmware and of devices the guest reaches).
    pub fn uart_mut(&mut self) -> &mut Uart16550 {
        &mut self.hw.bus.uart
    }

    /// The firmware model.
    pub fn firmware(&self) -> &Firmware {
        &self.fw
    }

    /// The HSM state of hart `n`.
    pub fn hsm_state(&self, n: usize) -> Option<HsmState> {
        self.fw.hsm_state(n)
    }

    /// Why the board stopped, if it did.
    pub fn stop(&self) -> Option<BoardStop> {
        self.hw.stop
    }

    /// Virtual time in timebase ticks.
    pub fn now(&self) -> u64 {
        self.hw.now()
    }

    /// The current `mtime`.
    pub fn mtime(&self) -> u64 {
        self.hw.bus.clint.mtime(self.hw.now())
    }

    /// Advances virtual time by `ticks` (the host idling) and services what fires.
    pub fn advance_time(&mut self, ticks: u64) {
        let target = self.hw.now().saturating_add(ticks);
        self.hw.bus.clock.skip_to(target);
        self.hw.update_lines(&mut self.harts);
        self.service_all();
    }

    /// Fast-forwards virtual time to the next timer event, servicing what fires. `false` if
    /// no event is scheduled.
    pub fn skip_to_next_event(&mut self) -> bool {
        let r = self.hw.skip_to_next_event(&mut self.harts);
        self.service_all();
        r
    }

    /// Runs the firmware's M-level interrupt handlers on every started hart that has one
    /// pending: on silicon they preempt HS code at once.
    fn service_all(&mut self) {
        for n in 0..self.harts.len() {
            self.service(n);
        }
    }

    fn service(&mut self, n: usize) {
        // The firmware services only MTI and MSI pending in mip & mie (there is no M
        // external source): when neither is, there is nothing to do. Checking mie too
        // matters: after an MTI the firmware masks MTIE while MTIP stays high until the next
        // set_timer, and the exit path calls this on every CSR access.
        let ready = self
            .harts
            .get(n)
            .is_some_and(Hart::m_soft_or_timer_irq_ready);
        if !ready || self.fw.hsm_state(n) != Some(HsmState::Started) {
            return;
        }
        let mut env = FwEnv {
            harts: &mut self.harts,
            hw: &mut self.hw,
        };
        self.fw.service_interrupts(&mut env, n);
    }
}
