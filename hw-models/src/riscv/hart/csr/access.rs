//! The Zicsr access rules shared by every CSR (zicsr chapter; priv "CSR Address Mapping
//! Conventions").

use super::lookup;
use crate::riscv::hart::state::ArchState;
use crate::riscv::privilege::PrivLevel;

/// Bits 9:8 of a CSR number: the lowest privilege that may access it.
const PRIV_SHIFT: u32 = 8;
/// Bits 11:10 == 0b11 mark a read-only CSR.
const RO_SHIFT: u32 = 10;

/// What a Zicsr instruction does to the CSR.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CsrOp {
    /// CSRRW/CSRRWI: replace.
    Write,
    /// CSRRS/CSRRSI: set the operand's bits.
    Set,
    /// CSRRC/CSRRCI: clear the operand's bits.
    Clear,
}

/// Whether a CSR number is read-only by its encoding (norm:Zicsr_write_ro).
pub(crate) const fn number_is_read_only(num: u16) -> bool {
    (num >> RO_SHIFT) & 3 == 3
}

/// The lowest privilege that may access a CSR number (norm:Zicsr_higher_priv).
pub(crate) const fn number_min_priv(num: u16) -> u8 {
    ((num >> PRIV_SHIFT) & 3) as u8
}

/// Performs one Zicsr instruction on `num`. `writes` is false for CSRRS/CSRRC with rs1 = x0
/// and CSRRSI/CSRRCI with uimm = 0: those never write, so they are legal on read-only CSRs
/// (norm:Zicsr_rw). Returns the old value, or `Err(())` when the access raises
/// illegal-instruction: nonexistent CSR, too little privilege (norm:Zicsr_illegal_mode),
/// write to a read-only CSR (norm:Zicsr_write_ro), or a counter disabled in mcounteren
/// (norm:mcounteren_clr_ill_inst_exc).
pub(crate) fn csr_op(
    st: &mut ArchState,
    num: u16,
    op: CsrOp,
    operand: u64,
    writes: bool,
) -> Result<u64, ()> {
    let def = lookup(num, st.features).ok_or(())?;
    let cur = st.mode.privilege;
    if number_min_priv(num) > cur as u8 {
        return Err(());
    }
    if writes && (number_is_read_only(num) || def.write.is_none()) {
        return Err(());
    }
    if let Some(bit) = def.counter_bit {
        if cur != PrivLevel::Machine && (st.csr.mcounteren >> bit) & 1 == 0 {
            return Err(());
        }
    }
    let old = (def.read)(st);
    if writes {
        let new = match op {
            CsrOp::Write => operand,
            CsrOp::Set => old | operand,
            CsrOp::Clear => old & !operand,
        };
        if let Some(w) = def.write {
            w(st, new);
        }
    }
    Ok(old)
}
