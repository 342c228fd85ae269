//! Every scause outcome: interrupts, guest-page faults, virtual-instruction exceptions,
//! reflection into VS, and traps that cannot come from a guest.

mod riscv_common;

use hw_models::riscv::csr_num as csr;
use proptest::prelude::*;
use riscv_common::*;
use sim_core::GuestPhysAddr;
use vcpu::riscv::RiscvVCpuError;
use vcpu::riscv::reflect::vsstatus_on_trap;
use vcpu::{AccessFlags, ExitReason};

const VSTVEC: u64 = 0x8000_0400;
const WFI: u64 = 0x1050_0073;

#[test]
fn timer_interrupt_delivers_the_guest_deadline_as_vstip() {
    let (mut v, mut hw) = bound_vcpu();
    sbi(&mut v, &mut hw, EID_TIME, 0, &[1000]);
    assert_eq!(hw.timer, Some(1000), "forwarded to the firmware");
    hw.set_csr(csr::TIME, 1000);
    assert_eq!(
        run_one(&mut v, &mut hw, Trap::interrupt(5)),
        ExitReason::Nothing
    );
    assert_eq!(hw.csr(csr::HVIP) & VSTIP, VSTIP);
    assert_eq!(
        hw.timer,
        Some(u64::MAX),
        "hart timer disarmed (clears STIP)"
    );
    assert_eq!(v.timer_deadline(), None);
}

#[test]
fn early_timer_interrupt_rearms() {
    let (mut v, mut hw) = bound_vcpu();
    sbi(&mut v, &mut hw, EID_TIME, 0, &[5000]);
    hw.set_csr(csr::TIME, 4999);
    hw.timer = None;
    assert_eq!(
        run_one(&mut v, &mut hw, Trap::interrupt(5)),
        ExitReason::Nothing
    );
    assert_eq!(hw.csr(csr::HVIP) & VSTIP, 0);
    assert_eq!(hw.timer, Some(5000));
    assert_eq!(v.timer_deadline(), Some(5000));
}

#[test]
fn spurious_timer_interrupt_disarms() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        run_one(&mut v, &mut hw, Trap::interrupt(5)),
        ExitReason::Nothing
    );
    assert_eq!(hw.csr(csr::HVIP) & VSTIP, 0);
    assert_eq!(hw.timer, Some(u64::MAX));
}

#[test]
fn timer_fires_when_time_is_unreadable() {
    let (mut v, mut hw) = bound_vcpu();
    hw.missing.insert(csr::TIME);
    sbi(&mut v, &mut hw, EID_TIME, 0, &[5000]);
    run_one(&mut v, &mut hw, Trap::interrupt(5));
    assert_eq!(hw.csr(csr::HVIP) & VSTIP, VSTIP);
}

#[test]
fn software_interrupt_becomes_vssip() {
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::SIP, 1 << 1);
    assert_eq!(
        run_one(&mut v, &mut hw, Trap::interrupt(1)),
        ExitReason::Nothing
    );
    assert_eq!(hw.csr(csr::SIP) & (1 << 1), 0, "SSIP cleared");
    assert_eq!(hw.csr(csr::HVIP) & VSSIP, VSSIP);
    assert_eq!(v.pc(), ENTRY, "interrupts do not move the pc");
}

#[test]
fn other_interrupts_go_to_the_vmm() {
    for code in [9u64, 12, 13, 0, 3, 7, 11, 62] {
        let (mut v, mut hw) = bound_vcpu();
        assert_eq!(
            run_one(&mut v, &mut hw, Trap::interrupt(code)),
            ExitReason::ExternalInterrupt { vector: code }
        );
    }
}

#[test]
fn instruction_guest_page_fault_is_a_nested_fault_on_execute() {
    let (mut v, mut hw) = bound_vcpu();
    let t = Trap {
        scause: 20,
        stval: 0x8040_0002,
        htval: 0x8040_0000 >> 2,
        ..Trap::default()
    };
    assert_eq!(
        run_one(&mut v, &mut hw, t),
        ExitReason::NestedPageFault {
            addr: GuestPhysAddr::new(0x8040_0002),
            access_flags: AccessFlags::EXECUTE
        }
    );
    assert_eq!(v.pc(), ENTRY);
}

#[test]
fn wfi_in_vs_halts_past_the_wfi() {
    let (mut v, mut hw) = bound_vcpu();
    let t = Trap {
        scause: 22,
        stval: WFI,
        ..Trap::default()
    };
    assert_eq!(run_one(&mut v, &mut hw, t), ExitReason::Halt);
    assert_eq!(v.pc(), ENTRY + 4);
}

#[test]
fn wfi_is_fetched_when_stval_is_zero() {
    let (mut v, mut hw) = bound_vcpu();
    hw.put_insn(ENTRY, WFI as u32);
    assert_eq!(
        run_one(&mut v, &mut hw, Trap::exception(22)),
        ExitReason::Halt
    );
    assert_eq!(v.pc(), ENTRY + 4);
}

#[test]
fn wfi_in_vu_is_an_illegal_instruction_for_the_guest() {
    // norm:H_virtinst_vu_wfi_tw0: VU WFI is a virtual-instruction trap; a native S-mode
    // kernel would see an illegal instruction from U.
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::VSTVEC, VSTVEC);
    let t = Trap {
        scause: 22,
        stval: WFI,
        from_vu: true,
        ..Trap::default()
    };
    assert_eq!(run_one(&mut v, &mut hw, t), ExitReason::Nothing);
    assert_eq!(hw.csr(csr::VSCAUSE), 2);
    assert_eq!(hw.csr(csr::VSTVAL), WFI);
    assert_eq!(hw.csr(csr::VSSTATUS) & SSTATUS_SPP, 0, "came from VU");
    assert_eq!(v.pc(), VSTVEC);
}

#[test]
fn other_virtual_instructions_are_illegal_for_the_guest() {
    // csrr a0, hgatp (0x68002573) from VS: no H extension is exposed to the guest.
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::VSTVEC, VSTVEC);
    let t = Trap {
        scause: 22,
        stval: 0x6800_2573,
        ..Trap::default()
    };
    assert_eq!(run_one(&mut v, &mut hw, t), ExitReason::Nothing);
    assert_eq!(hw.csr(csr::VSCAUSE), 2);
    assert_eq!(hw.csr(csr::VSTVAL), 0x6800_2573);
    assert_eq!(hw.csr(csr::VSEPC), ENTRY);
    assert_eq!(v.pc(), VSTVEC);
}

#[test]
fn virtual_instruction_fetch_fault_is_reflected() {
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::VSTVEC, VSTVEC);
    hw.faults.insert(
        ENTRY,
        hw_models::riscv::hw::HwTrap {
            cause: 13,
            tval: ENTRY,
            htval: 0,
            htinst: 0,
        },
    );
    assert_eq!(
        run_one(&mut v, &mut hw, Trap::exception(22)),
        ExitReason::Nothing
    );
    assert_eq!(hw.csr(csr::VSCAUSE), 12);
}

#[test]
fn ecall_from_hs_or_m_is_an_error_not_a_panic() {
    for code in [9u64, 11] {
        let (mut v, mut hw) = bound_vcpu();
        hw.push(Trap::exception(code));
        assert_eq!(
            v.run(&mut hw),
            Err(RiscvVCpuError::UnexpectedTrap {
                scause: code,
                sepc: ENTRY
            })
        );
    }
}

#[test]
fn slice_end_is_preempted_and_keeps_the_pc() {
    let (mut v, mut hw) = bound_vcpu();
    hw.script.push_back(Step::SliceEnd);
    assert_eq!(v.run(&mut hw).unwrap(), ExitReason::Preempted);
    assert_eq!(v.pc(), ENTRY);
}

/// The causes the hypervisor reflects into VS.
fn reflected_cause() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(2),
        Just(3),
        Just(4),
        Just(5),
        Just(6),
        Just(7),
        Just(8),
        Just(12),
        Just(13),
        Just(15),
        Just(18),
        Just(19),
        24u64..64,
    ]
}

proptest! {
    /// norm:H_trap_vs_csrwrites and Table "Value of vsstatus field SPP after a trap into
    /// VS-mode": SPP = previous mode (VS 1, VU 0), SPIE = old SIE, SIE = 0, every other
    /// bit unchanged.
    #[test]
    fn vsstatus_trap_entry_rule(old: u64, from_vs: bool) {
        let new = vsstatus_on_trap(old, from_vs);
        let fields = SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE;
        prop_assert_eq!(new & !fields, old & !fields);
        prop_assert_eq!(new & SSTATUS_SPP != 0, from_vs);
        prop_assert_eq!(new & SSTATUS_SPIE != 0, old & SSTATUS_SIE != 0);
        prop_assert_eq!(new & SSTATUS_SIE, 0);
    }

    /// norm:H_trap_deleg / norm:H_trap_vs_csrwrites: an exception the hypervisor does not
    /// handle is taken into VS as delegation would: vsepc = pc, vscause = cause,
    /// vstval = stval, vsstatus per the trap-entry rule, pc = vstvec.BASE (exceptions
    /// ignore the vectored mode), and the guest resumes in VS with V=1.
    #[test]
    fn unhandled_exceptions_are_reflected(
        cause in reflected_cause(), stval: u64, vstvec: u64, vsstatus: u64, from_vu: bool,
        pc in any::<u64>().prop_map(|p| p & !1)
    ) {
        let (mut v, mut hw) = bound_vcpu();
        hw.set_csr(csr::VSTVEC, vstvec);
        hw.set_csr(csr::VSSTATUS, vsstatus);
        let t = Trap { scause: cause, stval, pc: Some(pc), from_vu, ..Trap::default() };
        prop_assert_eq!(run_one(&mut v, &mut hw, t), ExitReason::Nothing);
        prop_assert_eq!(hw.csr(csr::VSEPC), pc);
        prop_assert_eq!(hw.csr(csr::VSCAUSE), cause);
        prop_assert_eq!(hw.csr(csr::VSTVAL), stval);
        prop_assert_eq!(hw.csr(csr::VSSTATUS), vsstatus_on_trap(vsstatus, !from_vu));
        prop_assert_eq!(v.pc(), vstvec & !3);
        hw.script.push_back(Step::SliceEnd);
        v.run(&mut hw).unwrap();
        let e = hw.entries.last().unwrap();
        prop_assert_eq!(e.sepc, vstvec & !3);
        prop_assert!(e.sstatus & SSTATUS_SPP != 0, "handler runs in VS");
        prop_assert!(e.hstatus & HSTATUS_SPV != 0, "V stays 1");
    }
}
