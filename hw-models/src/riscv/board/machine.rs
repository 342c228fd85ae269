//! The bare board itself: one hart, its bus, HTIF and the timer event queue, and the loop that
//! runs the hart in slices up to the next event.

use sim_core::HostPhysAddr;
use sim_core::clock::{ClockConfig, ClockError, VirtualClock};
use sim_core::event::{EventId, EventQueue};
use sim_core::mem::{MemError, PAGE_SIZE, PhysMem};

use super::console::{Console, Stream};
use super::htif::{
    HTIF_WORD_BYTES, Htif, HtifError, HtifOutcome, HtifRequest, PARTIAL_GRACE_INSNS,
};
use super::map::{DEFAULT_RAM_SIZE, DEVICES, MAX_RAM_SIZE, RAM_BASE};
use super::store_extent::last_store_extent;
use crate::dev::{Clint, DevError, FinisherStatus};
use crate::riscv::hart::{Hart, HartConfig, HartEvent, IrqLine, StopReason};
use crate::riscv::virt::bus::VirtBus;

/// The hart's index in the CLINT.
const HART0: usize = 0;
/// Most instructions in one slice when no event is nearer: bounds how long board-side checks
/// (UART output, the HTIF partial-store rule) can wait.
pub const SLICE_MAX: u64 = 1 << 20;
/// `mtimecmp` = all ones is how software parks the timer; no event is scheduled for it.
const TIMER_PARKED: u64 = u64::MAX;
/// Bytes of the HTIF syscall block the host may write.
const SYSCALL_BLOCK_BYTES: u64 = 64;

/// How the board is built.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BareConfig {
    /// RAM size in bytes at [`RAM_BASE`]: a non-zero multiple of 4 KiB, at most
    /// [`MAX_RAM_SIZE`].
    pub ram_size: u64,
    /// Instruction rate and timebase frequency of virtual time.
    pub clock: ClockConfig,
    /// The hart (its `reset_pc` is replaced by the image's entry with [`BareBoard::set_entry`]).
    pub hart: HartConfig,
}

impl Default for BareConfig {
    fn default() -> Self {
        Self {
            ram_size: DEFAULT_RAM_SIZE,
            clock: ClockConfig::default(),
            hart: HartConfig::default(),
        }
    }
}

/// Why the board cannot be built or loaded, or stopped with an error.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum BoardError {
    /// The RAM size is unusable.
    #[error("RAM size {0:#x} must be a non-zero multiple of 4 KiB and at most 16 GiB")]
    RamSize(u64),
    /// A loadable range is not inside RAM.
    #[error(
        "segment at {addr:#x}..{end:#x} is outside RAM ({ram_base:#x}..{ram_end:#x})",
        end = addr.saturating_add(*len)
    )]
    OutsideRam {
        /// First address.
        addr: u64,
        /// Length in bytes.
        len: u64,
        /// RAM start.
        ram_base: u64,
        /// RAM end (exclusive).
        ram_end: u64,
    },
    /// The address map could not be built.
    #[error("address map: {0}")]
    Map(#[from] MemError),
    /// The virtual clock configuration is unusable.
    #[error("clock: {0}")]
    Clock(#[from] ClockError),
    /// A device could not be built.
    #[error("device: {0}")]
    Device(#[from] DevError),
    /// HTIF could not be attached or a command could not be served.
    #[error("HTIF: {0}")]
    Htif(#[from] HtifError),
}

/// Who ended the run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExitSource {
    /// An HTIF exit command or the SYS_exit syscall.
    Htif,
    /// The SiFive test finisher.
    Finisher,
}

/// Why [`BareBoard::run`] returned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BoardStop {
    /// The guest ended the run. `code` 0 is a pass; anything else is a failure code.
    Exit {
        /// HTIF or the finisher.
        source: ExitSource,
        /// The guest's code.
        code: u64,
    },
    /// The instruction limit was reached.
    InsnLimit,
    /// The hart waits in WFI and nothing is scheduled that could wake it.
    Idle {
        /// The pc after the WFI.
        pc: u64,
    },
    /// The guest asked the test finisher for a reset, which the bare board does not model.
    ResetRequested,
}

/// Scheduled board events.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BoardEvent {
    /// `mtime` reaches `mtimecmp[0]`: MTIP rises.
    TimerDeadline,
}

/// The bare-machine board. See the module documentation of [`super`].
///
/// ```
/// use hw_models::riscv::board::{BareBoard, BareConfig, BoardStop, BufferConsole, ExitSource};
/// use hw_models::riscv::isa::encode::{self, Assembler, Reg};
///
/// let mut board = BareBoard::new(&BareConfig::default()).unwrap();
/// // Write 0x5555 (pass) to the test finisher.
/// let mut a = Assembler::new(0x8000_0000);
/// a.li(Reg::T0, 0x10_0000);
/// a.li(Reg::T1, 0x5555);
/// a.put(encode::sw(Reg::T1, Reg::T0, 0).unwrap());
/// board.load(0x8000_0000, &a.finish().unwrap(), 0).unwrap();
/// board.set_entry(0x8000_0000);
/// let stop = board.run(1000, &mut BufferConsole::default(), None).unwrap();
/// assert_eq!(stop, BoardStop::Exit { source: ExitSource::Finisher, code: 0 });
/// ```
#[derive(Debug)]
pub struct BareBoard {
    hart: Hart,
    bus: VirtBus,
    htif: Option<Htif>,
    events: EventQueue<BoardEvent>,
    timer_event: Option<EventId>,
    /// The retired count at the first store of a still-incomplete `tohost` command.
    partial_since: Option<u64>,
    /// Instructions attempted so far (retired plus trapped), for the instruction limit.
    spent: u64,
}

impl BareBoard {
    /// A board with empty RAM and devices at reset; the hart starts at `cfg.hart.reset_pc`.
    pub fn new(cfg: &BareConfig) -> Result<Self, BoardError> {
        if cfg.ram_size == 0 || cfg.ram_size % PAGE_SIZE as u64 != 0 || cfg.ram_size > MAX_RAM_SIZE
        {
            return Err(BoardError::RamSize(cfg.ram_size));
        }
        let mut mem = PhysMem::new(cfg.ram_size);
        mem.add_ram(HostPhysAddr::new(RAM_BASE), cfg.ram_size)?;
        for (id, base, size) in DEVICES {
            mem.add_mmio(HostPhysAddr::new(base), size, id as u32)?;
        }
        let clock = VirtualClock::new(cfg.clock)?;
        let mut bus = VirtBus::new(mem, Clint::new(1)?, clock, 1).with_uart_attention();
        bus.clint_dirty = true;
        Ok(Self {
            hart: Hart::new(cfg.hart),
            bus,
            htif: None,
            events: EventQueue::new(),
            timer_event: None,
            partial_since: None,
            spent: 0,
        })
    }

    /// Copies `data` to RAM at `addr` and zero-fills up to `memsz` bytes (an ELF segment's
    /// `p_filesz`/`p_memsz`); the whole range must be RAM.
    pub fn load(&mut self, addr: u64, data: &[u8], memsz: u64) -> Result<(), BoardError> {
        let len = memsz.max(data.len() as u64);
        let outside = BoardError::OutsideRam {
            addr,
            len,
            ram_base: RAM_BASE,
            ram_end: RAM_BASE.saturating_add(self.bus.mem.limit()),
        };
        let start = HostPhysAddr::new(addr);
        if len > 0 && self.bus.mem.check_ram(start, len).is_err() {
            return Err(outside);
        }
        self.bus.mem.write_bytes(start, data)?;
        let filled = data.len() as u64;
        if len > filled {
            let rest = start.checked_add(filled).ok_or(outside)?;
            self.bus.mem.zero(rest, len - filled)?;
        }
        self.hart.invalidate_code(addr, len);
        Ok(())
    }

    /// Sets the pc the hart starts from.
    pub fn set_entry(&mut self, pc: u64) {
        self.hart.set_pc(pc);
    }

    /// Serves HTIF through the `tohost` word (and `fromhost`, if the image has one).
    pub fn attach_htif(&mut self, tohost: u64, fromhost: Option<u64>) -> Result<(), BoardError> {
        let htif = Htif::new(
            &self.bus.mem,
            HostPhysAddr::new(tohost),
            fromhost.map(HostPhysAddr::new),
        )?;
        // One watch per byte: any store touching tohost, whatever its width, ends the slice.
        for i in 0..HTIF_WORD_BYTES {
            self.hart.watch_store(tohost + i);
        }
        self.htif = Some(htif);
        Ok(())
    }

    /// The hart.
    pub fn hart(&self) -> &Hart {
        &self.hart
    }

    /// The hart, for setting registers or CSRs before a run.
    pub fn hart_mut(&mut self) -> &mut Hart {
        &mut self.hart
    }

    /// Physical memory.
    pub fn mem(&self) -> &PhysMem {
        &self.bus.mem
    }

    /// Virtual time.
    pub fn clock(&self) -> &VirtualClock {
        &self.bus.clock
    }

    /// Instructions attempted so far (retired plus trapped), as counted against the limit.
    pub fn insns_spent(&self) -> u64 {
        self.spent
    }

    /// Runs until the guest exits, the hart idles for good, or `max_insns` instructions in
    /// total (over all calls) have been attempted. Character output goes to `console`;
    /// `trace`, when given, sees every retired instruction, exception and interrupt.
    pub fn run(
        &mut self,
        max_insns: u64,
        console: &mut dyn Console,
        mut trace: Option<&mut dyn FnMut(&HartEvent)>,
    ) -> Result<BoardStop, BoardError> {
        loop {
            self.update_lines();
            let left = max_insns.saturating_sub(self.spent);
            if left == 0 {
                return Ok(BoardStop::InsnLimit);
            }
            let slice = self.slice_len(left);
            let before = self.hart.retired();
            let stop = match trace.as_deref_mut() {
                Some(hook) => self.hart.run_traced(&mut self.bus, slice, hook),
                None => self.hart.run(&mut self.bus, slice),
            };
            let retired = self.hart.retired();
            self.spent = self.spent.saturating_add(match stop {
                StopReason::Budget => slice,
                _ => retired.wrapping_sub(before),
            });
            let now = self.bus.sync(retired);
            self.fire_due(now);
            self.drain_uart(console);
            if let Some(s) = self.bus.finisher.status() {
                return Ok(match s {
                    FinisherStatus::Pass => Self::exit(ExitSource::Finisher, 0),
                    FinisherStatus::Fail(code) => Self::exit(ExitSource::Finisher, code.into()),
                    FinisherStatus::Reset => BoardStop::ResetRequested,
                });
            }
            match stop {
                StopReason::WatchedStore { addr } => {
                    if let Some(s) = self.tohost_store(addr, retired, console)? {
                        return Ok(s);
                    }
                }
                StopReason::Wfi => {
                    // Nothing runnable: jump virtual time to the next event.
                    let Some(t) = self.events.peek_time() else {
                        return Ok(BoardStop::Idle { pc: self.hart.pc() });
                    };
                    let now = self.bus.clock.skip_to(t);
                    self.fire_due(now);
                }
                // The bare board interprets HS and M code itself (`hs_host` is off), so the
                // hart never stops for traps into those modes; nothing to do if it did.
                StopReason::Budget
                | StopReason::Attention
                | StopReason::HsTrap
                | StopReason::MTrap => {}
            }
            if let Some(since) = self.partial_since {
                if retired.wrapping_sub(since) >= PARTIAL_GRACE_INSNS {
                    if let Some(s) = self.serve_htif(console)? {
                        return Ok(s);
                    }
                }
            }
        }
    }

    fn exit(source: ExitSource, code: u64) -> BoardStop {
        BoardStop::Exit { source, code }
    }

    /// Instructions to run next: up to the next event, the HTIF grace deadline, the limit.
    fn slice_len(&self, left: u64) -> u64 {
        let mut n = left.min(SLICE_MAX);
        if let Some(t) = self.events.peek_time() {
            n = n.min(self.bus.clock.insns_until(t).max(1));
        }
        if let Some(since) = self.partial_since {
            let waited = self.hart.retired().wrapping_sub(since);
            n = n.min(PARTIAL_GRACE_INSNS.saturating_sub(waited).max(1));
        }
        n
    }

    /// Drives MSIP and MTIP from the CLINT, and re-arms the timer event after a CLINT write.
    fn update_lines(&mut self) {
        let now = self.bus.clock.ticks();
        let clint = &self.bus.clint;
        self.hart.set_irq_line(IrqLine::Msip, clint.msip(HART0));
        self.hart
            .set_irq_line(IrqLine::Mtip, clint.mtip(HART0, now));
        if self.bus.clint_dirty {
            self.bus.clint_dirty = false;
            if let Some(id) = self.timer_event.take() {
                self.events.cancel(id);
            }
            let parked = clint.mtimecmp(HART0) == Some(TIMER_PARKED);
            if let Some(t) = clint.next_deadline(now).filter(|&t| t > now && !parked) {
                self.timer_event = Some(self.events.push(t, BoardEvent::TimerDeadline));
            }
        }
    }

    /// Retires the events due at `now` (their effect on the lines is applied by
    /// [`Self::update_lines`] before the next slice).
    fn fire_due(&mut self, now: u64) {
        while let Some((_, ev)) = self.events.pop_due(now) {
            match ev {
                BoardEvent::TimerDeadline => self.timer_event = None,
            }
        }
    }

    fn drain_uart(&mut self, console: &mut dyn Console) {
        if !self.bus.uart.output().is_empty() {
            let out = self.bus.uart.take_output();
            console.write(Stream::Stdout, &out);
        }
    }

    /// A store touched `tohost`: serve the command once all its bytes are written.
    fn tohost_store(
        &mut self,
        watched: u64,
        retired: u64,
        console: &mut dyn Console,
    ) -> Result<Option<BoardStop>, BoardError> {
        let Some(htif) = self.htif.as_mut() else {
            return Ok(None);
        };
        let tohost = htif.tohost().as_u64();
        let (start, len) = last_store_extent(&self.hart, &self.bus.mem, watched)
            .unwrap_or((tohost, HTIF_WORD_BYTES));
        if htif.note_store(start, len) {
            return self.serve_htif(console);
        }
        self.partial_since.get_or_insert(retired);
        Ok(None)
    }

    /// Takes and serves the command in `tohost`.
    fn serve_htif(&mut self, console: &mut dyn Console) -> Result<Option<BoardStop>, BoardError> {
        self.partial_since = None;
        let Some(htif) = self.htif.as_mut() else {
            return Ok(None);
        };
        let mem = &mut self.bus.mem;
        let Some(cmd) = htif.take(mem)? else {
            return Ok(None);
        };
        let outcome = htif.execute(cmd, mem, console)?;
        // The host wrote guest memory behind the hart's back.
        self.hart
            .invalidate_code(htif.tohost().as_u64(), HTIF_WORD_BYTES);
        if let Some(from) = htif.fromhost() {
            self.hart.invalidate_code(from.as_u64(), HTIF_WORD_BYTES);
        }
        if let HtifRequest::Syscall(block) = cmd.request() {
            self.hart
                .invalidate_code(block.as_u64(), SYSCALL_BLOCK_BYTES);
        }
        Ok(match outcome {
            HtifOutcome::Exit(code) => Some(Self::exit(ExitSource::Htif, code)),
            HtifOutcome::Continue => None,
        })
    }
}

#[cfg(test)]
mod tests;
