//! Loading the guest and the exit loop: the Machine's per-exit actions (src/machine/run.rs,
//! `Machine::handle`) for one vCPU on one physical hart, over the native hart.
//!
//! Each exit is printed as the Machine's tracer records it: sim-core's trace text form of
//! `ExitReason::with_trace_event` (`exit t=<time> cpu=0 <Name> <fields>`). `t` is the
//! hart's `time` CSR here (virtual ticks in the sim); scripts/native-diff.sh drops it.

use core::fmt::Write;

use hw_models::dev::FinisherStatus;
use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;
use hw_models::riscv::native::NativeHart;
use sim_core::{GuestPhysAddr, HostPhysAddr};
use vcpu::riscv::{RiscvPerCpu, RiscvVCpu, RiscvVCpuConfig};
use vcpu::stage2::{GStageMode, GStageTable, Stage2Error};
use vcpu::{AccessFlags, ExitReason, PerCpu, ShutdownKind, VCpu, VCpuError, VCpuParams};

use crate::bus::{Access, Bus};
use crate::console::{Console, put_bytes};
use crate::elf::Image;
use crate::frames::FramePool;

/// Guest RAM: where and how much, as the Machine's riscv64 defaults (RISCV64_DEFAULTS,
/// DEFAULT_RAM_SIZE).
pub const GUEST_RAM_BASE: u64 = 0x8000_0000;
pub const GUEST_RAM_SIZE: u64 = 128 << 20;
/// a1 at entry: where the Machine puts the device tree for this RAM size (2 MiB aligned
/// below the top of RAM, src/machine/vm.rs). The blob itself is not written (the FDT
/// writer is in the std crate): a guest that reads it finds zeros, no FDT magic.
const DTB_ADDR: u64 = GUEST_RAM_BASE + GUEST_RAM_SIZE - (2 << 20);
/// Guest RAM is 2 MiB aligned on the host so the G-stage uses megapages.
const RAM_ALIGN: u64 = 2 << 20;
/// SBI_ERR_NOT_SUPPORTED, the Machine's answer to a hypercall no handler takes.
const SBI_ERR_NOT_SUPPORTED: i64 = -2;
/// sip.STIP.
const SIP_STIP: u64 = 1 << 5;
/// Safety net against a guest that exits forever (the script's QEMU timeout is the other).
const MAX_EXITS: u64 = 5_000_000;

/// How the run ended.
#[derive(Debug)]
pub enum Outcome {
    /// SBI SRST (or a reset): kind and reason as the guest gave them.
    SystemDown {
        kind: ShutdownKind,
        reason: u32,
    },
    /// The test finisher.
    Finisher(FinisherStatus),
    /// The vCPU halted with no timer armed, or stopped itself.
    AllHalted,
    AllStopped,
    /// Something the Machine also treats as an error.
    Error(&'static str, u64),
    /// A device model refused an access (device, why, address).
    Device(&'static str, hw_models::dev::DevError, u64),
    /// The guest image was refused.
    Elf(crate::elf::ElfError),
    /// A vCPU call failed.
    VCpu(&'static str, VCpuError),
    /// The stage-2 builder failed.
    Stage2(Stage2Error),
}

impl core::fmt::Display for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::SystemDown { kind, reason } => {
                write!(f, "system-down kind={} reason={reason:#x}", kind.name())
            }
            Self::Finisher(s) => write!(f, "finisher {s:?}"),
            Self::AllHalted => f.write_str("all-halted (WFI with no timer armed)"),
            Self::AllStopped => f.write_str("all-stopped (hart_stop)"),
            Self::Error(what, v) => write!(f, "error: {what} ({v:#x})"),
            Self::VCpu(what, e) => write!(f, "error: vCPU {what}: {e}"),
            Self::Stage2(e) => write!(f, "error: stage-2: {e}"),
            Self::Elf(e) => write!(f, "error: guest ELF: {e}"),
            Self::Device(d, e, a) => write!(f, "error: {d} refused the access at {a:#x}: {e}"),
        }
    }
}

impl Outcome {
    /// Whether the guest reported success.
    pub fn passed(&self) -> bool {
        matches!(
            self,
            Outcome::SystemDown {
                kind: ShutdownKind::Shutdown,
                reason: 0
            } | Outcome::Finisher(FinisherStatus::Pass)
        )
    }
}

enum Next {
    Continue,
    Stop(Outcome),
}

fn time(hart: &mut NativeHart) -> u64 {
    hart.csr_read(csr_num::TIME).unwrap_or(0)
}

fn wfi() {
    // SAFETY: WFI only waits; with sstatus.SIE = 0 a pending interrupt wakes the hart
    // without being taken (priv spec, "Wait for Interrupt").
    unsafe { core::arch::asm!("wfi", options(nomem, nostack)) };
}

/// Loads `image` into fresh guest RAM, builds its G-stage table, and runs it to the end.
pub fn run(hart: &mut NativeHart, pool: &mut FramePool, image: &[u8]) -> Outcome {
    match run_inner(hart, pool, image) {
        Ok(o) => o,
        Err(o) => o,
    }
}

fn load(pool: &mut FramePool, image: &[u8]) -> Result<(u64, u64), Outcome> {
    let elf = Image::parse(image).map_err(Outcome::Elf)?;
    let ram = pool
        .alloc_zeroed_bytes(GUEST_RAM_SIZE, RAM_ALIGN)
        .ok_or(Outcome::Error(
            "out of host memory for guest RAM",
            GUEST_RAM_SIZE,
        ))?;
    for seg in elf.segments() {
        let seg = seg.map_err(Outcome::Elf)?;
        let off = seg.paddr.wrapping_sub(GUEST_RAM_BASE);
        let fits =
            off < GUEST_RAM_SIZE && seg.memsz <= GUEST_RAM_SIZE - off && seg.filesz <= seg.memsz;
        let src = usize::try_from(seg.offset)
            .ok()
            .zip(usize::try_from(seg.filesz).ok())
            .and_then(|(o, n)| image.get(o..o.checked_add(n)?));
        let (true, Some(src)) = (fits, src) else {
            return Err(Outcome::Error(
                "segment outside guest RAM or file",
                seg.paddr,
            ));
        };
        // SAFETY: [ram+off, ram+off+filesz) lies inside the guest RAM just allocated
        // (checked above); the rest of memsz is already zero.
        unsafe {
            core::ptr::copy_nonoverlapping(src.as_ptr(), (ram + off) as *mut u8, src.len());
        }
    }
    // The guest's code was written through the data side: make it visible to fetches.
    // SAFETY: FENCE.I only orders the instruction stream.
    unsafe { core::arch::asm!("fence.i", options(nostack)) };
    Ok((elf.entry, ram))
}

fn run_inner(
    hart: &mut NativeHart,
    pool: &mut FramePool,
    image: &[u8],
) -> Result<Outcome, Outcome> {
    let (entry, ram) = load(pool, image)?;
    let fail = |what: &'static str| move |e| Outcome::VCpu(what, e);

    let mut table = GStageTable::new(pool, GStageMode::Sv39x4).map_err(Outcome::Stage2)?;
    table
        .map(
            pool,
            GuestPhysAddr::new(GUEST_RAM_BASE),
            HostPhysAddr::new(ram),
            GUEST_RAM_SIZE,
            AccessFlags::ALL,
        )
        .map_err(Outcome::Stage2)?;

    let mut pcpu =
        PerCpu::<RiscvPerCpu<NativeHart>>::new(0, hart).map_err(fail("per-CPU state"))?;
    pcpu.hardware_enable(hart)
        .map_err(fail("hardware_enable (no H extension?)"))?;
    let config = RiscvVCpuConfig {
        hart_id: 0,
        hart_count: 1,
        dtb_addr: DTB_ADDR,
        ..RiscvVCpuConfig::default()
    };
    let mut vcpu = VCpu::<RiscvVCpu<NativeHart>>::new(VCpuParams::new(0, 0), config)
        .map_err(fail("vCPU config"))?;
    vcpu.setup(GuestPhysAddr::new(entry), table.root(), ())
        .map_err(fail("vCPU setup"))?;
    // What the vCPU's Sstc probe at bind will see (a trap here has come back as a value
    // through the guarded CSR path: no Sstc means illegal-instruction, redirected by the
    // firmware).
    let probe = hart.csr_read(csr_num::VSTIMECMP);
    let _ = writeln!(Console::new(hart), "native: vstimecmp read: {probe:x?}");
    vcpu.bind(&mut pcpu, hart).map_err(fail("vCPU bind"))?;

    let mut bus = Bus::default();
    let outcome = exit_loop(hart, &mut pcpu, &mut vcpu, &mut bus);
    if vcpu.bound_pcpu().is_some() {
        probes(hart);
    }
    outcome
}

/// Guest-memory probes after the run, with the guest's vsatp and hgatp still loaded and
/// hstatus.SPVP = 1 (VS): HLVX and HLV at fixed guest-virtual addresses. Printed as
/// `native-probe` lines (not exits); scripts/native-diff.sh compares them with
/// `<name>.probes` when that file exists. They exercise the guarded HLV/HLVX path with
/// real faults and show what the hart writes to scause/stval/htval/htinst/hstatus.GVA.
fn probes(hart: &mut NativeHart) {
    const SPVP: u64 = 1 << 8;
    const GVA: u64 = 1 << 6;
    let Ok(hstatus) = hart.csr_read(csr_num::HSTATUS) else {
        return;
    };
    let _ = hart.csr_write(csr_num::HSTATUS, hstatus | SPVP);
    for (what, addr) in PROBES {
        let transformed = if what == "hlvx.hu" {
            HLVX_HU_RS1_0
        } else {
            HLV_BU_RS1_0
        };
        let r = match what {
            "hlvx.hu" => hart.hlvx(addr, sim_core::AccessWidth::Word),
            _ => hart.hlv(addr, sim_core::AccessWidth::Byte, false),
        };
        let gva = hart
            .csr_read(csr_num::HSTATUS)
            .map(|h| h & GVA != 0)
            .unwrap_or(false);
        let mut c = Console::new(hart);
        let _ = match r {
            Ok(v) => writeln!(c, "native-probe {what} {addr:#x} ok value={v:#x}"),
            Err(t) => writeln!(
                c,
                "native-probe {what} {addr:#x} trap cause={} tval={:#x} htval={:#x} htinst={} gva={}",
                t.cause,
                t.tval,
                t.htval,
                HtinstKind(t.htinst, transformed),
                u8::from(gva)
            ),
        };
        drop(c);
        let _ = hart.csr_write(csr_num::HSTATUS, hstatus | SPVP);
    }
    let _ = hart.csr_write(csr_num::HSTATUS, hstatus);
}

/// HLVX.HU and HLV.BU with rs1 = 0 and rd = 0: a transformed instruction for them (priv
/// spec, "Transformed Instruction or Pseudoinstruction for mtinst or htinst": rs1 holds the
/// address offset, 0 here) differs only in rd, which is the compiler's register choice.
const HLVX_HU_RS1_0: u64 = 0x6430_4073;
const HLV_BU_RS1_0: u64 = 0x6010_4073;
/// The rd field.
const RD_MASK: u64 = 0x1f << 7;

/// htinst as printed: `0`, `transformed` (the instruction itself with rs1 = 0, any rd), or
/// the raw value.
struct HtinstKind(u64, u64);

impl core::fmt::Display for HtinstKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            0 => f.write_str("0"),
            v if v & !RD_MASK == self.1 => f.write_str("transformed"),
            v => write!(f, "{v:#x}"),
        }
    }
}

/// (instruction, guest-virtual address) pairs tried by [`probes`].
const PROBES: [(&str, u64); 4] = [
    ("hlvx.hu", 0x8000_0000),
    ("hlvx.hu", 0xd000_0000),
    ("hlv.bu", 0xd000_0000),
    ("hlv.bu", 0x4000_0000),
];

fn exit_loop(
    hart: &mut NativeHart,
    pcpu: &mut NPerCpu,
    vcpu: &mut NVCpu,
    bus: &mut Bus,
) -> Result<Outcome, Outcome> {
    for _ in 0..MAX_EXITS {
        let exit = match vcpu.run(pcpu, hart) {
            Ok(e) => e,
            Err(e) => return Err(Outcome::VCpu("run", e)),
        };
        let now = time(hart);
        exit.with_trace_event(now, 0, |ev| {
            let _ = writeln!(Console::new(hart), "{ev}");
        });
        // The raw trap CSRs behind the exit, for diagnosing hart deviations
        // (docs/native.md); not part of the compared trace.
        let t = vcpu.arch().regs().trap_csrs;
        let _ = writeln!(
            Console::new(hart),
            "native-trap scause={:#x} stval={:#x} htval={:#x} htinst={:#x}",
            t.scause,
            t.stval,
            t.htval,
            t.htinst
        );
        match handle(hart, pcpu, vcpu, bus, exit, now)? {
            Next::Continue => {}
            Next::Stop(o) => return Ok(o),
        }
    }
    Err(Outcome::Error("exit limit reached", MAX_EXITS))
}

type NVCpu = VCpu<RiscvVCpu<NativeHart>>;
type NPerCpu = PerCpu<RiscvPerCpu<NativeHart>>;

/// The Machine's action for each exit (src/machine/run.rs `handle`), one vCPU.
fn handle(
    hart: &mut NativeHart,
    pcpu: &mut NPerCpu,
    vcpu: &mut NVCpu,
    bus: &mut Bus,
    exit: ExitReason,
    now: u64,
) -> Result<Next, Outcome> {
    let verr = |e| Outcome::VCpu("exit handling", e);
    Ok(match exit {
        ExitReason::MmioRead {
            addr,
            width,
            reg,
            reg_width,
            signed_ext,
        } => {
            let v = mmio(hart, bus, addr, width, None, now)?;
            vcpu.set_gpr(reg, reg_width.zero_extend(width.extend(v, signed_ext)))
                .map_err(verr)?;
            Next::Continue
        }
        ExitReason::MmioWrite { addr, width, data } => {
            mmio(hart, bus, addr, width, Some(data), now)?;
            match bus.finisher_status() {
                None => Next::Continue,
                Some(s) => Next::Stop(Outcome::Finisher(s)),
            }
        }
        ExitReason::Hypercall { nr, args } => {
            // `hvsim run`'s hypercalls (docs/run.md): FID 0 echo (a1 = a0), FID 1 sum
            // (a1 = a0 + ... + a5); any other FID: a0 = SBI_ERR_NOT_SUPPORTED (the SBI
            // error register; set_return_value would write the value register a1).
            match nr {
                0 => vcpu.set_return_value(args[0]),
                1 => vcpu.set_return_value(args.iter().fold(0u64, |a, b| a.wrapping_add(*b))),
                _ => vcpu.set_gpr(10, SBI_ERR_NOT_SUPPORTED as u64),
            }
            .map_err(verr)?;
            Next::Continue
        }
        ExitReason::SystemDown { kind, reason } => Next::Stop(Outcome::SystemDown { kind, reason }),
        ExitReason::Halt => {
            vcpu.unbind(pcpu, hart).map_err(verr)?;
            vcpu.block().map_err(verr)?;
            if vcpu.arch().timer_deadline().is_none() {
                return Ok(Next::Stop(Outcome::AllHalted));
            }
            // The firmware timer carries the guest's deadline (forwarded at set_timer and
            // bind): sleep until it fires, then put the vCPU back.
            while hart.csr_read(csr_num::SIP).unwrap_or(SIP_STIP) & SIP_STIP == 0 {
                wfi();
            }
            vcpu.unblock().map_err(verr)?;
            vcpu.bind(pcpu, hart).map_err(verr)?;
            Next::Continue
        }
        ExitReason::CpuDown { .. } => Next::Stop(Outcome::AllStopped),
        ExitReason::CpuUp { .. } => {
            // One vCPU: every other hart id is out of range.
            vcpu.set_return_value(vm_err_invalid_param())
                .map_err(verr)?;
            Next::Continue
        }
        ExitReason::SendIpi {
            target_cpu,
            target_cpu_aux,
            send_to_all,
            send_to_self,
            vector,
        } => {
            let me = send_to_all
                || send_to_self
                || (target_cpu_aux == 0 && target_cpu == 0)
                || (target_cpu == 0 && target_cpu_aux & 1 == 1);
            if me {
                let v = usize::try_from(vector).unwrap_or(usize::MAX);
                vcpu.inject_interrupt(v).map_err(verr)?;
            }
            Next::Continue
        }
        ExitReason::ExternalInterrupt { .. } | ExitReason::Nothing | ExitReason::Preempted => {
            Next::Continue
        }
        ExitReason::NestedPageFault { addr, .. } => {
            Next::Stop(Outcome::Error("nested page fault", addr.as_u64()))
        }
        ExitReason::FailEntry {
            hardware_entry_failure_reason,
        } => Next::Stop(Outcome::Error(
            "entry failed",
            hardware_entry_failure_reason,
        )),
        ExitReason::SysRegRead { addr, .. } | ExitReason::SysRegWrite { addr, .. } => Next::Stop(
            Outcome::Error("unhandled system-register exit", addr.as_u64()),
        ),
        ExitReason::IoRead { port, .. } | ExitReason::IoWrite { port, .. } => {
            Next::Stop(Outcome::Error("unhandled port exit", u64::from(port)))
        }
    })
}

/// SBI_ERR_INVALID_PARAM as the register value.
fn vm_err_invalid_param() -> u64 {
    -3i64 as u64
}

fn mmio(
    hart: &mut NativeHart,
    bus: &mut Bus,
    addr: GuestPhysAddr,
    width: sim_core::AccessWidth,
    write: Option<u64>,
    now: u64,
) -> Result<u64, Outcome> {
    let r = bus.access(addr, width, write, now);
    // The guest's UART output goes to the real console.
    if !bus.uart.output().is_empty() {
        put_bytes(hart, &bus.uart.take_output());
    }
    match r {
        Access::Value(v) => Ok(v),
        Access::Unhandled => Err(Outcome::Error("unhandled MMIO", addr.as_u64())),
        Access::Rejected(dev, e) => Err(Outcome::Device(dev, e, addr.as_u64())),
    }
}
