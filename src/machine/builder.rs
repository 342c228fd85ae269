//! `MachineBuilder`: everything a Machine is made of, checked at `build`.

use std::fmt;
use std::io::Write;

use hw_models::dev::MmioDevice;
use sim_core::clock::{DEFAULT_INSN_RATE, DEFAULT_TIMEBASE_HZ};
use sim_core::trace::TraceSink;
use vcpu::stage2::GStageMode;

use super::Machine;
use super::backend::MachineBackend;
use super::error::MachineError;
use super::handlers::{
    HypercallCall, HypercallHandler, MmioAccess, MmioHandler, PortAccess, PortHandler, Reply,
};
use super::load::GuestImage;

/// Default guest RAM: 128 MiB.
pub const DEFAULT_RAM_SIZE: u64 = 128 << 20;
/// Default scheduling quantum: 10 000 instructions (100 µs at the default 100 MIPS).
pub const DEFAULT_QUANTUM: u64 = 10_000;
/// Most vCPUs a Machine takes (the vCPU layer's affinity sets hold 256 CPUs).
pub const MAX_VCPUS: usize = 256;

/// A user MMIO window: a device model or a handler.
pub(crate) enum UserMmio {
    Device(Box<dyn MmioDevice>),
    Handler(MmioHandler),
}

/// Builds a [`Machine`].
///
/// ```
/// use hvsim::machine::mock::MockBackend;
/// use hvsim::machine::{GuestImage, MachineBuilder, Outcome};
/// use sim_core::{AccessWidth, GuestPhysAddr};
/// use vcpu::ExitReason;
///
/// // The mock guest writes "ok" to the UART and the pass code to the test finisher.
/// let uart = |b: u8| ExitReason::MmioWrite {
///     addr: GuestPhysAddr::new(0x1000_0000),
///     width: AccessWidth::Byte,
///     data: b.into(),
/// };
/// let pass = ExitReason::MmioWrite {
///     addr: GuestPhysAddr::new(0x10_0000),
///     width: AccessWidth::Dword,
///     data: 0x5555,
/// };
/// let backend = MockBackend::new(1).script(0, [uart(b'o'), uart(b'k'), pass]);
/// let mut m = MachineBuilder::new(backend)
///     .image(GuestImage::Raw { bytes: vec![0x73, 0, 0x50, 0x10], load_addr: None })
///     .append("console=ttyS0")
///     .build()?;
/// let summary = m.run();
/// assert!(summary.outcome.is_success());
/// assert_eq!(m.console().output(), b"ok");
/// # Ok::<(), hvsim::machine::MachineError>(())
/// ```
pub struct MachineBuilder<B: MachineBackend> {
    pub(crate) backend: B,
    pub(crate) ram_base: Option<u64>,
    pub(crate) ram_size: u64,
    pub(crate) vcpus: usize,
    pub(crate) append: String,
    pub(crate) image: Option<GuestImage>,
    pub(crate) entry: Option<u64>,
    pub(crate) budget: Option<u64>,
    pub(crate) quantum: u64,
    pub(crate) trace_sink: Option<Box<dyn TraceSink>>,
    pub(crate) timebase_hz: u64,
    pub(crate) insn_rate: u64,
    pub(crate) gstage: GStageMode,
    pub(crate) console: Option<Box<dyn Write>>,
    pub(crate) uart_input: Vec<u8>,
    pub(crate) hypercalls: Vec<HypercallHandler>,
    pub(crate) mmio: Vec<(String, u64, u64, UserMmio)>,
    pub(crate) ports: Vec<(u16, u16, PortHandler)>,
}

impl<B: MachineBackend> fmt::Debug for MachineBuilder<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MachineBuilder")
            .field("ram_base", &self.ram_base)
            .field("ram_size", &self.ram_size)
            .field("vcpus", &self.vcpus)
            .field("append", &self.append)
            .field("budget", &self.budget)
            .field("quantum", &self.quantum)
            .finish_non_exhaustive()
    }
}

impl<B: MachineBackend> MachineBuilder<B> {
    /// A builder over a board: one vCPU, [`DEFAULT_RAM_SIZE`] at the architecture's RAM
    /// base, no budget, the default clock rates, Sv39x4.
    pub fn new(backend: B) -> Self {
        Self {
            backend,
            ram_base: None,
            ram_size: DEFAULT_RAM_SIZE,
            vcpus: 1,
            append: String::new(),
            image: None,
            entry: None,
            budget: None,
            quantum: DEFAULT_QUANTUM,
            trace_sink: None,
            timebase_hz: DEFAULT_TIMEBASE_HZ,
            insn_rate: DEFAULT_INSN_RATE,
            gstage: GStageMode::Sv39x4,
            console: None,
            uart_input: Vec::new(),
            hypercalls: Vec::new(),
            mmio: Vec::new(),
            ports: Vec::new(),
        }
    }

    /// Guest RAM base (default: the architecture's, 0x8000_0000 on riscv64).
    pub fn ram_base(mut self, base: u64) -> Self {
        self.ram_base = Some(base);
        self
    }

    /// Guest RAM size in bytes (a multiple of 4 KiB).
    pub fn ram_size(mut self, size: u64) -> Self {
        self.ram_size = size;
        self
    }

    /// Number of vCPUs (1..=256). vCPU 0 boots; the others wait for `CpuUp`.
    pub fn vcpus(mut self, n: usize) -> Self {
        self.vcpus = n;
        self
    }

    /// The kernel command line (`/chosen/bootargs`).
    pub fn append(mut self, cmdline: impl Into<String>) -> Self {
        self.append = cmdline.into();
        self
    }

    /// The image to boot.
    pub fn image(mut self, image: GuestImage) -> Self {
        self.image = Some(image);
        self
    }

    /// Overrides the entry point the image gives.
    pub fn entry(mut self, gpa: u64) -> Self {
        self.entry = Some(gpa);
        self
    }

    /// Stops the run after this many guest instructions ([`super::Outcome::BudgetExhausted`]).
    pub fn budget(mut self, insns: u64) -> Self {
        self.budget = Some(insns);
        self
    }

    /// The scheduling quantum in instructions (see `docs/machine.md`).
    pub fn quantum(mut self, insns: u64) -> Self {
        self.quantum = insns;
        self
    }

    /// Where trace events go (the digest is kept regardless).
    pub fn trace_sink(mut self, sink: Box<dyn TraceSink>) -> Self {
        self.trace_sink = Some(sink);
        self
    }

    /// Timebase frequency in Hz (`/cpus/timebase-frequency`, the `time` CSR's rate).
    pub fn timebase(mut self, hz: u64) -> Self {
        self.timebase_hz = hz;
        self
    }

    /// Guest instructions per second of virtual time.
    pub fn insn_rate(mut self, per_sec: u64) -> Self {
        self.insn_rate = per_sec;
        self
    }

    /// The G-stage scheme of the stage-2 table.
    pub fn gstage(mut self, mode: GStageMode) -> Self {
        self.gstage = mode;
        self
    }

    /// Mirrors console output to `w` (it is always kept in memory too).
    pub fn console_writer(mut self, w: Box<dyn Write>) -> Self {
        self.console = Some(w);
        self
    }

    /// Bytes the UART receives, as if typed.
    pub fn uart_input(mut self, bytes: &[u8]) -> Self {
        self.uart_input.extend_from_slice(bytes);
        self
    }

    /// Adds a hypercall handler. Handlers are asked in registration order until one does not
    /// answer [`Reply::Unhandled`].
    pub fn on_hypercall(mut self, h: impl FnMut(&HypercallCall) -> Reply + 'static) -> Self {
        self.hypercalls.push(Box::new(h));
        self
    }

    /// Routes guest-physical `[base, base + size)` to a handler.
    pub fn mmio(
        mut self,
        base: u64,
        size: u64,
        h: impl FnMut(&MmioAccess) -> Reply + 'static,
    ) -> Self {
        self.mmio.push((
            format!("mmio@{base:#x}"),
            base,
            size,
            UserMmio::Handler(Box::new(h)),
        ));
        self
    }

    /// Routes guest-physical `[base, base + dev.size())` to a device model.
    pub fn mmio_device(mut self, base: u64, dev: impl MmioDevice + 'static) -> Self {
        let size = dev.size();
        self.mmio.push((
            format!("device@{base:#x}"),
            base,
            size,
            UserMmio::Device(Box::new(dev)),
        ));
        self
    }

    /// Routes I/O ports `[base, base + count)` to a handler.
    pub fn io_ports(
        mut self,
        base: u16,
        count: u16,
        h: impl FnMut(&PortAccess) -> Reply + 'static,
    ) -> Self {
        self.ports.push((base, count, Box::new(h)));
        self
    }

    /// Builds the Machine: allocates guest RAM, builds the stage-2 table, loads the image,
    /// writes the device tree, creates and sets up the vCPUs.
    pub fn build(self) -> Result<Machine<B>, MachineError> {
        Machine::from_builder(self)
    }
}
