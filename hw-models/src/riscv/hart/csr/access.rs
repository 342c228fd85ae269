//! The Zicsr access rules shared by every CSR (zicsr chapter; priv "CSR Address Mapping
//! Conventions"; hypervisor "Hypervisor and Virtual Supervisor CSRs" and "Virtual-Instruction
//! Exceptions"; Sstc).

use super::{counters, envcfg, hstatus, mstatus};
use crate::riscv::csr_num as n;
use crate::riscv::hart::state::ArchState;
use crate::riscv::privilege::{Mode, PrivLevel};

/// Bits 9:8 of a CSR number: the lowest privilege that may access it.
const PRIV_SHIFT: u32 = 8;
/// Bits 11:10 == 0b11 mark a read-only CSR.
const RO_SHIFT: u32 = 10;
/// Bits 9:8 == 2: hypervisor and VS CSRs (HS-mode accessible).
const PRIV_HYPERVISOR: u8 = 2;

/// What a Zicsr instruction does to the CSR.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CsrOp {
    /// CSRRW/CSRRWI: replace.
    Write,
    /// CSRRS/CSRRSI: set the operand's bits.
    Set,
    /// CSRRC/CSRRCI: clear the operand's bits.
    Clear,
}

/// Why a CSR access raises an exception.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CsrFault {
    /// Illegal-instruction (2).
    Illegal,
    /// Virtual-instruction (22).
    Virtual,
}

/// Whether a CSR number is read-only by its encoding (norm:Zicsr_write_ro).
pub(crate) const fn number_is_read_only(num: u16) -> bool {
    (num >> RO_SHIFT) & 3 == 3
}

/// The lowest privilege that may access a CSR number (norm:Zicsr_higher_priv).
pub(crate) const fn number_min_priv(num: u16) -> u8 {
    ((num >> PRIV_SHIFT) & 3) as u8
}

/// The VS CSR that substitutes for S CSR `num` when V=1 (norm:H_vscsrs_sub). S CSRs with no
/// VS replica (scounteren, senvcfg) keep their own number (norm:H_scsrs_nomatch).
pub(crate) const fn vs_substitute(num: u16) -> u16 {
    match num {
        n::SSTATUS => n::VSSTATUS,
        n::SIE => n::VSIE,
        n::STVEC => n::VSTVEC,
        n::SSCRATCH => n::VSSCRATCH,
        n::SEPC => n::VSEPC,
        n::SCAUSE => n::VSCAUSE,
        n::STVAL => n::VSTVAL,
        n::SIP => n::VSIP,
        n::STIMECMP => n::VSTIMECMP,
        n::SATP => n::VSATP,
        other => other,
    }
}

/// The CSR an instruction executed in the current mode actually accesses, or the exception it
/// raises. `writes` as for [`csr_op`].
pub(crate) fn check(st: &ArchState, num: u16, writes: bool) -> Result<u16, CsrFault> {
    let def = st.csr.table.get(num).ok_or(CsrFault::Illegal)?;
    let ro = writes && (number_is_read_only(num) || def.write.is_none());
    let min = number_min_priv(num);
    let Mode { privilege, virt } = st.mode;
    // The exception for an access blocked at V=1 that would be allowed in HS-mode
    // (norm:H_cause_virtual_instruction: HS-qualified → virtual, else illegal).
    let blocked_v1 = if ro || min > PRIV_HYPERVISOR {
        CsrFault::Illegal
    } else {
        CsrFault::Virtual
    };
    let target = match (privilege, virt) {
        (PrivLevel::Machine, _) => num,
        (PrivLevel::Supervisor, false) => {
            if min > PRIV_HYPERVISOR {
                return Err(CsrFault::Illegal);
            }
            num
        }
        (PrivLevel::User, false) => {
            if min > 0 {
                return Err(CsrFault::Illegal);
            }
            num
        }
        (PrivLevel::Supervisor, true) => match min {
            0 => num,
            // norm:H_vscsrs_sub
            1 => vs_substitute(num),
            // norm:H_vscsrs_acc_vs, norm:H_virtinst_vu_vs_nonhigh_allowedhs_tvm0
            _ => return Err(blocked_v1),
        },
        (PrivLevel::User, true) => {
            if min > 0 {
                // norm:H_virtinst_vu_nonhigh_supervisor_allowedhs_tvm0
                return Err(blocked_v1);
            }
            num
        }
    };
    if ro {
        return Err(CsrFault::Illegal);
    }
    special_rules(st, num, def.counter_bit)?;
    Ok(target)
}

/// Rules tied to particular CSRs: counter enables, TVM/VTVM, Sstc.
fn special_rules(st: &ArchState, num: u16, counter_bit: Option<u32>) -> Result<(), CsrFault> {
    let Mode { privilege, virt } = st.mode;
    if privilege == PrivLevel::Machine {
        return Ok(());
    }
    let c = &st.csr;
    let en = |reg: u64, bit: u32| (reg >> bit) & 1 != 0;
    if let Some(bit) = counter_bit {
        return counter_rule(st, bit);
    }
    match num {
        n::SATP => {
            // norm:hstatus_vtvm_op / mstatus TVM (TVM is ignored in VS-mode).
            if virt && c.hstatus & hstatus::VTVM != 0 && privilege == PrivLevel::Supervisor {
                return Err(CsrFault::Virtual);
            }
            if !virt && c.mstatus & mstatus::TVM != 0 {
                return Err(CsrFault::Illegal);
            }
        }
        // norm:hgatp_tvm_illegal
        n::HGATP if c.mstatus & mstatus::TVM != 0 => return Err(CsrFault::Illegal),
        n::STIMECMP | n::VSTIMECMP => {
            // norm:menvcfg_stce_op2: STCE=0 → illegal below M; mcounteren.TM=0 → illegal.
            let tm = counters::EN_TM.trailing_zeros();
            if c.menvcfg & envcfg::STCE == 0 || !en(c.mcounteren, tm) {
                return Err(CsrFault::Illegal);
            }
            // Hypervisor "hcounteren" / "henvcfg": from VS, hcounteren.TM=0 or
            // henvcfg.STCE=0 → virtual-instruction.
            if virt && (!en(c.hcounteren, tm) || c.henvcfg_effective() & envcfg::STCE == 0) {
                return Err(CsrFault::Virtual);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Zicntr counter access below M (norm:mcounteren_clr_ill_inst_exc, scounteren, and
/// norm:H_virtinst_vs_nonhighctr_h0_m1, norm:H_virtinst_vu_nonhighctr_h0_s0_m1).
fn counter_rule(st: &ArchState, bit: u32) -> Result<(), CsrFault> {
    let c = &st.csr;
    let en = |reg: u64| (reg >> bit) & 1 != 0;
    if !en(c.mcounteren) {
        return Err(CsrFault::Illegal);
    }
    if !st.features.s {
        return Ok(());
    }
    match (st.mode.privilege, st.mode.virt) {
        (PrivLevel::User, false) if !en(c.scounteren) => Err(CsrFault::Illegal),
        (PrivLevel::Supervisor, true) if !en(c.hcounteren) => Err(CsrFault::Virtual),
        (PrivLevel::User, true) if !en(c.hcounteren) || !en(c.scounteren) => Err(CsrFault::Virtual),
        _ => Ok(()),
    }
}

/// Performs one Zicsr instruction on `num` in the current mode. `writes` is false for
/// CSRRS/CSRRC with rs1 = x0 and CSRRSI/CSRRCI with uimm = 0: those never write, so they are
/// legal on read-only CSRs (norm:Zicsr_rw). Returns the old value, or the exception.
pub(crate) fn csr_op(
    st: &mut ArchState,
    num: u16,
    op: CsrOp,
    operand: u64,
    writes: bool,
) -> Result<u64, CsrFault> {
    let target = check(st, num, writes)?;
    let def = *st.csr.table.get(target).ok_or(CsrFault::Illegal)?;
    let old = (def.read)(st);
    if writes {
        let base = match (op, def.rmw_read) {
            (CsrOp::Write, _) | (_, None) => old,
            (_, Some(r)) => r(st),
        };
        let new = match op {
            CsrOp::Write => operand,
            CsrOp::Set => base | operand,
            CsrOp::Clear => base & !operand,
        };
        if let Some(w) = def.write {
            w(st, new);
        }
    }
    Ok(old)
}
