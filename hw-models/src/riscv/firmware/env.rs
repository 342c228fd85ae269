//! What the firmware needs from the board it runs on: the machine-level hardware that OpenSBI
//! reaches through its platform drivers (ACLINT, console, reset device) and the M-mode CSR
//! file of each hart.
//!
//! The firmware model is written only against [`SbiEnv`], so its SBI semantics are tested
//! against a plain mock, and the platform board implements it over the real hart models.

use crate::riscv::PrivLevel;

/// A remote fence the firmware executes on a target hart, as that hart's M-mode code would
/// after an IPI (OpenSBI's `sbi_tlb` path). Address ranges are already cut down to "one
/// address" or "everything": the firmware turns a range into per-page fences or a full flush.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fence {
    /// FENCE.I.
    I,
    /// SFENCE.VMA rs1 = `vaddr`, rs2 = `asid` (`None` = x0).
    SfenceVma {
        /// Virtual address, or all.
        vaddr: Option<u64>,
        /// ASID, or all.
        asid: Option<u64>,
    },
    /// HFENCE.GVMA rs1 = `gaddr >> 2`, rs2 = `vmid` (`None` = x0).
    HfenceGvma {
        /// Guest-physical address, or all.
        gaddr: Option<u64>,
        /// VMID, or all.
        vmid: Option<u64>,
    },
    /// HFENCE.VVMA rs1 = `vaddr`, rs2 = `asid` (`None` = x0), executed with hgatp.VMID =
    /// `vmid`: SBI v2.0 §8.6/8.7 fence the *calling* hart's current VMID on the targets
    /// (OpenSBI swaps the target's hgatp.VMID around the fence).
    HfenceVvma {
        /// The caller's VMID.
        vmid: u64,
        /// Guest-virtual address, or all.
        vaddr: Option<u64>,
        /// ASID, or all.
        asid: Option<u64>,
    },
}

/// How a system reset was requested (SBI SRST `reset_type`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResetKind {
    /// Shutdown.
    Shutdown,
    /// Cold reboot.
    ColdReboot,
    /// Warm reboot.
    WarmReboot,
}

/// A system reset the firmware performed: the board stops and reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SystemReset {
    /// Shutdown or reboot.
    pub kind: ResetKind,
    /// `reset_reason`: 0 = no reason, 1 = system failure, 0xE000_0000.. = SBI
    /// implementation specific.
    pub reason: u32,
    /// The hart that asked.
    pub hart: usize,
}

/// The machine-level platform under the firmware. Hart numbers are hart ids, always below
/// [`SbiEnv::hart_count`] when the firmware calls in.
pub trait SbiEnv {
    /// Number of harts on the board (ids 0..count).
    fn hart_count(&self) -> usize;

    /// Reads a CSR of `hart` with M-mode privilege (no permission check applies to M; a CSR
    /// the hart does not implement reads 0, as the firmware never touches one).
    fn csr_read(&mut self, hart: usize, csr: u16) -> u64;
    /// Writes a CSR of `hart` with M-mode privilege, through its WARL rules.
    fn csr_write(&mut self, hart: usize, csr: u16, value: u64);

    /// Programs the ACLINT MTIMER comparator of `hart`.
    fn set_mtimecmp(&mut self, hart: usize, value: u64);
    /// Drives the ACLINT MSWI `msip` bit of `hart`.
    fn set_msip(&mut self, hart: usize, level: bool);

    /// Executes a fence on `hart`'s caches and TLB.
    fn fence(&mut self, hart: usize, fence: Fence);

    /// Whether `[addr, addr + len)` is RAM the supervisor may hand to the firmware.
    fn is_ram(&self, addr: u64, len: u64) -> bool;
    /// Reads RAM; `false` if any byte is not RAM (nothing is guaranteed about `buf` then).
    fn read_ram(&mut self, addr: u64, buf: &mut [u8]) -> bool;
    /// Writes RAM; `false` if any byte is not RAM (then nothing was written).
    fn write_ram(&mut self, addr: u64, data: &[u8]) -> bool;

    /// Sends bytes to the console; returns how many it accepted.
    fn console_write(&mut self, bytes: &[u8]) -> usize;
    /// Takes up to `buf.len()` pending console input bytes; returns how many.
    fn console_read(&mut self, buf: &mut [u8]) -> usize;

    /// Puts `hart` into `privilege` (S for the SBI HSM start state) at `pc` with a0 = hart id
    /// and a1 = `opaque`, satp = 0 and sstatus.SIE = 0 (SBI v2.0 §9.1 "hart_start" register
    /// state), V = 0.
    fn enter_supervisor(&mut self, hart: usize, privilege: PrivLevel, pc: u64, opaque: u64);
    /// Parks `hart` in M-mode WFI: it executes nothing until started again.
    fn park(&mut self, hart: usize);
    /// Retentive suspend: lets virtual time run until `hart` has an interrupt pending and
    /// enabled in mie (what wakes WFI). `false` if nothing can ever wake it.
    fn wait_for_interrupt(&mut self, hart: usize) -> bool;

    /// Performs a system reset: the board records it as its stop.
    fn system_reset(&mut self, reset: SystemReset);
}
