//! A scripted fake of `RiscvHardware` for the RISC-V vCPU tests.
//!
//! It is not a hart: CSRs are plain storage (with the few WARL rules the vCPU depends on:
//! hgatp MODE/VMID, missing CSRs raising illegal-instruction), guest memory is a byte map
//! with per-address faults, and `run_guest` replays a script of traps, writing the trap
//! CSRs the way the hypervisor spec says a trap from V=1 into HS does.
#![allow(dead_code)]

pub mod enc;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as csr;
use hw_models::riscv::hw::{
    GuestContext, GuestGprs, GuestRunEnd, HwTrap, RiscvHardware, SbiRet, TrapCsrs,
};
use sim_core::{AccessWidth, HostPhysAddr};
use vcpu::ExitReason;
use vcpu::riscv::{RiscvVCpu, RiscvVCpuConfig};

pub const SSTATUS_SPP: u64 = 1 << 8;
pub const SSTATUS_SPIE: u64 = 1 << 5;
pub const SSTATUS_SIE: u64 = 1 << 1;
pub const HSTATUS_SPV: u64 = 1 << 7;
pub const HSTATUS_SPVP: u64 = 1 << 8;
pub const HSTATUS_VTW: u64 = 1 << 21;
pub const VSSIP: u64 = 1 << 2;
pub const VSTIP: u64 = 1 << 6;
pub const VSEIP: u64 = 1 << 10;
pub const INTERRUPT: u64 = 1 << 63;

pub const EID_BASE: u64 = 0x10;
pub const EID_TIME: u64 = 0x5449_4D45;
pub const EID_IPI: u64 = 0x0073_5049;
pub const EID_RFENCE: u64 = 0x5246_4E43;
pub const EID_HSM: u64 = 0x0048_534D;
pub const EID_SRST: u64 = 0x5352_5354;
pub const EID_PMU: u64 = 0x0050_4D55;
pub const EID_DBCN: u64 = 0x4442_434E;
pub const EID_HVC: u64 = 0x0048_5643;

pub const SBI_SUCCESS: i64 = 0;
pub const SBI_ERR_FAILED: i64 = -1;
pub const SBI_ERR_NOT_SUPPORTED: i64 = -2;
pub const SBI_ERR_INVALID_PARAM: i64 = -3;
pub const SBI_ERR_INVALID_ADDRESS: i64 = -5;
pub const SBI_ERR_ALREADY_AVAILABLE: i64 = -6;

pub const ILLEGAL: HwTrap = HwTrap {
    cause: exc::ILLEGAL_INSTRUCTION,
    tval: 0,
    htval: 0,
    htinst: 0,
};

/// One trap for `run_guest` to take.
#[derive(Clone, Debug, Default)]
pub struct Trap {
    pub scause: u64,
    pub stval: u64,
    pub htval: u64,
    pub htinst: u64,
    /// The pc of the trapping instruction (default: the entry pc).
    pub pc: Option<u64>,
    /// Trap from VU-mode instead of VS-mode.
    pub from_vu: bool,
    /// Registers the guest wrote before trapping.
    pub gprs: Vec<(usize, u64)>,
}

impl Trap {
    pub fn exception(code: u64) -> Self {
        Self {
            scause: code,
            ..Self::default()
        }
    }
    pub fn interrupt(code: u64) -> Self {
        Self {
            scause: INTERRUPT | code,
            ..Self::default()
        }
    }
    /// An ECALL from VS with a7 = eid, a6 = fid, a0.. = args.
    pub fn ecall(eid: u64, fid: u64, args: &[u64]) -> Self {
        let mut gprs = vec![(17, eid), (16, fid)];
        for (i, a) in args.iter().enumerate() {
            gprs.push((10 + i, *a));
        }
        Self {
            scause: exc::ECALL_FROM_VS,
            gprs,
            ..Self::default()
        }
    }
}

/// What `run_guest` does next.
#[derive(Clone, Debug)]
pub enum Step {
    Trap(Trap),
    SliceEnd,
    /// A slice end (preemption) with the guest in VU (`true`) or VS (`false`): the state a
    /// trap would save, minus the trap CSRs (`GuestRunEnd::SliceEnd`).
    PreemptedIn {
        vu: bool,
    },
}

/// The state the hart saw when the vCPU entered the guest.
#[derive(Clone, Debug)]
pub struct Entry {
    pub sepc: u64,
    pub sstatus: u64,
    pub hstatus: u64,
    pub hvip: u64,
    pub hgatp: u64,
    pub gprs: GuestGprs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fence {
    Vvma(Option<u64>, Option<u64>),
    Gvma(Option<u64>, Option<u64>),
}

#[derive(Debug)]
pub struct FakeHart {
    pub csrs: BTreeMap<u16, u64>,
    pub missing: BTreeSet<u16>,
    /// CSRs whose every access traps with the given trap (a broken hart below).
    pub csr_faults: BTreeMap<u16, HwTrap>,
    pub hgatp_modes: Vec<u64>,
    pub vmid_bits: u32,
    /// Memory seen by HLV/HLVX/HSV while vsatp = 0 (guest-physical).
    pub phys: BTreeMap<u64, u8>,
    /// Memory seen while vsatp != 0 (guest-virtual).
    pub virt: BTreeMap<u64, u8>,
    /// Addresses whose access traps, with the trap (for either view).
    pub faults: BTreeMap<u64, HwTrap>,
    pub script: VecDeque<Step>,
    pub entries: Vec<Entry>,
    pub fences: Vec<Fence>,
    pub sbi_log: Vec<(u64, u64, [u64; 6])>,
    pub console_out: Vec<u8>,
    pub console_in: VecDeque<u8>,
    /// DBCN write_byte fails once this many bytes went out.
    pub console_capacity: Option<usize>,
    pub timer: Option<u64>,
    pub hlvx_calls: Vec<(u64, AccessWidth)>,
    /// hstatus at each HLVX (SPVP: the privilege the fetch acts with).
    pub hlvx_hstatus: Vec<u64>,
}

impl Default for FakeHart {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeHart {
    pub fn new() -> Self {
        let mut csrs = BTreeMap::new();
        for c in [
            csr::SSTATUS,
            csr::SIE,
            csr::SIP,
            csr::SEPC,
            csr::SCAUSE,
            csr::STVAL,
            csr::HSTATUS,
            csr::HEDELEG,
            csr::HIDELEG,
            csr::HVIP,
            csr::HCOUNTEREN,
            csr::HTVAL,
            csr::HTINST,
            csr::HGATP,
            csr::VSSTATUS,
            csr::VSIE,
            csr::VSTVEC,
            csr::VSSCRATCH,
            csr::VSEPC,
            csr::VSCAUSE,
            csr::VSTVAL,
            csr::VSATP,
            csr::VSTIMECMP,
            csr::TIME,
        ] {
            csrs.insert(c, 0);
        }
        // VSXL=64 is read-only on a hart that only supports RV64 guests.
        csrs.insert(csr::HSTATUS, 2 << 32);
        Self {
            csrs,
            missing: BTreeSet::new(),
            csr_faults: BTreeMap::new(),
            hgatp_modes: vec![0, 8, 9],
            vmid_bits: 14,
            phys: BTreeMap::new(),
            virt: BTreeMap::new(),
            faults: BTreeMap::new(),
            script: VecDeque::new(),
            entries: Vec::new(),
            fences: Vec::new(),
            sbi_log: Vec::new(),
            console_out: Vec::new(),
            console_in: VecDeque::new(),
            console_capacity: None,
            timer: None,
            hlvx_calls: Vec::new(),
            hlvx_hstatus: Vec::new(),
        }
    }

    /// A hart without the H extension: every hypervisor and VS CSR is missing.
    pub fn without_h() -> Self {
        let mut h = Self::new();
        for c in [
            csr::HSTATUS,
            csr::HEDELEG,
            csr::HIDELEG,
            csr::HVIP,
            csr::HCOUNTEREN,
            csr::HTVAL,
            csr::HTINST,
            csr::HGATP,
        ] {
            h.missing.insert(c);
        }
        h
    }

    pub fn csr(&self, c: u16) -> u64 {
        self.csrs.get(&c).copied().unwrap_or(0)
    }

    pub fn set_csr(&mut self, c: u16, v: u64) {
        self.csrs.insert(c, v);
    }

    pub fn push(&mut self, t: Trap) {
        self.script.push_back(Step::Trap(t));
    }

    pub fn write_phys(&mut self, addr: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            self.phys.insert(addr + i as u64, *b);
        }
    }

    pub fn write_virt(&mut self, addr: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            self.virt.insert(addr + i as u64, *b);
        }
    }

    /// Places an instruction at `pc` (2 or 4 bytes, little-endian) in both views, so HLVX
    /// finds it whatever vsatp holds.
    pub fn put_insn(&mut self, pc: u64, bits: u32) {
        let bytes = bits.to_le_bytes();
        let n = if bits & 3 == 3 { 4 } else { 2 };
        self.write_virt(pc, &bytes[..n]);
        self.write_phys(pc, &bytes[..n]);
    }

    fn mem_load(&mut self, addr: u64, size: usize) -> Result<u64, HwTrap> {
        let bare = self.csr(csr::VSATP) == 0;
        let mut v = 0u64;
        for i in 0..size as u64 {
            let a = addr.wrapping_add(i);
            if let Some(t) = self.faults.get(&a) {
                return Err(*t);
            }
            let m = if bare { &self.phys } else { &self.virt };
            let b = *m.get(&a).ok_or(HwTrap {
                cause: exc::LOAD_GUEST_PAGE_FAULT,
                tval: a,
                htval: a >> 2,
                htinst: 0,
            })?;
            v |= u64::from(b) << (8 * i);
        }
        Ok(v)
    }

    fn check(&self, c: u16) -> Result<(), HwTrap> {
        if let Some(t) = self.csr_faults.get(&c) {
            return Err(*t);
        }
        if self.missing.contains(&c) || !self.csrs.contains_key(&c) {
            Err(ILLEGAL)
        } else {
            Ok(())
        }
    }

    fn warl(&self, c: u16, v: u64) -> u64 {
        if c == csr::HGATP {
            let mode = v >> 60;
            if !self.hgatp_modes.contains(&mode) {
                // An unsupported MODE is WARL: this fake keeps the old MODE.
                return self.csr(csr::HGATP);
            }
            let vmid_mask = (1u64 << self.vmid_bits) - 1;
            let vmid = (v >> 44) & 0x3fff & vmid_mask;
            return (mode << 60) | (vmid << 44) | (v & ((1 << 44) - 1) & !3);
        }
        v
    }
}

impl RiscvHardware for FakeHart {
    fn csr_read(&mut self, c: u16) -> Result<u64, HwTrap> {
        self.check(c)?;
        Ok(self.csr(c))
    }
    fn csr_write(&mut self, c: u16, v: u64) -> Result<(), HwTrap> {
        self.check(c)?;
        let v = self.warl(c, v);
        self.csrs.insert(c, v);
        Ok(())
    }
    fn csr_set(&mut self, c: u16, bits: u64) -> Result<u64, HwTrap> {
        self.check(c)?;
        let old = self.csr(c);
        self.csrs.insert(c, old | bits);
        Ok(old)
    }
    fn csr_clear(&mut self, c: u16, bits: u64) -> Result<u64, HwTrap> {
        self.check(c)?;
        let old = self.csr(c);
        self.csrs.insert(c, old & !bits);
        Ok(old)
    }
    fn hfence_vvma(&mut self, vaddr: Option<u64>, asid: Option<u64>) {
        self.fences.push(Fence::Vvma(vaddr, asid));
    }
    fn hfence_gvma(&mut self, gaddr: Option<u64>, vmid: Option<u64>) {
        self.fences.push(Fence::Gvma(gaddr, vmid));
    }
    fn hlv(&mut self, addr: u64, width: AccessWidth, signed: bool) -> Result<u64, HwTrap> {
        let v = self.mem_load(addr, width.size())?;
        Ok(width.extend(v, signed))
    }
    fn hlvx(&mut self, addr: u64, width: AccessWidth) -> Result<u64, HwTrap> {
        self.hlvx_calls.push((addr, width));
        self.hlvx_hstatus.push(self.csr(csr::HSTATUS));
        self.mem_load(addr, width.size())
    }
    fn hsv(&mut self, addr: u64, width: AccessWidth, value: u64) -> Result<(), HwTrap> {
        let bare = self.csr(csr::VSATP) == 0;
        for i in 0..width.size() as u64 {
            let a = addr.wrapping_add(i);
            if let Some(t) = self.faults.get(&a) {
                return Err(*t);
            }
            let m = if bare { &mut self.phys } else { &mut self.virt };
            if !m.contains_key(&a) {
                return Err(HwTrap {
                    cause: exc::STORE_GUEST_PAGE_FAULT,
                    tval: a,
                    htval: a >> 2,
                    htinst: 0,
                });
            }
            m.insert(a, (value >> (8 * i)) as u8);
        }
        Ok(())
    }
    /// The world switch: records what SRET would see (the context's sstatus, hstatus
    /// and sepc, and the live hvip/hgatp), then plays the next scripted trap into the
    /// context the way a trap from V=1 into HS writes it (norm:H_trap_hs_csrwrites: sepc,
    /// SPP = the guest privilege, SPV = 1, SPVP = the guest privilege). The fake's own
    /// sstatus/hstatus CSRs are the hypervisor's and are left alone; the trap CSRs are
    /// also written to the fake's CSRs, as the hardware would leave them.
    fn run_guest(&mut self, ctx: &mut GuestContext) -> GuestRunEnd {
        self.entries.push(Entry {
            sepc: ctx.sepc,
            sstatus: ctx.sstatus,
            hstatus: ctx.hstatus,
            hvip: self.csr(csr::HVIP),
            hgatp: self.csr(csr::HGATP),
            gprs: ctx.gprs,
        });
        match self.script.pop_front() {
            None | Some(Step::SliceEnd) => GuestRunEnd::SliceEnd,
            Some(Step::PreemptedIn { vu }) => {
                ctx.sstatus = if vu {
                    ctx.sstatus & !SSTATUS_SPP
                } else {
                    ctx.sstatus | SSTATUS_SPP
                };
                ctx.hstatus = if vu {
                    ctx.hstatus & !HSTATUS_SPVP
                } else {
                    ctx.hstatus | HSTATUS_SPVP
                };
                GuestRunEnd::SliceEnd
            }
            Some(Step::Trap(t)) => {
                for (r, v) in &t.gprs {
                    ctx.gprs.x[*r] = *v;
                }
                if let Some(pc) = t.pc {
                    ctx.sepc = pc;
                }
                ctx.trap = TrapCsrs {
                    scause: t.scause,
                    stval: t.stval,
                    htval: t.htval,
                    htinst: t.htinst,
                };
                self.set_csr(csr::SCAUSE, t.scause);
                self.set_csr(csr::STVAL, t.stval);
                self.set_csr(csr::HTVAL, t.htval);
                self.set_csr(csr::HTINST, t.htinst);
                self.set_csr(csr::SEPC, ctx.sepc);
                let vs = !t.from_vu;
                let mut s = ctx.sstatus & !SSTATUS_SPP;
                let mut h = (ctx.hstatus & !HSTATUS_SPVP) | HSTATUS_SPV;
                if vs {
                    s |= SSTATUS_SPP;
                    h |= HSTATUS_SPVP;
                }
                ctx.sstatus = s;
                ctx.hstatus = h;
                GuestRunEnd::Trap
            }
        }
    }
    fn sbi_call(&mut self, eid: u64, fid: u64, args: [u64; 6]) -> SbiRet {
        self.sbi_log.push((eid, fid, args));
        let ok = |value| SbiRet { error: 0, value };
        match (eid, fid) {
            (EID_DBCN, 2) => {
                if self
                    .console_capacity
                    .is_some_and(|c| self.console_out.len() >= c)
                {
                    return SbiRet {
                        error: -1,
                        value: 0,
                    };
                }
                self.console_out.push(args[0] as u8);
                ok(0)
            }
            (0x02, _) => SbiRet {
                error: self.console_in.pop_front().map_or(-1, i64::from),
                value: 0,
            },
            (EID_TIME, 0) => {
                self.timer = Some(args[0]);
                ok(0)
            }
            // remote_fence_i: the firmware fences the physical harts.
            (EID_RFENCE, 0) => ok(0),
            (EID_BASE, 4) => ok(0x489),
            (EID_BASE, 5) => ok(0x8000_0000_0000_0001),
            (EID_BASE, 6) => ok(0x42),
            _ => SbiRet {
                error: SBI_ERR_NOT_SUPPORTED,
                value: 0,
            },
        }
    }
}

pub const ENTRY: u64 = 0x8020_0000;
pub const ROOT: u64 = 0x9000_0000;

pub fn config() -> RiscvVCpuConfig {
    RiscvVCpuConfig {
        hart_id: 0,
        hart_count: 4,
        dtb_addr: 0x8220_0000,
        vmid: 5,
        ..Default::default()
    }
}

/// A set-up, bound vCPU at `ENTRY` on a fake hart.
pub fn bound_vcpu() -> (RiscvVCpu<FakeHart>, FakeHart) {
    bound_vcpu_with(config())
}

pub fn bound_vcpu_with(cfg: RiscvVCpuConfig) -> (RiscvVCpu<FakeHart>, FakeHart) {
    let mut hw = FakeHart::new();
    let mut v = RiscvVCpu::new(cfg).expect("valid config");
    v.setup().expect("setup");
    v.set_entry(sim_core::GuestPhysAddr::new(ENTRY));
    v.set_ept_root(HostPhysAddr::new(ROOT))
        .expect("aligned root");
    v.bind(&mut hw).expect("bind");
    (v, hw)
}

/// Pushes `t` and runs once.
pub fn run_one(v: &mut RiscvVCpu<FakeHart>, hw: &mut FakeHart, t: Trap) -> ExitReason {
    hw.push(t);
    v.run(hw).expect("run")
}

/// Runs an SBI call and returns (a0 as i64, a1, exit).
pub fn sbi(
    v: &mut RiscvVCpu<FakeHart>,
    hw: &mut FakeHart,
    eid: u64,
    fid: u64,
    args: &[u64],
) -> (i64, u64, ExitReason) {
    let exit = run_one(v, hw, Trap::ecall(eid, fid, args));
    (v.gpr(10) as i64, v.gpr(11), exit)
}
