//! Instruction semantics (unpriv RV64I, M, A, Zicsr, Zifencei; priv trap-return and WFI).

use super::Hart;
use super::bus::Bus;
use super::csr::access::{CsrFault, CsrOp, csr_op};
use super::mem::AccessType;
use super::system;
use super::trap::{self, Exception};
use crate::riscv::cause::exc;
use crate::riscv::isa::{Insn, Op};
use crate::riscv::privilege::PrivLevel;

/// CSR numbers are 12 bits (bits 31:20 of the encoding).
const CSR_NUM_MASK: u32 = 0xfff;

#[inline(always)]
const fn sext32(v: u64) -> u64 {
    v as i32 as i64 as u64
}

/// DIV: by zero gives all ones (norm:div_by_zero); MIN / -1 gives MIN
/// (norm:signed_div_overflow).
#[inline]
pub(crate) const fn div(a: i64, b: i64) -> i64 {
    if b == 0 { -1 } else { a.wrapping_div(b) }
}
/// REM: by zero gives the dividend (norm:rem_by_zero); MIN % -1 gives 0; the sign follows
/// the dividend (norm:rem_result_sign).
#[inline]
pub(crate) const fn rem(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { a.wrapping_rem(b) }
}
/// DIVU: by zero gives 2^XLEN - 1.
#[inline]
pub(crate) fn divu(a: u64, b: u64) -> u64 {
    a.checked_div(b).unwrap_or(u64::MAX)
}
/// REMU: by zero gives the dividend.
#[inline]
pub(crate) const fn remu(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { a % b }
}
/// DIVW (on the low 32 bits, result sign-extended, norm:rv64_w_sex).
#[inline]
pub(crate) const fn divw(a: u64, b: u64) -> u64 {
    let (a, b) = (a as i32, b as i32);
    (if b == 0 { -1 } else { a.wrapping_div(b) }) as i64 as u64
}
/// REMW.
#[inline]
pub(crate) const fn remw(a: u64, b: u64) -> u64 {
    let (a, b) = (a as i32, b as i32);
    (if b == 0 { a } else { a.wrapping_rem(b) }) as i64 as u64
}
/// DIVUW.
#[inline]
pub(crate) fn divuw(a: u64, b: u64) -> u64 {
    (a as u32).checked_div(b as u32).unwrap_or(u32::MAX) as i32 as i64 as u64
}
/// REMUW.
#[inline]
pub(crate) const fn remuw(a: u64, b: u64) -> u64 {
    let (a, b) = (a as u32, b as u32);
    (if b == 0 { a } else { a % b }) as i32 as i64 as u64
}

impl Hart {
    /// Executes one instruction at `pc`. Returns the next pc, or the exception to take (with
    /// no architectural state changed).
    #[inline(always)]
    pub(crate) fn execute<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        insn: Insn,
        pc: u64,
    ) -> Result<u64, Exception> {
        let next = pc.wrapping_add(u64::from(insn.len));
        let rd = usize::from(insn.rd & 31);
        let a = self.st.x[usize::from(insn.rs1 & 31)];
        let b = self.st.x[usize::from(insn.rs2 & 31)];
        let imm = insn.imm as i64 as u64;
        let v: u64 = match insn.op {
            Op::Lui => imm,
            Op::Auipc => pc.wrapping_add(imm),
            Op::Jal => {
                let t = pc.wrapping_add(imm);
                let t = jump_target(t)?;
                self.wr(rd, next);
                return Ok(t);
            }
            Op::Jalr => {
                let t = a.wrapping_add(imm) & !1;
                self.wr(rd, next);
                return Ok(t);
            }
            Op::Beq => return branch(a == b, pc, imm, next),
            Op::Bne => return branch(a != b, pc, imm, next),
            Op::Blt => return branch((a as i64) < (b as i64), pc, imm, next),
            Op::Bge => return branch((a as i64) >= (b as i64), pc, imm, next),
            Op::Bltu => return branch(a < b, pc, imm, next),
            Op::Bgeu => return branch(a >= b, pc, imm, next),
            Op::Lb => self.load(bus, a.wrapping_add(imm), 1)? as i8 as i64 as u64,
            Op::Lh => self.load(bus, a.wrapping_add(imm), 2)? as i16 as i64 as u64,
            Op::Lw => self.load(bus, a.wrapping_add(imm), 4)? as i32 as i64 as u64,
            Op::Ld => self.load(bus, a.wrapping_add(imm), 8)?,
            Op::Lbu => self.load(bus, a.wrapping_add(imm), 1)?,
            Op::Lhu => self.load(bus, a.wrapping_add(imm), 2)?,
            Op::Lwu => self.load(bus, a.wrapping_add(imm), 4)?,
            Op::Sb => {
                self.store(bus, a.wrapping_add(imm), 1, b)?;
                return Ok(next);
            }
            Op::Sh => {
                self.store(bus, a.wrapping_add(imm), 2, b)?;
                return Ok(next);
            }
            Op::Sw => {
                self.store(bus, a.wrapping_add(imm), 4, b)?;
                return Ok(next);
            }
            Op::Sd => {
                self.store(bus, a.wrapping_add(imm), 8, b)?;
                return Ok(next);
            }
            Op::Addi => a.wrapping_add(imm),
            Op::Slti => u64::from((a as i64) < (imm as i64)),
            Op::Sltiu => u64::from(a < imm),
            Op::Xori => a ^ imm,
            Op::Ori => a | imm,
            Op::Andi => a & imm,
            Op::Slli => a << (imm & 63),
            Op::Srli => a >> (imm & 63),
            Op::Srai => ((a as i64) >> (imm & 63)) as u64,
            Op::Add => a.wrapping_add(b),
            Op::Sub => a.wrapping_sub(b),
            Op::Sll => a << (b & 63),
            Op::Slt => u64::from((a as i64) < (b as i64)),
            Op::Sltu => u64::from(a < b),
            Op::Xor => a ^ b,
            Op::Srl => a >> (b & 63),
            Op::Sra => ((a as i64) >> (b & 63)) as u64,
            Op::Or => a | b,
            Op::And => a & b,
            Op::Addiw => sext32(a.wrapping_add(imm)),
            Op::Slliw => sext32(((a as u32) << (imm & 31)) as u64),
            Op::Srliw => sext32(((a as u32) >> (imm & 31)) as u64),
            Op::Sraiw => ((a as i32) >> (imm & 31)) as i64 as u64,
            Op::Addw => sext32(a.wrapping_add(b)),
            Op::Subw => sext32(a.wrapping_sub(b)),
            Op::Sllw => sext32(((a as u32) << (b & 31)) as u64),
            Op::Srlw => sext32(((a as u32) >> (b & 31)) as u64),
            Op::Sraw => ((a as i32) >> (b & 31)) as i64 as u64,
            Op::Mul => a.wrapping_mul(b),
            Op::Mulh => ((i128::from(a as i64) * i128::from(b as i64)) >> 64) as u64,
            Op::Mulhsu => ((i128::from(a as i64) * i128::from(b)) >> 64) as u64,
            Op::Mulhu => ((u128::from(a) * u128::from(b)) >> 64) as u64,
            Op::Div => div(a as i64, b as i64) as u64,
            Op::Divu => divu(a, b),
            Op::Rem => rem(a as i64, b as i64) as u64,
            Op::Remu => remu(a, b),
            Op::Mulw => sext32(a.wrapping_mul(b)),
            Op::Divw => divw(a, b),
            Op::Divuw => divuw(a, b),
            Op::Remw => remw(a, b),
            Op::Remuw => remuw(a, b),
            Op::Fence => return Ok(next),
            Op::FenceI => {
                self.fence_i();
                return Ok(next);
            }
            Op::Csrrw | Op::Csrrs | Op::Csrrc | Op::Csrrwi | Op::Csrrsi | Op::Csrrci => {
                self.exec_csr(bus, insn, a)?
            }
            Op::LrW | Op::LrD | Op::ScW | Op::ScD => self.exec_lrsc(bus, insn, a, b)?,
            Op::AmoswapW
            | Op::AmoaddW
            | Op::AmoxorW
            | Op::AmoandW
            | Op::AmoorW
            | Op::AmominW
            | Op::AmomaxW
            | Op::AmominuW
            | Op::AmomaxuW
            | Op::AmoswapD
            | Op::AmoaddD
            | Op::AmoxorD
            | Op::AmoandD
            | Op::AmoorD
            | Op::AmominD
            | Op::AmomaxD
            | Op::AmominuD
            | Op::AmomaxuD => self.exec_amo(bus, insn, a, b)?,
            Op::Ecall => return Err(self.ecall()),
            // norm:ebreak_op: breakpoint; hvsim sets xtval to the pc of the EBREAK (norm:mtval_op).
            Op::Ebreak => return Err(Exception::new(exc::BREAKPOINT, pc)),
            Op::Mret => return self.exec_mret(insn),
            Op::Wfi => return self.exec_wfi(insn, next),
            Op::Sret => return self.exec_sret(insn),
            Op::SfenceVma => {
                self.exec_sfence(insn)?;
                return Ok(next);
            }
            Op::HfenceVvma => {
                self.exec_hfence(insn, false)?;
                return Ok(next);
            }
            Op::HfenceGvma => {
                self.exec_hfence(insn, true)?;
                return Ok(next);
            }
            Op::HlvB => self.exec_hlv(bus, insn, a, 1, true, false)?,
            Op::HlvBu => self.exec_hlv(bus, insn, a, 1, false, false)?,
            Op::HlvH => self.exec_hlv(bus, insn, a, 2, true, false)?,
            Op::HlvHu => self.exec_hlv(bus, insn, a, 2, false, false)?,
            Op::HlvW => self.exec_hlv(bus, insn, a, 4, true, false)?,
            Op::HlvWu => self.exec_hlv(bus, insn, a, 4, false, false)?,
            Op::HlvD => self.exec_hlv(bus, insn, a, 8, false, false)?,
            Op::HlvxHu => self.exec_hlv(bus, insn, a, 2, false, true)?,
            Op::HlvxWu => self.exec_hlv(bus, insn, a, 4, false, true)?,
            Op::HsvB => return self.exec_hsv(bus, insn, a, b, 1, next),
            Op::HsvH => return self.exec_hsv(bus, insn, a, b, 2, next),
            Op::HsvW => return self.exec_hsv(bus, insn, a, b, 4, next),
            Op::HsvD => return self.exec_hsv(bus, insn, a, b, 8, next),
            Op::Illegal => return Err(Exception::illegal(insn.raw)),
        };
        self.wr(rd, v);
        Ok(next)
    }

    /// Writes x`rd` (x0 is re-zeroed by the run loop after every instruction).
    #[inline(always)]
    fn wr(&mut self, rd: usize, v: u64) {
        self.st.x[rd & 31] = v;
    }

    #[inline(never)]
    fn ecall(&self) -> Exception {
        let cause = match (self.st.mode.privilege, self.st.mode.virt) {
            (PrivLevel::User, _) => exc::ECALL_FROM_U,
            (PrivLevel::Supervisor, false) => exc::ECALL_FROM_S,
            (PrivLevel::Supervisor, true) => exc::ECALL_FROM_VS,
            (PrivLevel::Machine, _) => exc::ECALL_FROM_M,
        };
        // xtval is 0 for ecall (norm:mtval_other_traps_zero).
        Exception::new(cause, 0)
    }

    #[inline(never)]
    fn exec_mret(&mut self, insn: Insn) -> Result<u64, Exception> {
        if self.st.mode.privilege != PrivLevel::Machine {
            return Err(Exception::illegal(insn.raw));
        }
        trap::mret(&mut self.st);
        self.exit = true;
        self.fetch_vpn = super::NO_PAGE;
        Ok(self.st.pc)
    }

    fn exec_hlv<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        insn: Insn,
        a: u64,
        size: usize,
        signed: bool,
        hlvx: bool,
    ) -> Result<u64, Exception> {
        system::rules::hlsv(self.st.mode, self.st.csr.hstatus, insn.raw)?;
        self.hyp_access_load(bus, a, size, signed, hlvx)
    }

    fn exec_hsv<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        insn: Insn,
        a: u64,
        b: u64,
        size: usize,
        next: u64,
    ) -> Result<u64, Exception> {
        system::rules::hlsv(self.st.mode, self.st.csr.hstatus, insn.raw)?;
        self.hyp_access_store(bus, a, size, b)?;
        Ok(next)
    }

    #[inline(never)]
    fn fence_i(&mut self) {
        self.icache.flush();
        self.remark_watches();
        self.fetch_vpn = super::NO_PAGE;
        self.exit = true;
    }

    #[inline(never)]
    fn exec_csr<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        insn: Insn,
        a: u64,
    ) -> Result<u64, Exception> {
        let num = (insn.imm as u32 & CSR_NUM_MASK) as u16;
        let uimm = u64::from(insn.rs1 & 31);
        let (op, operand, writes) = match insn.op {
            Op::Csrrw => (CsrOp::Write, a, true),
            Op::Csrrs => (CsrOp::Set, a, insn.rs1 != 0),
            Op::Csrrc => (CsrOp::Clear, a, insn.rs1 != 0),
            Op::Csrrwi => (CsrOp::Write, uimm, true),
            Op::Csrrsi => (CsrOp::Set, uimm, uimm != 0),
            _ => (CsrOp::Clear, uimm, uimm != 0),
        };
        // time, the Sstc comparators and the pending bits they drive are read fresh.
        self.st.time = bus.time(self.st.retired);
        self.st.csr.refresh_timers(self.st.time);
        let old = csr_op(&mut self.st, num, op, operand, writes).map_err(|f| match f {
            CsrFault::Illegal => Exception::illegal(insn.raw),
            CsrFault::Virtual => Exception::virtual_insn(insn.raw),
        })?;
        if writes {
            // A write may enable an interrupt or change translation: leave the inner loop so
            // both are re-evaluated before the next instruction (norm:intr_mip_mie_xret_csrwr).
            self.exit = true;
            self.fetch_vpn = super::NO_PAGE;
        }
        Ok(old)
    }

    #[inline(never)]
    fn exec_lrsc<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        insn: Insn,
        a: u64,
        b: u64,
    ) -> Result<u64, Exception> {
        let size = if matches!(insn.op, Op::LrW | Op::ScW) {
            4
        } else {
            8
        };
        let is_lr = matches!(insn.op, Op::LrW | Op::LrD);
        let at = if is_lr {
            AccessType::Load
        } else {
            AccessType::Store
        };
        let (pa, page) = self.atomic_target(bus, a, size, at)?;
        if is_lr {
            let v = Self::ram_read(bus, page, pa, size);
            self.st.reservation = Some(pa & !7);
            return Ok(if size == 4 { sext32(v) } else { v });
        }
        // norm:sc_reservation_invalidate: SC always ends the reservation;
        // norm:sc_addr_not_in_reservation_fail.
        let ok = self.st.reservation == Some(pa & !7);
        self.st.reservation = None;
        if ok {
            self.ram_write(bus, page, pa, size, b);
            Ok(0)
        } else {
            // norm:sc_failure_code: 1 = unspecified failure.
            Ok(1)
        }
    }

    #[inline(never)]
    fn exec_amo<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        insn: Insn,
        a: u64,
        b: u64,
    ) -> Result<u64, Exception> {
        let word = matches!(
            insn.op,
            Op::AmoswapW
                | Op::AmoaddW
                | Op::AmoxorW
                | Op::AmoandW
                | Op::AmoorW
                | Op::AmominW
                | Op::AmomaxW
                | Op::AmominuW
                | Op::AmomaxuW
        );
        let size = if word { 4 } else { 8 };
        let (pa, page) = self.atomic_target(bus, a, size, AccessType::Store)?;
        let raw = Self::ram_read(bus, page, pa, size);
        // Operands as the instruction sees them: W forms work on sign-extended words.
        let (old, src) = if word {
            (sext32(raw), sext32(b))
        } else {
            (raw, b)
        };
        let new = match insn.op {
            Op::AmoswapW | Op::AmoswapD => src,
            Op::AmoaddW | Op::AmoaddD => old.wrapping_add(src),
            Op::AmoxorW | Op::AmoxorD => old ^ src,
            Op::AmoandW | Op::AmoandD => old & src,
            Op::AmoorW | Op::AmoorD => old | src,
            Op::AmominW | Op::AmominD => (old as i64).min(src as i64) as u64,
            Op::AmomaxW | Op::AmomaxD => (old as i64).max(src as i64) as u64,
            Op::AmominuW => u64::from((old as u32).min(src as u32)),
            Op::AmomaxuW => u64::from((old as u32).max(src as u32)),
            Op::AmominuD => old.min(src),
            _ => old.max(src),
        };
        self.ram_write(bus, page, pa, size, new);
        Ok(old)
    }
}

#[inline(always)]
fn jump_target(t: u64) -> Result<u64, Exception> {
    // With C, targets need only 2-byte alignment; the decoder never produces odd offsets, but
    // a hand-built Insn could (norm: instruction-address-misaligned, tval = target).
    if t & 1 != 0 {
        Err(Exception::new(exc::INSTRUCTION_ADDRESS_MISALIGNED, t))
    } else {
        Ok(t)
    }
}

#[inline(always)]
fn branch(taken: bool, pc: u64, imm: u64, next: u64) -> Result<u64, Exception> {
    if taken {
        jump_target(pc.wrapping_add(imm))
    } else {
        Ok(next)
    }
}
