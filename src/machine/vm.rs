//! The Machine: its parts and how `build` puts them together.

use std::fmt;

use hw_models::dev::{FINISHER_SIZE, TestFinisher, Uart16550};
use sim_core::clock::{ClockConfig, VirtualClock};
use sim_core::mem::FrameAllocator;
use sim_core::trace::Tracer;
use sim_core::{GuestPhysAddr, HostPhysAddr};
use vcpu::stage2::SimTableMemory;
use vcpu::{ArchVCpu, PCpuSet, PerCpu, VCpu, VCpuParams};

use super::backend::{ArchDefaults, MachineBackend, RamMapping, VCpuSpec};
use super::builder::{MAX_VCPUS, MachineBuilder, UserMmio};
use super::console::Console;
use super::devices::{MmioBus, PortBus, Slot, UART_WINDOW, Window};
use super::error::MachineError;
use super::fdt::{self, FdtInfo};
use super::handlers::HypercallHandler;
use super::load::{self, LoadedImage};
use super::memory::GuestRam;
use super::summary::{ExitCounts, Outcome};

const PAGE: u64 = 0x1000;
/// The device tree is placed at the top of RAM, aligned down to 2 MiB when RAM is large
/// enough (as QEMU does: early kernel mappings cover whole 2 MiB pages).
const DTB_ALIGN: u64 = 2 << 20;
/// Guest RAM is backed by a host run aligned to the largest of these that works, so the
/// stage-2 table can use superpages.
const RAM_ALIGNS: [u64; 3] = [1 << 30, 2 << 20, PAGE];

/// Where a vCPU is in its life, from the Machine's point of view.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RunState {
    /// Not started yet (secondaries before `CpuUp`) or stopped by `CpuDown`.
    Stopped,
    /// Schedulable.
    Runnable,
    /// Waiting for an interrupt (`Halt`); parked (`Blocked`) in the vCPU layer.
    Halted,
}

/// A virtual machine: vCPUs of one architecture on a board, guest RAM behind a stage-2
/// table, the UART and test finisher, user handlers, virtual time and a trace.
pub struct Machine<B: MachineBackend> {
    pub(crate) backend: B,
    pub(crate) defaults: ArchDefaults,
    pub(crate) vcpus: Vec<VCpu<B::VCpu>>,
    pub(crate) state: Vec<RunState>,
    pub(crate) pcpus: Vec<PerCpu<<B::VCpu as ArchVCpu>::PerCpu>>,
    pub(crate) ram: GuestRam,
    pub(crate) stage2_root: HostPhysAddr,
    pub(crate) image: LoadedImage,
    pub(crate) dtb_addr: u64,
    pub(crate) dtb: Vec<u8>,
    pub(crate) bus: MmioBus,
    pub(crate) ports: PortBus,
    pub(crate) hypercalls: Vec<HypercallHandler>,
    pub(crate) clock: VirtualClock,
    pub(crate) tracer: Tracer,
    pub(crate) console: Console,
    pub(crate) budget: Option<u64>,
    pub(crate) quantum: u64,
    pub(crate) exits: ExitCounts,
    pub(crate) unhandled_hypercalls: u64,
    pub(crate) dropped_ipis: u64,
    /// The vCPU holding the schedule and the instructions left in its quantum.
    pub(crate) current: Option<(usize, u64)>,
    /// Where the round-robin search for the next vCPU starts.
    pub(crate) cursor: usize,
    pub(crate) outcome: Option<Outcome>,
    /// Consecutive exits that retired no instruction.
    pub(crate) idle_exits: u64,
    /// How many vCPUs are in [`RunState::Halted`] (the timer checks are skipped at 0).
    pub(crate) halted: usize,
}

impl<B: MachineBackend> fmt::Debug for Machine<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Machine")
            .field("arch", &self.defaults.arch)
            .field("vcpus", &self.vcpus.len())
            .field("pcpus", &self.pcpus.len())
            .field("ram", &self.ram)
            .field("bus", &self.bus)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

fn config(msg: impl Into<String>) -> MachineError {
    MachineError::Config(msg.into())
}

impl<B: MachineBackend> Machine<B> {
    pub(crate) fn from_builder(b: MachineBuilder<B>) -> Result<Self, MachineError> {
        let MachineBuilder {
            mut backend,
            ram_base,
            ram_size,
            vcpus: nvcpus,
            append,
            image,
            entry,
            budget,
            quantum,
            trace_sink,
            timebase_hz,
            insn_rate,
            gstage,
            console: console_writer,
            uart_input,
            hypercalls,
            mmio,
            ports: port_handlers,
        } = b;
        let defaults = backend.defaults();
        let npcpus = backend.pcpu_count();
        if npcpus == 0 {
            return Err(config("the board has no physical CPUs"));
        }
        if nvcpus == 0 || nvcpus > MAX_VCPUS {
            return Err(config(format!("{nvcpus} vCPUs (1..={MAX_VCPUS} allowed)")));
        }
        if quantum == 0 {
            return Err(config(
                "the scheduling quantum must be at least 1 instruction",
            ));
        }
        let ram_base = ram_base.unwrap_or(defaults.ram_base);
        if ram_size == 0 || ram_size % PAGE != 0 || ram_base % PAGE != 0 {
            return Err(config(format!(
                "guest RAM {ram_base:#x}+{ram_size:#x} must be non-empty and 4 KiB aligned"
            )));
        }
        let ram_end = ram_base
            .checked_add(ram_size)
            .filter(|e| *e <= 1u64 << gstage.gpa_bits())
            .ok_or_else(|| {
                config(format!(
                    "guest RAM {ram_base:#x}+{ram_size:#x} exceeds the {}-bit guest-physical space of {}",
                    gstage.gpa_bits(),
                    gstage.name()
                ))
            })?;
        let image = image.ok_or_else(|| config("no image to boot"))?;
        let clock = VirtualClock::new(ClockConfig {
            insn_rate,
            timebase_hz,
        })?;

        // Devices first, so overlaps with RAM are found before memory is touched.
        let mut bus = MmioBus::default();
        let mut uart = Uart16550::new();
        uart.push_input(&uart_input);
        let mut windows: Vec<Window> = vec![
            Window {
                name: "uart".into(),
                base: defaults.uart_base,
                size: UART_WINDOW,
                slot: Slot::Uart(uart),
            },
            Window {
                name: "test-finisher".into(),
                base: defaults.finisher_base,
                size: FINISHER_SIZE,
                slot: Slot::Finisher(TestFinisher::new()),
            },
        ];
        for (name, base, size, m) in mmio {
            windows.push(Window {
                name,
                base,
                size,
                slot: match m {
                    UserMmio::Device(d) => Slot::Device(d),
                    UserMmio::Handler(h) => Slot::Handler(h),
                },
            });
        }
        for w in windows {
            let overlap = |other: String| MachineError::Overlap {
                name: w.name.clone(),
                base: w.base,
                size: w.size,
                other,
            };
            if w.size == 0 || w.base.checked_add(w.size).is_none() {
                return Err(overlap("the end of the address space (or is empty)".into()));
            }
            if w.base < ram_end && ram_base < w.base + w.size {
                return Err(overlap(format!("guest RAM {ram_base:#x}..{ram_end:#x}")));
            }
            if let Some(o) = bus.overlapping(w.base, w.size) {
                return Err(overlap(o.to_owned()));
            }
            bus.insert(w);
        }
        let mut port_bus = PortBus::default();
        for (base, count, h) in port_handlers {
            if count == 0
                || u32::from(base) + u32::from(count) > 0x1_0000
                || port_bus.overlaps(base, count)
            {
                return Err(MachineError::Overlap {
                    name: format!("ports {base:#x}+{count:#x}"),
                    base: base.into(),
                    size: count.into(),
                    other: "another port range or the end of the port space".into(),
                });
            }
            port_bus.insert(base, count, h);
        }

        // Guest RAM: one run of host frames, aligned for superpages where the host allows.
        let (host_base, host_size) = backend.host_ram();
        let mut frames = FrameAllocator::new(backend.memory(), host_base, host_size)?;
        let ram_frames = ram_size / PAGE;
        let mut ram_hpa = None;
        let mut last_err = None;
        for align in RAM_ALIGNS {
            if align > PAGE && (ram_base % align != 0 || ram_size < align) {
                continue;
            }
            match frames.alloc_contiguous(backend.memory(), ram_frames, align) {
                Ok(h) => {
                    ram_hpa = Some(h);
                    break;
                }
                Err(e) => last_err = Some(e),
            }
        }
        let ram_hpa = match (ram_hpa, last_err) {
            (Some(h), _) => h,
            (None, Some(e)) => return Err(e.into()),
            (None, None) => return Err(config("no host RAM for guest RAM")),
        };
        let ram = GuestRam {
            gpa: GuestPhysAddr::new(ram_base),
            hpa: ram_hpa,
            size: ram_size,
        };
        let stage2_root = {
            let mut tm = SimTableMemory::new(backend.memory(), &mut frames);
            B::build_stage2(
                &mut tm,
                gstage,
                &[RamMapping {
                    gpa: ram.gpa,
                    hpa: ram.hpa,
                    size: ram.size,
                }],
            )?
        };

        let mut loaded = load::load(&image, &defaults, &ram, backend.memory())?;
        if let Some(e) = entry {
            loaded.entry = e;
        }

        let dtb = fdt::build(&FdtInfo {
            arch: &defaults,
            vcpus: nvcpus,
            timebase_hz,
            ram_base,
            ram_size,
            bootargs: &append,
            uart_base: defaults.uart_base,
            finisher_base: defaults.finisher_base,
        })
        .map_err(MachineError::Fdt)?;
        let dtb_len = dtb.len() as u64;
        let align = if ram_size >= 2 * DTB_ALIGN {
            DTB_ALIGN
        } else {
            PAGE
        };
        let dtb_addr = ram_end
            .checked_sub(dtb_len)
            .map(|a| a & !(align - 1))
            .filter(|a| *a >= loaded.end.max(ram_base))
            .ok_or(MachineError::NoRoomForDtb {
                size: dtb_len,
                image_end: loaded.end,
            })?;
        if !ram.write(backend.memory(), dtb_addr, &dtb) {
            return Err(MachineError::NoRoomForDtb {
                size: dtb_len,
                image_end: loaded.end,
            });
        }

        let mut pcpus = Vec::with_capacity(npcpus);
        for p in 0..npcpus {
            let vcpu_err = |err| MachineError::VCpu { id: p, err };
            let mut pc = PerCpu::new(p, backend.hardware(p)).map_err(vcpu_err)?;
            pc.hardware_enable(backend.hardware(p)).map_err(vcpu_err)?;
            pcpus.push(pc);
        }

        let mut vcpus = Vec::with_capacity(nvcpus);
        for id in 0..nvcpus {
            let vcpu_err = |err| MachineError::VCpu { id, err };
            let spec = VCpuSpec {
                id,
                count: nvcpus,
                dtb_addr: GuestPhysAddr::new(dtb_addr),
                gstage,
            };
            let pcpu = id % npcpus;
            let params = VCpuParams::new(0, id)
                .favor_pcpu(pcpu)
                .affinity(PCpuSet::single(pcpu).map_err(vcpu_err)?);
            let cfg = backend.vcpu_config(&spec).map_err(vcpu_err)?;
            let mut v = VCpu::new(params, cfg).map_err(vcpu_err)?;
            let setup = backend.setup_config(&spec);
            v.setup(GuestPhysAddr::new(loaded.entry), stage2_root, setup)
                .map_err(vcpu_err)?;
            // Linux boot protocol (RISC-V): a0 = hart id, a1 = device tree.
            v.set_gpr(defaults.hart_id_reg, id as u64)
                .map_err(vcpu_err)?;
            v.set_gpr(defaults.arg_reg, dtb_addr).map_err(vcpu_err)?;
            vcpus.push(v);
        }
        for v in vcpus.iter_mut() {
            B::cpu_state_changed(v, 0, true);
        }
        let mut state = vec![RunState::Stopped; nvcpus];
        state[0] = RunState::Runnable;

        let mut console = Console::new();
        if let Some(w) = console_writer {
            console.set_writer(w);
        }
        let tracer = match trace_sink {
            Some(s) => Tracer::with_sink(s),
            None => Tracer::new(),
        };
        Ok(Self {
            backend,
            defaults,
            vcpus,
            state,
            pcpus,
            ram,
            stage2_root,
            image: loaded,
            dtb_addr,
            dtb,
            bus,
            ports: port_bus,
            hypercalls,
            clock,
            tracer,
            console,
            budget,
            quantum,
            exits: ExitCounts::default(),
            unhandled_hypercalls: 0,
            dropped_ipis: 0,
            current: None,
            cursor: 0,
            outcome: None,
            idle_exits: 0,
            halted: 0,
        })
    }

    /// The architecture defaults in use.
    pub fn defaults(&self) -> &ArchDefaults {
        &self.defaults
    }

    /// The board.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The vCPUs.
    pub fn vcpus(&self) -> &[VCpu<B::VCpu>] {
        &self.vcpus
    }

    /// Each vCPU's run state.
    pub fn run_states(&self) -> &[RunState] {
        &self.state
    }

    /// Guest RAM.
    pub fn ram(&self) -> GuestRam {
        self.ram
    }

    /// The stage-2 root handed to every vCPU.
    pub fn stage2_root(&self) -> HostPhysAddr {
        self.stage2_root
    }

    /// Where the image went and where it starts.
    pub fn image(&self) -> LoadedImage {
        self.image
    }

    /// The device tree's guest-physical address (a1 at entry).
    pub fn dtb_addr(&self) -> u64 {
        self.dtb_addr
    }

    /// The device tree blob.
    pub fn dtb(&self) -> &[u8] {
        &self.dtb
    }

    /// The device windows: `(name, base, size)`, by base.
    pub fn mmio_windows(&self) -> Vec<(String, u64, u64)> {
        self.bus
            .windows()
            .map(|(n, b, s)| (n.to_owned(), b, s))
            .collect()
    }

    /// The console.
    pub fn console(&self) -> &Console {
        &self.console
    }

    /// The tracer (digest, counts, sink).
    pub fn tracer(&self) -> &Tracer {
        &self.tracer
    }

    /// The tracer, mutably (to take the sink).
    pub fn tracer_mut(&mut self) -> &mut Tracer {
        &mut self.tracer
    }

    /// The virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// General-purpose register `idx` of vCPU `vcpu`, through the backend's accessor.
    pub fn gpr(&self, vcpu: usize, idx: usize) -> Option<u64> {
        self.vcpus.get(vcpu).and_then(|v| B::gpr(v.arch(), idx))
    }

    /// Reads guest-physical memory; `false` unless all of it is RAM.
    pub fn read_guest(&mut self, gpa: u64, out: &mut [u8]) -> bool {
        self.ram.read(self.backend.memory(), gpa, out)
    }

    /// Writes guest-physical memory; `false` (nothing written) unless all of it is RAM.
    pub fn write_guest(&mut self, gpa: u64, bytes: &[u8]) -> bool {
        self.ram.write(self.backend.memory(), gpa, bytes)
    }
}
