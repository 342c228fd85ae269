//! The hypervisor CSRs and the VS CSRs (hypervisor "Hypervisor and Virtual Supervisor CSRs").
//! From V=1 they are reachable only through the substitution of the S CSR numbers
//! (access.rs); their own numbers raise virtual-instruction there (norm:H_vscsrs_acc_vs).

use super::counters::COUNTEREN_MASK;
use super::supervisor::{legal_tvec, write_atp};
use super::{CsrDef, envcfg, hstatus, mip, mstatus, ro, rw};
use crate::riscv::csr_num as n;
use crate::riscv::hart::config::Features;
use crate::riscv::hart::state::ArchState;
use crate::riscv::mmu::atp::{ATP_PPN_MASK, ID_SHIFT, MODE_SHIFT, mode_supported};

/// VMIDLEN: 14 bits, the RV64 maximum (discoverable by writing ones, norm:hgatp_vmid).
pub const VMIDLEN: u32 = 14;
/// The writable VMID field of `hgatp` (bits 57:44).
pub const HGATP_VMID: u64 = ((1 << VMIDLEN) - 1) << ID_SHIFT;
/// PPN[1:0] of `hgatp` are read-only zero (the x4 root table is 16 KiB aligned; allowed
/// because only Bare and the x4 schemes are supported).
pub const HGATP_PPN: u64 = ATP_PPN_MASK & !3;

/// `hgatp` write: the fields are WARL (norm:HGATP_MODE_WARL: an unsupported MODE is not
/// ignored as for satp). hvsim keeps the old MODE when the new one is unsupported and still
/// writes VMID and PPN.
pub(crate) fn write_hgatp_value(old: u64, v: u64) -> u64 {
    let mode = if mode_supported(v >> MODE_SHIFT) {
        v >> MODE_SHIFT
    } else {
        old >> MODE_SHIFT
    };
    (mode << MODE_SHIFT) | (v & HGATP_VMID) | (v & HGATP_PPN)
}

pub(crate) fn read_hstatus(s: &ArchState) -> u64 {
    s.csr.hstatus
}
pub(crate) fn write_hstatus(s: &mut ArchState, v: u64) {
    s.csr.hstatus = hstatus::write(s.csr.hstatus, v);
}
fn read_hedeleg(s: &ArchState) -> u64 {
    s.csr.hedeleg
}
fn write_hedeleg(s: &mut ArchState, v: u64) {
    s.csr.hedeleg = v & mip::HEDELEG_MASK;
}
fn read_hideleg(s: &ArchState) -> u64 {
    s.csr.hideleg
}
/// Bits zero in `mideleg` are read-only zero in `hideleg` (hypervisor "mideleg"); the VS bits
/// are always set in `mideleg`.
fn write_hideleg(s: &mut ArchState, v: u64) {
    s.csr.hideleg = v & mip::HIDELEG_MASK & s.csr.mideleg;
}
fn read_hie(s: &ArchState) -> u64 {
    s.csr.mie & mip::H_BITS
}
fn write_hie(s: &mut ArchState, v: u64) {
    let m = mip::H_BITS;
    s.csr.mie = (s.csr.mie & !m) | (v & m);
}
fn read_hip(s: &ArchState) -> u64 {
    s.csr.mip() & mip::H_BITS
}
/// Only VSSIP is writable in `hip` (an alias of `hvip`.VSSIP); VSTIP, VSEIP, SGEIP are
/// read-only.
fn write_hip(s: &mut ArchState, v: u64) {
    s.csr.hvip = (s.csr.hvip & !mip::VSSI_BIT) | (v & mip::VSSI_BIT);
}
fn read_hvip(s: &ArchState) -> u64 {
    s.csr.hvip
}
fn write_hvip(s: &mut ArchState, v: u64) {
    s.csr.hvip = v & mip::HVIP_MASK;
}
fn read_hgeie(s: &ArchState) -> u64 {
    s.csr.hgeie
}
fn write_hgeie(s: &mut ArchState, v: u64) {
    s.csr.hgeie = v & mip::HGEI_MASK;
}
fn read_hgeip(s: &ArchState) -> u64 {
    s.csr.hgeip & mip::HGEI_MASK
}
fn read_hcounteren(s: &ArchState) -> u64 {
    s.csr.hcounteren
}
fn write_hcounteren(s: &mut ArchState, v: u64) {
    s.csr.hcounteren = v & COUNTEREN_MASK;
}
fn read_htimedelta(s: &ArchState) -> u64 {
    s.csr.htimedelta
}
fn write_htimedelta(s: &mut ArchState, v: u64) {
    s.csr.htimedelta = v;
    s.csr.refresh_timers(s.time);
}
fn read_htval(s: &ArchState) -> u64 {
    s.csr.htval
}
fn write_htval(s: &mut ArchState, v: u64) {
    s.csr.htval = v;
}
fn read_htinst(s: &ArchState) -> u64 {
    s.csr.htinst
}
fn write_htinst(s: &mut ArchState, v: u64) {
    s.csr.htinst = v;
}
fn read_hgatp(s: &ArchState) -> u64 {
    s.csr.hgatp
}
fn write_hgatp(s: &mut ArchState, v: u64) {
    s.csr.hgatp = write_hgatp_value(s.csr.hgatp, v);
}
fn read_henvcfg(s: &ArchState) -> u64 {
    s.csr.henvcfg_effective()
}
fn write_henvcfg(s: &mut ArchState, v: u64) {
    s.csr.henvcfg = v & envcfg::HENVCFG_MASK & (envcfg::FIOM | s.csr.menvcfg);
    s.csr.refresh_timers(s.time);
}

fn read_vsstatus(s: &ArchState) -> u64 {
    s.csr.vsstatus
}
fn write_vsstatus(s: &mut ArchState, v: u64) {
    s.csr.vsstatus = mstatus::write_vsstatus(s.csr.vsstatus, v);
}
/// `vsie`/`vsip` show the VS bits delegated by `hideleg`, at their S-level positions
/// (hypervisor "vsip and vsie").
fn read_vsie(s: &ArchState) -> u64 {
    mip::vs_to_s(s.csr.mie & s.csr.hideleg)
}
fn write_vsie(s: &mut ArchState, v: u64) {
    let m = s.csr.hideleg & mip::VS_BITS;
    s.csr.mie = (s.csr.mie & !m) | (mip::s_to_vs(v) & m);
}
fn read_vsip(s: &ArchState) -> u64 {
    mip::vs_to_s(s.csr.mip() & s.csr.hideleg)
}
/// vsip.SSIP aliases hip.VSSIP when delegated; STIP/SEIP are read-only.
fn write_vsip(s: &mut ArchState, v: u64) {
    let m = s.csr.hideleg & mip::VSSI_BIT;
    s.csr.hvip = (s.csr.hvip & !m) | (mip::s_to_vs(v) & m);
}
fn read_vstvec(s: &ArchState) -> u64 {
    s.csr.vstvec
}
fn write_vstvec(s: &mut ArchState, v: u64) {
    s.csr.vstvec = legal_tvec(v);
}
fn read_vsscratch(s: &ArchState) -> u64 {
    s.csr.vsscratch
}
fn write_vsscratch(s: &mut ArchState, v: u64) {
    s.csr.vsscratch = v;
}
fn read_vsepc(s: &ArchState) -> u64 {
    s.csr.vsepc
}
fn write_vsepc(s: &mut ArchState, v: u64) {
    s.csr.vsepc = v & !1;
}
fn read_vscause(s: &ArchState) -> u64 {
    s.csr.vscause
}
fn write_vscause(s: &mut ArchState, v: u64) {
    s.csr.vscause = v;
}
fn read_vstval(s: &ArchState) -> u64 {
    s.csr.vstval
}
fn write_vstval(s: &mut ArchState, v: u64) {
    s.csr.vstval = v;
}
fn read_vsatp(s: &ArchState) -> u64 {
    s.csr.vsatp
}
fn write_vsatp(s: &mut ArchState, v: u64) {
    s.csr.vsatp = write_atp(s.csr.vsatp, v);
}
fn read_vstimecmp(s: &ArchState) -> u64 {
    s.csr.vstimecmp
}
fn write_vstimecmp(s: &mut ArchState, v: u64) {
    s.csr.vstimecmp = v;
    s.csr.refresh_timers(s.time);
}

pub(super) fn lookup(num: u16, f: Features) -> Option<CsrDef> {
    if !f.h {
        return None;
    }
    let d = match num {
        n::HSTATUS => rw(read_hstatus, write_hstatus),
        n::HEDELEG => rw(read_hedeleg, write_hedeleg),
        n::HIDELEG => rw(read_hideleg, write_hideleg),
        n::HIE => rw(read_hie, write_hie),
        n::HIP => rw(read_hip, write_hip),
        n::HVIP => rw(read_hvip, write_hvip),
        n::HGEIE => rw(read_hgeie, write_hgeie),
        n::HGEIP => ro(read_hgeip),
        n::HCOUNTEREN => rw(read_hcounteren, write_hcounteren),
        n::HTIMEDELTA => rw(read_htimedelta, write_htimedelta),
        n::HTVAL => rw(read_htval, write_htval),
        n::HTINST => rw(read_htinst, write_htinst),
        n::HGATP => rw(read_hgatp, write_hgatp),
        n::HENVCFG => rw(read_henvcfg, write_henvcfg),
        n::VSSTATUS => rw(read_vsstatus, write_vsstatus),
        n::VSIE => rw(read_vsie, write_vsie),
        n::VSIP => rw(read_vsip, write_vsip),
        n::VSTVEC => rw(read_vstvec, write_vstvec),
        n::VSSCRATCH => rw(read_vsscratch, write_vsscratch),
        n::VSEPC => rw(read_vsepc, write_vsepc),
        n::VSCAUSE => rw(read_vscause, write_vscause),
        n::VSTVAL => rw(read_vstval, write_vstval),
        n::VSATP => rw(read_vsatp, write_vsatp),
        n::VSTIMECMP => rw(read_vstimecmp, write_vstimecmp),
        _ => return None,
    };
    Some(d)
}
