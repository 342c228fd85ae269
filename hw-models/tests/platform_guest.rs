//! End to end through the hypervisor seam: a `HartHandle` of the platform board driven only
//! through `RiscvHardware`, with real G-stage (Sv39x4) tables in host-physical memory and a
//! guest program built with the ISA encoder. Expected values follow the privileged spec
//! ("Hypervisor Extension": trap CSRs on entry into HS, two-stage translation, HLV/HSV,
//! HFENCE) and the SBI v2.0 spec.

mod platform_support;

use hw_models::riscv::cause::{INTERRUPT_BIT, exc, irq};
use hw_models::riscv::csr_num;
use hw_models::riscv::hw::{GuestGprs, GuestRunEnd, RiscvHardware};
use hw_models::riscv::isa::encode::{self, Reg};
use platform_support::*;
use sim_core::AccessWidth;

#[test]
fn vs_ecall_traps_to_hs_with_cause_10_and_registers_saved() {
    let mut p = board(1, 10_000);
    load(&mut p, 0, |a| {
        a.li(Reg::A0, 5).li(Reg::A7, 0x10).put(encode::ecall());
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let mut g = GuestGprs::default();
    g.x[12] = 0x1234;
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(cpu.csr_read(csr_num::SCAUSE).unwrap(), exc::ECALL_FROM_VS);
    // Two 4-byte (or shorter) instructions precede the ecall; sepc is the ecall itself.
    let sepc = cpu.csr_read(csr_num::SEPC).unwrap();
    assert_eq!(
        read32(cpu.platform(), HPA_BASE + (sepc - GPA_BASE)),
        encode::ecall()
    );
    assert_eq!(cpu.csr_read(csr_num::STVAL).unwrap(), 0);
    let hs = cpu.csr_read(csr_num::HSTATUS).unwrap();
    assert_ne!(hs & HSTATUS_SPV, 0, "trap came from V=1");
    assert_ne!(hs & HSTATUS_SPVP, 0, "from VS");
    assert_eq!((g.x[10], g.x[17], g.x[12]), (5, 0x10, 0x1234));
}

#[test]
fn mmio_load_and_store_take_guest_page_faults_with_htval_and_htinst() {
    let mut p = board(1, 10_000);
    // lw a1, 0(a2) ; sw a1, 4(a2)
    load(&mut p, 0, |a| {
        a.put(encode::lw(Reg::A1, Reg::A2, 0).unwrap())
            .put(encode::sw(Reg::A1, Reg::A2, 4).unwrap());
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let mut g = GuestGprs::default();
    g.x[12] = MMIO_GPA;
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(
        cpu.csr_read(csr_num::SCAUSE).unwrap(),
        exc::LOAD_GUEST_PAGE_FAULT
    );
    assert_eq!(cpu.csr_read(csr_num::SEPC).unwrap(), GPA_BASE);
    // stval: the guest virtual address (vsatp Bare: = GPA); htval: GPA >> 2.
    assert_eq!(cpu.csr_read(csr_num::STVAL).unwrap(), MMIO_GPA);
    assert_eq!(cpu.csr_read(csr_num::HTVAL).unwrap(), MMIO_GPA >> 2);
    // htinst: the transformed lw: imm zeroed, rs1 = address offset 0 -> lw a1, 0(x0).
    assert_eq!(
        cpu.csr_read(csr_num::HTINST).unwrap(),
        u64::from(encode::lw(Reg::A1, Reg::ZERO, 0).unwrap())
    );
    assert_ne!(cpu.csr_read(csr_num::HSTATUS).unwrap() & HSTATUS_GVA, 0);
    // The hypervisor emulates the load and skips it, as a vCPU does for MMIO.
    g.x[11] = 0xabcd;
    cpu.csr_write(csr_num::SEPC, GPA_BASE + 4).unwrap();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(
        cpu.csr_read(csr_num::SCAUSE).unwrap(),
        exc::STORE_GUEST_PAGE_FAULT
    );
    assert_eq!(cpu.csr_read(csr_num::STVAL).unwrap(), MMIO_GPA + 4);
    assert_eq!(cpu.csr_read(csr_num::HTVAL).unwrap(), (MMIO_GPA + 4) >> 2);
    assert_eq!(
        cpu.csr_read(csr_num::HTINST).unwrap(),
        u64::from(encode::sw(Reg::A1, Reg::ZERO, 0).unwrap())
    );
    assert_eq!(g.x[11], 0xabcd);
}

#[test]
fn hlv_hsv_reach_guest_memory_through_the_g_stage_and_fault_outside_it() {
    let mut p = board(1, 10_000);
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    cpu.csr_set(csr_num::HSTATUS, HSTATUS_SPVP).unwrap();
    let gva = GPA_BASE + 3 * 4096 + 8;
    cpu.hsv(gva, AccessWidth::Dword, 0x8765_4321).unwrap();
    assert_eq!(read32(cpu.platform(), HPA_BASE + 3 * 4096 + 8), 0x8765_4321);
    assert_eq!(
        cpu.hlv(gva, AccessWidth::Dword, false).unwrap(),
        0x8765_4321
    );
    // HLV.W sign-extends.
    assert_eq!(
        cpu.hlv(gva, AccessWidth::Dword, true).unwrap(),
        0xffff_ffff_8765_4321
    );
    // HLVX needs execute permission, which the G-stage leaf grants.
    assert_eq!(cpu.hlvx(gva, AccessWidth::Word).unwrap(), 0x4321);
    let e = cpu.hlv(MMIO_GPA, AccessWidth::Dword, false).unwrap_err();
    assert_eq!(
        (e.cause, e.tval, e.htval),
        (exc::LOAD_GUEST_PAGE_FAULT, MMIO_GPA, MMIO_GPA >> 2)
    );
    let e = cpu.hsv(MMIO_GPA + 8, AccessWidth::Byte, 1).unwrap_err();
    assert_eq!(
        (e.cause, e.tval, e.htval),
        (
            exc::STORE_GUEST_PAGE_FAULT,
            MMIO_GPA + 8,
            (MMIO_GPA + 8) >> 2
        )
    );
}

#[test]
fn hfence_gvma_drops_the_stale_g_stage_translation() {
    let mut p = board(1, 10_000);
    write64(&mut p, HPA_BASE + 8 * 4096, 0x11);
    write64(&mut p, HPA_BASE + 9 * 4096, 0x22);
    // ld a0, 0(a1) ; ecall
    load(&mut p, 0, |a| {
        a.put(encode::ld(Reg::A0, Reg::A1, 0).unwrap())
            .put(encode::ecall());
    });
    let mut g = GuestGprs::default();
    g.x[11] = GPA_BASE + 8 * 4096;
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(g.x[10], 0x11);
    // Re-point guest page 8 at host page 9. Until HFENCE.GVMA the hart may keep using the
    // old translation (priv "HFENCE.GVMA"); after it, it must use the new one.
    map_guest_page(cpu.platform(), 8, HPA_BASE + 9 * 4096);
    cpu.hfence_gvma(Some(GPA_BASE + 8 * 4096), Some(VMID));
    cpu.csr_write(csr_num::SEPC, GPA_BASE).unwrap();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(g.x[10], 0x22);
}

#[test]
fn slice_end_leaves_the_guest_resumable() {
    let mut p = board(1, 1_000);
    // loop: addi a0, a0, 1 ; j loop
    load(&mut p, 0, |a| {
        let top = a.here();
        a.put(encode::addi(Reg::A0, Reg::A0, 1).unwrap()).j(top);
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let mut g = GuestGprs::default();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::SliceEnd);
    // 1000 instructions, half of them addi.
    assert_eq!(g.x[10], 500);
    let sepc = cpu.csr_read(csr_num::SEPC).unwrap();
    assert!(sepc == GPA_BASE || sepc == GPA_BASE + 4);
    assert_ne!(cpu.csr_read(csr_num::HSTATUS).unwrap() & HSTATUS_SPV, 0);
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::SliceEnd);
    assert_eq!(g.x[10], 1000);
}

#[test]
fn sbi_timer_fires_as_hs_timer_interrupt_during_the_guest() {
    let mut p = board(1, 1 << 30);
    load(&mut p, 0, |a| {
        let top = a.here();
        a.j(top);
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    cpu.csr_set(csr_num::SIE, 1 << irq::STI).unwrap();
    let deadline = cpu.platform().mtime() + 500;
    let r = cpu.sbi_call(0x5449_4d45, 0, [deadline, 0, 0, 0, 0, 0]);
    assert_eq!((r.error, r.value), (0, 0));
    assert_eq!(cpu.csr_read(csr_num::SIP).unwrap() & (1 << irq::STI), 0);
    let mut g = GuestGprs::default();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(
        cpu.csr_read(csr_num::SCAUSE).unwrap(),
        INTERRUPT_BIT | irq::STI
    );
    assert_eq!(cpu.csr_read(csr_num::SEPC).unwrap(), GPA_BASE);
    assert!(cpu.platform().mtime() >= deadline);
    assert_ne!(cpu.csr_read(csr_num::SIP).unwrap() & (1 << irq::STI), 0);
    // A new set_timer clears STIP (SBI v2.0 §6.1).
    cpu.sbi_call(0x5449_4d45, 0, [u64::MAX, 0, 0, 0, 0, 0]);
    assert_eq!(cpu.csr_read(csr_num::SIP).unwrap() & (1 << irq::STI), 0);
}

#[test]
fn guest_wfi_fast_forwards_virtual_time_to_the_timer() {
    let mut p = board(1, 1 << 30);
    load(&mut p, 0, |a| {
        a.put(encode::wfi()).put(encode::ecall());
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    cpu.csr_set(csr_num::SIE, 1 << irq::STI).unwrap();
    let t0 = cpu.platform().mtime();
    let deadline = t0 + 1_000_000;
    cpu.sbi_call(0x5449_4d45, 0, [deadline, 0, 0, 0, 0, 0]);
    let mut g = GuestGprs::default();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(
        cpu.csr_read(csr_num::SCAUSE).unwrap(),
        INTERRUPT_BIT | irq::STI
    );
    let t = cpu.platform().mtime();
    // Time jumped to the deadline (a few instructions' worth of ticks at most after it).
    assert!(t >= deadline && t < deadline + 10, "{t} vs {deadline}");
    // WFI retired: the interrupt is taken at the instruction after it.
    assert_eq!(cpu.csr_read(csr_num::SEPC).unwrap(), GPA_BASE + 4);
}

#[test]
fn guest_wfi_with_nothing_scheduled_returns_the_slice() {
    let mut p = board(1, 1 << 20);
    load(&mut p, 0, |a| {
        a.put(encode::wfi()).put(encode::ecall());
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let t0 = cpu.platform().now();
    let mut g = GuestGprs::default();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::SliceEnd);
    assert_eq!(cpu.csr_read(csr_num::SEPC).unwrap(), GPA_BASE + 4);
    // No event to jump to: time moved only by the instructions executed.
    assert!(cpu.platform().now() - t0 < 10);
}

#[test]
fn illegal_instruction_from_vs_is_redirected_by_the_firmware() {
    let mut p = board(1, 10_000);
    // csrr a0, mstatus: illegal from VS. medeleg keeps cause 2 in M (OpenSBI), so the
    // firmware redirects it.
    let bad = encode::csrr(Reg::A0, csr_num::MSTATUS).unwrap();
    load(&mut p, 0, |a| {
        a.put(bad);
    });
    // VS handler at page 1: ecall.
    load(&mut p, 1, |a| {
        a.put(encode::ecall());
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let mut g = GuestGprs::default();
    // hedeleg bit 2 clear: to HS, as if the hart had trapped there directly.
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(
        cpu.csr_read(csr_num::SCAUSE).unwrap(),
        exc::ILLEGAL_INSTRUCTION
    );
    assert_eq!(cpu.csr_read(csr_num::SEPC).unwrap(), GPA_BASE);
    assert_eq!(cpu.csr_read(csr_num::STVAL).unwrap(), u64::from(bad));
    assert_ne!(cpu.csr_read(csr_num::HSTATUS).unwrap() & HSTATUS_SPV, 0);
    // hedeleg bit 2 set: into the guest's own handler (vstvec), which then ecalls.
    cpu.csr_write(csr_num::HEDELEG, 1 << exc::ILLEGAL_INSTRUCTION)
        .unwrap();
    cpu.csr_write(csr_num::VSTVEC, GPA_BASE + 4096).unwrap();
    cpu.csr_write(csr_num::SEPC, GPA_BASE).unwrap();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(cpu.csr_read(csr_num::SCAUSE).unwrap(), exc::ECALL_FROM_VS);
    assert_eq!(cpu.csr_read(csr_num::SEPC).unwrap(), GPA_BASE + 4096);
    assert_eq!(
        cpu.csr_read(csr_num::VSCAUSE).unwrap(),
        exc::ILLEGAL_INSTRUCTION
    );
    assert_eq!(cpu.csr_read(csr_num::VSEPC).unwrap(), GPA_BASE);
    assert_eq!(cpu.csr_read(csr_num::VSTVAL).unwrap(), u64::from(bad));
}

#[test]
fn csr_access_from_hs_checks_privilege() {
    let mut p = board(1, 10_000);
    let mut cpu = p.hart_handle(0).unwrap();
    assert_eq!(
        cpu.csr_read(csr_num::MSTATUS).unwrap_err().cause,
        exc::ILLEGAL_INSTRUCTION
    );
    assert_eq!(
        cpu.csr_write(csr_num::MEDELEG, 0).unwrap_err().cause,
        exc::ILLEGAL_INSTRUCTION
    );
    // mideleg as the firmware left it shows through hideleg's writable set: VS bits.
    cpu.csr_write(csr_num::HIDELEG, u64::MAX).unwrap();
    assert_eq!(
        cpu.csr_read(csr_num::HIDELEG).unwrap(),
        (1 << irq::VSSI) | (1 << irq::VSTI) | (1 << irq::VSEI)
    );
}

#[test]
fn sstc_timer_reaches_hs_without_m_level_help_and_vstimecmp_is_usable() {
    let mut p =
        hw_models::riscv::platform::Platform::new(hw_models::riscv::platform::PlatformConfig {
            ram_size: 32 << 20,
            slice: 1 << 30,
            sstc: true,
            ..Default::default()
        })
        .unwrap();
    build_g_stage(&mut p);
    load(&mut p, 0, |a| {
        a.put(encode::wfi()).put(encode::ecall());
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    // menvcfg.STCE = 1 lets HS enable Sstc for the guest (henvcfg.STCE is writable).
    cpu.csr_set(csr_num::HENVCFG, 1 << 63).unwrap();
    assert_eq!(cpu.csr_read(csr_num::HENVCFG).unwrap() >> 63, 1);
    cpu.csr_set(csr_num::SIE, 1 << irq::STI).unwrap();
    let deadline = cpu.platform().mtime() + 2_000;
    assert_eq!(
        cpu.sbi_call(0x5449_4d45, 0, [deadline, 0, 0, 0, 0, 0])
            .error,
        0
    );
    assert_eq!(cpu.csr_read(csr_num::STIMECMP).unwrap(), deadline);
    let mut g = GuestGprs::default();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(
        cpu.csr_read(csr_num::SCAUSE).unwrap(),
        INTERRUPT_BIT | irq::STI
    );
    let t = cpu.platform().mtime();
    assert!(t >= deadline && t < deadline + 10, "{t} vs {deadline}");
}

mod slicing {
    use proptest::prelude::*;

    use super::*;

    /// Runs a guest that sums 1..=n into a0 and then ecalls, in slices of `slice`
    /// instructions, re-entering after every SliceEnd. Returns (a0, sepc of the ecall,
    /// number of run_guest calls).
    fn sum_in_slices(n: i64, slice: u64) -> (u64, u64, u64) {
        let mut p = board(1, slice);
        load(&mut p, 0, |a| {
            let top = a.new_label();
            let done = a.new_label();
            a.li(Reg::A0, 0).li(Reg::A1, n);
            a.bind(top).unwrap();
            a.beqz(Reg::A1, done)
                .put(encode::add(Reg::A0, Reg::A0, Reg::A1))
                .put(encode::addi(Reg::A1, Reg::A1, -1).unwrap())
                .j(top);
            a.bind(done).unwrap();
            a.put(encode::ecall());
        });
        let mut cpu = p.hart_handle(0).unwrap();
        enter_at(&mut cpu, 0);
        let mut g = GuestGprs::default();
        let mut calls = 0;
        loop {
            calls += 1;
            if cpu.run_guest_csrs(&mut g) == GuestRunEnd::Trap {
                break;
            }
        }
        assert_eq!(cpu.csr_read(csr_num::SCAUSE).unwrap(), exc::ECALL_FROM_VS);
        (g.x[10], cpu.csr_read(csr_num::SEPC).unwrap(), calls)
    }

    proptest! {
        /// Preemption at a slice end is invisible to the guest: SRET after SliceEnd resumes
        /// it exactly (priv "SRET": pc <- sepc, V <- hstatus.SPV, privilege <- sstatus.SPP),
        /// so any slicing computes what one uninterrupted run computes.
        #[test]
        fn any_slicing_gives_the_same_result(n in 0i64..60, slice in 1u64..50) {
            let (sum, sepc, calls) = sum_in_slices(n, slice);
            let (sum1, sepc1, calls1) = sum_in_slices(n, 1 << 20);
            prop_assert_eq!(sum, (n * (n + 1) / 2) as u64);
            prop_assert_eq!((sum, sepc), (sum1, sepc1));
            prop_assert_eq!(calls1, 1);
            prop_assert!(calls >= 1);
        }
    }
}

/// The world switch (`RiscvHardware::run_guest`): the guest enters with the context's
/// sstatus (SPP = VS), hstatus (SPV = 1) and sepc; at the trap the context gets the values
/// the trap wrote (sepc = the ecall, sstatus.SPP = 1 for VS, hstatus.SPV = SPVP = 1,
/// norm:H_trap_hs_csrwrites) and the trap CSRs, while the hypervisor's own sstatus and
/// hstatus are back as they were before the call.
#[test]
fn world_switch_swaps_guest_csrs_and_restores_the_hypervisors() {
    use hw_models::riscv::hw::GuestContext;
    let mut p = board(1, 10_000);
    load(&mut p, 0, |a| {
        a.li(Reg::A7, 0x10).put(encode::ecall());
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    // The hypervisor's own values: SPP = 0, SPV = 0, VTW set as a marker.
    const HSTATUS_VTW: u64 = 1 << 21;
    const SSTATUS_SUM: u64 = 1 << 18;
    cpu.csr_write(csr_num::SSTATUS, SSTATUS_SUM).unwrap();
    cpu.csr_write(csr_num::HSTATUS, HSTATUS_VTW).unwrap();
    cpu.csr_write(csr_num::SEPC, 0x1234).unwrap();
    let hyp_sstatus = cpu.csr_read(csr_num::SSTATUS).unwrap();
    let hyp_hstatus = cpu.csr_read(csr_num::HSTATUS).unwrap();
    let mut ctx = GuestContext {
        sstatus: SSTATUS_SPP,
        hstatus: HSTATUS_SPV | HSTATUS_SPVP,
        sepc: GPA_BASE,
        ..GuestContext::default()
    };
    ctx.gprs.x[5] = 0x55;
    assert_eq!(cpu.run_guest(&mut ctx), GuestRunEnd::Trap);
    assert_eq!(cpu.csr_read(csr_num::SSTATUS).unwrap(), hyp_sstatus);
    assert_eq!(cpu.csr_read(csr_num::HSTATUS).unwrap(), hyp_hstatus);
    assert_eq!(ctx.trap.scause, exc::ECALL_FROM_VS);
    assert_eq!(ctx.trap.scause, cpu.csr_read(csr_num::SCAUSE).unwrap());
    assert_eq!((ctx.trap.stval, ctx.trap.htval, ctx.trap.htinst), (0, 0, 0));
    assert_eq!(
        read32(cpu.platform(), HPA_BASE + (ctx.sepc - GPA_BASE)),
        encode::ecall()
    );
    assert_eq!(ctx.sepc, cpu.csr_read(csr_num::SEPC).unwrap());
    assert_ne!(ctx.sstatus & SSTATUS_SPP, 0, "trap from VS: SPP = 1");
    assert_eq!(
        ctx.hstatus & (HSTATUS_SPV | HSTATUS_SPVP),
        HSTATUS_SPV | HSTATUS_SPVP
    );
    assert_eq!((ctx.gprs.x[5], ctx.gprs.x[17]), (0x55, 0x10));
}

/// The fetch page a trap parks (docs/riscv-hart.md) is a cached translation of the guest's
/// code page: after the hypervisor re-points that page and fences it with HFENCE.GVMA, the
/// return into the guest must fetch through the new translation (priv "HFENCE.GVMA"), and
/// without any change it keeps running the same code.
#[test]
fn a_fenced_code_remap_is_seen_by_the_return_into_the_guest() {
    let mut p = board(1, 10_000);
    // Guest page 0 (host page 0): li a0, 1 ; ecall. Host page 1: li a0, 2 ; ecall.
    load(&mut p, 0, |a| {
        a.li(Reg::A0, 1).put(encode::ecall());
    });
    let mut other = hw_models::riscv::isa::encode::Assembler::new(GPA_BASE);
    other.li(Reg::A0, 2).put(encode::ecall());
    p.write_mem(HPA_BASE + 4096, &other.finish().unwrap())
        .unwrap();
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let mut g = GuestGprs::default();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(g.x[10], 1);
    // Unchanged mapping: the same code again.
    cpu.csr_write(csr_num::SEPC, GPA_BASE).unwrap();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(g.x[10], 1);
    // Re-point guest page 0 at host page 1 and fence: the next entry runs the new code.
    map_guest_page(cpu.platform(), 0, HPA_BASE + 4096);
    cpu.hfence_gvma(None, Some(VMID));
    cpu.csr_write(csr_num::SEPC, GPA_BASE).unwrap();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(g.x[10], 2);
}
