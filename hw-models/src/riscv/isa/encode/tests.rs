//! Encoder unit tests: hand-checked encodings, range errors, `li` and the assembler.

use alloc::vec::Vec;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::super::{Insn, Op, decode};
use super::*;

#[test]
fn known_words() {
    // Values worked out from the spec's format tables (see decode_tests for the derivations).
    assert_eq!(addi(Reg::SP, Reg::SP, -16), Ok(0xff01_0113));
    assert_eq!(lui(Reg::A0, 0x12345), Ok(0x1234_5537));
    assert_eq!(lui(Reg::A0, -1), Ok(0xffff_f537));
    assert_eq!(sd(Reg::RA, Reg::SP, 8), Ok(0x0011_3423));
    assert_eq!(beq(Reg::ZERO, Reg::ZERO, -4), Ok(0xfe00_0ee3));
    assert_eq!(jal(Reg::ZERO, -4), Ok(0xffdf_f06f));
    assert_eq!(srai(Reg::A0, Reg::A0, 63), Ok(0x43f5_5513));
    assert_eq!(
        csrr(Reg::A0, crate::riscv::csr_num::MSTATUS),
        Ok(0x3000_2573)
    );
    assert_eq!(ret(), 0x0000_8067);
    assert_eq!(fence(0xf, 0xf), Ok(0x0ff0_000f));
    assert_eq!(fence_tso(), 0x8330_000f);
    assert_eq!(pause(), 0x0100_000f);
    assert_eq!(fence_i(), 0x0000_100f);
    assert_eq!(hlv_w(Reg::A0, Reg::A1), 0x6805_c573);
    assert_eq!(hsv_d(Reg::A2, Reg::A1), 0x6ec5_c073);
    assert_eq!(hfence_gvma(Reg::A0, Reg::A1), 0x62b5_0073);
    assert_eq!(lr_w(Reg::A0, Reg::A1, AqRl::NONE), 0x1005_a52f);
    assert_eq!(sc_w(Reg::A0, Reg::A2, Reg::A1, AqRl::NONE), 0x18c5_a52f);
    assert_eq!(c_nop(), 0x0001);
    assert_eq!(c_ebreak(), 0x9002);
    assert_eq!(c_jr(Reg::RA), Ok(0x8082));
    assert_eq!(c_mv(Reg::A0, Reg::A1), Ok(0x852e));
    assert_eq!(c_addi(Reg::SP, -16), Ok(0x1141));
    assert_eq!(c_addi16sp(-64), Ok(0x7139));
    assert_eq!(c_addi4spn(Reg::S0, 16), Ok(0x0800));
    assert_eq!(c_sdsp(Reg::RA, 8), Ok(0xe406));
    assert_eq!(c_ldsp(Reg::RA, 8), Ok(0x60a2));
    assert_eq!(c_lui(Reg::A0, 1), Ok(0x6505));
    assert_eq!(c_srai(Reg::A0, 32), Ok(0x9501));
}

#[test]
fn range_errors_never_panic() {
    assert!(matches!(
        addi(Reg::A0, Reg::A0, 2048),
        Err(EncodeError::ImmOutOfRange { .. })
    ));
    assert!(addi(Reg::A0, Reg::A0, -2048).is_ok());
    assert!(matches!(
        beq(Reg::A0, Reg::A0, 3),
        Err(EncodeError::Misaligned { .. })
    ));
    assert!(beq(Reg::A0, Reg::A0, 4094).is_ok());
    assert!(beq(Reg::A0, Reg::A0, 4096).is_err());
    assert!(beq(Reg::A0, Reg::A0, -4096).is_ok());
    assert!(jal(Reg::RA, 1 << 20).is_err());
    assert!(jal(Reg::RA, -(1 << 20)).is_ok());
    assert!(slli(Reg::A0, Reg::A0, 64).is_err());
    assert!(slliw(Reg::A0, Reg::A0, 32).is_err());
    assert!(lui(Reg::A0, 0x10_0000).is_err());
    assert!(csrrw(Reg::A0, 0x1000, Reg::A0).is_err());
    assert!(csrrwi(Reg::A0, 0x300, 32).is_err());
    assert!(fence(16, 0).is_err());
    assert_eq!(Reg::new(32), Err(EncodeError::BadRegister(32)));
    // Compressed constraints (Zca): x8..x15 fields, reserved code points.
    assert!(matches!(
        c_lw(Reg::A6, Reg::A0, 0),
        Err(EncodeError::BadCompressedRegister { .. })
    ));
    assert!(c_lw(Reg::A0, Reg::A0, 2).is_err());
    assert!(c_lw(Reg::A0, Reg::A0, 128).is_err());
    assert_eq!(
        c_addi4spn(Reg::A0, 0),
        Err(EncodeError::Reserved("c.addi4spn"))
    );
    assert_eq!(c_addi16sp(0), Err(EncodeError::Reserved("c.addi16sp")));
    assert!(c_addi16sp(8).is_err());
    assert!(c_addi16sp(512).is_err());
    assert!(c_addi16sp(-512).is_ok());
    assert_eq!(c_lui(Reg::A0, 0), Err(EncodeError::Reserved("c.lui")));
    assert!(c_lui(Reg::SP, 1).is_err());
    assert!(c_lwsp(Reg::ZERO, 0).is_err());
    assert!(c_ldsp(Reg::ZERO, 0).is_err());
    assert!(c_jr(Reg::ZERO).is_err());
    assert!(c_jalr(Reg::ZERO).is_err());
    assert!(c_mv(Reg::A0, Reg::ZERO).is_err());
    assert!(c_add(Reg::A0, Reg::ZERO).is_err());
    assert!(c_addiw(Reg::ZERO, 1).is_err());
    assert!(c_j(2048).is_err());
    assert!(c_j(-2048).is_ok());
    assert!(c_beqz(Reg::A0, 256).is_err());
    assert!(c_beqz(Reg::A0, -256).is_ok());
    // The generic encoder rejects what has no encoding.
    assert_eq!(encode(&Insn::new(Op::Illegal)), Err(EncodeError::Illegal));
    let mut wide = Insn::new(Op::Add);
    wide.rd = 40;
    assert_eq!(encode(&wide), Err(EncodeError::BadRegister(40)));
    let mut c = Insn::new(Op::Mul);
    c.len = 2;
    assert_eq!(encode(&c), Err(EncodeError::NotCompressible(Op::Mul)));
    c.len = 3;
    assert_eq!(encode(&c), Err(EncodeError::BadLength(3)));
    let mut lui_low = Insn::new(Op::Lui);
    lui_low.imm = 0x1001;
    assert!(encode(&lui_low).is_err());
}

/// Executes the instructions `li` may emit, per their unpriv definitions (LUI: sign-extended
/// 32-bit value; ADDI: 64-bit add; ADDIW: 32-bit add, sign-extended; SLLI: 64-bit shift).
fn run_li(words: &[u32]) -> i64 {
    let mut x = [0i64; 32];
    for &w in words {
        let i = decode(w);
        let src = x[usize::from(i.rs1)];
        let v = match i.op {
            Op::Lui => i64::from(i.imm),
            Op::Addi => src.wrapping_add(i64::from(i.imm)),
            Op::Addiw => i64::from((src as i32).wrapping_add(i.imm)),
            Op::Slli => src << i.imm,
            other => panic!("li emitted {other:?}"),
        };
        if i.rd != 0 {
            x[usize::from(i.rd)] = v;
        }
    }
    x[10]
}

#[test]
fn li_edge_values() {
    for v in [
        0i64,
        1,
        -1,
        2047,
        -2048,
        2048,
        0x7fff_f800,
        0x7fff_ffff,
        -0x8000_0000,
        0x8000_0000,
        0xffff_ffff,
        i64::MAX,
        i64::MIN,
        0x1234_5678_9abc_def0,
        0x8000_0000_0000_0800u64 as i64,
    ] {
        let seq = li_sequence(Reg::A0, v).unwrap_or_default();
        assert!(
            !seq.is_empty() && seq.len() <= 8,
            "{v:#x}: {} insns",
            seq.len()
        );
        assert_eq!(run_li(&seq), v, "li {v:#x}");
    }
    assert_eq!(li_sequence(Reg::A0, 5).map(|s| s.len()), Ok(1));
    assert_eq!(li_sequence(Reg::A0, 0x1234_5678).map(|s| s.len()), Ok(2));
}

proptest! {
    #![proptest_config(Config { cases: 3000, rng_seed: RngSeed::Fixed(7), failure_persistence: None, ..Config::default() })]

    /// `li rd, v` loads exactly v for any 64-bit v, in at most 8 instructions (the RV64
    /// constant-materialisation idiom built from LUI/ADDI(W)/SLLI, unpriv "Integer
    /// Computational Instructions").
    #[test]
    fn li_loads_any_value(v in any::<i64>(), shift in 0u32..64) {
        for v in [v, v >> shift, v << shift] {
            let seq = li_sequence(Reg::A0, v).unwrap_or_default();
            prop_assert!(!seq.is_empty() && seq.len() <= 8);
            prop_assert_eq!(run_li(&seq), v);
        }
    }
}

fn words(code: &[u8]) -> Vec<(usize, Insn)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 2 <= code.len() {
        let lo = u16::from_le_bytes([code[at], code[at + 1]]);
        let raw = if at + 4 <= code.len() {
            u32::from_le_bytes([code[at], code[at + 1], code[at + 2], code[at + 3]])
        } else {
            u32::from(lo)
        };
        let i = decode(raw);
        out.push((at, i));
        at += usize::from(i.len);
    }
    out
}

#[test]
fn assembler_resolves_labels() {
    let base = 0x8000_0000u64;
    let mut a = Assembler::new(base);
    let top = a.here(); // offset 0
    let end = a.new_label();
    let data = a.new_label();
    a.put(nop()); // 0
    a.beq(Reg::A0, Reg::A1, end); // 4
    a.c_bnez(Reg::A0, top); // 8
    a.c_j(end); // 10
    a.jal(Reg::RA, top); // 12
    a.la(Reg::A2, data); // 16, 20
    a.call(end); // 24, 28
    a.bind(end).unwrap_or(()); // 32
    a.put(ecall());
    a.align(8); // 36 -> 40
    a.bind(data).unwrap_or(());
    a.dword(0xdead_beef);
    assert_eq!(a.label_addr(end), Some(base + 32));
    assert_eq!(a.label_addr(data), Some(base + 40));
    let code = a.finish().unwrap_or_default();
    assert_eq!(code.len(), 48);
    let ws = words(&code[..36]);
    let at = |off: usize| {
        ws.iter()
            .find(|(o, _)| *o == off)
            .map(|(_, i)| *i)
            .unwrap_or(Insn::new(Op::Illegal))
    };
    assert_eq!(
        (at(4).op, at(4).rs1, at(4).rs2, at(4).imm),
        (Op::Beq, 10, 11, 28)
    );
    assert_eq!((at(8).op, at(8).len, at(8).imm), (Op::Bne, 2, -8));
    assert_eq!((at(10).op, at(10).len, at(10).imm), (Op::Jal, 2, 22));
    assert_eq!((at(12).op, at(12).rd, at(12).imm), (Op::Jal, 1, -12));
    // la: auipc + addi reach data from pc 16.
    let (hi, lo) = (at(16), at(20));
    assert_eq!((hi.op, lo.op, lo.rd, lo.rs1), (Op::Auipc, Op::Addi, 12, 12));
    assert_eq!(16 + i64::from(hi.imm) + i64::from(lo.imm), 40);
    // call: auipc ra + jalr ra, lo(ra) reach end from pc 24.
    let (hi, lo) = (at(24), at(28));
    assert_eq!(
        (hi.op, hi.rd, lo.op, lo.rd, lo.rs1),
        (Op::Auipc, 1, Op::Jalr, 1, 1)
    );
    assert_eq!(24 + i64::from(hi.imm) + i64::from(lo.imm), 32);
    assert_eq!(&code[40..48], &0xdead_beefu64.to_le_bytes());
}

#[test]
fn assembler_errors() {
    let mut a = Assembler::new(0);
    let l = a.new_label();
    a.j(l);
    assert_eq!(a.clone().finish(), Err(EncodeError::UnboundLabel(0)));
    assert!(a.bind(l).is_ok());
    assert_eq!(a.bind(l), Err(EncodeError::BadLabel(0)));
    // A label of another assembler is unknown here.
    let mut other = Assembler::new(0);
    let foreign = (0..5).map(|_| other.new_label()).last().unwrap_or(l);
    assert_eq!(a.bind(foreign), Err(EncodeError::BadLabel(4)));
    // A compressed branch further than ±256 B.
    let mut b = Assembler::new(0);
    let far = b.new_label();
    b.c_beqz(Reg::A0, far);
    for _ in 0..100 {
        b.put(nop());
    }
    let _ = b.bind(far);
    assert!(matches!(
        b.finish(),
        Err(EncodeError::LabelOutOfRange { .. })
    ));
    // A wrong register class for c.beqz is reported as such.
    let mut c = Assembler::new(0);
    let here = c.here();
    c.c_beqz(Reg::A6, here);
    assert!(matches!(
        c.finish(),
        Err(EncodeError::BadCompressedRegister { .. })
    ));
}
