//! Decoder unit tests against encodings worked out by hand from the spec's format tables
//! (unpriv "RV32/64G Instruction Set Listings", Zca figures, priv H listings).

use super::{Insn, Op, decode, insn_len};

fn d(raw: u32) -> Insn {
    decode(raw)
}

/// Asserts op and operands (rd, rs1, rs2, imm) and the length.
#[track_caller]
fn check(raw: u32, op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32) {
    let i = d(raw);
    assert_eq!(
        (i.op, i.rd, i.rs1, i.rs2, i.imm),
        (op, rd, rs1, rs2, imm),
        "raw {raw:#010x}"
    );
    let len = if raw & 3 == 3 { 4 } else { 2 };
    assert_eq!(i.len, len, "len of {raw:#x}");
    let expect_raw = if len == 2 { raw & 0xffff } else { raw };
    assert_eq!(i.raw, expect_raw);
}

#[track_caller]
fn illegal(raw: u32) {
    let i = d(raw);
    assert_eq!(i.op, Op::Illegal, "raw {raw:#010x} decoded as {i:?}");
    let expect_raw = if raw & 3 == 3 { raw } else { raw & 0xffff };
    assert_eq!(i.raw, expect_raw, "tval must be the encoding");
}

#[test]
fn lengths() {
    assert_eq!(insn_len(0x0001), 2);
    assert_eq!(insn_len(0x0000), 2);
    assert_eq!(insn_len(0x8082), 2);
    assert_eq!(insn_len(0x0013), 4);
    // ≥48-bit encodings: ILEN = 32 in hvsim, fetched as 32 bits and illegal.
    assert_eq!(insn_len(0x001f), 4);
    illegal(0x0000_001f);
    illegal(0xffff_ffff);
}

#[test]
fn base_i_u_types() {
    // addi sp, sp, -16: imm 0xff0 << 20 | rs1 2 | rd 2 | OP-IMM.
    check(0xff01_0113, Op::Addi, 2, 2, 0, -16);
    // lui a0, 0x12345
    check(0x1234_5537, Op::Lui, 10, 0, 0, 0x1234_5000);
    // lui a0, 0xfffff: the 32-bit value is sign-extended (U-type imm[31] is the sign).
    check(0xffff_f537, Op::Lui, 10, 0, 0, -4096);
    // auipc t0, 0x80000
    check(0x8000_0297, Op::Auipc, 5, 0, 0, i32::MIN);
    // ret = jalr x0, 0(ra)
    check(0x0000_8067, Op::Jalr, 0, 1, 0, 0);
    // jalr with funct3 ≠ 0 is reserved.
    illegal(0x0000_9067);
    // ld a0, -8(s0)
    check(0xff84_3503, Op::Ld, 10, 8, 0, -8);
    // LOAD funct3 111 is reserved.
    illegal(0x0000_7003);
}

#[test]
fn s_b_j_scrambling() {
    // sd ra, 8(sp): imm[11:5]=0, rs2=1, rs1=2, f3=011, imm[4:0]=8.
    check(0x0011_3423, Op::Sd, 0, 2, 1, 8);
    // sw a0, -4(sp): imm = 0xffc → imm[11:5]=0x7f, imm[4:0]=0x1c.
    check(0xfea1_2e23, Op::Sw, 0, 2, 10, -4);
    // beq a0, a1, +8: imm[4:1]=0100 in bits 11:8.
    check(0x00b5_0463, Op::Beq, 0, 10, 11, 8);
    // beq x0, x0, -4: all imm bits set except imm[1:0]=00 → imm[12]=1, imm[11]=1.
    check(0xfe00_0ee3, Op::Beq, 0, 0, 0, -4);
    // bne with only imm[11] set (bit 7): offset 2048.
    check(0x0000_1063 | (1 << 7), Op::Bne, 0, 0, 0, 2048);
    // blt with only imm[12] set (bit 31): offset -4096.
    check(0x8000_4063, Op::Blt, 0, 0, 0, -4096);
    // jal ra, +8
    check(0x0080_00ef, Op::Jal, 1, 0, 0, 8);
    // j -4 (jal x0, -4)
    check(0xffdf_f06f, Op::Jal, 0, 0, 0, -4);
    // jal with only bit 20 (imm[11]) set: 2048.
    check(0x0010_006f, Op::Jal, 0, 0, 0, 2048);
    // jal with only bit 12 (imm[12]) set: 4096.
    check(0x0000_106f, Op::Jal, 0, 0, 0, 4096);
    // Branch funct3 010/011 are reserved.
    illegal(0x0000_2063);
    illegal(0x0000_3063);
}

#[test]
fn shifts() {
    // srli a0, a0, 63 vs srai a0, a0, 63: only bit 30 differs.
    check(0x03f5_5513, Op::Srli, 10, 10, 0, 63);
    check(0x43f5_5513, Op::Srai, 10, 10, 0, 63);
    check(0x03f5_1513, Op::Slli, 10, 10, 0, 63);
    // SLLI with imm[11:6] ≠ 0 is reserved; SRAI form on SLLI too.
    illegal(0x43f5_1513);
    illegal(0x83f5_5513);
    // RV64 *W shifts: shamt[5] (bit 25) set is reserved.
    check(0x01f5_151b, Op::Slliw, 10, 10, 0, 31);
    illegal(0x03f5_151b);
    check(0x41f5_551b, Op::Sraiw, 10, 10, 0, 31);
    illegal(0x43f5_551b);
    // Reserved funct7 in OP.
    illegal(0x80b5_0533);
    // sub a0, a0, a1 / sra / mulhsu
    check(0x40b5_0533, Op::Sub, 10, 10, 11, 0);
    check(0x02b5_2533, Op::Mulhsu, 10, 10, 11, 0);
    check(0x02b5_453b, Op::Divw, 10, 10, 11, 0);
    // OP-32 funct3 010 is reserved.
    illegal(0x00b5_253b);
}

#[test]
fn system_and_fences() {
    check(0x0000_0073, Op::Ecall, 0, 0, 0, 0);
    check(0x0010_0073, Op::Ebreak, 0, 0, 0, 0);
    check(0x3020_0073, Op::Mret, 0, 0, 0, 0);
    check(0x1020_0073, Op::Sret, 0, 0, 0, 0);
    check(0x1050_0073, Op::Wfi, 0, 0, 0, 0);
    // Non-zero rd or rs1 in the fully specified encodings is reserved.
    illegal(0x3020_0073 | (1 << 7));
    illegal(0x1050_0073 | (1 << 15));
    illegal(0x1020_0073 | (5 << 7));
    illegal(0x0000_0073 | (1 << 15));
    // sfence.vma a0, a1; rd ≠ 0 reserved.
    check(0x12b5_0073, Op::SfenceVma, 0, 10, 11, 0);
    illegal(0x12b5_0073 | (1 << 7));
    // hfence.vvma / hfence.gvma a0, a1
    check(0x22b5_0073, Op::HfenceVvma, 0, 10, 11, 0);
    check(0x62b5_0073, Op::HfenceGvma, 0, 10, 11, 0);
    // csrr a0, mstatus = csrrs a0, 0x300, x0
    check(0x3000_2573, Op::Csrrs, 10, 0, 0, 0x300);
    // csrrwi x0, 0xfff, 31 — CSR number is unsigned.
    check(0xffff_d073, Op::Csrrwi, 0, 31, 0, 0xfff);
    // fence iorw, iorw; fence.tso; pause; fence.i
    check(0x0ff0_000f, Op::Fence, 0, 0, 0, 0x0ff);
    check(0x8330_000f, Op::Fence, 0, 0, 0, 0x833);
    check(0x0100_000f, Op::Fence, 0, 0, 0, 0x010);
    check(0x0000_100f, Op::FenceI, 0, 0, 0, 0);
    // Reserved rd/rs1 of FENCE are ignored, not illegal (norm:fence_unused_flds_rsv).
    check(0x0ff5_050f, Op::Fence, 10, 10, 0, 0x0ff);
    illegal(0x0000_200f);
    let tso = d(0x8330_000f);
    assert_eq!(
        (tso.fence_fm(), tso.fence_pred(), tso.fence_succ()),
        (8, 3, 3)
    );
}

#[test]
fn atomics() {
    // lr.w a0, (a1); sc.w a0, a2, (a1); amoswap.d.aqrl a0, a2, (a1)
    check(0x1005_a52f, Op::LrW, 10, 11, 0, 0);
    check(0x18c5_a52f, Op::ScW, 10, 11, 12, 0);
    let i = d(0x0ec5_b52f);
    assert_eq!((i.op, i.rd, i.rs1, i.rs2), (Op::AmoswapD, 10, 11, 12));
    assert!(i.aq() && i.rl());
    // LR with rs2 ≠ 0 is reserved.
    illegal(0x1005_a52f | (1 << 20));
    // AMO width 000 (Zabha) and funct5 00101 (Zacas) are not implemented.
    illegal(0x00c5_852f);
    illegal(0x28c5_a52f);
}

#[test]
fn hypervisor_loads_stores() {
    // hlv.w a0, (a1): funct7 0110100, rs2 00000, funct3 100.
    check(0x6805_c573, Op::HlvW, 10, 11, 0, 0);
    check(0x6815_c573, Op::HlvWu, 10, 11, 0, 0);
    check(0x6835_c573, Op::HlvxWu, 10, 11, 0, 0);
    check(0x6435_c573, Op::HlvxHu, 10, 11, 0, 0);
    check(0x6005_c573, Op::HlvB, 10, 11, 0, 0);
    check(0x6015_c573, Op::HlvBu, 10, 11, 0, 0);
    check(0x6405_c573, Op::HlvH, 10, 11, 0, 0);
    check(0x6415_c573, Op::HlvHu, 10, 11, 0, 0);
    check(0x6c05_c573, Op::HlvD, 10, 11, 0, 0);
    // No HLVX.BU, HLV.DU or HLVX.DU.
    illegal(0x6035_c573);
    illegal(0x6c15_c573);
    illegal(0x6c35_c573);
    // hsv.d a2, (a1): funct7 0110111, rs2 = data, rd = 0.
    check(0x6ec5_c073, Op::HsvD, 0, 11, 12, 0);
    check(0x62c5_c073, Op::HsvB, 0, 11, 12, 0);
    // HSV with rd ≠ 0 is reserved.
    illegal(0x6ec5_c073 | (1 << 7));
}

#[test]
fn compressed_known_encodings() {
    check(0x0001, Op::Addi, 0, 0, 0, 0); // c.nop
    check(0x9002, Op::Ebreak, 0, 0, 0, 0); // c.ebreak
    check(0x8082, Op::Jalr, 0, 1, 0, 0); // c.jr ra (ret)
    check(0x9582, Op::Jalr, 1, 11, 0, 0); // c.jalr a1
    check(0x852e, Op::Add, 10, 0, 11, 0); // c.mv a0, a1
    check(0x952e, Op::Add, 10, 10, 11, 0); // c.add a0, a1
    check(0x4501, Op::Addi, 10, 0, 0, 0); // c.li a0, 0
    check(0x557d, Op::Addi, 10, 0, 0, -1); // c.li a0, -1
    check(0x1141, Op::Addi, 2, 2, 0, -16); // c.addi sp, -16
    check(0x7139, Op::Addi, 2, 2, 0, -64); // c.addi16sp sp, -64
    check(0x6121, Op::Addi, 2, 2, 0, 64); // c.addi16sp sp, 64
    check(0x0800, Op::Addi, 8, 2, 0, 16); // c.addi4spn s0, sp, 16
    check(0x0080, Op::Addi, 8, 2, 0, 64); // c.addi4spn s0, sp, 64 (nzuimm[6] in bit 7)
    check(0x0880, Op::Addi, 8, 2, 0, 80); // c.addi4spn s0, sp, 80
    check(0xe406, Op::Sd, 0, 2, 1, 8); // c.sdsp ra, 8(sp)
    check(0x60a2, Op::Ld, 1, 2, 0, 8); // c.ldsp ra, 8(sp)
    check(0x4108, Op::Lw, 10, 10, 0, 0); // c.lw a0, 0(a0)
    check(0x6505, Op::Lui, 10, 0, 0, 0x1000); // c.lui a0, 1
    check(0x757d, Op::Lui, 10, 0, 0, -4096); // c.lui a0, 0xfffff (imm6 = -1)
    check(0xa001, Op::Jal, 0, 0, 0, 0); // c.j .
    check(0xc101, Op::Beq, 0, 10, 0, 0); // c.beqz a0, .
    check(0x2505, Op::Addiw, 10, 10, 0, 1); // c.addiw a0, 1
    check(0x8d0d, Op::Sub, 10, 10, 11, 0); // c.sub a0, a1
    check(0x9d2d, Op::Addw, 10, 10, 11, 0); // c.addw a0, a1
    check(0x9d0d, Op::Subw, 10, 10, 11, 0); // c.subw a0, a1
    check(0x8105, Op::Srli, 10, 10, 0, 1); // c.srli a0, 1
    check(0x9501, Op::Srai, 10, 10, 0, 32); // c.srai a0, 32 (shamt[5] in bit 12)
    check(0x9101, Op::Srli, 10, 10, 0, 32); // c.srli a0, 32
    check(0x897d, Op::Andi, 10, 10, 0, 31); // c.andi a0, 31
    check(0x050a, Op::Slli, 10, 10, 0, 2); // c.slli a0, 2
    // Bits 31:16 are ignored for a compressed fetch.
    check(0xdead_0001, Op::Addi, 0, 0, 0, 0);
}

#[test]
fn compressed_immediate_layouts() {
    // C.ADDI4SPN nzuimm[5:4|9:6|2|3] in 12:5: one bit at a time.
    let addi4spn = |field_bit: u32| d(1 << field_bit).imm;
    assert_eq!(addi4spn(5), 8); // nzuimm[3]
    assert_eq!(addi4spn(6), 4); // nzuimm[2]
    assert_eq!(addi4spn(7), 64); // nzuimm[6]
    assert_eq!(addi4spn(10), 512); // nzuimm[9]
    assert_eq!(addi4spn(11), 16); // nzuimm[4]
    assert_eq!(addi4spn(12), 32); // nzuimm[5]
    // C.ADDI16SP nzimm[9] in 12, nzimm[4|6|8:7|5] in 6:2 (rd = sp, funct3 011, quadrant 1).
    let addi16sp = |field_bit: u32| d(0x6101 | (1 << field_bit)).imm;
    assert_eq!(addi16sp(2), 32); // nzimm[5]
    assert_eq!(addi16sp(3), 128); // nzimm[7]
    assert_eq!(addi16sp(4), 256); // nzimm[8]
    assert_eq!(addi16sp(5), 64); // nzimm[6]
    assert_eq!(addi16sp(6), 16); // nzimm[4]
    assert_eq!(addi16sp(12), -512); // nzimm[9] is the sign
    // C.LWSP offset[5] in 12, offset[4:2|7:6] in 6:2 (rd = a0).
    let lwsp = |field_bit: u32| d(0x4502 | (1 << field_bit)).imm;
    assert_eq!(lwsp(2), 64);
    assert_eq!(lwsp(3), 128);
    assert_eq!(lwsp(4), 4);
    assert_eq!(lwsp(6), 16);
    assert_eq!(lwsp(12), 32);
    // C.LDSP offset[5] in 12, offset[4:3|8:6] in 6:2.
    let ldsp = |field_bit: u32| d(0x6502 | (1 << field_bit)).imm;
    assert_eq!(ldsp(2), 64);
    assert_eq!(ldsp(4), 256);
    assert_eq!(ldsp(5), 8);
    assert_eq!(ldsp(6), 16);
    assert_eq!(ldsp(12), 32);
    // C.SWSP offset[5:2|7:6] in 12:7; C.SDSP offset[5:3|8:6] in 12:7.
    assert_eq!(d(0xc002 | (1 << 7)).imm, 64);
    assert_eq!(d(0xc002 | (1 << 9)).imm, 4);
    assert_eq!(d(0xe002 | (1 << 7)).imm, 64);
    assert_eq!(d(0xe002 | (1 << 10)).imm, 8);
    // C.LW offset[5:3] in 12:10, [2] in 6, [6] in 5.
    assert_eq!(d(0x4000 | (1 << 5)).imm, 64);
    assert_eq!(d(0x4000 | (1 << 6)).imm, 4);
    assert_eq!(d(0x4000 | (1 << 10)).imm, 8);
    // C.J offset[11|4|9:8|10|6|7|3:1|5].
    let cj = |field_bit: u32| d(0xa001 | (1 << field_bit)).imm;
    assert_eq!(cj(2), 32);
    assert_eq!(cj(3), 2);
    assert_eq!(cj(6), 128);
    assert_eq!(cj(7), 64);
    assert_eq!(cj(8), 1024);
    assert_eq!(cj(9), 256);
    assert_eq!(cj(11), 16);
    assert_eq!(cj(12), -2048);
    // C.BEQZ offset[8|4:3] in 12:10, [7:6|2:1|5] in 6:2.
    let cb = |field_bit: u32| d(0xc001 | (1 << field_bit)).imm;
    assert_eq!(cb(2), 32);
    assert_eq!(cb(3), 2);
    assert_eq!(cb(5), 64);
    assert_eq!(cb(10), 8);
    assert_eq!(cb(12), -256);
}

#[test]
fn compressed_reserved_and_illegal() {
    illegal(0x0000); // all-zero halfword (norm:Zca_illegal)
    illegal(0x0004); // C.ADDI4SPN nzuimm = 0 with rd' ≠ x8
    illegal(0x6001 | (10 << 7)); // C.LUI a0, 0 (norm:c-lui_rsv)
    illegal(0x6101); // C.ADDI16SP 0 (norm:c-addi16sp_rsv)
    illegal(0x4002 | (1 << 4)); // C.LWSP rd = 0
    illegal(0x6002 | (1 << 5)); // C.LDSP rd = 0
    illegal(0x8002); // C.JR x0 (norm:c-jr_rsv)
    illegal(0x2001 | (1 << 2)); // C.ADDIW x0
    illegal(0x9c41); // quadrant 1 funct3 100, bit 12 = 1, funct2 10: reserved
    illegal(0x9c61); // ... funct2 11
    illegal(0x2000); // C.FLD
    illegal(0xa000); // C.FSD
    illegal(0x2002); // C.FLDSP
    illegal(0xa002); // C.FSDSP
    illegal(0x8000); // quadrant 0 funct3 100 (reserved)
    // HINTs decode as their operation.
    check(0x0005, Op::Addi, 0, 0, 0, 1); // c.nop 1
    check(0x0501, Op::Addi, 10, 10, 0, 0); // c.addi a0, 0
    check(0x4005, Op::Addi, 0, 0, 0, 1); // c.li x0, 1
    check(0x6005, Op::Lui, 0, 0, 0, 0x1000); // c.lui x0, 1
    check(0x802e, Op::Add, 0, 0, 11, 0); // c.mv x0, a1
    check(0x902e, Op::Add, 0, 0, 11, 0); // c.add x0, a1
    check(0x0002, Op::Slli, 0, 0, 0, 0); // c.slli x0, 0
    check(0x8101, Op::Srli, 10, 10, 0, 0); // c.srli a0, 0
}
