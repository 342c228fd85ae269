//! Trap entry and return in M-mode, U-mode entry via MRET, interrupts and WFI.

use super::asm::*;
use super::*;
use crate::riscv::cause::{INTERRUPT_BIT, exc, irq};
use crate::riscv::csr_num as n;
use crate::riscv::hart::IrqLine;
use crate::riscv::hart::csr::mstatus::{MIE, MPIE, MPP, MPP_SHIFT, MPRV, TW};
use crate::riscv::privilege::Mode;

fn mstatus(h: &Hart) -> u64 {
    h.csr(n::MSTATUS).unwrap_or(0)
}

/// Enters U-mode at `BASE + 0x100` running `user`, via MRET from M.
fn user_machine(user: &[u32], mstatus_extra: u64) -> (Hart, RamBus) {
    let (mut h, mut b) = machine(&[MRET]);
    poke(&mut b, BASE + 0x100, user);
    h.set_csr(n::MEPC, BASE + 0x100)
        .unwrap_or_else(|e| panic!("{e}"));
    // MPP = U (0), MPIE = 1.
    h.set_csr(n::MSTATUS, MPIE | mstatus_extra)
        .unwrap_or_else(|e| panic!("{e}"));
    (h, b)
}

#[test]
fn ecall_from_m_sets_mepc_mcause_and_stacks_mie() {
    // norm:ecall_ebreak_epc_value, norm:mtval_other_traps_zero.
    let (mut h, mut b) = machine(&[addi(0, 0, 0), ECALL]);
    h.set_csr(n::MSTATUS, MIE).unwrap_or_else(|e| panic!("{e}"));
    h.set_csr(n::MTVAL, 0x55).unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mcause(&h), exc::ECALL_FROM_M);
    assert_eq!(mepc(&h), BASE + 4);
    assert_eq!(mtval(&h), 0);
    let s = mstatus(&h);
    assert_eq!(s & MIE, 0);
    assert_ne!(s & MPIE, 0);
    assert_eq!((s & MPP) >> MPP_SHIFT, 3);
    assert_eq!(h.mode(), Mode::M);
    // ECALL does not retire (norm:ecall_ebreak_no_minstret_inc): addi + 2 in the handler.
    assert_eq!(h.retired(), 3);
}

#[test]
fn ecall_from_u_and_mret_into_u() {
    let (mut h, mut b) = user_machine(&[addi(1, 0, 9), ECALL], 0);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(1), 9);
    assert_eq!(mcause(&h), exc::ECALL_FROM_U);
    assert_eq!(mepc(&h), BASE + 0x104);
    let s = mstatus(&h);
    assert_eq!((s & MPP) >> MPP_SHIFT, 0);
    // MRET set MIE = MPIE (1) and the trap stacked it into MPIE.
    assert_ne!(s & MPIE, 0);
}

#[test]
fn mret_clears_mprv_when_returning_below_m() {
    // norm:mstatus_mprv_clr_mret_sret_less_priv.
    let (mut h, mut b) = user_machine(&[ECALL], MPRV);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mstatus(&h) & MPRV, 0);
    // ... but not when MPP = M.
    let (mut h, mut b) = machine(&[MRET]);
    poke(&mut b, BASE + 0x100, &[WFI]);
    h.set_csr(n::MEPC, BASE + 0x100)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_csr(n::MSTATUS, MPRV | MPP)
        .unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut b);
    assert_ne!(mstatus(&h) & MPRV, 0);
    assert_eq!(h.mode(), Mode::M);
    // MRET leaves MPP = U, the least-privileged mode.
    assert_eq!(mstatus(&h) & MPP, 0);
}

#[test]
fn mret_from_u_is_illegal() {
    let (mut h, mut b) = user_machine(&[MRET], 0);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION);
    assert_eq!(mtval(&h), u64::from(MRET));
}

#[test]
fn ebreak_reports_its_pc() {
    let h = exec(&[addi(0, 0, 0), EBREAK]);
    assert_eq!(mcause(&h), exc::BREAKPOINT);
    assert_eq!(mtval(&h), BASE + 4);
    assert_eq!(mepc(&h), BASE + 4);
}

#[test]
fn illegal_instruction_reports_the_encoding() {
    // An F-extension load (flw): F is absent, mstatus.FS is Off.
    let flw = 0x0000_2007;
    let h = exec(&[flw]);
    assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION);
    assert_eq!(mtval(&h), u64::from(flw));
    // A compressed illegal encoding (all zeros) reports its 16 bits.
    let h = exec(&[0x0000_0000]);
    assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION);
    assert_eq!(mtval(&h), 0);
    assert_eq!(mepc(&h), BASE);
}

#[test]
fn s_and_h_instructions_are_illegal_in_u_mode() {
    // norm:hstatus_hu_op (HFENCE never allowed in U), SRET/SFENCE need S.
    let sfence = r(0x73, 0, 0x09, 0, 1, 2);
    let hfence_gvma = r(0x73, 0, 0x31, 0, 0, 0);
    for insn in [SRET, sfence, hfence_gvma] {
        let (mut h, mut b) = user_machine(&[insn], 0);
        run_to_wfi(&mut h, &mut b);
        assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION, "{insn:#x}");
        assert_eq!(mtval(&h), u64::from(insn));
    }
}

#[test]
fn timer_interrupt_uses_the_vector_in_vectored_mode() {
    // norm:mtvec_mode_vectored_op: interrupts go to BASE + 4 * cause.
    let vec_base = BASE + 0x1000;
    let (mut h, mut b) = machine(&[addi(1, 0, 1), addi(1, 0, 2), WFI]);
    poke(
        &mut b,
        vec_base + 4 * irq::MTI,
        &[csr(1, 0, n::MIE, 0), WFI],
    );
    h.set_csr(n::MTVEC, vec_base | 1)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_csr(n::MIE, 1 << irq::MTI)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_csr(n::MSTATUS, MIE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.run(&mut b, 1), StopReason::Budget);
    h.set_irq_line(IrqLine::Mtip, true);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.pc(), vec_base + 4 * irq::MTI + 8);
    assert_eq!(mcause(&h), INTERRUPT_BIT | irq::MTI);
    assert_eq!(mepc(&h), BASE + 4);
    assert_eq!(h.reg(1), 1);
    assert_eq!(mstatus(&h) & MIE, 0);
    // Synchronous exceptions use the base even in vectored mode.
    let (mut h, mut b) = machine(&[ECALL]);
    poke(&mut b, vec_base, &[WFI]);
    h.set_csr(n::MTVEC, vec_base | 1)
        .unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.pc(), vec_base + 4);
}

#[test]
fn interrupt_priority_is_mei_msi_mti() {
    // norm:intr_M_mode_pri.
    for (lines, want) in [
        (&[IrqLine::Mtip, IrqLine::Msip, IrqLine::Meip][..], irq::MEI),
        (&[IrqLine::Mtip, IrqLine::Msip][..], irq::MSI),
        (&[IrqLine::Mtip][..], irq::MTI),
    ] {
        let (mut h, mut b) = machine(&[WFI]);
        h.set_csr(n::MIE, (1 << irq::MEI) | (1 << irq::MSI) | (1 << irq::MTI))
            .unwrap_or_else(|e| panic!("{e}"));
        h.set_csr(n::MSTATUS, MIE).unwrap_or_else(|e| panic!("{e}"));
        for &l in lines {
            h.set_irq_line(l, true);
        }
        run_to_wfi(&mut h, &mut b);
        assert_eq!(mcause(&h), INTERRUPT_BIT | want);
    }
}

#[test]
fn m_interrupts_are_masked_by_mie_in_m_but_always_taken_in_u() {
    // norm:mstatus_xie_intr_en_dis: in M with MIE = 0 nothing is taken.
    let (mut h, mut b) = machine(&[addi(1, 0, 1), WFI]);
    h.set_csr(n::MIE, 1 << irq::MTI)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_irq_line(IrqLine::Mtip, true);
    // WFI wakes (pending & enabled in mie) without trapping and falls through into zeros:
    // the illegal-instruction handler stops the run, and no interrupt was ever taken.
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(1), 1);
    assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION);
    assert_eq!(mepc(&h), BASE + 8);
    // In U, M-level interrupts are enabled regardless of mstatus.MIE.
    let (mut h, mut b) = user_machine(&[addi(1, 0, 1), jal(0, 0)], 0);
    h.set_csr(n::MIE, 1 << irq::MTI)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_csr(n::MSTATUS, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.run(&mut b, 5), StopReason::Budget);
    h.set_irq_line(IrqLine::Mtip, true);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mcause(&h), INTERRUPT_BIT | irq::MTI);
    assert_eq!((mstatus(&h) & MPP) >> MPP_SHIFT, 0);
}

#[test]
fn wfi_stalls_until_an_enabled_interrupt_is_pending() {
    // norm:wfi_unaffected_conditions: wakes on mip & mie even with MIE = 0.
    let (mut h, mut b) = machine(&[WFI, addi(1, 0, 5), WFI]);
    assert_eq!(h.run(&mut b, 100), StopReason::Wfi);
    assert!(h.is_waiting());
    assert_eq!(h.pc(), BASE + 4);
    // Still nothing: returns at once without executing.
    assert_eq!(h.run(&mut b, 100), StopReason::Wfi);
    assert_eq!(h.retired(), 1);
    // Pending but not enabled in mie: still asleep.
    h.set_irq_line(IrqLine::Mtip, true);
    assert_eq!(h.run(&mut b, 100), StopReason::Wfi);
    assert_eq!(h.retired(), 1);
    // Enabled in mie, globally disabled: wakes, no trap, continues.
    h.set_csr(n::MIE, 1 << irq::MTI)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_irq_line(IrqLine::Mtip, true);
    assert_eq!(h.run(&mut b, 2), StopReason::Budget);
    assert_eq!(h.reg(1), 5);
    assert_eq!(h.mode(), Mode::M);
}

#[test]
fn wfi_in_u_mode_traps_when_tw_is_set() {
    // norm:mstatus_tw_op with a zero time limit.
    let (mut h, mut b) = user_machine(&[WFI], TW);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION);
    assert_eq!(mtval(&h), u64::from(WFI));
    // With S-mode, WFI in U is illegal even with TW = 0 (norm:mstatus_tw_umode_op).
    let (mut h, mut b) = user_machine(&[WFI], 0);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION);
}

#[test]
fn enabling_mie_by_csr_write_takes_a_pending_interrupt_next() {
    // norm:intr_mip_mie_xret_csrwr: the interrupt is taken right after the enabling write.
    let (mut h, mut b) = machine(&[csr(6, 0, n::MSTATUS, 8), addi(1, 0, 1), WFI]);
    h.set_csr(n::MIE, 1 << irq::MSI)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_irq_line(IrqLine::Msip, true);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mcause(&h), INTERRUPT_BIT | irq::MSI);
    assert_eq!(mepc(&h), BASE + 4);
    assert_eq!(h.reg(1), 0);
}

#[test]
fn seip_line_shows_in_mip_with_s() {
    // norm:mip_seip_rdcsr: mip.SEIP reads the OR of the software bit and the external line.
    let mut h = Hart::new(HartConfig::default());
    h.set_irq_line(IrqLine::Seip, true);
    assert!(h.irq_line(IrqLine::Seip));
    assert_eq!(h.csr(n::MIP), Ok(1 << irq::SEI));
    h.set_irq_line(IrqLine::Meip, true);
    assert_eq!(h.csr(n::MIP), Ok((1 << irq::MEI) | (1 << irq::SEI)));
}
