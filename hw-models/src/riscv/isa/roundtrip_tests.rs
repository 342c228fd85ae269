//! Encoder/decoder round-trip properties.
//!
//! Each family strategy draws operands within the spec's ranges, builds the instruction with
//! the per-instruction encoder function, and states the expected [`Insn`] from the operands
//! and the spec's definition of the instruction (for compressed ones: its expansion). The
//! properties then check `decode(word) == expected` and `encode(&expected) == word`, i.e.
//! `decode(encode(i)) == i`.

use alloc::string::ToString;
use alloc::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::encode::{self as e, AqRl, Reg, encode};
use super::{Insn, Op, decode};

fn cfg(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x6876_7369_6d00),
        failure_persistence: None,
        ..Config::default()
    }
}

type Case = (Insn, u32);

fn ins(op: Op, rd: Reg, rs1: Reg, rs2: Reg, imm: i32, raw: u32, len: u8) -> Insn {
    Insn {
        op,
        rd: rd.num(),
        rs1: rs1.num(),
        rs2: rs2.num(),
        len,
        imm,
        raw,
    }
}

fn reg() -> impl Strategy<Value = Reg> {
    (0u8..32).prop_map(Reg::from_field)
}
fn nzreg() -> impl Strategy<Value = Reg> {
    (1u8..32).prop_map(Reg::from_field)
}
fn creg() -> impl Strategy<Value = Reg> {
    (8u8..16).prop_map(Reg::from_field)
}
fn ord() -> impl Strategy<Value = AqRl> {
    (any::<bool>(), any::<bool>()).prop_map(|(aq, rl)| AqRl { aq, rl })
}
fn pick<T: Copy + core::fmt::Debug + 'static>(t: &'static [T]) -> impl Strategy<Value = T> {
    (0..t.len()).prop_map(move |k| t[k])
}

const X0: Reg = Reg::ZERO;
const SP: Reg = Reg::SP;

type RFn = fn(Reg, Reg, Reg) -> u32;
const R_OPS: &[(Op, RFn)] = &[
    (Op::Add, e::add),
    (Op::Sub, e::sub),
    (Op::Sll, e::sll),
    (Op::Slt, e::slt),
    (Op::Sltu, e::sltu),
    (Op::Xor, e::xor),
    (Op::Srl, e::srl),
    (Op::Sra, e::sra),
    (Op::Or, e::or),
    (Op::And, e::and),
    (Op::Addw, e::addw),
    (Op::Subw, e::subw),
    (Op::Sllw, e::sllw),
    (Op::Srlw, e::srlw),
    (Op::Sraw, e::sraw),
    (Op::Mul, e::mul),
    (Op::Mulh, e::mulh),
    (Op::Mulhsu, e::mulhsu),
    (Op::Mulhu, e::mulhu),
    (Op::Div, e::div),
    (Op::Divu, e::divu),
    (Op::Rem, e::rem),
    (Op::Remu, e::remu),
    (Op::Mulw, e::mulw),
    (Op::Divw, e::divw),
    (Op::Divuw, e::divuw),
    (Op::Remw, e::remw),
    (Op::Remuw, e::remuw),
];

type IFn = fn(Reg, Reg, i32) -> Result<u32, e::EncodeError>;
const I_OPS: &[(Op, IFn)] = &[
    (Op::Addi, e::addi),
    (Op::Slti, e::slti),
    (Op::Sltiu, e::sltiu),
    (Op::Xori, e::xori),
    (Op::Ori, e::ori),
    (Op::Andi, e::andi),
    (Op::Addiw, e::addiw),
    (Op::Jalr, e::jalr),
    (Op::Lb, e::lb),
    (Op::Lh, e::lh),
    (Op::Lw, e::lw),
    (Op::Ld, e::ld),
    (Op::Lbu, e::lbu),
    (Op::Lhu, e::lhu),
    (Op::Lwu, e::lwu),
];
/// Stores take (rs2, rs1, imm) and branches (rs1, rs2, imm): same shape as I_OPS.
const S_OPS: &[(Op, IFn)] = &[
    (Op::Sb, e::sb),
    (Op::Sh, e::sh),
    (Op::Sw, e::sw),
    (Op::Sd, e::sd),
];
const B_OPS: &[(Op, IFn)] = &[
    (Op::Beq, e::beq),
    (Op::Bne, e::bne),
    (Op::Blt, e::blt),
    (Op::Bge, e::bge),
    (Op::Bltu, e::bltu),
    (Op::Bgeu, e::bgeu),
];
type ShFn = fn(Reg, Reg, u32) -> Result<u32, e::EncodeError>;
const SH_OPS: &[(Op, ShFn, u32)] = &[
    (Op::Slli, e::slli, 64),
    (Op::Srli, e::srli, 64),
    (Op::Srai, e::srai, 64),
    (Op::Slliw, e::slliw, 32),
    (Op::Srliw, e::srliw, 32),
    (Op::Sraiw, e::sraiw, 32),
];
type CsrFn = fn(Reg, u16, Reg) -> Result<u32, e::EncodeError>;
const CSR_OPS: &[(Op, CsrFn)] = &[
    (Op::Csrrw, e::csrrw),
    (Op::Csrrs, e::csrrs),
    (Op::Csrrc, e::csrrc),
];
type CsriFn = fn(Reg, u16, u8) -> Result<u32, e::EncodeError>;
const CSRI_OPS: &[(Op, CsriFn)] = &[
    (Op::Csrrwi, e::csrrwi),
    (Op::Csrrsi, e::csrrsi),
    (Op::Csrrci, e::csrrci),
];
type AmoFn = fn(Reg, Reg, Reg, AqRl) -> u32;
const AMO_OPS: &[(Op, AmoFn)] = &[
    (Op::ScW, e::sc_w),
    (Op::AmoswapW, e::amoswap_w),
    (Op::AmoaddW, e::amoadd_w),
    (Op::AmoxorW, e::amoxor_w),
    (Op::AmoandW, e::amoand_w),
    (Op::AmoorW, e::amoor_w),
    (Op::AmominW, e::amomin_w),
    (Op::AmomaxW, e::amomax_w),
    (Op::AmominuW, e::amominu_w),
    (Op::AmomaxuW, e::amomaxu_w),
    (Op::ScD, e::sc_d),
    (Op::AmoswapD, e::amoswap_d),
    (Op::AmoaddD, e::amoadd_d),
    (Op::AmoxorD, e::amoxor_d),
    (Op::AmoandD, e::amoand_d),
    (Op::AmoorD, e::amoor_d),
    (Op::AmominD, e::amomin_d),
    (Op::AmomaxD, e::amomax_d),
    (Op::AmominuD, e::amominu_d),
    (Op::AmomaxuD, e::amomaxu_d),
];
type LrFn = fn(Reg, Reg, AqRl) -> u32;
const LR_OPS: &[(Op, LrFn)] = &[(Op::LrW, e::lr_w), (Op::LrD, e::lr_d)];
type R2Fn = fn(Reg, Reg) -> u32;
/// HLV/HLVX: (rd, rs1).
const HLV_OPS: &[(Op, R2Fn)] = &[
    (Op::HlvB, e::hlv_b),
    (Op::HlvBu, e::hlv_bu),
    (Op::HlvH, e::hlv_h),
    (Op::HlvHu, e::hlv_hu),
    (Op::HlvW, e::hlv_w),
    (Op::HlvWu, e::hlv_wu),
    (Op::HlvD, e::hlv_d),
    (Op::HlvxHu, e::hlvx_hu),
    (Op::HlvxWu, e::hlvx_wu),
];
/// HSV and the VMA fences: (rs2, rs1) and (rs1, rs2) respectively.
const HSV_OPS: &[(Op, R2Fn)] = &[
    (Op::HsvB, e::hsv_b),
    (Op::HsvH, e::hsv_h),
    (Op::HsvW, e::hsv_w),
    (Op::HsvD, e::hsv_d),
];
const VMA_OPS: &[(Op, R2Fn)] = &[
    (Op::SfenceVma, e::sfence_vma),
    (Op::HfenceVvma, e::hfence_vvma),
    (Op::HfenceGvma, e::hfence_gvma),
];
const FIXED: &[(Op, u32)] = &[
    (Op::Ecall, e::ecall()),
    (Op::Ebreak, e::ebreak()),
    (Op::Mret, e::mret()),
    (Op::Sret, e::sret()),
    (Op::Wfi, e::wfi()),
    (Op::FenceI, e::fence_i()),
];
/// Ops with a strategy of their own below.
const OTHERS: &[Op] = &[Op::Lui, Op::Auipc, Op::Jal, Op::Fence, Op::Illegal];

fn base_family() -> impl Strategy<Value = Case> {
    let r = (pick(R_OPS), reg(), reg(), reg()).prop_map(|((op, f), rd, rs1, rs2)| {
        let w = f(rd, rs1, rs2);
        (ins(op, rd, rs1, rs2, 0, w, 4), w)
    });
    let i = (pick(I_OPS), reg(), reg(), -2048i32..2048).prop_map(|((op, f), rd, rs1, imm)| {
        let w = f(rd, rs1, imm).unwrap_or(0);
        (ins(op, rd, rs1, X0, imm, w, 4), w)
    });
    let s = (pick(S_OPS), reg(), reg(), -2048i32..2048).prop_map(|((op, f), rs2, rs1, imm)| {
        let w = f(rs2, rs1, imm).unwrap_or(0);
        (ins(op, X0, rs1, rs2, imm, w, 4), w)
    });
    let b = (pick(B_OPS), reg(), reg(), -2048i32..2048).prop_map(|((op, f), rs1, rs2, half)| {
        let w = f(rs1, rs2, half * 2).unwrap_or(0);
        (ins(op, X0, rs1, rs2, half * 2, w, 4), w)
    });
    let sh = (pick(SH_OPS), reg(), reg(), 0u32..64).prop_map(|((op, f, lim), rd, rs1, sh)| {
        let sh = sh % lim;
        let w = f(rd, rs1, sh).unwrap_or(0);
        (ins(op, rd, rs1, X0, sh as i32, w, 4), w)
    });
    let u = (any::<bool>(), reg(), 0i32..(1 << 20)).prop_map(|(is_lui, rd, field)| {
        let (op, w) = if is_lui {
            (Op::Lui, e::lui(rd, field).unwrap_or(0))
        } else {
            (Op::Auipc, e::auipc(rd, field).unwrap_or(0))
        };
        // U-type: the value is imm[31:12] << 12, sign-extended from bit 31.
        (ins(op, rd, X0, X0, (field << 12) as u32 as i32, w, 4), w)
    });
    let j = (reg(), -(1i32 << 19)..(1 << 19)).prop_map(|(rd, half)| {
        let w = e::jal(rd, half * 2).unwrap_or(0);
        (ins(Op::Jal, rd, X0, X0, half * 2, w, 4), w)
    });
    prop_oneof![r, i, s, b, sh, u, j]
}

fn system_family() -> impl Strategy<Value = Case> {
    let csr = (pick(CSR_OPS), reg(), 0u16..4096, reg()).prop_map(|((op, f), rd, csr, rs1)| {
        let w = f(rd, csr, rs1).unwrap_or(0);
        (ins(op, rd, rs1, X0, csr.into(), w, 4), w)
    });
    let csri = (pick(CSRI_OPS), reg(), 0u16..4096, 0u8..32).prop_map(|((op, f), rd, csr, u)| {
        let w = f(rd, csr, u).unwrap_or(0);
        (ins(op, rd, Reg::from_field(u), X0, csr.into(), w, 4), w)
    });
    let amo = (pick(AMO_OPS), reg(), reg(), reg(), ord()).prop_map(|((op, f), rd, rs2, rs1, o)| {
        let w = f(rd, rs2, rs1, o);
        (ins(op, rd, rs1, rs2, 0, w, 4), w)
    });
    let lr = (pick(LR_OPS), reg(), reg(), ord()).prop_map(|((op, f), rd, rs1, o)| {
        let w = f(rd, rs1, o);
        (ins(op, rd, rs1, X0, 0, w, 4), w)
    });
    let hlv = (pick(HLV_OPS), reg(), reg()).prop_map(|((op, f), rd, rs1)| {
        let w = f(rd, rs1);
        (ins(op, rd, rs1, X0, 0, w, 4), w)
    });
    let hsv = (pick(HSV_OPS), reg(), reg()).prop_map(|((op, f), rs2, rs1)| {
        let w = f(rs2, rs1);
        (ins(op, X0, rs1, rs2, 0, w, 4), w)
    });
    let vma = (pick(VMA_OPS), reg(), reg()).prop_map(|((op, f), rs1, rs2)| {
        let w = f(rs1, rs2);
        (ins(op, X0, rs1, rs2, 0, w, 4), w)
    });
    let fixed = pick(FIXED).prop_map(|(op, w)| (ins(op, X0, X0, X0, 0, w, 4), w));
    let fence = (0u8..16, 0u8..16).prop_map(|(pred, succ)| {
        let w = e::fence(pred, succ).unwrap_or(0);
        (
            ins(
                Op::Fence,
                X0,
                X0,
                X0,
                i32::from(pred) << 4 | i32::from(succ),
                w,
                4,
            ),
            w,
        )
    });
    let tso = Just((
        ins(Op::Fence, X0, X0, X0, 0x833, e::fence_tso(), 4),
        e::fence_tso(),
    ));
    prop_oneof![csr, csri, amo, lr, hlv, hsv, vma, fixed, fence, tso]
}

/// Compressed instructions with their spec expansion (unpriv Zca: norm:c-*_op rules).
fn compressed_family() -> impl Strategy<Value = Case> {
    let c = |op, rd, rs1, rs2, imm, h: Result<u16, e::EncodeError>| {
        let w = u32::from(h.unwrap_or(0));
        (ins(op, rd, rs1, rs2, imm, w, 2), w)
    };
    let addi4spn = (creg(), 1i32..256)
        .prop_map(move |(rd, k)| c(Op::Addi, rd, SP, X0, k * 4, e::c_addi4spn(rd, k * 4)));
    let lw = (creg(), creg(), 0i32..32)
        .prop_map(move |(rd, rs1, k)| c(Op::Lw, rd, rs1, X0, k * 4, e::c_lw(rd, rs1, k * 4)));
    let ld = (creg(), creg(), 0i32..32)
        .prop_map(move |(rd, rs1, k)| c(Op::Ld, rd, rs1, X0, k * 8, e::c_ld(rd, rs1, k * 8)));
    let sw = (creg(), creg(), 0i32..32)
        .prop_map(move |(rs2, rs1, k)| c(Op::Sw, X0, rs1, rs2, k * 4, e::c_sw(rs2, rs1, k * 4)));
    let sd = (creg(), creg(), 0i32..32)
        .prop_map(move |(rs2, rs1, k)| c(Op::Sd, X0, rs1, rs2, k * 8, e::c_sd(rs2, rs1, k * 8)));
    let addi = (reg(), -32i32..32)
        .prop_map(move |(rd, imm)| c(Op::Addi, rd, rd, X0, imm, e::c_addi(rd, imm)));
    let addiw = (nzreg(), -32i32..32)
        .prop_map(move |(rd, imm)| c(Op::Addiw, rd, rd, X0, imm, e::c_addiw(rd, imm)));
    let li = (reg(), -32i32..32)
        .prop_map(move |(rd, imm)| c(Op::Addi, rd, X0, X0, imm, e::c_li(rd, imm)));
    let addi16sp = (-32i32..31).prop_map(move |k| {
        let k = if k >= 0 { k + 1 } else { k };
        c(Op::Addi, SP, SP, X0, k * 16, e::c_addi16sp(k * 16))
    });
    let lui = (
        reg().prop_filter("x2 is C.ADDI16SP", |r| *r != SP),
        -32i32..31,
    )
        .prop_map(move |(rd, k)| {
            let k = if k >= 0 { k + 1 } else { k };
            c(Op::Lui, rd, X0, X0, k << 12, e::c_lui(rd, k))
        });
    let shifts =
        (0usize..3, 0u32..64, reg(), creg()).prop_map(move |(which, sh, r, rp)| match which {
            0 => c(Op::Slli, r, r, X0, sh as i32, e::c_slli(r, sh)),
            1 => c(Op::Srli, rp, rp, X0, sh as i32, e::c_srli(rp, sh)),
            _ => c(Op::Srai, rp, rp, X0, sh as i32, e::c_srai(rp, sh)),
        });
    let andi = (creg(), -32i32..32)
        .prop_map(move |(rd, imm)| c(Op::Andi, rd, rd, X0, imm, e::c_andi(rd, imm)));
    type CaFn = fn(Reg, Reg) -> Result<u16, e::EncodeError>;
    const CA: &[(Op, CaFn)] = &[
        (Op::Sub, e::c_sub),
        (Op::Xor, e::c_xor),
        (Op::Or, e::c_or),
        (Op::And, e::c_and),
        (Op::Subw, e::c_subw),
        (Op::Addw, e::c_addw),
    ];
    let ca = (pick(CA), creg(), creg())
        .prop_map(move |((op, f), rd, rs2)| c(op, rd, rd, rs2, 0, f(rd, rs2)));
    let j = (-1024i32..1024).prop_map(move |k| c(Op::Jal, X0, X0, X0, k * 2, e::c_j(k * 2)));
    let br = (any::<bool>(), creg(), -128i32..128).prop_map(move |(ne, rs1, k)| {
        if ne {
            c(Op::Bne, X0, rs1, X0, k * 2, e::c_bnez(rs1, k * 2))
        } else {
            c(Op::Beq, X0, rs1, X0, k * 2, e::c_beqz(rs1, k * 2))
        }
    });
    let sp_mem =
        (0usize..4, nzreg(), reg(), 0i32..64).prop_map(move |(which, rd, rs2, k)| match which {
            0 => c(Op::Lw, rd, SP, X0, k * 4, e::c_lwsp(rd, k * 4)),
            1 => c(Op::Ld, rd, SP, X0, k * 8, e::c_ldsp(rd, k * 8)),
            2 => c(Op::Sw, X0, SP, rs2, k * 4, e::c_swsp(rs2, k * 4)),
            _ => c(Op::Sd, X0, SP, rs2, k * 8, e::c_sdsp(rs2, k * 8)),
        });
    let cr = (0usize..6, nzreg(), reg()).prop_map(move |(which, r, rd)| match which {
        0 => c(Op::Jalr, X0, r, X0, 0, e::c_jr(r)),
        1 => c(Op::Jalr, Reg::RA, r, X0, 0, e::c_jalr(r)),
        2 => c(Op::Add, rd, X0, r, 0, e::c_mv(rd, r)),
        3 => c(Op::Add, rd, rd, r, 0, e::c_add(rd, r)),
        4 => c(Op::Ebreak, X0, X0, X0, 0, Ok(e::c_ebreak())),
        _ => c(Op::Addi, X0, X0, X0, 0, Ok(e::c_nop())),
    });
    prop_oneof![
        addi4spn, lw, ld, sw, sd, addi, addiw, li, addi16sp, lui, shifts, andi, ca, j, br, sp_mem,
        cr
    ]
}

#[track_caller]
fn check_case((expected, word): Case) -> Result<(), TestCaseError> {
    prop_assert_ne!(
        expected.raw,
        0,
        "per-instruction encoder rejected valid operands"
    );
    prop_assert_eq!(decode(word), expected);
    prop_assert_eq!(encode(&expected), Ok(word));
    Ok(())
}

proptest! {
    #![proptest_config(cfg(4000))]

    /// decode(encode(i)) == i for RV64I/M 32-bit encodings (unpriv "RV32/64G Instruction Set
    /// Listings": norm:*_enc rules, e.g. norm:addi_enc, norm:beq_enc, norm:lui_enc).
    #[test]
    fn base_roundtrip(case in base_family()) {
        check_case(case)?;
    }

    /// decode(encode(i)) == i for Zicsr, A (aq/rl kept: norm:a_aq_rl_bits, RV64 LR/SC/AMO.D:
    /// norm:lr_sc_rv64),
    /// FENCE/FENCE.TSO (norm:fence_enc, norm:fence-tso_enc), privileged and H encodings
    /// (norm:hlsv_op, norm:hfence-vvma_hfence-gvma_op).
    #[test]
    fn system_roundtrip(case in system_family()) {
        check_case(case)?;
    }

    /// decode(encode(i)) == i for every RV64C instruction, with the expansion the Zca chapter
    /// defines (norm:c-addi4spn_op, norm:c-lwsp_op, norm:c-addi16sp_op, norm:c-lui_op, ...).
    #[test]
    fn compressed_roundtrip(case in compressed_family()) {
        check_case(case)?;
    }

    /// Decoding is total and exact: any 32-bit fetch decodes without panicking; a legal
    /// result re-encodes to the same bits and decodes back to the same Insn; an illegal one
    /// reports the encoding as `raw` (the illegal-instruction tval).
    #[test]
    fn random_words_roundtrip(x in any::<u32>(), opc in pick(OPCODES), force in any::<bool>()) {
        let x = if force { (x & !0x7f) | opc } else { x };
        let i = decode(x);
        let expect_raw = if x & 3 == 3 { x } else { x & 0xffff };
        prop_assert_eq!(i.raw, expect_raw);
        prop_assert_eq!(usize::from(i.len), super::insn_len(x as u16));
        // Every decoded instruction has a non-empty disassembly.
        prop_assert!(!super::disasm::disasm(&i, u64::from(x)).to_string().is_empty());
        if i.op != Op::Illegal {
            prop_assert_eq!(encode(&i), Ok(expect_raw));
            prop_assert_eq!(decode(expect_raw), i);
        } else {
            prop_assert_eq!(encode(&i), Err(e::EncodeError::Illegal));
        }
    }
}

const OPCODES: &[u32] = &[
    0x03, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x2f, 0x33, 0x37, 0x3b, 0x63, 0x67, 0x6f, 0x73,
];

/// Exhaustive over all 16-bit encodings: every legal compressed instruction re-encodes to
/// itself, and the illegal ones are exactly the reserved/unimplemented code points
/// (norm:Zca_illegal, norm:c-addi4spn_rsv, norm:c-lui_rsv, norm:c-addi16sp_rsv,
/// norm:c-lwsp_rsv, norm:c-ldsp_rsv, norm:c-jr_rsv, norm:c-addiw_rsv, plus the FP and
/// RV64C-reserved slots).
#[test]
fn all_halfwords() {
    let mut illegal = 0u32;
    for x in 0u32..=0xffff {
        if x & 3 == 3 {
            continue;
        }
        let i = decode(x);
        assert_eq!(i.len, 2);
        assert_eq!(i.raw, x);
        if i.op == Op::Illegal {
            illegal += 1;
        } else {
            assert_eq!(encode(&i), Ok(x), "{x:#06x} {i:?}");
        }
    }
    // Count of reserved/unimplemented code points, worked out from the Zca opcode map:
    // C.ADDI4SPN nzuimm=0: 8 (rd') ; C.FLD/C.FSD/Q0-100: 3 * 2^11; C.ADDIW rd=0: 2^6;
    // C.ADDI16SP nzimm=0: 1; C.LUI imm=0 (rd≠2): 31; Q1 100 bit12=1 funct2 10/11 (rd', rs2'
    // free): 2 * 2^6;
    // C.FLDSP/C.FSDSP: 2 * 2^11; C.LWSP/C.LDSP rd=0: 2 * 2^6; C.JR x0: 1.
    let expected = 8 + 3 * 2048 + 64 + 1 + 31 + 2 * 64 + 2 * 2048 + 2 * 64 + 1;
    assert_eq!(illegal, expected);
}

/// Every Op is produced by one of the family strategies above.
#[test]
fn families_cover_every_op() {
    let mut seen: alloc::vec::Vec<Op> = alloc::vec::Vec::new();
    seen.extend(R_OPS.iter().map(|t| t.0));
    seen.extend(I_OPS.iter().map(|t| t.0));
    seen.extend(S_OPS.iter().map(|t| t.0));
    seen.extend(B_OPS.iter().map(|t| t.0));
    seen.extend(SH_OPS.iter().map(|t| t.0));
    seen.extend(CSR_OPS.iter().map(|t| t.0));
    seen.extend(CSRI_OPS.iter().map(|t| t.0));
    seen.extend(AMO_OPS.iter().map(|t| t.0));
    seen.extend(LR_OPS.iter().map(|t| t.0));
    seen.extend(HLV_OPS.iter().map(|t| t.0));
    seen.extend(HSV_OPS.iter().map(|t| t.0));
    seen.extend(VMA_OPS.iter().map(|t| t.0));
    seen.extend(FIXED.iter().map(|t| t.0));
    seen.extend(OTHERS.iter().copied());
    for op in Op::ALL {
        assert!(seen.contains(&op), "{op:?} has no round-trip strategy");
    }
}
