//! The RISC-V backend of the Machine: the hypervisor platform board (harts in HS-host mode,
//! host-physical memory, the firmware model) under [`RiscvVCpu`]s.
//!
//! - Each vCPU runs on physical hart `vcpu id % harts` (the Machine's placement); the board
//!   gets one hart per vCPU (up to the board's limit), all started at construction through
//!   the firmware's HSM hart_start, as a host kernel brings up its secondary harts.
//! - The vCPU boots in VS-mode with a0 = hart id, a1 = the device-tree address, pc = the
//!   entry (the Machine sets these); guest RAM is mapped by an Sv39x4 (or Sv48x4) G-stage
//!   table the Machine builds with `vcpu::stage2`; device windows stay unmapped so guest
//!   accesses exit as MMIO to the Machine's UART and test finisher.
//! - Virtual time: the Machine's clock is the reference. Before each slice the board's
//!   clock is brought forward to it (the Machine skips time while every vCPU is halted), so
//!   the guest's `time` and its SBI timer deadlines agree with the Machine's wake-ups.
//! - Console: SBI console calls reach the firmware model, whose output lands in the board's
//!   UART; the backend drains it after every slice into [`SharedConsole`], the same stream
//!   the Machine's UART writes, so both appear in program order.
//!
//! See docs/run.md.

mod console;
mod hardware;
mod insn_trace;
mod session;

use std::io::Write;
use std::sync::Arc;

use hw_models::riscv::firmware::sbi::{eid, hsm};
use hw_models::riscv::platform::{MAX_HARTS, Platform, PlatformConfig, PlatformError, map};
use sim_core::HostPhysAddr;
use sim_core::clock::VirtualClock;
use sim_core::mem::PhysMem;
use vcpu::riscv::{GStageMode as VCpuGStage, HartState, RemoteFences, RiscvVCpu, RiscvVCpuConfig};
use vcpu::stage2::GStageMode;
use vcpu::{VCpu, VCpuError};

use crate::machine::{
    ArchDefaults, MachineBackend, RISCV64_DEFAULTS, SBI_ERR_NOT_SUPPORTED, VCpuSpec,
};

pub use console::{SHARED_CONSOLE_LIMIT, SharedConsole};
pub use hardware::PlatformCpu;
pub use insn_trace::TraceOut;
pub use session::{
    Divergence, EXIT_ERROR, EXIT_GUEST_FAILURE, EXIT_INSN_LIMIT, EXIT_PASS, ExitSink, HVC_ECHO,
    HVC_SUM, RunConfig, SessionError, build_machine, build_machine_traced, exit_status,
    expected_lines, hvsim_hypercall,
};

/// Host-physical RAM the board has beyond the guest's: room for the G-stage tables
/// (Sv39x4 with 2 MiB leaves needs a few pages per GiB; Sv48x4 one more level).
pub const TABLE_HEADROOM: u64 = 16 << 20;

/// Register a0: after a hypercall the SBI error register.
const REG_A0: usize = 10;

/// The architecture vCPU of the RISC-V Machine.
pub type RiscvMachineVCpu = RiscvVCpu<PlatformCpu>;

/// The RISC-V [`MachineBackend`].
pub struct RiscvBackend {
    cpu: PlatformCpu,
    /// The hart's retired count when the current slice began.
    slice_start: u64,
    console: Option<SharedConsole>,
    /// The VM's remote SBI fence requests, shared by all its vCPUs (created with the
    /// first vCPU's config).
    remote_fences: Option<Arc<RemoteFences>>,
}

impl std::fmt::Debug for RiscvBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RiscvBackend")
            .field("harts", &self.cpu.platform().hart_count())
            .finish_non_exhaustive()
    }
}

/// Why the board could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RiscvBackendError {
    /// The platform rejected the configuration.
    #[error("RISC-V platform: {0}")]
    Platform(#[from] PlatformError),
    /// Guest RAM plus the table headroom does not fit the board.
    #[error("guest RAM of {0:#x} bytes is too large for the board")]
    RamTooLarge(u64),
    /// The firmware refused to start a secondary hart.
    #[error("firmware refused to start hart {hart}: SBI error {error}")]
    HartStart {
        /// The hart.
        hart: usize,
        /// The SBI error code.
        error: i64,
    },
}

impl RiscvBackend {
    /// A board for `vcpus` vCPUs (one hart each, at most the board's limit) and `guest_ram`
    /// bytes of guest RAM.
    pub fn new(vcpus: usize, guest_ram: u64) -> Result<Self, RiscvBackendError> {
        let harts = vcpus.clamp(1, MAX_HARTS);
        let ram_size = guest_ram
            .checked_add(TABLE_HEADROOM)
            .ok_or(RiscvBackendError::RamTooLarge(guest_ram))?;
        let platform = Platform::new(PlatformConfig {
            harts,
            ram_base: map::RAM_BASE,
            ram_size,
            ..PlatformConfig::default()
        })?;
        let mut cpu = PlatformCpu::new(platform);
        // The host brings up its other harts; selecting each one completes its start.
        for hart in 1..harts {
            cpu.select(0);
            let r = hw_models::riscv::hw::RiscvHardware::sbi_call(
                &mut cpu,
                eid::HSM,
                hsm::HART_START,
                [hart as u64, map::RAM_BASE, 0, 0, 0, 0],
            );
            if r.error != 0 {
                return Err(RiscvBackendError::HartStart {
                    hart,
                    error: r.error,
                });
            }
            cpu.select(hart);
            let _ = cpu.platform_mut().hart_handle(hart);
        }
        cpu.select(0);
        Ok(Self {
            cpu,
            slice_start: 0,
            console: None,
            remote_fences: None,
        })
    }

    /// Sends the firmware's console output (SBI DBCN, legacy putchar) to `console`.
    pub fn with_console(mut self, console: SharedConsole) -> Self {
        self.console = Some(console);
        self
    }

    /// The board.
    pub fn platform(&self) -> &Platform {
        self.cpu.platform()
    }

    fn drain_console(&mut self) {
        let uart = self.cpu.platform_mut().uart_mut();
        if uart.output().is_empty() {
            return;
        }
        let out = uart.take_output();
        if let Some(c) = self.console.as_mut() {
            // SharedConsole::write never fails.
            let _ = c.write_all(&out);
        }
    }
}

impl MachineBackend for RiscvBackend {
    type VCpu = RiscvMachineVCpu;

    fn defaults(&self) -> ArchDefaults {
        RISCV64_DEFAULTS
    }

    fn pcpu_count(&self) -> usize {
        self.cpu.platform().hart_count()
    }

    fn hardware(&mut self, pcpu: usize) -> &mut PlatformCpu {
        self.cpu.select(pcpu);
        &mut self.cpu
    }

    fn memory(&mut self) -> &mut PhysMem {
        self.cpu.platform_mut().mem_mut()
    }

    fn host_ram(&self) -> (HostPhysAddr, u64) {
        let mem = self.cpu.platform().mem();
        (HostPhysAddr::new(map::RAM_BASE), mem.ram_size())
    }

    /// Every vCPU of the VM gets the same [`RemoteFences`], so an SBI remote fence from
    /// one reaches the others' harts (docs/sbi.md, "RFENCE").
    fn vcpu_config(&mut self, spec: &VCpuSpec) -> Result<RiscvVCpuConfig, VCpuError> {
        let fences = match &self.remote_fences {
            Some(f) if f.harts() == spec.count => f.clone(),
            _ => {
                let f = Arc::new(RemoteFences::new(spec.count));
                self.remote_fences = Some(f.clone());
                f
            }
        };
        Ok(RiscvVCpuConfig {
            hart_id: spec.id as u64,
            hart_count: spec.count as u64,
            dtb_addr: spec.dtb_addr.as_u64(),
            gstage: match spec.gstage {
                GStageMode::Sv39x4 => VCpuGStage::Sv39x4,
                GStageMode::Sv48x4 => VCpuGStage::Sv48x4,
            },
            remote_fences: Some(fences),
            ..RiscvVCpuConfig::default()
        })
    }

    fn setup_config(&mut self, _spec: &VCpuSpec) {}

    fn gpr(vcpu: &RiscvMachineVCpu, idx: usize) -> Option<u64> {
        (idx < 32).then(|| vcpu.gpr(idx))
    }

    fn begin_slice(&mut self, pcpu: usize, clock: &VirtualClock, max_insns: u64) {
        let p = self.cpu.platform_mut();
        let (now, board) = (clock.ticks(), p.now());
        if now > board {
            p.advance_time(now - board);
        }
        p.set_slice(max_insns);
        self.slice_start = p.hart(pcpu).map_or(0, |h| h.retired());
    }

    fn end_slice(&mut self, pcpu: usize) -> u64 {
        self.drain_console();
        let now = self
            .cpu
            .platform()
            .hart(pcpu)
            .map_or(self.slice_start, |h| h.retired());
        now.saturating_sub(self.slice_start)
    }

    fn timer_deadline(&self, vcpu: &VCpu<RiscvMachineVCpu>) -> Option<u64> {
        vcpu.arch().timer_deadline()
    }

    /// The hypercall is an SBI extension: "not supported" is the SBI error in a0 (a1 keeps
    /// the vCPU's preset 0), where `set_return_value` would write the value register a1.
    fn hypercall_unsupported(vcpu: &mut VCpu<RiscvMachineVCpu>) -> Result<(), VCpuError> {
        vcpu.set_gpr(REG_A0, SBI_ERR_NOT_SUPPORTED as u64)
    }

    fn cpu_state_changed(vcpu: &mut VCpu<RiscvMachineVCpu>, target: usize, running: bool) {
        let state = if running {
            HartState::Started
        } else {
            HartState::Stopped
        };
        vcpu.arch_mut().set_hart_state(target as u64, state);
    }
}
