//! Decoding of the guest loads and stores that hypervisors emulate as MMIO.
//!
//! A small decoder of its own (DESIGN.md: vcpu does not use hw-models' interpreter): only
//! the integer loads and stores, in their 32-bit and compressed forms, from either htinst
//! (a transformed instruction) or the instruction bits fetched with HLVX.

use sim_core::AccessWidth;

/// The two instruction lengths an MMIO access can have.
pub const LEN_COMPRESSED: u64 = 2;
/// A 32-bit instruction.
pub const LEN_FULL: u64 = 4;

const OPCODE_MASK: u32 = 0x7f;
const OPCODE_LOAD: u32 = 0b000_0011;
const OPCODE_STORE: u32 = 0b010_0011;
const QUADRANT_MASK: u32 = 0b11;
const QUADRANT_FULL: u32 = 0b11;
const QUADRANT_0: u32 = 0b00;
const QUADRANT_2: u32 = 0b10;
/// Bits 4:2 all ones with bits 1:0 = 11 mark an instruction longer than 32 bits.
const LONGER_THAN_32_MASK: u32 = 0b1_1100;

/// What the access does with a register.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MmioOp {
    /// A load into `rd`, sign- or zero-extended.
    Load {
        /// The destination register.
        rd: usize,
        /// LB/LH/LW (and C.LW, C.LH) sign-extend; LBU/LHU/LWU zero-extend; LD is full width.
        signed: bool,
    },
    /// A store of the low `width` bits of `rs2`.
    Store {
        /// The source register.
        rs2: usize,
    },
}

/// A decoded MMIO load or store.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MmioInsn {
    /// Load or store, and the register involved.
    pub op: MmioOp,
    /// The access width.
    pub width: AccessWidth,
    /// The length of the trapping instruction in bytes (2 or 4): sepc advances by it.
    pub len: u64,
}

/// What htinst says about a load/store guest-page fault (hypervisor spec,
/// "Transformed Instruction or Pseudoinstruction for mtinst or htinst").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Htinst {
    /// Zero or a value software may treat as zero (norm:H_trap_xtinst_exception_list): the
    /// hypervisor must read the instruction itself.
    Unknown,
    /// A transformed standard integer load or store.
    Transformed(MmioInsn),
    /// A pseudo-instruction: the fault was an implicit VS-stage page-table access
    /// (norm:H_trap_xtinst_guestpage), a write when the hart updated A/D bits
    /// (norm:H_trap_xtinst_guestpage_rw).
    VsStagePteAccess {
        /// The A/D-update (write) form 0x2020/0x3020.
        write: bool,
    },
}

/// Pseudo-instruction values (Table "Special pseudoinstruction values for guest-page faults").
const PSEUDO_READ_32: u64 = 0x2000;
const PSEUDO_WRITE_32: u64 = 0x2020;
const PSEUDO_READ_64: u64 = 0x3000;
const PSEUDO_WRITE_64: u64 = 0x3020;
/// Bit 1 of a transformed instruction: 1 if the original was 32-bit, 0 if compressed.
const TINST_NOT_COMPRESSED: u64 = 1 << 1;
/// Bit 0 of a transformed instruction is always 1.
const TINST_STANDARD: u64 = 1;

/// Classifies an htinst value.
///
/// Following the spec's note, the whole value is verified: bits 63:32 must be zero and bit 0
/// set before the low bits are read as a transformed instruction. Transformed values that
/// are standard but not integer loads/stores (AMO, FP, HLV/HSV) come back as `Unknown`,
/// so the caller decodes the fetched instruction and reaches the same verdict.
pub fn classify_htinst(htinst: u64) -> Htinst {
    match htinst {
        PSEUDO_READ_32 | PSEUDO_READ_64 => return Htinst::VsStagePteAccess { write: false },
        PSEUDO_WRITE_32 | PSEUDO_WRITE_64 => return Htinst::VsStagePteAccess { write: true },
        _ => {}
    }
    if htinst >> 32 != 0 || htinst & TINST_STANDARD == 0 {
        return Htinst::Unknown;
    }
    let len = if htinst & TINST_NOT_COMPRESSED != 0 {
        LEN_FULL
    } else {
        LEN_COMPRESSED
    };
    // Bits 63:32 are zero, so the value fits; bit 1 forced to 1 gives the 32-bit form.
    let insn = (htinst | TINST_NOT_COMPRESSED) as u32;
    match decode_full(insn) {
        Some(mut d) => {
            d.len = len;
            Htinst::Transformed(d)
        }
        None => Htinst::Unknown,
    }
}

/// The length in bytes of the instruction whose first 16-bit parcel is `parcel`, or `None`
/// for encodings longer than 32 bits (unpriv spec, "Base Instruction-Length Encoding").
pub fn insn_len(parcel: u16) -> Option<u64> {
    let p = u32::from(parcel);
    if p & QUADRANT_MASK != QUADRANT_FULL {
        Some(LEN_COMPRESSED)
    } else if p & LONGER_THAN_32_MASK != LONGER_THAN_32_MASK {
        Some(LEN_FULL)
    } else {
        None
    }
}

/// Decodes instruction bits (a 16-bit parcel in the low half, or a 32-bit instruction) as
/// an integer load or store. Anything else is `None`.
pub fn decode(bits: u32) -> Option<MmioInsn> {
    match insn_len(bits as u16)? {
        LEN_COMPRESSED => decode_compressed(bits as u16),
        _ => decode_full(bits),
    }
}

fn field(bits: u32, lo: u32, width: u32) -> u32 {
    (bits >> lo) & ((1 << width) - 1)
}

fn reg(bits: u32, lo: u32) -> usize {
    field(bits, lo, 5) as usize
}

/// RV64I LOAD/STORE (unpriv spec, "Load and Store Instructions").
fn decode_full(bits: u32) -> Option<MmioInsn> {
    let funct3 = field(bits, 12, 3);
    let (op, width) = match bits & OPCODE_MASK {
        OPCODE_LOAD => {
            let rd = reg(bits, 7);
            let (width, signed) = match funct3 {
                0b000 => (AccessWidth::Byte, true),
                0b001 => (AccessWidth::Word, true),
                0b010 => (AccessWidth::Dword, true),
                0b011 => (AccessWidth::Qword, false),
                0b100 => (AccessWidth::Byte, false),
                0b101 => (AccessWidth::Word, false),
                0b110 => (AccessWidth::Dword, false),
                _ => return None,
            };
            (MmioOp::Load { rd, signed }, width)
        }
        OPCODE_STORE => {
            let width = match funct3 {
                0b000 => AccessWidth::Byte,
                0b001 => AccessWidth::Word,
                0b010 => AccessWidth::Dword,
                0b011 => AccessWidth::Qword,
                _ => return None,
            };
            (MmioOp::Store { rs2: reg(bits, 20) }, width)
        }
        _ => return None,
    };
    Some(MmioInsn {
        op,
        width,
        len: LEN_FULL,
    })
}

/// RVC (Zca) loads/stores, plus Zcb's byte/halfword forms (unpriv spec, "Compressed
/// Instruction Formats"; Zcb). FP forms (C.FLD/C.FSD) are not emulated.
fn decode_compressed(parcel: u16) -> Option<MmioInsn> {
    let bits = u32::from(parcel);
    let funct3 = field(bits, 13, 3);
    // CL/CS formats name x8..x15 with 3-bit fields.
    let creg = |lo: u32| 8 + field(bits, lo, 3) as usize;
    let load = |rd: usize, width, signed| MmioOp::Load { rd, signed }.with(width);
    let store = |rs2: usize, width| MmioOp::Store { rs2 }.with(width);
    let insn = match (bits & QUADRANT_MASK, funct3) {
        (QUADRANT_0, 0b010) => load(creg(2), AccessWidth::Dword, true), // C.LW
        (QUADRANT_0, 0b011) => load(creg(2), AccessWidth::Qword, false), // C.LD
        (QUADRANT_0, 0b110) => store(creg(2), AccessWidth::Dword),      // C.SW
        (QUADRANT_0, 0b111) => store(creg(2), AccessWidth::Qword),      // C.SD
        (QUADRANT_0, 0b100) => {
            let bit6 = field(bits, 6, 1);
            match (field(bits, 10, 3), bit6) {
                (0b000, _) => load(creg(2), AccessWidth::Byte, false), // C.LBU
                (0b001, 0) => load(creg(2), AccessWidth::Word, false), // C.LHU
                (0b001, _) => load(creg(2), AccessWidth::Word, true),  // C.LH
                (0b010, _) => store(creg(2), AccessWidth::Byte),       // C.SB
                (0b011, 0) => store(creg(2), AccessWidth::Word),       // C.SH
                _ => return None,
            }
        }
        (QUADRANT_2, 0b010) | (QUADRANT_2, 0b011) => {
            // C.LWSP/C.LDSP: rd = x0 is reserved.
            let rd = reg(bits, 7);
            if rd == 0 {
                return None;
            }
            if funct3 == 0b010 {
                load(rd, AccessWidth::Dword, true)
            } else {
                load(rd, AccessWidth::Qword, false)
            }
        }
        (QUADRANT_2, 0b110) => store(reg(bits, 2), AccessWidth::Dword), // C.SWSP
        (QUADRANT_2, 0b111) => store(reg(bits, 2), AccessWidth::Qword), // C.SDSP
        _ => return None,
    };
    Some(insn)
}

impl MmioOp {
    fn with(self, width: AccessWidth) -> MmioInsn {
        MmioInsn {
            op: self,
            width,
            len: LEN_COMPRESSED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(insn_len(0x0001), Some(2));
        assert_eq!(insn_len(0x0003), Some(4));
        assert_eq!(insn_len(0x001f), None);
    }

    #[test]
    fn pseudo_instructions_are_not_mmio() {
        assert_eq!(
            classify_htinst(0x3000),
            Htinst::VsStagePteAccess { write: false }
        );
        assert_eq!(
            classify_htinst(0x3020),
            Htinst::VsStagePteAccess { write: true }
        );
    }

    #[test]
    fn high_bits_make_htinst_unknown() {
        // lw x1, 0(x0) with a bit above 31 set is not a transformed LW (spec note).
        assert_eq!(classify_htinst(0x1_0000_2083), Htinst::Unknown);
    }
}
