//! Instruction semantics: RV64I, M, C (via expansion), with the edge cases the spec pins.

use super::asm::*;
use super::*;
use crate::riscv::hart::exec::{div, divu, divuw, divw, rem, remu, remuw, remw};

/// Runs `prog` (terminated by WFI) with the given initial registers.
fn run_regs(prog: &[u32], regs: &[(usize, u64)]) -> Hart {
    let mut p = prog.to_vec();
    p.push(WFI);
    let (mut h, mut b) = machine(&p);
    for &(r, v) in regs {
        h.set_reg(r, v).unwrap_or_else(|e| panic!("{e}"));
    }
    run_to_wfi(&mut h, &mut b);
    assert_eq!(
        h.pc(),
        BASE + 4 * p.len() as u64,
        "program did not fall through"
    );
    h
}

#[test]
fn x0_is_hardwired_zero() {
    let h = run_regs(&[addi(0, 0, 5), add(1, 0, 0)], &[]);
    assert_eq!(h.reg(0), 0);
    assert_eq!(h.reg(1), 0);
}

#[test]
fn lui_auipc_sign_extend_on_rv64() {
    // norm:lui_op_rv64i / norm:auipc_op_rv64i: the 32-bit result is sign-extended.
    let h = run_regs(&[lui(1, 0x80000), auipc(2, 0xfffff)], &[]);
    assert_eq!(h.reg(1), 0xffff_ffff_8000_0000);
    assert_eq!(h.reg(2), (BASE + 4).wrapping_sub(0x1000));
}

#[test]
fn addiw_wraps_and_sign_extends() {
    // norm:addiw_overflow: overflow ignored, low 32 bits sign-extended.
    let h = run_regs(
        &[addiw(2, 1, 1), addiw(3, 4, 0)],
        &[(1, 0x7fff_ffff), (4, 0x1_8000_0000)],
    );
    assert_eq!(h.reg(2), 0xffff_ffff_8000_0000);
    // sext.w of a value with junk in the upper half.
    assert_eq!(h.reg(3), 0xffff_ffff_8000_0000);
}

#[test]
fn shifts_mask_their_amounts() {
    let h = run_regs(
        &[
            sll(3, 1, 2),
            sra(4, 5, 2),
            sllw(6, 1, 7),
            srlw(8, 5, 9),
            sraw(10, 5, 9),
        ],
        &[
            (1, 1),
            (2, 65),
            (5, 0x8000_0000_8000_0000),
            (7, 33),
            (9, 36),
        ],
    );
    // RV64 register shifts use rs2[5:0]: 65 -> 1.
    assert_eq!(h.reg(3), 2);
    assert_eq!(h.reg(4), 0xc000_0000_4000_0000);
    // *W shifts use rs2[4:0] (33 -> 1, 36 -> 4) and sign-extend the 32-bit result.
    assert_eq!(h.reg(6), 2);
    assert_eq!(h.reg(8), 0x0800_0000);
    assert_eq!(h.reg(10), 0xffff_ffff_f800_0000);
}

#[test]
fn sllw_result_sign_extends() {
    let h = run_regs(&[sllw(3, 1, 2), addw(4, 1, 1)], &[(1, 0x4000_0000), (2, 1)]);
    assert_eq!(h.reg(3), 0xffff_ffff_8000_0000);
    assert_eq!(h.reg(4), 0xffff_ffff_8000_0000);
}

#[test]
fn set_less_than_signed_and_unsigned() {
    let h = run_regs(&[slt(3, 1, 2), sltu(4, 1, 2)], &[(1, u64::MAX), (2, 1)]);
    assert_eq!(h.reg(3), 1);
    assert_eq!(h.reg(4), 0);
}

#[test]
fn srai_keeps_sign() {
    let h = run_regs(
        &[srai(2, 1, 63), slli(3, 1, 63)],
        &[(1, 0x8000_0000_0000_0001)],
    );
    assert_eq!(h.reg(2), u64::MAX);
    assert_eq!(h.reg(3), 1 << 63);
}

#[test]
fn division_edge_cases_follow_the_m_chapter_table() {
    // norm:div_by_zero, norm:rem_by_zero, norm:signed_div_overflow, norm:rem_result_sign.
    assert_eq!(div(7, 0), -1);
    assert_eq!(rem(7, 0), 7);
    assert_eq!(divu(7, 0), u64::MAX);
    assert_eq!(remu(7, 0), 7);
    assert_eq!(div(i64::MIN, -1), i64::MIN);
    assert_eq!(rem(i64::MIN, -1), 0);
    assert_eq!(rem(-7, 2), -1);
    assert_eq!(div(-7, 2), -3);
    assert_eq!(divw(0x8000_0000, u64::MAX), 0xffff_ffff_8000_0000);
    assert_eq!(remw(0x8000_0000, u64::MAX), 0);
    assert_eq!(divw(5, 0), u64::MAX);
    assert_eq!(remw(0xffff_ffff_8000_0005, 0), 0xffff_ffff_8000_0005);
    assert_eq!(divuw(5, 0), u64::MAX);
    assert_eq!(remuw(0x1_8000_0000, 0), 0xffff_ffff_8000_0000);
    assert_eq!(divuw(0xffff_fffe, 1), 0xffff_ffff_ffff_fffe);
}

#[test]
fn m_extension_through_the_interpreter() {
    let h = run_regs(
        &[
            m(0, 3, 1, 2),    // mul
            m(1, 4, 1, 2),    // mulh
            m(2, 5, 1, 2),    // mulhsu
            m(3, 6, 1, 2),    // mulhu
            m(4, 7, 1, 0),    // div by zero
            m(6, 8, 1, 0),    // rem by zero
            mw(0, 9, 1, 2),   // mulw
            m(4, 10, 11, 12), // div overflow
        ],
        &[(1, u64::MAX), (2, u64::MAX), (11, 1 << 63), (12, u64::MAX)],
    );
    assert_eq!(h.reg(3), 1);
    // (-1) * (-1) = 1: high half 0.
    assert_eq!(h.reg(4), 0);
    // (-1) * (2^64 - 1) = -(2^64 - 1): high half all ones.
    assert_eq!(h.reg(5), u64::MAX);
    // (2^64-1)^2 = 2^128 - 2^65 + 1: high half 2^64 - 2.
    assert_eq!(h.reg(6), u64::MAX - 1);
    assert_eq!(h.reg(7), u64::MAX);
    assert_eq!(h.reg(8), u64::MAX);
    assert_eq!(h.reg(9), 1);
    assert_eq!(h.reg(10), 1 << 63);
}

#[test]
fn branches_and_jumps() {
    // x1 counts down from 3; x2 accumulates.
    let prog = [
        addi(1, 0, 3),
        addi(2, 2, 10), // loop:
        addi(1, 1, -1),
        b(1, 1, 0, -8), // bne x1, x0, loop
        jal(5, 8),      // skip the next
        addi(2, 0, -1),
        jalr(6, 7, 0), // x7 = address of the final wfi
        addi(2, 0, -1),
    ];
    let mut p = prog.to_vec();
    p.push(WFI);
    let (mut h, mut bus) = machine(&p);
    h.set_reg(7, BASE + 4 * 8).unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut bus);
    assert_eq!(h.reg(2), 30);
    assert_eq!(h.reg(5), BASE + 5 * 4);
    assert_eq!(h.reg(6), BASE + 7 * 4);
    assert_eq!(h.pc(), BASE + 9 * 4);
}

#[test]
fn jalr_clears_bit_zero_of_the_target() {
    let p = [jalr(1, 2, 1), WFI, WFI];
    let (mut h, mut bus) = machine(&p);
    h.set_reg(2, BASE + 8).unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut bus);
    assert_eq!(h.pc(), BASE + 12);
    assert_eq!(h.reg(1), BASE + 4);
}

#[test]
fn compressed_instructions_execute_by_expansion() {
    // c.li x10, 5 (0x4515); c.addi x10, -1 (0x157d); c.mv x11, x10 (0x85aa);
    // c.add x11, x10 (0x95aa); then wfi.
    let prog = [c2(0x4515, 0x157d), c2(0x85aa, 0x95aa), WFI];
    let h = exec(&prog);
    assert_eq!(h.reg(10), 4);
    assert_eq!(h.reg(11), 8);
    // 4 compressed instructions (8 bytes) then the wfi.
    assert_eq!(h.pc(), BASE + 12);
    assert_eq!(h.retired(), 5);
}

#[test]
fn budget_stops_an_infinite_loop_exactly() {
    let (mut h, mut bus) = machine(&[jal(0, 0)]);
    assert_eq!(h.run(&mut bus, 1000), StopReason::Budget);
    assert_eq!(h.retired(), 1000);
    assert_eq!(h.run(&mut bus, 1), StopReason::Budget);
    assert_eq!(h.retired(), 1001);
}
