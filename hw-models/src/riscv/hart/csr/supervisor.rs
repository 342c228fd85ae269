//! The HS-level supervisor CSRs (priv "Supervisor-Level CSRs", Sstc). With V=1 the CSR
//! instructions reach the VS CSRs instead (access.rs does the substitution,
//! norm:H_vscsrs_sub); these definitions are what HS-mode and M-mode see.

use super::counters::COUNTEREN_MASK;
use super::machine::MTVEC_MODE_MASK;
use super::{CsrDef, envcfg, mip, mstatus, rw};
use crate::riscv::csr_num as n;
use crate::riscv::hart::config::Features;
use crate::riscv::hart::state::ArchState;
use crate::riscv::mmu::atp::{MODE_SHIFT, mode_supported};

/// xtvec: MODE bit 1 is hardwired 0 (Direct or Vectored only), as for `mtvec`.
pub(crate) const fn legal_tvec(v: u64) -> u64 {
    v & !(MTVEC_MODE_MASK & !1)
}

/// An `satp`/`vsatp` write with an unsupported MODE has no effect at all
/// (norm:satp_mode_op_unsupported, norm:vsatp_mode_unsupported_v1; hvsim also ignores it at
/// V=0, norm:vsatp_mode_unsupported_v0). ASIDLEN is 16, so every ASID bit is writable.
pub(crate) const fn write_atp(old: u64, v: u64) -> u64 {
    if mode_supported(v >> MODE_SHIFT) {
        v
    } else {
        old
    }
}

pub(crate) fn read_sstatus(s: &ArchState) -> u64 {
    s.csr.mstatus & mstatus::SSTATUS_READ
}
pub(crate) fn write_sstatus(s: &mut ArchState, v: u64) {
    let m = mstatus::SSTATUS_WRITE;
    s.csr.mstatus = (s.csr.mstatus & !m) | (v & m);
}
/// `sie`: the S-level enables delegated by `mideleg` (with H the VS bits and SGEIE live in
/// `hie` only: sie and hie nonzero bits are mutually exclusive).
fn sie_mask(s: &ArchState) -> u64 {
    s.csr.mideleg & mip::S_BITS
}
fn read_sie(s: &ArchState) -> u64 {
    s.csr.mie & sie_mask(s)
}
fn write_sie(s: &mut ArchState, v: u64) {
    let m = sie_mask(s);
    s.csr.mie = (s.csr.mie & !m) | (v & m);
}
fn read_sip(s: &ArchState) -> u64 {
    s.csr.mip() & sie_mask(s)
}
/// Only SSIP is writable in `sip` (STIP and SEIP are read-only there).
fn write_sip(s: &mut ArchState, v: u64) {
    let m = sie_mask(s) & (1 << crate::riscv::cause::irq::SSI);
    s.csr.mip_sw = (s.csr.mip_sw & !m) | (v & m);
}
fn read_stvec(s: &ArchState) -> u64 {
    s.csr.stvec
}
fn write_stvec(s: &mut ArchState, v: u64) {
    s.csr.stvec = legal_tvec(v);
}
fn read_sscratch(s: &ArchState) -> u64 {
    s.csr.sscratch
}
fn write_sscratch(s: &mut ArchState, v: u64) {
    s.csr.sscratch = v;
}
fn read_sepc(s: &ArchState) -> u64 {
    s.csr.sepc
}
/// Bit 0 always 0 (IALIGN = 16).
pub(crate) fn write_sepc(s: &mut ArchState, v: u64) {
    s.csr.sepc = v & !1;
}
fn read_scause(s: &ArchState) -> u64 {
    s.csr.scause
}
/// WLRL: any value is stored.
fn write_scause(s: &mut ArchState, v: u64) {
    s.csr.scause = v;
}
fn read_stval(s: &ArchState) -> u64 {
    s.csr.stval
}
fn write_stval(s: &mut ArchState, v: u64) {
    s.csr.stval = v;
}
fn read_satp(s: &ArchState) -> u64 {
    s.csr.satp
}
fn write_satp(s: &mut ArchState, v: u64) {
    s.csr.satp = write_atp(s.csr.satp, v);
}
fn read_scounteren(s: &ArchState) -> u64 {
    s.csr.scounteren
}
fn write_scounteren(s: &mut ArchState, v: u64) {
    s.csr.scounteren = v & COUNTEREN_MASK;
}
fn read_senvcfg(s: &ArchState) -> u64 {
    s.csr.senvcfg
}
fn write_senvcfg(s: &mut ArchState, v: u64) {
    s.csr.senvcfg = v & envcfg::SENVCFG_MASK;
}
fn read_stimecmp(s: &ArchState) -> u64 {
    s.csr.stimecmp
}
fn write_stimecmp(s: &mut ArchState, v: u64) {
    s.csr.stimecmp = v;
    s.csr.refresh_timers(s.time);
}

pub(super) fn lookup(num: u16, f: Features) -> Option<CsrDef> {
    if !f.s {
        return None;
    }
    let d = match num {
        n::SSTATUS => rw(read_sstatus, write_sstatus),
        n::SIE => rw(read_sie, write_sie),
        n::SIP => rw(read_sip, write_sip),
        n::STVEC => rw(read_stvec, write_stvec),
        n::SSCRATCH => rw(read_sscratch, write_sscratch),
        n::SEPC => rw(read_sepc, write_sepc),
        n::SCAUSE => rw(read_scause, write_scause),
        n::STVAL => rw(read_stval, write_stval),
        n::SATP => rw(read_satp, write_satp),
        n::SCOUNTEREN => rw(read_scounteren, write_scounteren),
        n::SENVCFG => rw(read_senvcfg, write_senvcfg),
        n::STIMECMP => rw(read_stimecmp, write_stimecmp),
        _ => return None,
    };
    Some(d)
}
