//! The M-mode CSRs and the unprivileged counter shadows, one small read/write pair each.

use super::counters::{COUNTEREN_MASK, INHIBIT_CY, INHIBIT_IR, INHIBIT_MASK};
use super::{CsrDef, ReadFn, WriteFn, envcfg, mip, mstatus, pmp, ro, rw};
use crate::riscv::csr_num as n;
use crate::riscv::hart::config::Features;
use crate::riscv::hart::state::ArchState;

/// misa.MXL = 2 (64-bit) in bits 63:62 (norm:misa_mxl_enc).
const MISA_MXL_64: u64 = 2 << 62;
/// misa extension bit for letter `c`.
const fn ext(c: u8) -> u64 {
    1 << (c - b'A')
}

/// mvendorid: 0, "not implemented / non-commercial" (norm:mvendorid_enc).
pub const MVENDORID: u64 = 0;
/// marchid: 0, no allocated architecture id (norm:marchid_always_rd).
pub const MARCHID: u64 = 0;
/// mimpid: 0, "not implemented" (norm:mimpid_op).
pub const MIMPID: u64 = 0;

/// menvcfg.FIOM, the only field hvsim implements: CBIE/CBCFE/CBZE (no Zicbo*), PBMTE (no
/// Svpbmt), ADUE (Svadu comes with the MMU), STCE (no Sstc), PMM, LPE, SSE, DTE are read-only
/// 0 (norm:menvcfg_pbmte_rdonly0, norm:menvcfg_adue_rdonly0, norm:menvcfg_stce_rdonly0 ...).
pub const MENVCFG_FIOM: u64 = 1 << 0;

/// mtvec.MODE field; bit 1 of it is hardwired 0 so MODE is Direct (0) or Vectored (1) and
/// the reserved values 2 and 3 become 0 and 1 (MTVEC_WARL).
pub const MTVEC_MODE_MASK: u64 = 3;
/// mtvec.MODE = Vectored.
pub const MTVEC_VECTORED: u64 = 1;

/// misa for the features: RV64 with I, M, A, C, U, and S/H when implemented. misa is
/// read-only (norm:MISA_WARL allows a read-only misa; norm:misa_always_rd).
pub(crate) fn misa(f: Features) -> u64 {
    let mut v = MISA_MXL_64 | ext(b'I') | ext(b'M') | ext(b'A') | ext(b'C') | ext(b'U');
    if f.s {
        v |= ext(b'S');
    }
    if f.h {
        v |= ext(b'H');
    }
    v
}

const fn shadow(read: ReadFn, bit: u32) -> CsrDef {
    CsrDef {
        read,
        write: None,
        counter_bit: Some(bit),
        rmw_read: None,
    }
}

pub(super) fn zero(_: &ArchState) -> u64 {
    0
}
pub(super) fn ignore(_: &mut ArchState, _: u64) {}

fn read_mstatus(s: &ArchState) -> u64 {
    s.csr.mstatus
}
fn write_mstatus(s: &mut ArchState, v: u64) {
    s.csr.mstatus = mstatus::write(s.csr.mstatus, v, s.features);
}
fn read_misa(s: &ArchState) -> u64 {
    misa(s.features)
}
fn read_medeleg(s: &ArchState) -> u64 {
    s.csr.medeleg
}
fn write_medeleg(s: &mut ArchState, v: u64) {
    s.csr.medeleg = v & mip::medeleg_mask(s.features);
}
fn read_mideleg(s: &ArchState) -> u64 {
    s.csr.mideleg
}
fn write_mideleg(s: &mut ArchState, v: u64) {
    let f = s.features;
    s.csr.mideleg = (v & mip::mideleg_mask(f)) | mip::mideleg_ones(f);
}
fn read_mie(s: &ArchState) -> u64 {
    s.csr.mie
}
fn write_mie(s: &mut ArchState, v: u64) {
    s.csr.mie = v & mip::mie_mask(s.features);
}
fn read_mip(s: &ArchState) -> u64 {
    s.csr.mip()
}
/// CSRRS/CSRRC on mip start from the software SEIP bit, not the OR with the external line
/// (norm:mip_seip_rdcsr).
fn rmw_mip(s: &ArchState) -> u64 {
    let seip = 1 << crate::riscv::cause::irq::SEI;
    (s.csr.mip() & !seip) | (s.csr.mip_sw & seip)
}
/// SSIP, STIP (unless Sstc drives it: `menvcfg`.STCE = 1), SEIP and the alias VSSIP
/// (hypervisor "Machine Interrupt (mip and mie) Registers") are writable.
pub(super) fn write_mip(s: &mut ArchState, v: u64) {
    let mut m = mip::mip_write_mask(s.features);
    if s.csr.menvcfg & envcfg::STCE != 0 {
        m &= !mip::STI_BIT;
    }
    s.csr.mip_sw = (s.csr.mip_sw & !m) | (v & m);
    if s.features.h {
        s.csr.hvip = (s.csr.hvip & !mip::VSSI_BIT) | (v & mip::VSSI_BIT);
    }
}
fn read_mtvec(s: &ArchState) -> u64 {
    s.csr.mtvec
}
fn write_mtvec(s: &mut ArchState, v: u64) {
    s.csr.mtvec = v & !(MTVEC_MODE_MASK & !MTVEC_VECTORED);
}
fn read_mcounteren(s: &ArchState) -> u64 {
    s.csr.mcounteren
}
fn write_mcounteren(s: &mut ArchState, v: u64) {
    s.csr.mcounteren = v & COUNTEREN_MASK;
}
fn read_menvcfg(s: &ArchState) -> u64 {
    s.csr.menvcfg
}
fn write_menvcfg(s: &mut ArchState, v: u64) {
    let mask = if s.features.s {
        envcfg::MENVCFG_MASK
    } else {
        MENVCFG_FIOM
    };
    s.csr.menvcfg = v & mask;
    s.csr.refresh_timers(s.time);
}
fn read_mcountinhibit(s: &ArchState) -> u64 {
    s.csr.mcountinhibit
}
fn write_mcountinhibit(s: &mut ArchState, v: u64) {
    let old = s.csr.mcountinhibit;
    let new = v & INHIBIT_MASK;
    let r = s.retired;
    s.csr
        .mcycle
        .set_inhibited(old & INHIBIT_CY != 0, new & INHIBIT_CY != 0, r);
    s.csr
        .minstret
        .set_inhibited(old & INHIBIT_IR != 0, new & INHIBIT_IR != 0, r);
    s.csr.mcountinhibit = new;
}
fn read_mscratch(s: &ArchState) -> u64 {
    s.csr.mscratch
}
fn write_mscratch(s: &mut ArchState, v: u64) {
    s.csr.mscratch = v;
}
fn read_mepc(s: &ArchState) -> u64 {
    s.csr.mepc
}
/// norm:mepc_align: bit 0 is always 0; IALIGN is 16 (C is always on), so bit 1 is writable.
fn write_mepc(s: &mut ArchState, v: u64) {
    s.csr.mepc = v & !1;
}
fn read_mcause(s: &ArchState) -> u64 {
    s.csr.mcause
}
/// MCAUSE_EXCCODE_WLRL: hvsim stores any value written.
fn write_mcause(s: &mut ArchState, v: u64) {
    s.csr.mcause = v;
}
fn read_mtval(s: &ArchState) -> u64 {
    s.csr.mtval
}
fn write_mtval(s: &mut ArchState, v: u64) {
    s.csr.mtval = v;
}
fn read_mhartid(s: &ArchState) -> u64 {
    s.csr.mhartid
}
fn read_mvendorid(_: &ArchState) -> u64 {
    MVENDORID
}
fn read_marchid(_: &ArchState) -> u64 {
    MARCHID
}
fn read_mimpid(_: &ArchState) -> u64 {
    MIMPID
}
fn read_mcycle(s: &ArchState) -> u64 {
    s.csr
        .mcycle
        .read(s.retired, s.csr.mcountinhibit & INHIBIT_CY != 0)
}
fn write_mcycle(s: &mut ArchState, v: u64) {
    let inh = s.csr.mcountinhibit & INHIBIT_CY != 0;
    s.csr.mcycle.write(v, s.retired, inh);
}
fn read_minstret(s: &ArchState) -> u64 {
    s.csr
        .minstret
        .read(s.retired, s.csr.mcountinhibit & INHIBIT_IR != 0)
}
fn write_minstret(s: &mut ArchState, v: u64) {
    let inh = s.csr.mcountinhibit & INHIBIT_IR != 0;
    s.csr.minstret.write(v, s.retired, inh);
}
/// `time`; with V=1 it reads `time` + `htimedelta` (norm:htimedelta_sz_acc_op).
fn read_time(s: &ArchState) -> u64 {
    if s.mode.virt {
        s.time.wrapping_add(s.csr.htimedelta)
    } else {
        s.time
    }
}
fn read_mtval2(s: &ArchState) -> u64 {
    s.csr.mtval2
}
fn write_mtval2(s: &mut ArchState, v: u64) {
    s.csr.mtval2 = v;
}
fn read_mtinst(s: &ArchState) -> u64 {
    s.csr.mtinst
}
fn write_mtinst(s: &mut ArchState, v: u64) {
    s.csr.mtinst = v;
}

macro_rules! pmp_cfg_fns {
    ($($r:ident $w:ident $idx:literal;)*) => {$(
        fn $r(s: &ArchState) -> u64 {
            s.csr.pmp.read_cfg($idx)
        }
        fn $w(s: &mut ArchState, v: u64) {
            s.csr.pmp.write_cfg($idx, v)
        }
    )*};
}
pmp_cfg_fns! {
    rc0 wc0 0; rc1 wc1 1; rc2 wc2 2; rc3 wc3 3; rc4 wc4 4; rc5 wc5 5; rc6 wc6 6; rc7 wc7 7;
}
const PMPCFG: [(ReadFn, WriteFn); pmp::CFG_REGS] = [
    (rc0, wc0),
    (rc1, wc1),
    (rc2, wc2),
    (rc3, wc3),
    (rc4, wc4),
    (rc5, wc5),
    (rc6, wc6),
    (rc7, wc7),
];

/// pmpaddr registers share one read/write pair that finds the index from the CSR number the
/// caller stashed; a fn pointer cannot capture it, so each of the 64 gets a generated pair.
macro_rules! pmp_addr_table {
    ($($i:literal)*) => {
        const PMPADDR: [(ReadFn, WriteFn); pmp::ENTRIES] = [$(
            {
                fn r(s: &ArchState) -> u64 { s.csr.pmp.read_addr($i) }
                fn w(s: &mut ArchState, v: u64) { s.csr.pmp.write_addr($i, v) }
                (r, w)
            },
        )*];
    };
}
pmp_addr_table!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28
    29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59
    60 61 62 63);

/// First mhpmcounter number.
const MHPMCOUNTER3: u16 = 0xb03;
/// Last mhpmcounter number.
const MHPMCOUNTER31: u16 = 0xb1f;
/// First hpmcounter number.
const HPMCOUNTER3: u16 = 0xc03;
/// Last hpmcounter number.
const HPMCOUNTER31: u16 = 0xc1f;
/// First mhpmevent number.
const MHPMEVENT3: u16 = 0x323;
/// Last mhpmevent number.
const MHPMEVENT31: u16 = 0x33f;
/// Last pmpaddr number.
const PMPADDR63: u16 = n::PMPADDR0 + 63;
/// Last pmpcfg number.
const PMPCFG15: u16 = n::PMPCFG0 + 15;

pub(super) fn lookup(num: u16, f: Features) -> Option<CsrDef> {
    let d = match num {
        n::MSTATUS => rw(read_mstatus, write_mstatus),
        // A read-only misa: writes are legal and ignored (norm:MISA_WARL).
        n::MISA => rw(read_misa, ignore),
        // norm:medeleg_mideleg_omit_wo_S_mode
        n::MEDELEG if f.s => rw(read_medeleg, write_medeleg),
        n::MIDELEG if f.s => rw(read_mideleg, write_mideleg),
        n::MIE => rw(read_mie, write_mie),
        n::MIP => CsrDef {
            rmw_read: Some(rmw_mip),
            ..rw(read_mip, write_mip)
        },
        n::MTVAL2 if f.h => rw(read_mtval2, write_mtval2),
        n::MTINST if f.h => rw(read_mtinst, write_mtinst),
        n::MTVEC => rw(read_mtvec, write_mtvec),
        n::MCOUNTEREN => rw(read_mcounteren, write_mcounteren),
        n::MENVCFG => rw(read_menvcfg, write_menvcfg),
        n::MCOUNTINHIBIT => rw(read_mcountinhibit, write_mcountinhibit),
        n::MSCRATCH => rw(read_mscratch, write_mscratch),
        n::MEPC => rw(read_mepc, write_mepc),
        n::MCAUSE => rw(read_mcause, write_mcause),
        n::MTVAL => rw(read_mtval, write_mtval),
        n::MVENDORID => ro(read_mvendorid),
        n::MARCHID => ro(read_marchid),
        n::MIMPID => ro(read_mimpid),
        n::MHARTID => ro(read_mhartid),
        // norm:mconfigptr_op: 0 = no configuration structure.
        n::MCONFIGPTR => ro(zero),
        n::MCYCLE => rw(read_mcycle, write_mcycle),
        n::MINSTRET => rw(read_minstret, write_minstret),
        // MHPMCOUNTER_N_RDONLY0 / MHPMEVENT_N_RDONLY0: read-only zero, writes ignored.
        MHPMCOUNTER3..=MHPMCOUNTER31 | MHPMEVENT3..=MHPMEVENT31 => rw(zero, ignore),
        n::CYCLE => shadow(read_mcycle, 0),
        n::TIME => shadow(read_time, 1),
        n::INSTRET => shadow(read_minstret, 2),
        HPMCOUNTER3..=HPMCOUNTER31 => shadow(zero, u32::from(num - n::CYCLE)),
        // norm:pmp_cfg_rv64_illegal: odd pmpcfg registers do not exist on RV64.
        n::PMPCFG0..=PMPCFG15 => {
            let i = usize::from(num - n::PMPCFG0);
            if i % 2 != 0 {
                return None;
            }
            let (r, w) = *PMPCFG.get(i / 2)?;
            rw(r, w)
        }
        n::PMPADDR0..=PMPADDR63 => {
            let (r, w) = *PMPADDR.get(usize::from(num - n::PMPADDR0))?;
            rw(r, w)
        }
        _ => return None,
    };
    Some(d)
}
