//! Instruction encoders for the tests (unpriv spec encodings), written independently of
//! the decoder under test.

pub const OP_LOAD: u32 = 0x03;
pub const OP_STORE: u32 = 0x23;

/// A 32-bit I-type LOAD: funct3 0 LB, 1 LH, 2 LW, 3 LD, 4 LBU, 5 LHU, 6 LWU.
pub fn load(funct3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    ((imm as u32 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | OP_LOAD
}

/// A 32-bit S-type STORE: funct3 0 SB, 1 SH, 2 SW, 3 SD.
pub fn store(funct3: u32, rs2: u32, rs1: u32, imm: i32) -> u32 {
    let imm = imm as u32 & 0xfff;
    ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((imm & 0x1f) << 7) | OP_STORE
}

/// The transformation of a 32-bit load/store for htinst: immediate fields and rs1 zeroed
/// (norm:H_tinst_addr_offset with a zero offset), then bit 1 cleared for a compressed
/// original.
pub fn transform(insn32: u32, compressed: bool) -> u64 {
    let opcode = insn32 & 0x7f;
    let keep = if opcode == OP_LOAD {
        // funct3, rd, opcode.
        0x0000_7fff
    } else {
        // rs2, funct3, opcode.
        0x01f0_707f
    };
    let mut v = insn32 & keep;
    if compressed {
        v &= !2;
    }
    u64::from(v)
}

/// CL/CS format (quadrant 0): funct3, rs1' and rd'/rs2' (3-bit, x8..x15), immediate bits
/// 12:10 and 6:5 from `imm`.
pub fn c_q0(funct3: u32, rs1p: u32, rdp: u32, imm: u32) -> u32 {
    (funct3 << 13) | (((imm >> 2) & 7) << 10) | (rs1p << 7) | ((imm & 3) << 5) | (rdp << 2)
}

/// Zcb byte/halfword forms: bits 15:10 = `funct6`, bits 6:5 given.
pub fn c_zcb(funct6: u32, rs1p: u32, bits65: u32, rdp: u32) -> u32 {
    (funct6 << 10) | (rs1p << 7) | (bits65 << 5) | (rdp << 2)
}

/// C.LWSP (funct3 010) / C.LDSP (011): rd in 11:7, immediate in 12 and 6:2.
pub fn c_lsp(funct3: u32, rd: u32, imm: u32) -> u32 {
    (funct3 << 13) | (((imm >> 5) & 1) << 12) | (rd << 7) | ((imm & 0x1f) << 2) | 0b10
}

/// C.SWSP (110) / C.SDSP (111): rs2 in 6:2, immediate in 12:7.
pub fn c_ssp(funct3: u32, rs2: u32, imm: u32) -> u32 {
    (funct3 << 13) | ((imm & 0x3f) << 7) | (rs2 << 2) | 0b10
}
