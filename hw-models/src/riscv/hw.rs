//! The RISC-V hardware interface: the seam between hypervisor code and the hart.
//!
//! [`RiscvHardware`] mirrors exactly the instructions HS-mode hypervisor code executes on
//! silicon: CSR accesses, HFENCE.VVMA/GVMA, HLV/HLVX/HSV, entering the guest with SRET and
//! taking the next trap, and ECALL to the firmware below. The vCPU layer is written only
//! against this trait, so the same code drives the software model (the default) and real
//! H-extension hardware (cargo feature `native`).
//!
//! A handle implementing the trait stands for "the physical hart this code runs on"; the
//! board hands one out per hart. No globals are involved.

use sim_core::AccessWidth;

/// The guest's general-purpose registers x0..x31 as `run_guest` loads and saves them.
/// `x[0]` is ignored on entry and reads back as zero.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GuestGprs {
    /// x0..x31.
    pub x: [u64; 32],
}

/// A trap that an HS-level operation raised instead of completing, described by the values
/// the trap CSRs would hold (scause, stval, htval, htinst).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HwTrap {
    /// The exception code (scause without the interrupt bit).
    pub cause: u64,
    /// stval: the faulting guest-virtual address, or the instruction bits.
    pub tval: u64,
    /// htval: the faulting guest-physical address shifted right by 2, or 0.
    pub htval: u64,
    /// htinst: the transformed instruction, a pseudo-instruction, or 0.
    pub htinst: u64,
}

/// The trap CSRs HS code reads after a trap into HS-mode (priv "Supervisor Cause
/// Register", "Supervisor Trap Value Register"; H extension "Hypervisor Trap Value
/// Register", "Hypervisor Trap Instruction Register").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TrapCsrs {
    /// scause (the interrupt bit included).
    pub scause: u64,
    /// stval.
    pub stval: u64,
    /// htval.
    pub htval: u64,
    /// htinst.
    pub htinst: u64,
}

/// What the world switch loads before SRET and saves after the next trap into HS: the
/// guest's registers, the guest-side values of the CSRs HS code and the guest share
/// (sstatus, hstatus, sepc — the seed's `GuestCpuState`), and the trap CSRs.
///
/// On entry `sstatus.SPP` and `hstatus.SPV`/`SPVP` choose the mode SRET enters
/// (norm:sret_v1, norm:hstatus_spv_sret) and `sepc` the pc. After a trap they hold what the
/// trap wrote (norm:H_trap_hs_csrwrites): `sepc` the guest pc, `sstatus.SPP` the guest's
/// privilege, `hstatus.SPV`/`SPVP`/`GVA` as the trap set them; `trap` holds scause, stval,
/// htval and htinst.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GuestContext {
    /// x0..x31.
    pub gprs: GuestGprs,
    /// sstatus while the guest runs.
    pub sstatus: u64,
    /// hstatus while the guest runs.
    pub hstatus: u64,
    /// The guest pc.
    pub sepc: u64,
    /// The trap CSRs of the last trap (written only when `run_guest` returns `Trap`).
    pub trap: TrapCsrs,
}

/// How a `run_guest` call ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GuestRunEnd {
    /// A trap was taken into HS-mode. The context's sepc, sstatus, hstatus and `trap`
    /// (scause, stval, htval, htinst) describe it, exactly as on silicon; the hypervisor's
    /// sstatus and hstatus are back.
    Trap,
    /// The model's slice budget ran out with the guest still running (sim only; on real
    /// hardware the hypervisor's own timer interrupt plays this role and arrives as a `Trap`).
    /// The guest's pc is in the context's sepc; the context's `trap` and the hart's
    /// scause, stval, htval and htinst are unchanged.
    SliceEnd,
}

/// The result of an SBI call (SBI spec, "Binary Encoding"): `a0` = error, `a1` = value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SbiRet {
    /// SBI error code (0 = SBI_SUCCESS, negative on failure), as the signed value in a0.
    pub error: i64,
    /// The returned value in a1.
    pub value: u64,
}

/// The RISC-V hypervisor-side hardware interface.
pub trait RiscvHardware {
    /// `csrr`: reads a CSR with HS-mode privilege. Fails with the trap hardware raises:
    /// illegal-instruction for a CSR that does not exist or is not accessible from HS.
    fn csr_read(&mut self, csr: u16) -> Result<u64, HwTrap>;
    /// `csrw`: writes a CSR with HS-mode privilege, subject to its WARL rules.
    fn csr_write(&mut self, csr: u16, value: u64) -> Result<(), HwTrap>;
    /// `csrrs`: sets bits, returning the old value.
    fn csr_set(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap>;
    /// `csrrc`: clears bits, returning the old value.
    fn csr_clear(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap>;

    /// HFENCE.VVMA with rs1 = `vaddr` and rs2 = `asid` (`None` stands for x0).
    fn hfence_vvma(&mut self, vaddr: Option<u64>, asid: Option<u64>);
    /// HFENCE.GVMA with rs1 = `gaddr >> 2` and rs2 = `vmid` (`None` stands for x0).
    /// `gaddr` is the guest-physical address itself; the shift is the instruction's.
    fn hfence_gvma(&mut self, gaddr: Option<u64>, vmid: Option<u64>);

    /// HLV.{B,BU,H,HU,W,WU,D}: a load from guest-virtual `addr` with the guest's
    /// translation (vsatp, hgatp, hstatus.SPVP). The result is sign- or zero-extended.
    fn hlv(&mut self, addr: u64, width: AccessWidth, signed: bool) -> Result<u64, HwTrap>;
    /// HLVX.{HU,WU}: a load that needs execute permission, used to fetch guest instructions.
    /// `width` must be `Word` or `Dword`.
    fn hlvx(&mut self, addr: u64, width: AccessWidth) -> Result<u64, HwTrap>;
    /// HSV.{B,H,W,D}: a store to guest-virtual `addr` with the guest's translation.
    fn hsv(&mut self, addr: u64, width: AccessWidth, value: u64) -> Result<(), HwTrap>;

    /// The world switch. Saves the hypervisor's sstatus and hstatus, loads the guest's
    /// sstatus, hstatus, sepc and registers from `guest`, executes SRET, runs until a trap
    /// is taken into HS-mode, then stores the guest's registers, sstatus, hstatus and sepc
    /// (as the trap left them) and the trap CSRs into `guest` and restores the hypervisor's
    /// sstatus and hstatus. This is what the seed's `_run_guest` stub does; one call
    /// replaces the dozen CSR instructions an exit would otherwise cost through this trait.
    ///
    /// On `SliceEnd` (sim only) `guest` holds the state a trap would have saved, except
    /// `trap`, which is unchanged.
    fn run_guest(&mut self, guest: &mut GuestContext) -> GuestRunEnd;

    /// ECALL to the firmware below HS (SBI): a7 = `eid`, a6 = `fid`, a0..a5 = `args`.
    fn sbi_call(&mut self, eid: u64, fid: u64, args: [u64; 6]) -> SbiRet;
}
