//! A [`MachineBackend`] over the mock vCPU (`vcpu::mock`), for testing the Machine without
//! an instruction-set model: each vCPU plays a script of exits, and every `run` retires a
//! fixed number of instructions (capped by the slice).

use std::collections::BTreeMap;

use sim_core::HostPhysAddr;
use sim_core::clock::VirtualClock;
use sim_core::mem::PhysMem;
use vcpu::mock::{MockConfig, MockHardware, MockVCpu};
use vcpu::{ExitReason, VCpu, VCpuError};

use super::backend::{ArchDefaults, MachineBackend, RISCV64_DEFAULTS, VCpuSpec};

/// Host-physical base of the mock board's RAM: deliberately not the guest RAM base, so a
/// guest-physical address used as a host-physical one is caught.
pub const MOCK_HOST_RAM_BASE: u64 = 0x1_0000_0000;
/// Default host RAM of the mock board (pages are only backed when written).
pub const MOCK_HOST_RAM_SIZE: u64 = 512 << 20;

/// The mock board: `MockHardware` per physical CPU, sparse host memory, exit scripts.
///
/// ```
/// use hvsim::machine::mock::MockBackend;
/// use vcpu::ExitReason;
/// let b = MockBackend::new(2).script(0, [ExitReason::Halt]).insns_per_run(10);
/// assert_eq!(b.insns_per_run_value(), 10);
/// ```
#[derive(Debug)]
pub struct MockBackend {
    hw: Vec<MockHardware>,
    mem: PhysMem,
    host_ram: (HostPhysAddr, u64),
    scripts: BTreeMap<usize, Vec<ExitReason>>,
    idle_exit: ExitReason,
    insns_per_run: u64,
    record_calls: bool,
    slice: Vec<u64>,
    deadlines: BTreeMap<usize, u64>,
}

impl MockBackend {
    /// A board with `pcpus` physical CPUs and [`MOCK_HOST_RAM_SIZE`] of host RAM.
    pub fn new(pcpus: usize) -> Self {
        Self::with_host_ram(pcpus, MOCK_HOST_RAM_SIZE)
    }

    /// A board with `host_ram` bytes of host RAM at [`MOCK_HOST_RAM_BASE`].
    pub fn with_host_ram(pcpus: usize, host_ram: u64) -> Self {
        let mut mem = PhysMem::new(host_ram);
        let base = HostPhysAddr::new(MOCK_HOST_RAM_BASE);
        // A bad size is reported by the Machine when it finds no host RAM to use.
        let size = if mem.add_ram(base, host_ram).is_ok() {
            host_ram
        } else {
            0
        };
        Self {
            hw: (0..pcpus).map(MockHardware::new).collect(),
            mem,
            host_ram: (base, size),
            scripts: BTreeMap::new(),
            idle_exit: ExitReason::Preempted,
            insns_per_run: 100,
            record_calls: true,
            slice: vec![0; pcpus],
            deadlines: BTreeMap::new(),
        }
    }

    /// The exits vCPU `vcpu` returns, in order.
    pub fn script(mut self, vcpu: usize, exits: impl IntoIterator<Item = ExitReason>) -> Self {
        self.scripts.insert(vcpu, exits.into_iter().collect());
        self
    }

    /// What every vCPU returns after its script (default `Preempted`).
    pub fn idle_exit(mut self, exit: ExitReason) -> Self {
        self.idle_exit = exit;
        self
    }

    /// Instructions each `run` retires, before the slice cap (default 100).
    pub fn insns_per_run(mut self, n: u64) -> Self {
        self.insns_per_run = n;
        self
    }

    /// Whether the mock vCPUs record their calls (default on; off for long runs, where the
    /// log would grow without bound).
    pub fn record_calls(mut self, on: bool) -> Self {
        self.record_calls = on;
        self
    }

    /// The configured instructions per run.
    pub fn insns_per_run_value(&self) -> u64 {
        self.insns_per_run
    }

    /// Arms vCPU `vcpu`'s timer at tick `deadline` (what a guest's SBI `set_timer` does).
    pub fn timer(mut self, vcpu: usize, deadline: u64) -> Self {
        self.deadlines.insert(vcpu, deadline);
        self
    }

    /// The hardware handle of physical CPU `pcpu`, to inspect.
    pub fn hw(&self, pcpu: usize) -> Option<&MockHardware> {
        self.hw.get(pcpu)
    }

    /// The host memory, to inspect.
    pub fn mem(&self) -> &PhysMem {
        &self.mem
    }
}

impl MachineBackend for MockBackend {
    type VCpu = MockVCpu;

    fn defaults(&self) -> ArchDefaults {
        // The mock is RISC-V flavoured (a0 return values, SBI error codes).
        RISCV64_DEFAULTS
    }

    fn pcpu_count(&self) -> usize {
        self.hw.len()
    }

    fn hardware(&mut self, pcpu: usize) -> &mut MockHardware {
        let last = self.hw.len().saturating_sub(1);
        // The Machine only asks for pCPUs below pcpu_count(); clamp instead of panicking.
        &mut self.hw[pcpu.min(last)]
    }

    fn memory(&mut self) -> &mut PhysMem {
        &mut self.mem
    }

    fn host_ram(&self) -> (HostPhysAddr, u64) {
        self.host_ram
    }

    fn vcpu_config(&mut self, spec: &VCpuSpec) -> Result<MockConfig, VCpuError> {
        let mut c = MockConfig::with_exits(self.scripts.remove(&spec.id).unwrap_or_default());
        c.idle_exit = self.idle_exit;
        c.record_calls = self.record_calls;
        Ok(c)
    }

    fn setup_config(&mut self, _spec: &VCpuSpec) {}

    fn gpr(vcpu: &MockVCpu, idx: usize) -> Option<u64> {
        vcpu.gpr(idx)
    }

    fn begin_slice(&mut self, pcpu: usize, _clock: &VirtualClock, max_insns: u64) {
        if let Some(s) = self.slice.get_mut(pcpu) {
            *s = max_insns;
        }
    }

    fn end_slice(&mut self, pcpu: usize) -> u64 {
        self.slice
            .get(pcpu)
            .map_or(0, |&s| s.min(self.insns_per_run))
    }

    fn timer_deadline(&self, vcpu: &VCpu<MockVCpu>) -> Option<u64> {
        self.deadlines.get(&vcpu.id()).copied()
    }
}
