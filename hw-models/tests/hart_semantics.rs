//! Integration tests of the RISC-V hart through its public API only: random operands for every
//! register-register ALU and M operation against reference formulas written from the unpriv
//! spec text, plus determinism of whole runs.

use hw_models::riscv::hart::{Hart, HartConfig, HartEvent, RamBus, StopReason};
use proptest::prelude::*;
use sim_core::HostPhysAddr;

const BASE: u64 = 0x8000_0000;
const WFI: u32 = 0x1050_0073;

const fn r(op: u32, f3: u32, f7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
}

/// Runs `insn` with x1 = a, x2 = b and returns x3.
fn run_one(insn: u32, a: u64, b: u64) -> u64 {
    let mut bus = RamBus::new(BASE, 0x1_0000).unwrap_or_else(|e| panic!("{e}"));
    for (k, w) in [insn, WFI].iter().enumerate() {
        bus.mem
            .write_bytes(HostPhysAddr::new(BASE + 4 * k as u64), &w.to_le_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut h = Hart::new(HartConfig::default());
    h.set_reg(1, a).unwrap_or_else(|e| panic!("{e}"));
    h.set_reg(2, b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.run(&mut bus, 10), StopReason::Wfi);
    assert_eq!(h.pc(), BASE + 8, "instruction {insn:#x} trapped");
    h.reg(3)
}

fn sx32(v: u64) -> u64 {
    i64::from(v as i32) as u64
}

/// (name, opcode, funct3, funct7, reference)
type Case = (&'static str, u32, u32, u32, fn(u64, u64) -> u64);

const CASES: &[Case] = &[
    ("add", 0x33, 0, 0, |a, b| a.wrapping_add(b)),
    ("sub", 0x33, 0, 0x20, |a, b| a.wrapping_sub(b)),
    ("sll", 0x33, 1, 0, |a, b| a << (b % 64)),
    ("slt", 0x33, 2, 0, |a, b| u64::from((a as i64) < (b as i64))),
    ("sltu", 0x33, 3, 0, |a, b| u64::from(a < b)),
    ("xor", 0x33, 4, 0, |a, b| a ^ b),
    ("srl", 0x33, 5, 0, |a, b| a >> (b % 64)),
    ("sra", 0x33, 5, 0x20, |a, b| ((a as i64) >> (b % 64)) as u64),
    ("or", 0x33, 6, 0, |a, b| a | b),
    ("and", 0x33, 7, 0, |a, b| a & b),
    ("addw", 0x3b, 0, 0, |a, b| sx32(a.wrapping_add(b))),
    ("subw", 0x3b, 0, 0x20, |a, b| sx32(a.wrapping_sub(b))),
    ("sllw", 0x3b, 1, 0, |a, b| {
        sx32(u64::from((a as u32) << (b % 32)))
    }),
    ("srlw", 0x3b, 5, 0, |a, b| {
        sx32(u64::from((a as u32) >> (b % 32)))
    }),
    ("sraw", 0x3b, 5, 0x20, |a, b| {
        i64::from((a as i32) >> (b % 32)) as u64
    }),
    ("mul", 0x33, 0, 1, |a, b| {
        (u128::from(a) * u128::from(b)) as u64
    }),
    ("mulh", 0x33, 1, 1, |a, b| {
        ((i128::from(a as i64) * i128::from(b as i64)) >> 64) as u64
    }),
    ("mulhsu", 0x33, 2, 1, |a, b| {
        ((i128::from(a as i64) * i128::from(b)) >> 64) as u64
    }),
    ("mulhu", 0x33, 3, 1, |a, b| {
        ((u128::from(a) * u128::from(b)) >> 64) as u64
    }),
    // M chapter table: x/0 = -1, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0.
    ("div", 0x33, 4, 1, |a, b| match (a as i64, b as i64) {
        (_, 0) => u64::MAX,
        (i64::MIN, -1) => a,
        (x, y) => (x / y) as u64,
    }),
    ("divu", 0x33, 5, 1, |a, b| {
        a.checked_div(b).unwrap_or(u64::MAX)
    }),
    ("rem", 0x33, 6, 1, |a, b| match (a as i64, b as i64) {
        (_, 0) => a,
        (i64::MIN, -1) => 0,
        (x, y) => (x % y) as u64,
    }),
    ("remu", 0x33, 7, 1, |a, b| if b == 0 { a } else { a % b }),
    ("mulw", 0x3b, 0, 1, |a, b| sx32(a.wrapping_mul(b))),
    ("divw", 0x3b, 4, 1, |a, b| match (a as i32, b as i32) {
        (_, 0) => u64::MAX,
        (i32::MIN, -1) => sx32(a),
        (x, y) => i64::from(x / y) as u64,
    }),
    ("divuw", 0x3b, 5, 1, |a, b| match (a as u32, b as u32) {
        (_, 0) => u64::MAX,
        (x, y) => sx32(u64::from(x / y)),
    }),
    ("remw", 0x3b, 6, 1, |a, b| match (a as i32, b as i32) {
        (_, 0) => sx32(a),
        (i32::MIN, -1) => 0,
        (x, y) => i64::from(x % y) as u64,
    }),
    ("remuw", 0x3b, 7, 1, |a, b| match (a as u32, b as u32) {
        (x, 0) => sx32(u64::from(x)),
        (x, y) => sx32(u64::from(x % y)),
    }),
];

/// Operands biased towards the edge values the spec singles out.
fn operand() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        Just(0u64),
        Just(u64::MAX),
        Just(1u64 << 63),
        Just(0x8000_0000u64),
        Just(0xffff_ffff_8000_0000u64),
        Just(0x7fff_ffffu64),
        0u64..70,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// norm:rv64_w_sex (W results sign-extended), norm:mul_op, norm:mulw_op,
    /// norm:div_by_zero, norm:rem_by_zero, norm:signed_div_overflow, norm:rem_result_sign,
    /// and the RV64I shift rules (rs2[5:0], rs2[4:0] for W forms): every R-type ALU and M op
    /// on random and edge operands gives the spec's result.
    #[test]
    fn r_type_ops_match_the_spec(a in operand(), b in operand()) {
        for &(name, op, f3, f7, reference) in CASES {
            let got = run_one(r(op, f3, f7, 3, 1, 2), a, b);
            prop_assert_eq!(got, reference(a, b), "{} {:#x} {:#x}", name, a, b);
        }
    }
}

/// Two identical runs give identical event streams (DESIGN.md determinism).
#[test]
fn runs_are_deterministic() {
    fn trace() -> Vec<HartEvent> {
        // A loop with a store into its own code page and an ecall at the end.
        let prog: [u32; 6] = [
            0x0050_0093, // addi x1, x0, 5
            0x0010_8093, // addi x1, x1, 1   <- loop
            0x0010_3023, // sd x1, 0(x0): store access fault (no RAM at 0)
            0xfff0_8093, // addi x1, x1, -1
            0xfe00_9ae3, // bne x1, x0, loop
            0x0000_0073, // ecall
        ];
        let mut bus = RamBus::new(BASE, 0x1_0000).unwrap_or_else(|e| panic!("{e}"));
        for (k, w) in prog.iter().enumerate() {
            bus.mem
                .write_bytes(HostPhysAddr::new(BASE + 4 * k as u64), &w.to_le_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let mut h = Hart::new(HartConfig::default());
        // Trap handler: the instruction after the faulting one (mtvec = BASE + 12).
        h.set_csr(0x305, BASE + 12)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut v = Vec::new();
        let _ = h.run_traced(&mut bus, 200, &mut |e| v.push(*e));
        v
    }
    let a = trace();
    assert!(a.len() > 20);
    assert!(a.iter().any(|e| matches!(
        e,
        HartEvent::Exception {
            cause: 7,
            tval: 0,
            ..
        }
    )));
    assert_eq!(a, trace());
}
