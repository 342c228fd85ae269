//! The smallest ELF64 reader the runner needs: the entry point and the PT_LOAD segments
//! (ELF spec / System V gABI, "ELF Header" and "Program Header"). goblin's no_std mode
//! would pull in scroll and its derive macros for the same two tables; this is ~80 lines
//! with every offset bounds-checked, and the root crate's loader (std, goblin) stays the
//! reference the tests check.

/// One loadable segment.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    /// Physical (load) address.
    pub paddr: u64,
    /// Offset of the bytes in the file.
    pub offset: u64,
    /// Bytes in the file.
    pub filesz: u64,
    /// Bytes in memory (the rest is zero).
    pub memsz: u64,
}

/// Why an image was refused.
#[derive(Clone, Copy, Debug)]
pub enum ElfError {
    NotElf64Le,
    NotRiscv,
    Truncated(&'static str),
}

impl core::fmt::Display for ElfError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotElf64Le => f.write_str("not a little-endian ELF64 file"),
            Self::NotRiscv => f.write_str("not a RISC-V ELF"),
            Self::Truncated(what) => write!(f, "truncated {what}"),
        }
    }
}

const EI_CLASS_64: u8 = 2;
const EI_DATA_LE: u8 = 1;
const EM_RISCV: u16 = 243;
const PT_LOAD: u32 = 1;
const PHDR_MIN: usize = 56;

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}
fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}
fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(off..off.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// A parsed image: entry point and its loadable segments.
pub struct Image<'a> {
    pub bytes: &'a [u8],
    pub entry: u64,
    phoff: usize,
    phentsize: usize,
    phnum: usize,
}

impl<'a> Image<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ElfError> {
        if bytes.get(0..4) != Some(b"\x7fELF".as_slice())
            || bytes.get(4) != Some(&EI_CLASS_64)
            || bytes.get(5) != Some(&EI_DATA_LE)
        {
            return Err(ElfError::NotElf64Le);
        }
        let t = ElfError::Truncated("ELF header");
        if u16_at(bytes, 18).ok_or(t)? != EM_RISCV {
            return Err(ElfError::NotRiscv);
        }
        let phentsize = usize::from(u16_at(bytes, 54).ok_or(t)?);
        if phentsize < PHDR_MIN {
            return Err(ElfError::Truncated("program header entry"));
        }
        Ok(Self {
            bytes,
            entry: u64_at(bytes, 24).ok_or(t)?,
            phoff: usize::try_from(u64_at(bytes, 32).ok_or(t)?).map_err(|_| t)?,
            phentsize,
            phnum: usize::from(u16_at(bytes, 56).ok_or(t)?),
        })
    }

    /// The PT_LOAD segments, in file order; a header that does not fit is an error.
    pub fn segments(&self) -> impl Iterator<Item = Result<Segment, ElfError>> + '_ {
        (0..self.phnum).filter_map(move |i| {
            let t = ElfError::Truncated("program header");
            let at = match i
                .checked_mul(self.phentsize)
                .and_then(|o| o.checked_add(self.phoff))
            {
                Some(a) => a,
                None => return Some(Err(t)),
            };
            let p_type = match u32_at(self.bytes, at) {
                Some(p) => p,
                None => return Some(Err(t)),
            };
            if p_type != PT_LOAD {
                return None;
            }
            let field = |o: usize| u64_at(self.bytes, at + o).ok_or(t);
            Some((|| {
                Ok(Segment {
                    offset: field(8)?,
                    paddr: field(24)?,
                    filesz: field(32)?,
                    memsz: field(40)?,
                })
            })())
        })
    }
}
