//! What the Machine needs from an architecture: the per-arch backend trait.

use sim_core::clock::VirtualClock;
use sim_core::mem::PhysMem;
use sim_core::{AccessWidth, GuestPhysAddr, HostPhysAddr};
use vcpu::stage2::{GStageMode, GStageTable, Stage2Error, TableMemory};
use vcpu::{AccessFlags, ArchVCpu, VCpu, VCpuError};

use crate::Arch;

/// SBI error code `SBI_ERR_NOT_SUPPORTED` (SBI spec, "Standard SBI Errors").
pub const SBI_ERR_NOT_SUPPORTED: i64 = -2;
/// SBI error code `SBI_ERR_INVALID_PARAM`.
pub const SBI_ERR_INVALID_PARAM: i64 = -3;
/// SBI error code `SBI_ERR_ALREADY_AVAILABLE`.
pub const SBI_ERR_ALREADY_AVAILABLE: i64 = -6;

/// What a vCPU is told at creation: its index, the VM's size and the boot facts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VCpuSpec {
    /// The vCPU's index (RISC-V hart id).
    pub id: usize,
    /// How many vCPUs the VM has.
    pub count: usize,
    /// The guest-physical address of the device tree.
    pub dtb_addr: GuestPhysAddr,
    /// The G-stage scheme of the VM's stage-2 table.
    pub gstage: GStageMode,
}

/// One contiguous piece of guest RAM and where it lives in host-physical memory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RamMapping {
    /// Guest-physical start.
    pub gpa: GuestPhysAddr,
    /// Host-physical start.
    pub hpa: HostPhysAddr,
    /// Bytes.
    pub size: u64,
}

/// The architecture's default machine: where RAM and the devices sit, and what the CPU is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ArchDefaults {
    /// The guest architecture.
    pub arch: Arch,
    /// Guest RAM base.
    pub ram_base: u64,
    /// 16550 UART base.
    pub uart_base: u64,
    /// SiFive test finisher base.
    pub finisher_base: u64,
    /// Where a Linux `Image` is loaded when its header says `text_offset` 0 is not wanted:
    /// the default offset from the RAM base (RISC-V: 2 MiB, so 0x8020_0000).
    pub default_text_offset: u64,
    /// The device-tree `riscv,isa` string: exactly what the model executes.
    pub isa: &'static str,
    /// The `riscv,isa-extensions` list matching `isa`.
    pub isa_extensions: &'static [&'static str],
    /// The device-tree `mmu-type` of the guest's own (VS-stage) MMU.
    pub mmu_type: &'static str,
    /// Register that carries the boot hart id (RISC-V `a0`).
    pub hart_id_reg: usize,
    /// Register that carries the device-tree address or the start argument (RISC-V `a1`).
    pub arg_reg: usize,
}

/// The RISC-V defaults: QEMU `virt`'s addresses; the hart model's ISA (RV64IMAC with
/// Zicsr, Zifencei and the Zicntr counters; no F/D). S and U modes exist but are not
/// letters of `riscv,isa` (Linux documents them as invalid there; `mmu-type` implies S).
pub const RISCV64_DEFAULTS: ArchDefaults = ArchDefaults {
    arch: Arch::Riscv64,
    ram_base: 0x8000_0000,
    uart_base: 0x1000_0000,
    finisher_base: 0x0010_0000,
    default_text_offset: 0x20_0000,
    isa: "rv64imac_zicntr_zicsr_zifencei",
    isa_extensions: &["i", "m", "a", "c", "zicntr", "zicsr", "zifencei"],
    mmu_type: "riscv,sv48",
    hart_id_reg: 10,
    arg_reg: 11,
};

/// What a Machine needs from one architecture and its board. The RISC-V hypervisor board
/// implements it for `RiscvVCpu<H>`; [`crate::machine::mock::MockBackend`] implements it for
/// the mock vCPU.
///
/// The backend owns the board: the physical CPUs (their hardware handles) and the one
/// host-physical memory. The Machine owns the vCPUs, the per-CPU state, the devices behind
/// MMIO exits, the clock and the trace.
pub trait MachineBackend {
    /// The architecture vCPU.
    type VCpu: ArchVCpu;

    /// The architecture's default layout and CPU description.
    fn defaults(&self) -> ArchDefaults;

    /// How many physical CPUs (harts) the board has.
    fn pcpu_count(&self) -> usize;

    /// The hardware handle of physical CPU `pcpu` (`pcpu < pcpu_count()`): the board
    /// selects that CPU, as code running on it would see it.
    fn hardware(&mut self, pcpu: usize) -> &mut <Self::VCpu as ArchVCpu>::Hardware;

    /// The board's host-physical memory.
    fn memory(&mut self) -> &mut PhysMem;

    /// The host-physical RAM the Machine may carve guest RAM and stage-2 tables from.
    fn host_ram(&self) -> (HostPhysAddr, u64);

    /// The creation config of vCPU `spec.id`.
    fn vcpu_config(
        &mut self,
        spec: &VCpuSpec,
    ) -> Result<<Self::VCpu as ArchVCpu>::CreateConfig, VCpuError>;

    /// The setup config of vCPU `spec.id`.
    fn setup_config(&mut self, spec: &VCpuSpec) -> <Self::VCpu as ArchVCpu>::SetupConfig;

    /// Reads general-purpose register `idx` of a vCPU (`None` if there is no such register).
    fn gpr(vcpu: &Self::VCpu, idx: usize) -> Option<u64>;

    /// Builds the stage-2 table mapping `ram` and nothing else (device windows stay unmapped
    /// so guest accesses there exit as MMIO). Returns the root for `set_ept_root`. The default
    /// builds a RISC-V G-stage table.
    fn build_stage2<M: TableMemory>(
        tm: &mut M,
        mode: GStageMode,
        ram: &[RamMapping],
    ) -> Result<HostPhysAddr, Stage2Error> {
        let mut t = GStageTable::new(tm, mode)?;
        for r in ram {
            t.map(tm, r.gpa, r.hpa, r.size, AccessFlags::ALL)?;
        }
        Ok(t.root())
    }

    /// Called before `run` on `pcpu`: the current virtual time and the most instructions the
    /// guest may retire in this run (the slice). The model stops the guest after that many
    /// with a `Preempted` exit.
    fn begin_slice(&mut self, pcpu: usize, clock: &VirtualClock, max_insns: u64);

    /// Called after `run` on `pcpu`: how many guest instructions the run retired.
    fn end_slice(&mut self, pcpu: usize) -> u64;

    /// The virtual time (timebase ticks) at which a halted vCPU's timer fires, if armed.
    fn timer_deadline(&self, vcpu: &VCpu<Self::VCpu>) -> Option<u64>;

    /// Answers a hypercall no handler took. The default returns `SBI_ERR_NOT_SUPPORTED`
    /// through `set_return_value`.
    fn hypercall_unsupported(vcpu: &mut VCpu<Self::VCpu>) -> Result<(), VCpuError> {
        vcpu.set_return_value(SBI_ERR_NOT_SUPPORTED as u64)
    }

    /// Answers a `CpuUp` the Machine refused (no such vCPU, or it is running) with an SBI
    /// error code. The default uses `set_return_value`.
    fn cpu_up_refused(vcpu: &mut VCpu<Self::VCpu>, sbi_error: i64) -> Result<(), VCpuError> {
        vcpu.set_return_value(sbi_error as u64)
    }

    /// Completes an `IoRead` with `value` (already zero-extended from `width`). The default
    /// uses `set_return_value`.
    fn complete_io_read(
        vcpu: &mut VCpu<Self::VCpu>,
        width: AccessWidth,
        value: u64,
    ) -> Result<(), VCpuError> {
        vcpu.set_return_value(width.zero_extend(value))
    }

    /// The vCPU ids a `SendIpi` names, before `send_to_all`/`send_to_self` are applied.
    /// The default reads them as SBI IPI does (SBI spec, "Hart list parameter"):
    /// `target_cpu` is `hart_mask_base` and bit `i` of `target_cpu_aux` (`hart_mask`) names
    /// hart `hart_mask_base + i`; an empty mask names nobody. Ids may be out of range; the
    /// Machine drops and counts those.
    fn ipi_targets(target_cpu: u64, target_cpu_aux: u64) -> Vec<u64> {
        (0..u64::BITS)
            .filter(|i| target_cpu_aux >> i & 1 == 1)
            .filter_map(|i| target_cpu.checked_add(u64::from(i)))
            .collect()
    }

    /// Tells `vcpu` that vCPU `target` started (`true`) or stopped (`false`), for
    /// architectures that answer status queries themselves (SBI HSM `hart_get_status`).
    fn cpu_state_changed(_vcpu: &mut VCpu<Self::VCpu>, _target: usize, _running: bool) {}
}
