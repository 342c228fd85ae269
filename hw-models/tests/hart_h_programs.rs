//! Self-checking programs on the bare machine (hs_host = false, every mode's code
//! interpreted): M-mode firmware enters HS, HS enters a VS guest with two-stage translation,
//! the guest drops to VU and the traps come back up VU → VS → HS → M. A guest-page fault on an
//! unmapped guest-physical page is emulated by HS code and the guest resumes.
//!
//! Expected values are derived from the hypervisor spec by hand, not from the model.

mod hart_support;

use hart_support::guest::*;
use hart_support::*;
use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{HartConfig, StopReason};
use hw_models::riscv::isa::encode::{self as e, Assembler, Reg};
use hw_models::riscv::privilege::Mode;

const HS_ENTRY: u64 = RAM_BASE + 0x1000;
const HS_HANDLER: u64 = RAM_BASE + 0x2000;
const M_HANDLER: u64 = RAM_BASE + 0x3000;
const RESULTS: u64 = RAM_BASE + 0x8000;
const VS_HANDLER: u64 = GVA_CODE + 0x800;
const VU_ENTRY: u64 = GVA_CODE + 0x2000;

// mstatus / sstatus / hstatus bits, from the spec's register layouts.
const MPP_S: u64 = 1 << 11;
const MPP: u64 = 3 << 11;
const SPP: u64 = 1 << 8;
const SUM: u64 = 1 << 18;
const MPV: u64 = 1 << 39;
const H_GVA: u64 = 1 << 6;
const H_SPV: u64 = 1 << 7;
const H_SPVP: u64 = 1 << 8;

fn li(a: &mut Assembler, r: Reg, v: u64) {
    a.li(r, v as i64);
}
fn csrw(a: &mut Assembler, csr: u16, r: Reg) {
    a.put(ok(e::csrw(csr, r)));
}
fn csrr(a: &mut Assembler, r: Reg, csr: u16) {
    a.put(ok(e::csrr(r, csr)));
}
fn sd(a: &mut Assembler, r: Reg, base: Reg, off: i32) {
    a.put(ok(e::sd(r, base, off)));
}

/// Builds the whole system image.
fn image(bus: &mut hw_models::riscv::hart::RamBus) {
    let (hgatp, vsatp) = two_stage(bus);
    use Reg as R;
    // M-mode firmware at reset.
    load(bus, RAM_BASE, RAM_BASE, |a| {
        li(a, R::T0, M_HANDLER);
        csrw(a, n::MTVEC, R::T0);
        let deleg = (1 << exc::ECALL_FROM_U)
            | (1 << exc::ECALL_FROM_VS)
            | (1 << exc::LOAD_GUEST_PAGE_FAULT)
            | (1 << exc::VIRTUAL_INSTRUCTION);
        li(a, R::T0, deleg);
        csrw(a, n::MEDELEG, R::T0);
        li(a, R::T0, HS_ENTRY);
        csrw(a, n::MEPC, R::T0);
        li(a, R::T0, MPP);
        a.put(ok(e::csrc(n::MSTATUS, R::T0)));
        li(a, R::T0, MPP_S);
        a.put(ok(e::csrs(n::MSTATUS, R::T0)));
        a.put(e::mret());
    });
    // HS-mode hypervisor: configure the guest and SRET into VS.
    load(bus, HS_ENTRY, HS_ENTRY, |a| {
        li(a, R::T0, HS_HANDLER);
        csrw(a, n::STVEC, R::T0);
        li(a, R::T0, hgatp);
        csrw(a, n::HGATP, R::T0);
        a.put(e::hfence_gvma(R::ZERO, R::ZERO));
        li(a, R::T0, vsatp);
        csrw(a, n::VSATP, R::T0);
        li(a, R::T0, 1 << exc::ECALL_FROM_U);
        csrw(a, n::HEDELEG, R::T0);
        li(a, R::T0, VS_HANDLER);
        csrw(a, n::VSTVEC, R::T0);
        li(a, R::T0, SUM);
        csrw(a, n::VSSTATUS, R::T0);
        li(a, R::T0, H_SPV);
        a.put(ok(e::csrs(n::HSTATUS, R::T0)));
        li(a, R::T0, SPP);
        a.put(ok(e::csrs(n::SSTATUS, R::T0)));
        li(a, R::T0, GVA_CODE);
        csrw(a, n::SEPC, R::T0);
        a.put(e::sret());
    });
    // HS trap handler: emulate the MMIO load (cause 21), forward anything else to M.
    load(bus, HS_HANDLER, HS_HANDLER, |a| {
        let other = a.new_label();
        csrr(a, R::T0, n::SCAUSE);
        li(a, R::T1, exc::LOAD_GUEST_PAGE_FAULT);
        a.bne(R::T0, R::T1, other);
        li(a, R::T3, RESULTS);
        csrr(a, R::T4, n::STVAL);
        sd(a, R::T4, R::T3, 0);
        csrr(a, R::T4, n::HTVAL);
        sd(a, R::T4, R::T3, 8);
        csrr(a, R::T4, n::HTINST);
        sd(a, R::T4, R::T3, 16);
        csrr(a, R::T4, n::HSTATUS);
        sd(a, R::T4, R::T3, 24);
        // The "device" returns 0x5555 in the destination register t2.
        li(a, R::T2, 0x5555);
        csrr(a, R::T4, n::SEPC);
        a.put(ok(e::addi(R::T4, R::T4, 4)));
        csrw(a, n::SEPC, R::T4);
        a.put(e::sret());
        ok(a.bind(other));
        li(a, R::T3, RESULTS);
        sd(a, R::T0, R::T3, 32);
        csrr(a, R::T4, n::HSTATUS);
        sd(a, R::T4, R::T3, 40);
        a.put(e::ecall());
    });
    load(bus, M_HANDLER, M_HANDLER, |a| {
        li(a, R::T3, RESULTS);
        csrr(a, R::T4, n::MCAUSE);
        sd(a, R::T4, R::T3, 48);
        csrr(a, R::T4, n::MSTATUS);
        sd(a, R::T4, R::T3, 56);
        a.put(e::wfi());
    });
    // The guest kernel (VS) at GVA_CODE (host: gpa_to_hpa(GPA_RAM)).
    load(bus, GVA_CODE, gpa_to_hpa(GPA_RAM), |a| {
        li(a, R::S0, GVA_DATA);
        li(a, R::T0, 0x1111);
        sd(a, R::T0, R::S0, 0);
        li(a, R::T1, GVA_MMIO);
        a.put(ok(e::ld(R::T2, R::T1, 8)));
        sd(a, R::T2, R::S0, 8);
        li(a, R::T0, VU_ENTRY);
        csrw(a, n::SEPC, R::T0);
        li(a, R::T0, SPP);
        a.put(ok(e::csrc(n::SSTATUS, R::T0)));
        a.put(e::sret());
    });
    load(bus, VS_HANDLER, gpa_to_hpa(GPA_RAM + 0x800), |a| {
        csrr(a, R::T0, n::SCAUSE);
        sd(a, R::T0, R::S0, 24);
        csrr(a, R::T0, n::SSTATUS);
        sd(a, R::T0, R::S0, 32);
        a.put(e::ecall());
    });
    load(bus, VU_ENTRY, gpa_to_hpa(GPA_RAM + 0x2000), |a| {
        li(a, R::T0, 0x2222);
        sd(a, R::T0, R::S0, 16);
        a.put(e::ecall());
    });
}

/// norm:hstatus_spv_op, norm:hstatus_spvp_op, norm:hstatus_gva_op, norm:hedeleg_op,
/// norm:H_vscsrs_sub, norm:sret_v0, norm:sret_v1, norm:H_vm_twostage, norm:htval_trapval.
#[test]
fn m_to_hs_to_vs_to_vu_and_back() {
    let mut bus = bus();
    image(&mut bus);
    let mut h = hart(HartConfig::default());
    let stop = h.run(&mut bus, 10_000);
    assert_eq!(
        stop,
        StopReason::Wfi,
        "pc {:#x} mode {:?}",
        h.pc(),
        h.mode()
    );
    assert_eq!(h.mode(), Mode::M);
    let data = gpa_to_hpa(GPA_DATA);
    // Guest stores went through both stages.
    assert_eq!(read64(&bus, data), 0x1111);
    // The emulated MMIO load delivered the hypervisor's value.
    assert_eq!(read64(&bus, data + 8), 0x5555);
    assert_eq!(read64(&bus, data + 16), 0x2222);
    // VU ecall delegated to VS: vscause = 8, vsstatus.SPP = 0 (from VU).
    assert_eq!(read64(&bus, data + 24), exc::ECALL_FROM_U);
    assert_eq!(read64(&bus, data + 32) & SPP, 0);
    // The guest-page fault seen by HS.
    assert_eq!(read64(&bus, RESULTS), GVA_MMIO + 8, "stval = guest VA");
    assert_eq!(
        read64(&bus, RESULTS + 8),
        (GPA_MMIO + 8) >> 2,
        "htval = GPA >> 2"
    );
    // Transformed `ld t2, 8(t1)`: imm and rs1 zeroed: funct3 3, rd 7, opcode LOAD.
    assert_eq!(read64(&bus, RESULTS + 16), (3 << 12) | (7 << 7) | 0x03);
    let hs = read64(&bus, RESULTS + 24);
    assert_eq!(hs & (H_SPV | H_SPVP | H_GVA), H_SPV | H_SPVP | H_GVA);
    // VS ecall to HS: scause 10, SPV = SPVP = 1, GVA = 0.
    assert_eq!(read64(&bus, RESULTS + 32), exc::ECALL_FROM_VS);
    let hs = read64(&bus, RESULTS + 40);
    assert_eq!(hs & (H_SPV | H_SPVP | H_GVA), H_SPV | H_SPVP);
    // HS ecall to M: mcause 9, MPP = S, MPV = 0.
    assert_eq!(read64(&bus, RESULTS + 48), exc::ECALL_FROM_S);
    let ms = read64(&bus, RESULTS + 56);
    assert_eq!(ms & MPP, MPP_S);
    assert_eq!(ms & MPV, 0);
}

/// The same image with hs_host = true stops at the first trap into HS (the guest-page fault),
/// with the HS-visible CSRs describing it (norm:H_vm_gpatrans).
#[test]
fn hs_host_stops_at_the_first_hs_trap() {
    let mut bus = bus();
    image(&mut bus);
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    let stop = h.run(&mut bus, 10_000);
    assert_eq!(stop, StopReason::HsTrap);
    assert_eq!(h.mode(), Mode::HS);
    assert_eq!(h.pc(), HS_HANDLER);
    assert_eq!(get(&h, n::SCAUSE), exc::LOAD_GUEST_PAGE_FAULT);
    assert_eq!(get(&h, n::STVAL), GVA_MMIO + 8);
    assert_eq!(get(&h, n::HTVAL), (GPA_MMIO + 8) >> 2);
    // Resume the guest the way a Rust hypervisor would: emulate, skip, SRET.
    let mut x = h.gprs();
    x[Reg::T2.num() as usize] = 0x5555;
    h.set_gprs(&x);
    let sepc = get(&h, n::SEPC);
    set(&mut h, n::SEPC, sepc + 4);
    h.sret().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(h.mode(), Mode::VS);
    // The next HS trap is the VS ecall (VU's ecall is handled inside the guest).
    assert_eq!(h.run(&mut bus, 10_000), StopReason::HsTrap);
    assert_eq!(get(&h, n::SCAUSE), exc::ECALL_FROM_VS);
    assert_eq!(read64(&bus, gpa_to_hpa(GPA_DATA) + 8), 0x5555);
}
