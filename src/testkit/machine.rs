//! [`TestMachine`]: one guest on the vCPU layer, driven exit by exit.
//!
//! The full [`Machine`](crate::machine::Machine) runs a guest to completion and answers
//! every exit itself. Exit-semantics tests need the opposite: stop at each exit, look at it,
//! answer it (or not), inspect registers and memory, resume. `TestMachine` builds the same
//! guest the Machine would (guest RAM carved from the board's host RAM, a stage-2 table
//! from `vcpu::stage2` mapping RAM only, vCPUs set up and bound to physical CPUs) over
//! any [`MachineBackend`], and hands the exits to the test.
//!
//! By default each vCPU has its own physical CPU and stays bound to it. With
//! [`TestMachineBuilder::pcpus`] below the vCPU count, vCPUs share physical CPUs: vCPU `i`
//! runs on physical CPU `i % pcpus`, and the kit switches vCPUs on a shared CPU the way a
//! VMM scheduler does (unbind the one there, bind the next) when a test runs or binds one. Today `TestMachine::riscv()`
//! is the only board; an AArch64 or x86 backend plugs into the same generic type.

use hw_models::riscv::hw::RiscvHardware;
use hw_models::riscv::platform::map;
use sim_core::clock::{ClockConfig, DEFAULT_INSN_RATE, DEFAULT_TIMEBASE_HZ, VirtualClock};
use sim_core::mem::{FrameAllocator, PhysMem};
use sim_core::trace::{DigestValue, TraceSink, Tracer};
use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::stage2::{GStageMode, SimTableMemory};
use vcpu::{ArchVCpu, ExitReason, PCpuSet, PerCpu, VCpu, VCpuParams};

use super::TestkitError;
use super::program::Program;
use crate::image::elf::ElfImage;
use crate::machine::{GuestRam, MachineBackend, RamMapping};
use crate::machine_riscv::{RiscvBackend, SharedConsole};

const PAGE: u64 = 4096;
const REG_A0: usize = 10;
const REG_A1: usize = 11;
/// The `timebase-frequency` in the device tree: sim-core's default timebase.
const DTB_TIMEBASE: u32 = 10_000_000;
/// Instructions one `run_to_exit` may retire before the vCPU reports `Preempted`.
pub const DEFAULT_SLICE: u64 = 1_000_000;

/// Which architecture a [`TestMachineBuilder`] builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestArch {
    /// RV64 with the H extension: the guest runs in VS-mode on the platform board.
    Riscv64,
}

/// Builder of a [`TestMachine`]: `TestMachine::riscv().vcpus(1).ram_mib(16).program(p).build()`.
pub struct TestMachineBuilder {
    arch: TestArch,
    vcpus: usize,
    pcpus: Option<usize>,
    ram_mib: u64,
    program: Option<Program>,
    slice: u64,
    trace_sink: Option<Box<dyn TraceSink>>,
}

/// A guest on the vCPU layer of one board, driven exit by exit.
pub struct TestMachine<B: MachineBackend> {
    backend: B,
    pcpus: Vec<PerCpu<<B::VCpu as ArchVCpu>::PerCpu>>,
    vcpus: Vec<VCpu<B::VCpu>>,
    ram: GuestRam,
    entry: u64,
    clock: VirtualClock,
    tracer: Tracer,
    slice: u64,
    current: usize,
    console: SharedConsole,
}

/// The RISC-V test machine.
pub type RiscvTestMachine = TestMachine<RiscvBackend>;

impl<B: MachineBackend> std::fmt::Debug for TestMachine<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestMachine")
            .field("vcpus", &self.vcpus.len())
            .field("ram", &self.ram)
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TestMachineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestMachineBuilder")
            .field("arch", &self.arch)
            .field("vcpus", &self.vcpus)
            .field("ram_mib", &self.ram_mib)
            .finish_non_exhaustive()
    }
}

impl TestMachine<RiscvBackend> {
    /// A builder for a RISC-V (H extension) machine: 1 vCPU, 16 MiB of RAM at 0x8000_0000.
    pub fn riscv() -> TestMachineBuilder {
        TestMachineBuilder {
            arch: TestArch::Riscv64,
            vcpus: 1,
            pcpus: None,
            ram_mib: 16,
            program: None,
            slice: DEFAULT_SLICE,
            trace_sink: None,
        }
    }
}

impl TestMachineBuilder {
    /// Number of vCPUs (by default each gets its own physical hart and stays bound to it).
    pub fn vcpus(mut self, n: usize) -> Self {
        self.vcpus = n;
        self
    }

    /// Number of physical harts (default: one per vCPU). vCPU `i` runs on hart
    /// `i % n`; the first vCPU of each hart is bound at build, the others wait unbound until
    /// the test runs or [binds](TestMachine::bind) them.
    ///
    /// ```
    /// use hvsim::testkit::{Program, TestMachine};
    /// use hw_models::riscv::isa::encode;
    /// use vcpu::ExitReason;
    ///
    /// let prog = Program::riscv(0x8000_0000, |a| { a.put(encode::wfi()); Ok(()) })?;
    /// // From 1 to the vCPU count.
    /// assert!(TestMachine::riscv().vcpus(2).pcpus(3).program(prog.clone()).build().is_err());
    /// assert!(TestMachine::riscv().vcpus(2).pcpus(0).program(prog.clone()).build().is_err());
    /// let mut m = TestMachine::riscv().vcpus(3).pcpus(1).program(prog).build()?;
    /// assert_eq!(m.bound_on(0), Some(0));
    /// m.select(2)?;
    /// assert!(matches!(m.run_to_exit()?, ExitReason::Halt)); // vCPU 0 switched out
    /// assert_eq!(m.bound_on(0), Some(2));
    /// assert!(!m.is_bound(0));
    /// # Ok::<(), hvsim::testkit::TestkitError>(())
    /// ```
    pub fn pcpus(mut self, n: usize) -> Self {
        self.pcpus = Some(n);
        self
    }

    /// Guest RAM in MiB, at the architecture's RAM base (0x8000_0000 on RISC-V).
    pub fn ram_mib(mut self, mib: u64) -> Self {
        self.ram_mib = mib;
        self
    }

    /// The guest program.
    pub fn program(mut self, p: Program) -> Self {
        self.program = Some(p);
        self
    }

    /// Instructions one `run_to_exit` may retire before it returns `Preempted`.
    pub fn slice(mut self, insns: u64) -> Self {
        self.slice = insns.max(1);
        self
    }

    /// A trace sink for the exit events (the digest is kept with or without one).
    pub fn trace_sink(mut self, sink: Box<dyn TraceSink>) -> Self {
        self.trace_sink = Some(sink);
        self
    }

    /// Builds the machine: every vCPU set up at the program's entry and bound.
    pub fn build(self) -> Result<RiscvTestMachine, TestkitError> {
        match self.arch {
            TestArch::Riscv64 => {}
        }
        let program = self.program.ok_or(TestkitError::NoProgram)?;
        let ram_size = self
            .ram_mib
            .checked_mul(1 << 20)
            .filter(|s| *s > 0)
            .ok_or(TestkitError::Config("RAM size must be 1 MiB or more"))?;
        if self.vcpus == 0 || self.vcpus > hw_models::riscv::platform::MAX_HARTS {
            return Err(TestkitError::Config("vCPU count out of range"));
        }
        let pcpus = self.pcpus.unwrap_or(self.vcpus);
        if pcpus == 0 || pcpus > self.vcpus {
            return Err(TestkitError::Config(
                "physical CPU count must be 1 to the vCPU count",
            ));
        }
        let console = SharedConsole::new();
        let backend = RiscvBackend::new(pcpus, ram_size)
            .map_err(|e| TestkitError::Board(e.to_string()))?
            .with_console(console.clone());
        TestMachine::assemble(
            backend,
            self.vcpus,
            map::RAM_BASE,
            ram_size,
            &program,
            self.slice,
            self.trace_sink,
            console,
        )
    }
}

impl<B: MachineBackend> TestMachine<B> {
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        mut backend: B,
        nvcpus: usize,
        ram_base: u64,
        ram_size: u64,
        program: &Program,
        slice: u64,
        sink: Option<Box<dyn TraceSink>>,
        console: SharedConsole,
    ) -> Result<Self, TestkitError> {
        let ram_end = ram_base.saturating_add(ram_size);
        for &(base, size) in program.mmio_windows() {
            if base < ram_end && ram_base < base.saturating_add(size) {
                return Err(TestkitError::Config("an MMIO window overlaps guest RAM"));
            }
        }
        let (host_base, host_size) = backend.host_ram();
        let mut frames = FrameAllocator::new(backend.memory(), host_base, host_size)
            .map_err(|e| TestkitError::Board(e.to_string()))?;
        let ram_hpa = frames
            .alloc_contiguous(backend.memory(), ram_size / PAGE, PAGE)
            .map_err(|e| TestkitError::Board(e.to_string()))?;
        let ram = GuestRam {
            gpa: GuestPhysAddr::new(ram_base),
            hpa: ram_hpa,
            size: ram_size,
        };
        let root = {
            let mut tm = SimTableMemory::new(backend.memory(), &mut frames);
            B::build_stage2(
                &mut tm,
                GStageMode::Sv39x4,
                &[RamMapping {
                    gpa: ram.gpa,
                    hpa: ram.hpa,
                    size: ram.size,
                }],
            )
            .map_err(|e| TestkitError::Board(e.to_string()))?
        };
        let mut entry = program.entry();
        let mut blocks: Vec<(u64, Vec<u8>)> = program.blocks().to_vec();
        if let Some(bytes) = program.elf() {
            let elf = ElfImage::parse(bytes).map_err(|e| TestkitError::Elf(e.to_string()))?;
            entry = elf.entry();
            blocks.extend(
                elf.segments()
                    .iter()
                    .map(|s| (s.paddr(), s.data().to_vec())),
            );
        }
        for (gpa, bytes) in &blocks {
            write_ram(&ram, backend.memory(), *gpa, bytes)?;
        }
        // RISC-V boot protocol: a1 = a device tree, here in the last page(s) of RAM.
        let dtb = super::fdt::minimal(nvcpus, ram_base, ram_size, DTB_TIMEBASE)
            .map_err(|e| TestkitError::Board(format!("device tree: {e}")))?;
        let dtb_addr = ram_end
            .checked_sub(dtb.len() as u64)
            .map(|a| a & !(PAGE - 1))
            .ok_or(TestkitError::Config("no room for the device tree"))?;
        if blocks
            .iter()
            .any(|(g, b)| *g < ram_end && g.saturating_add(b.len() as u64) > dtb_addr)
        {
            return Err(TestkitError::Config(
                "the program overlaps the device tree in the last page of RAM",
            ));
        }
        write_ram(&ram, backend.memory(), dtb_addr, &dtb)?;
        let mut pcpus = Vec::new();
        for p in 0..backend.pcpu_count() {
            let mut pc = PerCpu::new(p, backend.hardware(p))?;
            pc.hardware_enable(backend.hardware(p))?;
            pcpus.push(pc);
        }
        let mut vcpus = Vec::new();
        for id in 0..nvcpus {
            let spec = crate::machine::VCpuSpec {
                id,
                count: nvcpus,
                dtb_addr: GuestPhysAddr::new(dtb_addr),
                gstage: GStageMode::Sv39x4,
            };
            let pcpu = id % pcpus.len().max(1);
            let params = VCpuParams::new(0, id)
                .favor_pcpu(pcpu)
                .affinity(PCpuSet::single(pcpu)?);
            let cfg = backend.vcpu_config(&spec)?;
            let mut v = VCpu::new(params, cfg)?;
            let setup = backend.setup_config(&spec);
            v.setup(GuestPhysAddr::new(entry), root, setup)?;
            // Boot protocol: a0 = hart id, a1 = device tree.
            v.set_gpr(REG_A0, id as u64)?;
            v.set_gpr(REG_A1, dtb_addr)?;
            if let Some(pc) = pcpus.get_mut(pcpu) {
                if pc.current().is_none() {
                    v.bind(pc, backend.hardware(pcpu))?;
                }
            }
            vcpus.push(v);
        }
        let clock = VirtualClock::new(ClockConfig {
            insn_rate: DEFAULT_INSN_RATE,
            timebase_hz: DEFAULT_TIMEBASE_HZ,
        })
        .map_err(|e| TestkitError::Board(e.to_string()))?;
        Ok(Self {
            backend,
            pcpus,
            vcpus,
            ram,
            entry,
            clock,
            tracer: sink.map_or_else(Tracer::new, Tracer::with_sink),
            slice,
            current: 0,
            console,
        })
    }

    /// Selects the vCPU the run and register methods act on.
    pub fn select(&mut self, vcpu: usize) -> Result<(), TestkitError> {
        if vcpu >= self.vcpus.len() {
            return Err(TestkitError::NoSuchVCpu(vcpu));
        }
        self.current = vcpu;
        Ok(())
    }

    /// The program's entry point.
    pub fn entry(&self) -> u64 {
        self.entry
    }

    fn pcpu_of(&self) -> usize {
        self.vcpus[self.current].favor_pcpu()
    }

    /// The physical CPU vCPU `vcpu` runs on (`None`: no such vCPU).
    pub fn pcpu_of_vcpu(&self, vcpu: usize) -> Option<usize> {
        self.vcpus.get(vcpu).map(VCpu::favor_pcpu)
    }

    /// The vCPU bound on physical CPU `pcpu`, if any.
    pub fn bound_on(&self, pcpu: usize) -> Option<usize> {
        let key = self.pcpus.get(pcpu)?.current()?;
        self.vcpus.iter().position(|v| v.key() == key)
    }

    /// Whether vCPU `vcpu` is bound to its physical CPU.
    pub fn is_bound(&self, vcpu: usize) -> bool {
        self.vcpus
            .get(vcpu)
            .is_some_and(|v| v.bound_pcpu().is_some())
    }

    /// Binds vCPU `vcpu` to its physical CPU, first unbinding the vCPU bound there (a VMM
    /// context switch: the VS CSRs and hvip of the one go out, those of the other come in).
    /// Nothing happens if it is already bound. [`Self::run_to_exit`] does this itself.
    pub fn bind(&mut self, vcpu: usize) -> Result<(), TestkitError> {
        let p = self
            .pcpu_of_vcpu(vcpu)
            .ok_or(TestkitError::NoSuchVCpu(vcpu))?;
        match self.bound_on(p) {
            Some(v) if v == vcpu => return Ok(()),
            Some(other) => self.unbind(other)?,
            None => {}
        }
        let pc = self
            .pcpus
            .get_mut(p)
            .ok_or(TestkitError::NoSuchVCpu(vcpu))?;
        Ok(self.vcpus[vcpu].bind(pc, self.backend.hardware(p))?)
    }

    /// Unbinds vCPU `vcpu` from its physical CPU (its VS CSRs and hvip are saved in the
    /// vCPU; the hart is left with no VS interrupt pending). Nothing happens if it is not
    /// bound. Interrupts injected meanwhile are queued and reach the guest after the next
    /// bind, at its next run.
    ///
    /// ```
    /// use hvsim::testkit::{Program, TestMachine, TestkitError};
    /// use hw_models::riscv::isa::encode;
    /// use vcpu::ExitReason;
    ///
    /// let prog = Program::riscv(0x8000_0000, |a| { a.put(encode::wfi()); Ok(()) })?;
    /// let mut m = TestMachine::riscv().vcpus(2).pcpus(1).program(prog).build()?;
    /// m.unbind(0)?;
    /// assert_eq!(m.bound_on(0), None);
    /// // The hart's VS CSRs belong to no vCPU now.
    /// assert!(matches!(m.csr(0x200), Err(TestkitError::NotBound(0))));
    /// m.inject_interrupt(10)?; // queued in vCPU 0
    /// assert!(matches!(m.run_to_exit()?, ExitReason::Halt)); // bound again to run
    /// assert_eq!(m.bound_on(0), Some(0));
    /// # Ok::<(), TestkitError>(())
    /// ```
    pub fn unbind(&mut self, vcpu: usize) -> Result<(), TestkitError> {
        if !self.is_bound(vcpu) {
            return self
                .vcpus
                .get(vcpu)
                .map(|_| ())
                .ok_or(TestkitError::NoSuchVCpu(vcpu));
        }
        let p = self.vcpus[vcpu].favor_pcpu();
        let pc = self
            .pcpus
            .get_mut(p)
            .ok_or(TestkitError::NoSuchVCpu(vcpu))?;
        Ok(self.vcpus[vcpu].unbind(pc, self.backend.hardware(p))?)
    }

    /// Runs the selected vCPU until its next exit (any exit, including `Nothing` and
    /// `Preempted`) and records it in the trace. A vCPU not bound is bound first (see
    /// [`Self::bind`]).
    pub fn run_to_exit(&mut self) -> Result<ExitReason, TestkitError> {
        let cur = self.current;
        self.bind(cur)?;
        let p = self.pcpu_of();
        self.backend.begin_slice(p, &self.clock, self.slice);
        let pc = self.pcpus.get_mut(p).ok_or(TestkitError::NoSuchVCpu(cur))?;
        let r = self.vcpus[cur].run(pc, self.backend.hardware(p));
        let retired = self.backend.end_slice(p).min(self.slice);
        self.clock.retire(retired);
        let exit = r?;
        self.tracer
            .record_visit(self.clock.ticks(), cur as u32, &exit);
        Ok(exit)
    }

    /// Runs until `pred` accepts an exit (returned), or `max_exits` exits have passed
    /// (`TestkitError::ExitLimit`). Exits that `pred` rejects are not answered.
    pub fn run_until(
        &mut self,
        max_exits: usize,
        mut pred: impl FnMut(&ExitReason) -> bool,
    ) -> Result<ExitReason, TestkitError> {
        for _ in 0..max_exits {
            let e = self.run_to_exit()?;
            if pred(&e) {
                return Ok(e);
            }
        }
        Err(TestkitError::ExitLimit(max_exits))
    }

    /// Runs until `SystemDown`, `Halt` or `CpuDown`, answering MMIO reads with `mmio_read`
    /// (address, width) and leaving hypercalls unanswered (a0 = SUCCESS, a1 = 0, as preset).
    /// Returns every exit in order. For full device and SBI semantics use the
    /// [`Machine`](crate::machine::Machine) instead.
    pub fn run_to_completion(
        &mut self,
        max_exits: usize,
        mut mmio_read: impl FnMut(u64, AccessWidth) -> u64,
    ) -> Result<Vec<ExitReason>, TestkitError> {
        let mut exits = Vec::new();
        for _ in 0..max_exits {
            let e = self.run_to_exit()?;
            if let ExitReason::MmioRead { addr, width, .. } = e {
                let v = mmio_read(addr.as_u64(), width);
                self.complete_mmio_read(v)?;
            }
            let done = matches!(
                e,
                ExitReason::SystemDown { .. } | ExitReason::Halt | ExitReason::CpuDown { .. }
            );
            exits.push(e);
            if done {
                return Ok(exits);
            }
        }
        Err(TestkitError::ExitLimit(max_exits))
    }

    /// Answers the `MmioRead` just returned: the vCPU writes its destination register with
    /// the load's sign or zero extension of the low `width` bytes of `value`.
    pub fn complete_mmio_read(&mut self, value: u64) -> Result<(), TestkitError> {
        let v = &mut self.vcpus[self.current];
        Ok(v.set_return_value(value)?)
    }

    /// Answers an `IoRead` (x86 port input) with `value` of `width`.
    pub fn complete_io_read(&mut self, width: AccessWidth, value: u64) -> Result<(), TestkitError> {
        Ok(B::complete_io_read(
            &mut self.vcpus[self.current],
            width,
            value,
        )?)
    }

    /// Answers a hypercall (or any exit) through `set_return_value`.
    pub fn set_return_value(&mut self, value: u64) -> Result<(), TestkitError> {
        Ok(self.vcpus[self.current].set_return_value(value)?)
    }

    /// Reads general-purpose register `idx` of the selected vCPU.
    pub fn gpr(&self, idx: usize) -> u64 {
        B::gpr(self.vcpus[self.current].arch(), idx).unwrap_or(0)
    }

    /// Writes general-purpose register `idx` of the selected vCPU (raw: use it before a
    /// run, not to answer an exit).
    pub fn set_gpr(&mut self, idx: usize, value: u64) -> Result<(), TestkitError> {
        Ok(self.vcpus[self.current].set_gpr(idx, value)?)
    }

    /// Queues interrupt `vector` for the selected vCPU, bound or not: the vCPU applies it at
    /// its next run.
    pub fn inject_interrupt(&mut self, vector: usize) -> Result<(), TestkitError> {
        Ok(self.vcpus[self.current].inject_interrupt(vector)?)
    }

    /// Reads guest-physical RAM.
    pub fn read_mem(&mut self, gpa: u64, out: &mut [u8]) -> Result<(), TestkitError> {
        let h = self
            .ram
            .hpa_of(gpa, out.len() as u64)
            .ok_or(TestkitError::NotRam(gpa))?;
        self.backend
            .memory()
            .read_bytes(h, out)
            .map_err(|_| TestkitError::NotRam(gpa))
    }

    /// Reads a little-endian u64 from guest-physical RAM.
    pub fn read_u64(&mut self, gpa: u64) -> Result<u64, TestkitError> {
        let mut b = [0u8; 8];
        self.read_mem(gpa, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Writes guest-physical RAM.
    pub fn write_mem(&mut self, gpa: u64, bytes: &[u8]) -> Result<(), TestkitError> {
        write_ram(&self.ram, self.backend.memory(), gpa, bytes)
    }

    /// Guest RAM.
    pub fn ram(&self) -> GuestRam {
        self.ram
    }

    /// The vCPU (state machine and architecture state), for what the kit does not wrap.
    pub fn vcpu(&self) -> &VCpu<B::VCpu> {
        &self.vcpus[self.current]
    }

    /// The vCPU, mutably.
    pub fn vcpu_mut(&mut self) -> &mut VCpu<B::VCpu> {
        &mut self.vcpus[self.current]
    }

    /// The digest of the exits recorded so far (sim-core's trace digest).
    pub fn digest(&self) -> DigestValue {
        self.tracer.digest()
    }

    /// The tracer (its sink, if any, holds the events).
    pub fn tracer(&self) -> &Tracer {
        &self.tracer
    }

    /// Instructions retired so far over all runs.
    pub fn retired(&self) -> u64 {
        self.clock.retired()
    }

    /// What the firmware's console (SBI DBCN, legacy putchar) printed so far.
    pub fn firmware_console(&self) -> Vec<u8> {
        self.console.bytes()
    }

    /// Raw access for tests of the vCPU API itself: vCPU `v`, physical CPU `p`'s per-CPU
    /// state and its hardware handle (the board selects `p`). `None` if either is absent.
    #[allow(clippy::type_complexity)]
    pub fn raw_parts(
        &mut self,
        v: usize,
        p: usize,
    ) -> Option<(
        &mut VCpu<B::VCpu>,
        &mut PerCpu<<B::VCpu as ArchVCpu>::PerCpu>,
        &mut <B::VCpu as ArchVCpu>::Hardware,
    )> {
        if p >= self.pcpus.len() {
            return None;
        }
        let vcpu = self.vcpus.get_mut(v)?;
        let pc = self.pcpus.get_mut(p)?;
        Some((vcpu, pc, self.backend.hardware(p)))
    }

    /// The backend (board).
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }
}

impl TestMachine<RiscvBackend> {
    /// The selected vCPU's pc (after an MMIO or SBI exit: already past the instruction).
    pub fn pc(&self) -> u64 {
        self.vcpus[self.current].arch().pc()
    }

    /// Reads a CSR of the selected vCPU's physical hart: the VS CSRs (vsstatus, vstvec,
    /// vsepc, ...) are live there while the vCPU is bound ([`TestkitError::NotBound`]
    /// otherwise: the hart's VS CSRs then belong to another vCPU or to none).
    pub fn csr(&mut self, csr: u16) -> Result<u64, TestkitError> {
        let p = self.bound_pcpu()?;
        self.backend
            .hardware(p)
            .csr_read(csr)
            .map_err(|t| TestkitError::CsrTrap {
                csr,
                cause: t.cause,
            })
    }

    /// Queues the deassertion of interrupt `vector` for the selected vCPU (a device dropping
    /// its level-triggered line, or the VMM's interrupt controller seeing the guest's
    /// acknowledgement); applied at the vCPU's next run, before the guest resumes.
    pub fn retract_interrupt(&mut self, vector: usize) -> Result<(), TestkitError> {
        self.vcpus[self.current]
            .arch_mut()
            .retract_interrupt(vector)
            .map_err(|e| TestkitError::VCpu(e.into()))
    }

    /// Writes a CSR of the selected vCPU's physical hart (e.g. a VS CSR before a run); the
    /// vCPU must be bound, as for [`Self::csr`].
    pub fn set_csr(&mut self, csr: u16, value: u64) -> Result<(), TestkitError> {
        let p = self.bound_pcpu()?;
        self.backend
            .hardware(p)
            .csr_write(csr, value)
            .map_err(|t| TestkitError::CsrTrap {
                csr,
                cause: t.cause,
            })
    }
}

impl<B: MachineBackend> TestMachine<B> {
    /// The physical CPU of the selected vCPU, if it is bound there.
    fn bound_pcpu(&self) -> Result<usize, TestkitError> {
        if self.is_bound(self.current) {
            Ok(self.pcpu_of())
        } else {
            Err(TestkitError::NotBound(self.current))
        }
    }
}

fn write_ram(
    ram: &GuestRam,
    mem: &mut PhysMem,
    gpa: u64,
    bytes: &[u8],
) -> Result<(), TestkitError> {
    let h = ram
        .hpa_of(gpa, bytes.len() as u64)
        .ok_or(TestkitError::NotRam(gpa))?;
    mem.write_bytes(h, bytes)
        .map_err(|_| TestkitError::NotRam(gpa))
}
