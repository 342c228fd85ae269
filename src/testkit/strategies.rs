//! Proptest strategies for exit-semantics tests: MMIO accesses, SBI calls, interrupt
//! vectors and random terminating guest programs.
//!
//! Every strategy produces a plain value with an `encode`/`program` method, so a failing
//! case shrinks to something a person can read (`MmioAccess { kind: Lh, addr: 0x4000_0002,
//! .. }`) and rebuild.

use hw_models::riscv::isa::encode::{self, Assembler, EncodeError, Reg};
use proptest::prelude::*;
use sim_core::AccessWidth;

use super::TestkitError;
use super::program::Program;

/// The MMIO instructions the RISC-V vCPU decodes (docs/riscv-vcpu.md, "MMIO decode").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmioInsn {
    /// `lb`
    Lb,
    /// `lh`
    Lh,
    /// `lw`
    Lw,
    /// `ld`
    Ld,
    /// `lbu`
    Lbu,
    /// `lhu`
    Lhu,
    /// `lwu`
    Lwu,
    /// `sb`
    Sb,
    /// `sh`
    Sh,
    /// `sw`
    Sw,
    /// `sd`
    Sd,
    /// `c.lw` (registers x8..x15)
    CLw,
    /// `c.ld`
    CLd,
    /// `c.sw`
    CSw,
    /// `c.sd`
    CSd,
    /// `c.lwsp` (base sp)
    CLwsp,
    /// `c.ldsp`
    CLdsp,
    /// `c.swsp`
    CSwsp,
    /// `c.sdsp`
    CSdsp,
}

const ALL_MMIO: [MmioInsn; 19] = [
    MmioInsn::Lb,
    MmioInsn::Lh,
    MmioInsn::Lw,
    MmioInsn::Ld,
    MmioInsn::Lbu,
    MmioInsn::Lhu,
    MmioInsn::Lwu,
    MmioInsn::Sb,
    MmioInsn::Sh,
    MmioInsn::Sw,
    MmioInsn::Sd,
    MmioInsn::CLw,
    MmioInsn::CLd,
    MmioInsn::CSw,
    MmioInsn::CSd,
    MmioInsn::CLwsp,
    MmioInsn::CLdsp,
    MmioInsn::CSwsp,
    MmioInsn::CSdsp,
];

impl MmioInsn {
    /// Access width.
    pub fn width(self) -> AccessWidth {
        use MmioInsn::*;
        match self {
            Lb | Lbu | Sb => AccessWidth::Byte,
            Lh | Lhu | Sh => AccessWidth::Word,
            Lw | Lwu | Sw | CLw | CSw | CLwsp | CSwsp => AccessWidth::Dword,
            Ld | Sd | CLd | CSd | CLdsp | CSdsp => AccessWidth::Qword,
        }
    }

    /// Whether it is a store.
    pub fn is_store(self) -> bool {
        use MmioInsn::*;
        matches!(self, Sb | Sh | Sw | Sd | CSw | CSd | CSwsp | CSdsp)
    }

    /// Whether a load sign-extends (RV64I: LB/LH/LW and C.LW/C.LWSP do; LD fills the
    /// register, so extension does not apply; the U forms zero-extend).
    pub fn sign_extends(self) -> bool {
        use MmioInsn::*;
        matches!(self, Lb | Lh | Lw | CLw | CLwsp)
    }

    /// Instruction length in bytes.
    pub fn insn_len(self) -> u64 {
        if self.is_compressed() { 2 } else { 4 }
    }

    /// Whether it is an RVC instruction.
    pub fn is_compressed(self) -> bool {
        use MmioInsn::*;
        matches!(self, CLw | CLd | CSw | CSd | CLwsp | CLdsp | CSwsp | CSdsp)
    }
}

/// One guest MMIO access: the instruction, its registers and offset, and the address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmioAccess {
    /// The instruction.
    pub insn: MmioInsn,
    /// Guest-physical address accessed (naturally aligned).
    pub addr: u64,
    /// Destination (load) or source (store) register.
    pub data_reg: u8,
    /// Base register.
    pub base_reg: u8,
    /// Immediate offset.
    pub offset: i32,
}

impl MmioAccess {
    /// The base register's value that makes `offset(base)` hit `addr`.
    pub fn base_value(&self) -> u64 {
        self.addr.wrapping_sub(self.offset as i64 as u64)
    }

    /// The instruction's bytes.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        use MmioInsn::*;
        let (d, b, o) = (
            Reg::from_field(self.data_reg),
            Reg::from_field(self.base_reg),
            self.offset,
        );
        let word = match self.insn {
            Lb => encode::lb(d, b, o)?,
            Lh => encode::lh(d, b, o)?,
            Lw => encode::lw(d, b, o)?,
            Ld => encode::ld(d, b, o)?,
            Lbu => encode::lbu(d, b, o)?,
            Lhu => encode::lhu(d, b, o)?,
            Lwu => encode::lwu(d, b, o)?,
            Sb => encode::sb(d, b, o)?,
            Sh => encode::sh(d, b, o)?,
            Sw => encode::sw(d, b, o)?,
            Sd => encode::sd(d, b, o)?,
            CLw => return Ok(encode::c_lw(d, b, o)?.to_le_bytes().to_vec()),
            CLd => return Ok(encode::c_ld(d, b, o)?.to_le_bytes().to_vec()),
            CSw => return Ok(encode::c_sw(d, b, o)?.to_le_bytes().to_vec()),
            CSd => return Ok(encode::c_sd(d, b, o)?.to_le_bytes().to_vec()),
            CLwsp => return Ok(encode::c_lwsp(d, o)?.to_le_bytes().to_vec()),
            CLdsp => return Ok(encode::c_ldsp(d, o)?.to_le_bytes().to_vec()),
            CSwsp => return Ok(encode::c_swsp(d, o)?.to_le_bytes().to_vec()),
            CSdsp => return Ok(encode::c_sdsp(d, o)?.to_le_bytes().to_vec()),
        };
        Ok(word.to_le_bytes().to_vec())
    }

    /// The value a load of `device_value` must leave in the destination register
    /// (RV64I "Load and Store Instructions": LB/LH/LW sign-extend, LBU/LHU/LWU
    /// zero-extend, LD loads 64 bits), computed with plain integer casts.
    pub fn loaded_value(&self, device_value: u64) -> u64 {
        use MmioInsn::*;
        match self.insn {
            Lb => device_value as u8 as i8 as i64 as u64,
            Lh => device_value as u16 as i16 as i64 as u64,
            Lw | CLw | CLwsp => device_value as u32 as i32 as i64 as u64,
            Lbu => u64::from(device_value as u8),
            Lhu => u64::from(device_value as u16),
            Lwu => u64::from(device_value as u32),
            _ => device_value,
        }
    }
}

/// Any MMIO access into the window `[base, base + size)` (size a multiple of 8): every
/// instruction the vCPU decodes, compressed or not, every legal register, every offset.
///
/// ```
/// use hvsim::testkit::strategies::mmio_access;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let mut runner = TestRunner::deterministic();
/// let a = mmio_access(0x4000_0000, 0x1000).new_tree(&mut runner).unwrap().current();
/// assert!((0x4000_0000..0x4000_1000).contains(&a.addr));
/// assert!(a.encode().is_ok());
/// ```
pub fn mmio_access(base: u64, size: u64) -> impl Strategy<Value = MmioAccess> {
    (
        0..ALL_MMIO.len(),
        any::<u64>(),
        0u8..32,
        0u8..32,
        any::<u32>(),
    )
        .prop_map(move |(k, slot, r1, r2, off)| {
            let insn = ALL_MMIO[k];
            let w = insn.width().size() as u64;
            let addr = base.wrapping_add((slot % (size / w).max(1)) * w);
            let creg = |r: u8| 8 + (r % 8);
            let nz = |r: u8| if r == 0 { 1 } else { r };
            use MmioInsn::*;
            let (data_reg, base_reg, offset) = match insn {
                CLw | CSw => (creg(r1), creg(r2), ((off % 32) * 4) as i32),
                CLd | CSd => (creg(r1), creg(r2), ((off % 32) * 8) as i32),
                CLwsp => (nz(r1), 2, ((off % 64) * 4) as i32),
                CLdsp => (nz(r1), 2, ((off % 64) * 8) as i32),
                CSwsp => (r1, 2, ((off % 64) * 4) as i32),
                CSdsp => (r1, 2, ((off % 64) * 8) as i32),
                _ if insn.is_store() => (r1, nz(r2), (off % 4096) as i32 - 2048),
                _ => (nz(r1), nz(r2), (off % 4096) as i32 - 2048),
            };
            MmioAccess {
                insn,
                addr,
                data_reg,
                base_reg,
                offset,
            }
        })
}

/// SBI extension ids (SBI v2.0, "Binary Encoding" and each extension's chapter).
pub mod eid {
    /// Base.
    pub const BASE: u64 = 0x10;
    /// Legacy console_putchar.
    pub const LEGACY_PUTCHAR: u64 = 0x01;
    /// Legacy console_getchar.
    pub const LEGACY_GETCHAR: u64 = 0x02;
    /// Timer.
    pub const TIME: u64 = 0x5449_4D45;
    /// IPI.
    pub const IPI: u64 = 0x0073_5049;
    /// RFENCE.
    pub const RFENCE: u64 = 0x5246_4E43;
    /// Hart state management.
    pub const HSM: u64 = 0x0048_534D;
    /// System reset.
    pub const SRST: u64 = 0x5352_5354;
    /// PMU.
    pub const PMU: u64 = 0x0050_4D55;
    /// Debug console.
    pub const DBCN: u64 = 0x4442_434E;
    /// hvsim hypercalls.
    pub const HVC: u64 = 0x0048_5643;
    /// System suspend.
    pub const SUSP: u64 = 0x5355_5350;
    /// CPPC.
    pub const CPPC: u64 = 0x4350_5043;
    /// Legacy set_timer (0x00) and the other legacy calls 0x03..=0x08.
    pub const LEGACY: [u64; 7] = [0x00, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];
    /// Every named extension above, legacy ones included.
    pub const KNOWN: [u64; 20] = [
        BASE,
        LEGACY_PUTCHAR,
        LEGACY_GETCHAR,
        TIME,
        IPI,
        RFENCE,
        HSM,
        SRST,
        PMU,
        DBCN,
        HVC,
        SUSP,
        CPPC,
        0x00,
        0x03,
        0x04,
        0x05,
        0x06,
        0x07,
        0x08,
    ];
}

/// One SBI call: a7 = EID, a6 = FID, a0..a5 = arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SbiCall {
    /// Extension id.
    pub eid: u64,
    /// Function id.
    pub fid: u64,
    /// a0..a5.
    pub args: [u64; 6],
}

/// Any SBI call: a named extension (or any 64-bit EID), a small FID (or any), arguments
/// that are small, near a boundary or arbitrary.
pub fn sbi_call() -> impl Strategy<Value = SbiCall> {
    let eid = prop_oneof![
        4 => proptest::sample::select(eid::KNOWN.to_vec()),
        1 => any::<u64>(),
    ];
    let fid = prop_oneof![4 => 0u64..10, 1 => any::<u64>()];
    let arg = prop_oneof![
        0u64..4,
        Just(u64::MAX),
        0x8000_0000u64..0x8100_0000,
        any::<u64>()
    ];
    (eid, fid, proptest::array::uniform6(arg)).prop_map(|(eid, fid, args)| SbiCall {
        eid,
        fid,
        args,
    })
}

/// Interrupt vectors `inject_interrupt` accepts on RISC-V: the VS codes 2/6/10 and the S
/// codes 1/5/9 the guest sees after hideleg translation (norm:hideleg_trans).
pub fn interrupt_vector() -> impl Strategy<Value = usize> {
    proptest::sample::select(vec![1usize, 2, 5, 6, 9, 10])
}

/// Exception codes hedeleg may delegate (priv spec, "Hypervisor Exception Delegation
/// Register": bits 0-8, 12, 13, 15 are writable; 9-11 and 20-23 read-only zero).
pub const DELEGABLE_EXCEPTIONS: [u32; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 15];

/// Any legal hedeleg value: a subset of [`DELEGABLE_EXCEPTIONS`] (norm:hedeleg_op).
pub fn delegation() -> impl Strategy<Value = u64> {
    proptest::collection::vec(any::<bool>(), DELEGABLE_EXCEPTIONS.len()).prop_map(|pick| {
        DELEGABLE_EXCEPTIONS
            .iter()
            .zip(pick)
            .filter(|(_, p)| *p)
            .fold(0u64, |m, (c, _)| m | 1 << c)
    })
}

/// One instruction of a random guest program (a safe subset: no control transfer out of
/// the program, no CSR or privileged instruction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestOp {
    /// `op rd, rs1, rs2`: 0 add, 1 sub, 2 xor, 3 or, 4 and, 5 sll, 6 srl, 7 sra, 8 mul,
    /// 9 addw, 10 divu, 11 remu.
    Alu(u8, u8, u8, u8),
    /// `addi rd, rs1, imm`.
    Addi(u8, u8, i32),
    /// A doubleword load from the RAM data area at `8 * slot`.
    LoadRam(u8, u16),
    /// A doubleword store to the RAM data area at `8 * slot`.
    StoreRam(u8, u16),
    /// A load or store into the MMIO window.
    Mmio(MmioOp),
}

/// A non-compressed MMIO access relative to the window base register (s10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmioOp {
    /// 0..=10: lb lh lw ld lbu lhu lwu sb sh sw sd.
    pub kind: u8,
    /// Data register.
    pub reg: u8,
    /// Offset in the window (aligned for the width by the encoder).
    pub offset: u16,
}

/// A random terminating guest program: x1..x25 cleared, straight-line `GuestOp`s, then SBI
/// SRST shutdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomProgram {
    /// The body.
    pub ops: Vec<GuestOp>,
}

/// Register that holds the RAM data area's base in a [`RandomProgram`] (s11).
pub const DATA_BASE_REG: Reg = Reg::S11;
/// Register that holds the MMIO window's base in a [`RandomProgram`] (s10).
pub const MMIO_BASE_REG: Reg = Reg::S10;
/// Doubleword slots in the RAM data area of a [`RandomProgram`].
pub const DATA_SLOTS: u16 = 512;

fn work_reg(r: u8) -> Reg {
    // x1..x25: everything but the two base registers (x26, x27) and x28..x31 stay usable
    // as sources through x0..x25; x0 as a destination is a legal no-op.
    Reg::from_field(r % 26)
}

impl RandomProgram {
    /// Assembles the program at `entry`, with its data area at `data` (RAM, 4 KiB) and its
    /// MMIO window at `mmio` (at least 4 KiB, unmapped).
    pub fn program(&self, entry: u64, data: u64, mmio: u64) -> Result<Program, TestkitError> {
        let p = Program::riscv(entry, |a| self.assemble(a, data, mmio))?;
        Ok(p.mmio_window(mmio, 0x1000))
    }

    fn assemble(&self, a: &mut Assembler, data: u64, mmio: u64) -> Result<(), EncodeError> {
        // Start from all-zero work registers, so the result does not depend on the boot
        // registers (a0 = hart id, a1 = device tree address differ between machines).
        for r in 1..26 {
            a.put(encode::addi(Reg::from_field(r), Reg::ZERO, 0)?);
        }
        a.li(DATA_BASE_REG, data as i64);
        a.li(MMIO_BASE_REG, mmio as i64);
        for op in &self.ops {
            let w = match *op {
                GuestOp::Alu(k, rd, r1, r2) => {
                    let (d, s1, s2) = (work_reg(rd), work_reg(r1), work_reg(r2));
                    Ok(match k % 12 {
                        0 => encode::add(d, s1, s2),
                        1 => encode::sub(d, s1, s2),
                        2 => encode::xor(d, s1, s2),
                        3 => encode::or(d, s1, s2),
                        4 => encode::and(d, s1, s2),
                        5 => encode::sll(d, s1, s2),
                        6 => encode::srl(d, s1, s2),
                        7 => encode::sra(d, s1, s2),
                        8 => encode::mul(d, s1, s2),
                        9 => encode::addw(d, s1, s2),
                        10 => encode::divu(d, s1, s2),
                        _ => encode::remu(d, s1, s2),
                    })
                }
                GuestOp::Addi(rd, r1, imm) => {
                    encode::addi(work_reg(rd), work_reg(r1), imm.clamp(-2048, 2047))
                }
                GuestOp::LoadRam(rd, slot) => encode::ld(
                    work_reg(rd),
                    DATA_BASE_REG,
                    i32::from(slot % DATA_SLOTS / 2) * 8,
                ),
                GuestOp::StoreRam(rs, slot) => encode::sd(
                    work_reg(rs),
                    DATA_BASE_REG,
                    i32::from(slot % DATA_SLOTS / 2) * 8,
                ),
                GuestOp::Mmio(m) => {
                    let r = work_reg(m.reg);
                    let k = m.kind % 11;
                    let width = [1, 2, 4, 8, 1, 2, 4, 1, 2, 4, 8][usize::from(k)];
                    let off = i32::from(m.offset % 2048) / width * width;
                    let b = MMIO_BASE_REG;
                    match k {
                        0 => encode::lb(r, b, off),
                        1 => encode::lh(r, b, off),
                        2 => encode::lw(r, b, off),
                        3 => encode::ld(r, b, off),
                        4 => encode::lbu(r, b, off),
                        5 => encode::lhu(r, b, off),
                        6 => encode::lwu(r, b, off),
                        7 => encode::sb(r, b, off),
                        8 => encode::sh(r, b, off),
                        9 => encode::sw(r, b, off),
                        _ => encode::sd(r, b, off),
                    }
                }
            }?;
            a.put(w);
        }
        // SBI SRST system_reset(shutdown, no reason): the program's end.
        a.li(Reg::A7, eid::SRST as i64);
        a.li(Reg::A6, 0);
        a.li(Reg::A0, 0);
        a.li(Reg::A1, 0);
        a.put(encode::ecall());
        Ok(())
    }
}

fn guest_op() -> impl Strategy<Value = GuestOp> {
    prop_oneof![
        4 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(k, d, a, b)| GuestOp::Alu(k, d, a, b)),
        3 => (any::<u8>(), any::<u8>(), -2048i32..2048).prop_map(|(d, a, i)| GuestOp::Addi(d, a, i)),
        2 => (any::<u8>(), any::<u16>()).prop_map(|(d, s)| GuestOp::LoadRam(d, s)),
        2 => (any::<u8>(), any::<u16>()).prop_map(|(d, s)| GuestOp::StoreRam(d, s)),
        2 => (any::<u8>(), any::<u8>(), any::<u16>())
            .prop_map(|(kind, reg, offset)| GuestOp::Mmio(MmioOp { kind, reg, offset })),
    ]
}

/// A random terminating program of up to `max_len` operations.
pub fn random_program(max_len: usize) -> impl Strategy<Value = RandomProgram> {
    proptest::collection::vec(guest_op(), 0..max_len).prop_map(|ops| RandomProgram { ops })
}
