//! Major opcodes and function codes of the 32-bit encodings, by their spec names
//! (unpriv "RV32/64G Instruction Set Listings", priv "Privileged Instruction Set Listings").

pub(crate) const LOAD: u32 = 0b000_0011;
pub(crate) const MISC_MEM: u32 = 0b000_1111;
pub(crate) const OP_IMM: u32 = 0b001_0011;
pub(crate) const AUIPC: u32 = 0b001_0111;
pub(crate) const OP_IMM_32: u32 = 0b001_1011;
pub(crate) const STORE: u32 = 0b010_0011;
pub(crate) const AMO: u32 = 0b010_1111;
pub(crate) const OP: u32 = 0b011_0011;
pub(crate) const LUI: u32 = 0b011_0111;
pub(crate) const OP_32: u32 = 0b011_1011;
pub(crate) const BRANCH: u32 = 0b110_0011;
pub(crate) const JALR: u32 = 0b110_0111;
pub(crate) const JAL: u32 = 0b110_1111;
pub(crate) const SYSTEM: u32 = 0b111_0011;

/// funct7 of the base R-type ops and logical shifts.
pub(crate) const F7_BASE: u32 = 0b000_0000;
/// funct7 of SUB/SRA/SRAI and their W forms.
pub(crate) const F7_ALT: u32 = 0b010_0000;
/// funct7 of the M extension.
pub(crate) const F7_MULDIV: u32 = 0b000_0001;
/// funct6 (bits 31:26) of RV64 SLLI/SRLI; SRAI uses [`F6_SRAI`].
pub(crate) const F6_SHIFT: u32 = 0b00_0000;
pub(crate) const F6_SRAI: u32 = 0b01_0000;

/// MISC-MEM funct3.
pub(crate) const F3_FENCE: u32 = 0b000;
pub(crate) const F3_FENCE_I: u32 = 0b001;

/// AMO funct3 (width) and funct5 (bits 31:27).
pub(crate) const F3_AMO_W: u32 = 0b010;
pub(crate) const F3_AMO_D: u32 = 0b011;
pub(crate) const F5_AMOADD: u32 = 0b00000;
pub(crate) const F5_AMOSWAP: u32 = 0b00001;
pub(crate) const F5_LR: u32 = 0b00010;
pub(crate) const F5_SC: u32 = 0b00011;
pub(crate) const F5_AMOXOR: u32 = 0b00100;
pub(crate) const F5_AMOOR: u32 = 0b01000;
pub(crate) const F5_AMOAND: u32 = 0b01100;
pub(crate) const F5_AMOMIN: u32 = 0b10000;
pub(crate) const F5_AMOMAX: u32 = 0b10100;
pub(crate) const F5_AMOMINU: u32 = 0b11000;
pub(crate) const F5_AMOMAXU: u32 = 0b11100;

/// SYSTEM funct3: PRIV (ECALL, xRET, WFI, fences), HLV/HSV, and the Zicsr forms.
pub(crate) const F3_PRIV: u32 = 0b000;
pub(crate) const F3_HLSV: u32 = 0b100;
pub(crate) const F3_CSRRW: u32 = 0b001;
pub(crate) const F3_CSRRS: u32 = 0b010;
pub(crate) const F3_CSRRC: u32 = 0b011;
pub(crate) const F3_CSRRWI: u32 = 0b101;
pub(crate) const F3_CSRRSI: u32 = 0b110;
pub(crate) const F3_CSRRCI: u32 = 0b111;

/// Fully specified SYSTEM encodings (every field fixed).
pub(crate) const ECALL: u32 = 0x0000_0073;
pub(crate) const EBREAK: u32 = 0x0010_0073;
pub(crate) const SRET: u32 = 0x1020_0073;
pub(crate) const MRET: u32 = 0x3020_0073;
pub(crate) const WFI: u32 = 0x1050_0073;

/// SYSTEM/PRIV funct7 of the memory-management fences (rd = 0).
pub(crate) const F7_SFENCE_VMA: u32 = 0b000_1001;
pub(crate) const F7_HFENCE_VVMA: u32 = 0b001_0001;
pub(crate) const F7_HFENCE_GVMA: u32 = 0b011_0001;

/// SYSTEM/HLSV funct7 values (priv "Hypervisor Virtual-Machine Load and Store
/// Instructions"); for loads the rs2 field selects the variant.
pub(crate) const F7_HLV_B: u32 = 0b011_0000;
pub(crate) const F7_HSV_B: u32 = 0b011_0001;
pub(crate) const F7_HLV_H: u32 = 0b011_0010;
pub(crate) const F7_HSV_H: u32 = 0b011_0011;
pub(crate) const F7_HLV_W: u32 = 0b011_0100;
pub(crate) const F7_HSV_W: u32 = 0b011_0101;
pub(crate) const F7_HLV_D: u32 = 0b011_0110;
pub(crate) const F7_HSV_D: u32 = 0b011_0111;
/// HLV rs2-field variants.
pub(crate) const HLV_SIGNED: u32 = 0b00000;
pub(crate) const HLV_UNSIGNED: u32 = 0b00001;
pub(crate) const HLVX: u32 = 0b00011;

/// Compressed quadrants (bits 1:0) and funct3 (bits 15:13), Zca "RVC opcode map".
pub(crate) const C_Q0: u32 = 0b00;
pub(crate) const C_Q1: u32 = 0b01;
pub(crate) const C_Q2: u32 = 0b10;
