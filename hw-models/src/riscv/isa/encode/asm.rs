//! A small assembler: appends encoded instructions to a little-endian byte buffer, with
//! labels resolved at [`Assembler::finish`], and the `li`/`la`/`call` pseudo-instructions.
//!
//! ```
//! use hw_models::riscv::isa::encode::{self, Assembler, Reg};
//! let mut a = Assembler::new(0x8000_0000);
//! let done = a.new_label();
//! a.li(Reg::A0, 0x1234_5678_9abc_def0);
//! a.beqz(Reg::A0, done);
//! a.put(encode::addi(Reg::A0, Reg::A0, -1).unwrap());
//! a.bind(done).unwrap();
//! a.put(encode::ecall());
//! let code = a.finish().unwrap();
//! assert_eq!(code.len() % 2, 0);
//! ```

use alloc::vec::Vec;

use super::base::{addi, addiw, auipc, beq, bge, bgeu, blt, bltu, bne, jal, jalr, lui, slli};
use super::compressed::{c_beqz, c_bnez, c_j};
use super::{EncResult, EncodeError, Reg};

/// A position in the program, bound with [`Assembler::bind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label(usize);

#[derive(Clone, Copy, Debug)]
enum Fix {
    Branch {
        f3: u32,
        rs1: Reg,
        rs2: Reg,
    },
    Jal {
        rd: Reg,
    },
    /// AUIPC rd + (ADDI rd, rd | JALR link, rd).
    PcRel {
        rd: Reg,
        link: Option<Reg>,
    },
    CJ,
    CBranch {
        bnez: bool,
        rs1: Reg,
    },
}

#[derive(Clone, Copy, Debug)]
struct Fixup {
    at: usize,
    label: Label,
    fix: Fix,
}

/// Builds a guest program. Instructions go in as encoded words ([`Assembler::put`],
/// [`Assembler::put_c`]); label-relative ones through the methods here. Errors from
/// label resolution are reported by [`Assembler::finish`].
#[derive(Clone, Debug)]
pub struct Assembler {
    base: u64,
    code: Vec<u8>,
    labels: Vec<Option<usize>>,
    fixups: Vec<Fixup>,
    error: Option<EncodeError>,
}

impl Assembler {
    /// An empty program that will be loaded at guest address `base`.
    pub fn new(base: u64) -> Self {
        Self {
            base,
            code: Vec::new(),
            labels: Vec::new(),
            fixups: Vec::new(),
            error: None,
        }
    }

    /// Address of the next instruction.
    pub fn pc(&self) -> u64 {
        self.base.wrapping_add(self.code.len() as u64)
    }

    /// Bytes emitted so far.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether nothing has been emitted.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// Appends a 32-bit instruction.
    pub fn put(&mut self, word: u32) -> &mut Self {
        self.code.extend_from_slice(&word.to_le_bytes());
        self
    }

    /// Appends a 16-bit (compressed) instruction.
    pub fn put_c(&mut self, half: u16) -> &mut Self {
        self.code.extend_from_slice(&half.to_le_bytes());
        self
    }

    /// Appends raw data bytes.
    pub fn bytes(&mut self, data: &[u8]) -> &mut Self {
        self.code.extend_from_slice(data);
        self
    }

    /// Appends a little-endian doubleword of data.
    pub fn dword(&mut self, value: u64) -> &mut Self {
        self.bytes(&value.to_le_bytes())
    }

    /// Pads with zero bytes up to a multiple of `align` (a power of two) from `base`.
    pub fn align(&mut self, align: usize) -> &mut Self {
        let align = align.max(1);
        while self.pc() % align as u64 != 0 {
            self.code.push(0);
        }
        self
    }

    /// A new, unbound label.
    pub fn new_label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() - 1)
    }

    /// Binds `label` to the current position.
    pub fn bind(&mut self, label: Label) -> EncResult<()> {
        match self.labels.get_mut(label.0) {
            Some(slot @ None) => {
                *slot = Some(self.code.len());
                Ok(())
            }
            _ => Err(EncodeError::BadLabel(label.0)),
        }
    }

    /// A new label bound here.
    pub fn here(&mut self) -> Label {
        let l = self.new_label();
        let here = self.code.len();
        if let Some(slot) = self.labels.get_mut(l.0) {
            *slot = Some(here);
        }
        l
    }

    /// The address `label` is bound to, if bound.
    pub fn label_addr(&self, label: Label) -> Option<u64> {
        self.labels
            .get(label.0)
            .copied()
            .flatten()
            .map(|off| self.base.wrapping_add(off as u64))
    }

    fn fixup(&mut self, label: Label, fix: Fix, len: usize) -> &mut Self {
        self.fixups.push(Fixup {
            at: self.code.len(),
            label,
            fix,
        });
        self.code.extend(core::iter::repeat_n(0, len));
        self
    }

    fn branch(&mut self, f3: u32, rs1: Reg, rs2: Reg, label: Label) -> &mut Self {
        self.fixup(label, Fix::Branch { f3, rs1, rs2 }, 4)
    }

    /// `beq rs1, rs2, label`
    pub fn beq(&mut self, rs1: Reg, rs2: Reg, label: Label) -> &mut Self {
        self.branch(0, rs1, rs2, label)
    }
    /// `bne rs1, rs2, label`
    pub fn bne(&mut self, rs1: Reg, rs2: Reg, label: Label) -> &mut Self {
        self.branch(1, rs1, rs2, label)
    }
    /// `blt rs1, rs2, label`
    pub fn blt(&mut self, rs1: Reg, rs2: Reg, label: Label) -> &mut Self {
        self.branch(4, rs1, rs2, label)
    }
    /// `bge rs1, rs2, label`
    pub fn bge(&mut self, rs1: Reg, rs2: Reg, label: Label) -> &mut Self {
        self.branch(5, rs1, rs2, label)
    }
    /// `bltu rs1, rs2, label`
    pub fn bltu(&mut self, rs1: Reg, rs2: Reg, label: Label) -> &mut Self {
        self.branch(6, rs1, rs2, label)
    }
    /// `bgeu rs1, rs2, label`
    pub fn bgeu(&mut self, rs1: Reg, rs2: Reg, label: Label) -> &mut Self {
        self.branch(7, rs1, rs2, label)
    }
    /// `beqz rs, label`
    pub fn beqz(&mut self, rs: Reg, label: Label) -> &mut Self {
        self.beq(rs, Reg::ZERO, label)
    }
    /// `bnez rs, label`
    pub fn bnez(&mut self, rs: Reg, label: Label) -> &mut Self {
        self.bne(rs, Reg::ZERO, label)
    }
    /// `jal rd, label`
    pub fn jal(&mut self, rd: Reg, label: Label) -> &mut Self {
        self.fixup(label, Fix::Jal { rd }, 4)
    }
    /// `j label`
    pub fn j(&mut self, label: Label) -> &mut Self {
        self.jal(Reg::ZERO, label)
    }
    /// `call label`: `auipc ra, hi; jalr ra, lo(ra)` (any distance within ±2 GiB).
    pub fn call(&mut self, label: Label) -> &mut Self {
        self.fixup(
            label,
            Fix::PcRel {
                rd: Reg::RA,
                link: Some(Reg::RA),
            },
            8,
        )
    }
    /// `tail label`: `auipc t1, hi; jalr x0, lo(t1)`.
    pub fn tail(&mut self, label: Label) -> &mut Self {
        self.fixup(
            label,
            Fix::PcRel {
                rd: Reg::T1,
                link: Some(Reg::ZERO),
            },
            8,
        )
    }
    /// `la rd, label`: `auipc rd, hi; addi rd, rd, lo`.
    pub fn la(&mut self, rd: Reg, label: Label) -> &mut Self {
        self.fixup(label, Fix::PcRel { rd, link: None }, 8)
    }
    /// `c.j label`
    pub fn c_j(&mut self, label: Label) -> &mut Self {
        self.fixup(label, Fix::CJ, 2)
    }
    /// `c.beqz rs1', label`
    pub fn c_beqz(&mut self, rs1: Reg, label: Label) -> &mut Self {
        self.fixup(label, Fix::CBranch { bnez: false, rs1 }, 2)
    }
    /// `c.bnez rs1', label`
    pub fn c_bnez(&mut self, rs1: Reg, label: Label) -> &mut Self {
        self.fixup(label, Fix::CBranch { bnez: true, rs1 }, 2)
    }

    /// `li rd, value` for any 64-bit value (see [`li_sequence`]).
    pub fn li(&mut self, rd: Reg, value: i64) -> &mut Self {
        match li_sequence(rd, value) {
            Ok(words) => {
                for w in words {
                    self.put(w);
                }
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Resolves all label references and returns the program bytes.
    pub fn finish(mut self) -> EncResult<Vec<u8>> {
        if let Some(e) = self.error {
            return Err(e);
        }
        for f in core::mem::take(&mut self.fixups) {
            let target = self
                .labels
                .get(f.label.0)
                .copied()
                .ok_or(EncodeError::BadLabel(f.label.0))?
                .ok_or(EncodeError::UnboundLabel(f.label.0))?;
            let distance = target as i64 - f.at as i64;
            let range = |what| EncodeError::LabelOutOfRange {
                what,
                label: f.label.0,
                distance,
            };
            let d32 = i32::try_from(distance).map_err(|_| range("pc-relative"))?;
            match f.fix {
                Fix::Branch { f3, rs1, rs2 } => {
                    let enc = match f3 {
                        0 => beq,
                        1 => bne,
                        4 => blt,
                        5 => bge,
                        6 => bltu,
                        _ => bgeu,
                    };
                    let w = enc(rs1, rs2, d32).map_err(|_| range("branch"))?;
                    self.patch32(f.at, w);
                }
                Fix::Jal { rd } => {
                    let w = jal(rd, d32).map_err(|_| range("jal"))?;
                    self.patch32(f.at, w);
                }
                Fix::PcRel { rd, link } => {
                    let (hi, lo) = split_hi_lo(distance).ok_or_else(|| range("auipc"))?;
                    self.patch32(f.at, auipc(rd, hi)?);
                    let second = match link {
                        Some(link) => jalr(link, rd, lo)?,
                        None => addi(rd, rd, lo)?,
                    };
                    self.patch32(f.at + 4, second);
                }
                Fix::CJ => {
                    let h = c_j(d32).map_err(|_| range("c.j"))?;
                    self.patch16(f.at, h);
                }
                Fix::CBranch { bnez, rs1 } => {
                    let h = if bnez {
                        c_bnez(rs1, d32)
                    } else {
                        c_beqz(rs1, d32)
                    };
                    self.patch16(
                        f.at,
                        h.map_err(|e| match e {
                            EncodeError::BadCompressedRegister { .. } => e,
                            _ => range("c.beqz/c.bnez"),
                        })?,
                    );
                }
            }
        }
        Ok(self.code)
    }

    fn patch32(&mut self, at: usize, w: u32) {
        if let Some(slot) = self.code.get_mut(at..at + 4) {
            slot.copy_from_slice(&w.to_le_bytes());
        }
    }

    fn patch16(&mut self, at: usize, h: u16) {
        if let Some(slot) = self.code.get_mut(at..at + 2) {
            slot.copy_from_slice(&h.to_le_bytes());
        }
    }
}

/// Splits a pc-relative distance into the AUIPC field and the 12-bit signed low part
/// (`hi << 12 + lo == distance`); `None` beyond ±2 GiB.
fn split_hi_lo(distance: i64) -> Option<(i32, i32)> {
    let lo = ((distance & 0xfff) ^ 0x800) - 0x800;
    let hi = (distance - lo) >> 12;
    if !(-0x8_0000..=0x7_ffff).contains(&hi) {
        return None;
    }
    Some((hi as i32, lo as i32))
}

/// The instruction sequence for `li rd, value` (RV64, at most 8 instructions): LUI/ADDI(W)
/// for values that fit 32 bits, otherwise the upper part built recursively, shifted left
/// past its trailing zeros, then the low 12 bits added.
pub fn li_sequence(rd: Reg, value: i64) -> EncResult<Vec<u32>> {
    let mut out = Vec::with_capacity(8);
    li_into(&mut out, rd, value)?;
    Ok(out)
}

fn li_into(out: &mut Vec<u32>, rd: Reg, value: i64) -> EncResult<()> {
    let lo = (((value & 0xfff) ^ 0x800) - 0x800) as i32;
    if let Ok(v32) = i32::try_from(value) {
        // hi20 such that (hi20 << 12) + lo == value modulo 2^32; ADDIW re-sign-extends.
        let hi20 = ((i64::from(v32) - i64::from(lo)) >> 12) as i32;
        let hi20 = ((hi20 << 12) >> 12) & 0xf_ffff;
        if hi20 == 0 {
            out.push(addi(rd, Reg::ZERO, lo)?);
        } else {
            out.push(lui(rd, hi20)?);
            if lo != 0 {
                out.push(addiw(rd, rd, lo)?);
            }
        }
        return Ok(());
    }
    let upper = value.wrapping_sub(i64::from(lo)) >> 12;
    let zeros = upper.trailing_zeros().min(63);
    li_into(out, rd, upper >> zeros)?;
    out.push(slli(rd, rd, 12 + zeros)?);
    if lo != 0 {
        out.push(addi(rd, rd, lo)?);
    }
    Ok(())
}
