//! Re-encoding a decoded [`Insn`]: the inverse of [`decode`](super::super::decode).
//!
//! The operands decide the encoding. `raw` is read only where the [`Insn`] contract puts
//! information there: the aq/rl bits of AMOs, and — for `len == 2` — which compressed
//! instruction to use when two expand to the same `Insn` (the HINT code points C.ADDI x0 vs
//! C.LI x0, C.MV x0 vs C.ADD x0, and C.ADDI sp vs C.ADDI16SP for ±16/-32). Without such a
//! hint the first form listed in `compress` is chosen.

use super::super::insn::{Insn, Op};
use super::super::opcodes::{F3_FENCE, F3_FENCE_I, MISC_MEM};
use super::base::*;
use super::compressed::*;
use super::{AqRl, EncResult, EncodeError, Reg, check_range};

/// Encodes `insn`: the 32-bit word, or for `len == 2` the 16-bit encoding in the low half.
pub fn encode(insn: &Insn) -> EncResult<u32> {
    match insn.len {
        4 => encode32(insn),
        2 => compress(insn).map(u32::from),
        n => Err(EncodeError::BadLength(n)),
    }
}

fn lui_field(imm: i32) -> EncResult<i32> {
    if imm & 0xfff != 0 {
        return Err(EncodeError::ImmOutOfRange {
            what: "lui/auipc low 12 bits",
            value: imm.into(),
        });
    }
    Ok(imm >> 12)
}

fn csr_num(imm: i32) -> EncResult<u16> {
    check_range("csr number", imm.into(), 0, 0xfff)?;
    Ok(imm as u16)
}

fn fence_field(i: &Insn, rd: Reg, rs1: Reg, f3: u32) -> EncResult<u32> {
    check_range("fence field", i.imm.into(), 0, 0xfff)?;
    Ok(MISC_MEM
        | (f3 << 12)
        | (u32::from(rd.num()) << 7)
        | (u32::from(rs1.num()) << 15)
        | ((i.imm as u32) << 20))
}

fn encode32(i: &Insn) -> EncResult<u32> {
    let rd = Reg::new(i.rd)?;
    let rs1 = Reg::new(i.rs1)?;
    let rs2 = Reg::new(i.rs2)?;
    let imm = i.imm;
    let shamt = || {
        u32::try_from(imm).map_err(|_| EncodeError::ImmOutOfRange {
            what: "shamt",
            value: imm.into(),
        })
    };
    let ord = AqRl {
        aq: i.aq(),
        rl: i.rl(),
    };
    let uimm = i.rs1;
    Ok(match i.op {
        Op::Illegal => return Err(EncodeError::Illegal),
        Op::Lui => lui(rd, lui_field(imm)?)?,
        Op::Auipc => auipc(rd, lui_field(imm)?)?,
        Op::Jal => jal(rd, imm)?,
        Op::Jalr => jalr(rd, rs1, imm)?,
        Op::Beq => beq(rs1, rs2, imm)?,
        Op::Bne => bne(rs1, rs2, imm)?,
        Op::Blt => blt(rs1, rs2, imm)?,
        Op::Bge => bge(rs1, rs2, imm)?,
        Op::Bltu => bltu(rs1, rs2, imm)?,
        Op::Bgeu => bgeu(rs1, rs2, imm)?,
        Op::Lb => lb(rd, rs1, imm)?,
        Op::Lh => lh(rd, rs1, imm)?,
        Op::Lw => lw(rd, rs1, imm)?,
        Op::Ld => ld(rd, rs1, imm)?,
        Op::Lbu => lbu(rd, rs1, imm)?,
        Op::Lhu => lhu(rd, rs1, imm)?,
        Op::Lwu => lwu(rd, rs1, imm)?,
        Op::Sb => sb(rs2, rs1, imm)?,
        Op::Sh => sh(rs2, rs1, imm)?,
        Op::Sw => sw(rs2, rs1, imm)?,
        Op::Sd => sd(rs2, rs1, imm)?,
        Op::Addi => addi(rd, rs1, imm)?,
        Op::Slti => slti(rd, rs1, imm)?,
        Op::Sltiu => sltiu(rd, rs1, imm)?,
        Op::Xori => xori(rd, rs1, imm)?,
        Op::Ori => ori(rd, rs1, imm)?,
        Op::Andi => andi(rd, rs1, imm)?,
        Op::Slli => slli(rd, rs1, shamt()?)?,
        Op::Srli => srli(rd, rs1, shamt()?)?,
        Op::Srai => srai(rd, rs1, shamt()?)?,
        Op::Add => add(rd, rs1, rs2),
        Op::Sub => sub(rd, rs1, rs2),
        Op::Sll => sll(rd, rs1, rs2),
        Op::Slt => slt(rd, rs1, rs2),
        Op::Sltu => sltu(rd, rs1, rs2),
        Op::Xor => xor(rd, rs1, rs2),
        Op::Srl => srl(rd, rs1, rs2),
        Op::Sra => sra(rd, rs1, rs2),
        Op::Or => or(rd, rs1, rs2),
        Op::And => and(rd, rs1, rs2),
        Op::Addiw => addiw(rd, rs1, imm)?,
        Op::Slliw => slliw(rd, rs1, shamt()?)?,
        Op::Srliw => srliw(rd, rs1, shamt()?)?,
        Op::Sraiw => sraiw(rd, rs1, shamt()?)?,
        Op::Addw => addw(rd, rs1, rs2),
        Op::Subw => subw(rd, rs1, rs2),
        Op::Sllw => sllw(rd, rs1, rs2),
        Op::Srlw => srlw(rd, rs1, rs2),
        Op::Sraw => sraw(rd, rs1, rs2),
        Op::Fence => fence_field(i, rd, rs1, F3_FENCE)?,
        Op::FenceI => fence_field(i, rd, rs1, F3_FENCE_I)?,
        Op::Ecall => ecall(),
        Op::Ebreak => ebreak(),
        Op::Csrrw => csrrw(rd, csr_num(imm)?, rs1)?,
        Op::Csrrs => csrrs(rd, csr_num(imm)?, rs1)?,
        Op::Csrrc => csrrc(rd, csr_num(imm)?, rs1)?,
        Op::Csrrwi => csrrwi(rd, csr_num(imm)?, uimm)?,
        Op::Csrrsi => csrrsi(rd, csr_num(imm)?, uimm)?,
        Op::Csrrci => csrrci(rd, csr_num(imm)?, uimm)?,
        Op::Mul => mul(rd, rs1, rs2),
        Op::Mulh => mulh(rd, rs1, rs2),
        Op::Mulhsu => mulhsu(rd, rs1, rs2),
        Op::Mulhu => mulhu(rd, rs1, rs2),
        Op::Div => div(rd, rs1, rs2),
        Op::Divu => divu(rd, rs1, rs2),
        Op::Rem => rem(rd, rs1, rs2),
        Op::Remu => remu(rd, rs1, rs2),
        Op::Mulw => mulw(rd, rs1, rs2),
        Op::Divw => divw(rd, rs1, rs2),
        Op::Divuw => divuw(rd, rs1, rs2),
        Op::Remw => remw(rd, rs1, rs2),
        Op::Remuw => remuw(rd, rs1, rs2),
        Op::LrW => lr_w(rd, rs1, ord),
        Op::ScW => sc_w(rd, rs2, rs1, ord),
        Op::AmoswapW => amoswap_w(rd, rs2, rs1, ord),
        Op::AmoaddW => amoadd_w(rd, rs2, rs1, ord),
        Op::AmoxorW => amoxor_w(rd, rs2, rs1, ord),
        Op::AmoandW => amoand_w(rd, rs2, rs1, ord),
        Op::AmoorW => amoor_w(rd, rs2, rs1, ord),
        Op::AmominW => amomin_w(rd, rs2, rs1, ord),
        Op::AmomaxW => amomax_w(rd, rs2, rs1, ord),
        Op::AmominuW => amominu_w(rd, rs2, rs1, ord),
        Op::AmomaxuW => amomaxu_w(rd, rs2, rs1, ord),
        Op::LrD => lr_d(rd, rs1, ord),
        Op::ScD => sc_d(rd, rs2, rs1, ord),
        Op::AmoswapD => amoswap_d(rd, rs2, rs1, ord),
        Op::AmoaddD => amoadd_d(rd, rs2, rs1, ord),
        Op::AmoxorD => amoxor_d(rd, rs2, rs1, ord),
        Op::AmoandD => amoand_d(rd, rs2, rs1, ord),
        Op::AmoorD => amoor_d(rd, rs2, rs1, ord),
        Op::AmominD => amomin_d(rd, rs2, rs1, ord),
        Op::AmomaxD => amomax_d(rd, rs2, rs1, ord),
        Op::AmominuD => amominu_d(rd, rs2, rs1, ord),
        Op::AmomaxuD => amomaxu_d(rd, rs2, rs1, ord),
        Op::Mret => mret(),
        Op::Sret => sret(),
        Op::Wfi => wfi(),
        Op::SfenceVma => sfence_vma(rs1, rs2),
        Op::HfenceVvma => hfence_vvma(rs1, rs2),
        Op::HfenceGvma => hfence_gvma(rs1, rs2),
        Op::HlvB => hlv_b(rd, rs1),
        Op::HlvBu => hlv_bu(rd, rs1),
        Op::HlvH => hlv_h(rd, rs1),
        Op::HlvHu => hlv_hu(rd, rs1),
        Op::HlvW => hlv_w(rd, rs1),
        Op::HlvWu => hlv_wu(rd, rs1),
        Op::HlvD => hlv_d(rd, rs1),
        Op::HlvxHu => hlvx_hu(rd, rs1),
        Op::HlvxWu => hlvx_wu(rd, rs1),
        Op::HsvB => hsv_b(rs2, rs1),
        Op::HsvH => hsv_h(rs2, rs1),
        Op::HsvW => hsv_w(rs2, rs1),
        Op::HsvD => hsv_d(rs2, rs1),
    })
}

/// Picks among candidate compressed encodings: the one equal to `raw` if there is one,
/// else the first that encodes.
fn pick<const N: usize>(op: Op, raw: u32, cands: [EncResult<u16>; N]) -> EncResult<u16> {
    let mut first = None;
    for c in cands.into_iter().flatten() {
        if u32::from(c) == raw & 0xffff {
            return Ok(c);
        }
        first.get_or_insert(c);
    }
    first.ok_or(EncodeError::NotCompressible(op))
}

fn when(cond: bool, op: Op, f: impl FnOnce() -> EncResult<u16>) -> EncResult<u16> {
    if cond {
        f()
    } else {
        Err(EncodeError::NotCompressible(op))
    }
}

fn compress(i: &Insn) -> EncResult<u16> {
    let rd = Reg::new(i.rd)?;
    let rs1 = Reg::new(i.rs1)?;
    let rs2 = Reg::new(i.rs2)?;
    let (op, imm, raw) = (i.op, i.imm, i.raw);
    let same = rd == rs1;
    let shamt = u32::try_from(imm).map_err(|_| EncodeError::NotCompressible(op));
    match op {
        Op::Addi => pick(
            op,
            raw,
            [
                when(same, op, || c_addi(rd, imm)),
                when(rs1 == Reg::ZERO, op, || c_li(rd, imm)),
                when(same && rd == Reg::SP, op, || c_addi16sp(imm)),
                when(rs1 == Reg::SP, op, || c_addi4spn(rd, imm)),
            ],
        ),
        Op::Addiw => when(same, op, || c_addiw(rd, imm)),
        Op::Lui => when(imm & 0xfff == 0, op, || c_lui(rd, imm >> 12)),
        Op::Add => pick(
            op,
            raw,
            [
                when(rs1 == Reg::ZERO, op, || c_mv(rd, rs2)),
                when(same, op, || c_add(rd, rs2)),
            ],
        ),
        Op::Lw => pick(
            op,
            raw,
            [
                when(rs1 == Reg::SP, op, || c_lwsp(rd, imm)),
                c_lw(rd, rs1, imm),
            ],
        ),
        Op::Ld => pick(
            op,
            raw,
            [
                when(rs1 == Reg::SP, op, || c_ldsp(rd, imm)),
                c_ld(rd, rs1, imm),
            ],
        ),
        Op::Sw => pick(
            op,
            raw,
            [
                when(rs1 == Reg::SP, op, || c_swsp(rs2, imm)),
                c_sw(rs2, rs1, imm),
            ],
        ),
        Op::Sd => pick(
            op,
            raw,
            [
                when(rs1 == Reg::SP, op, || c_sdsp(rs2, imm)),
                c_sd(rs2, rs1, imm),
            ],
        ),
        Op::Slli => when(same, op, || c_slli(rd, shamt?)),
        Op::Srli => when(same, op, || c_srli(rd, shamt?)),
        Op::Srai => when(same, op, || c_srai(rd, shamt?)),
        Op::Andi => when(same, op, || c_andi(rd, imm)),
        Op::Sub => when(same, op, || c_sub(rd, rs2)),
        Op::Xor => when(same, op, || c_xor(rd, rs2)),
        Op::Or => when(same, op, || c_or(rd, rs2)),
        Op::And => when(same, op, || c_and(rd, rs2)),
        Op::Subw => when(same, op, || c_subw(rd, rs2)),
        Op::Addw => when(same, op, || c_addw(rd, rs2)),
        Op::Jal => when(rd == Reg::ZERO, op, || c_j(imm)),
        Op::Beq => when(rs2 == Reg::ZERO, op, || c_beqz(rs1, imm)),
        Op::Bne => when(rs2 == Reg::ZERO, op, || c_bnez(rs1, imm)),
        Op::Jalr if imm == 0 && rd == Reg::ZERO => c_jr(rs1),
        Op::Jalr if imm == 0 && rd == Reg::RA => c_jalr(rs1),
        Op::Ebreak => Ok(c_ebreak()),
        Op::Illegal => Err(EncodeError::Illegal),
        _ => Err(EncodeError::NotCompressible(op)),
    }
}
