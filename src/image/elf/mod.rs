//! ELF64 guest images.
//!
//! [`ElfImage::parse`] accepts little-endian ELF64 executables (`ET_EXEC` or `ET_DYN`) whose
//! `e_machine` is one of the [`Arch`]es. It checks, before trusting them, every offset and
//! size it uses: the header tables lie inside the file, each PT_LOAD segment's file bytes lie
//! inside the file, `p_memsz >= p_filesz`, no address range wraps, and no two loadable
//! segments overlap. Anything else is an [`ImageError`] naming the field, never a panic.
//!
//! Sections are only used to find the static symbol table; relocations, dynamic sections and
//! debug information are ignored (guests are linked, bare-metal programs).
//!
//! ```
//! # fn main() -> Result<(), hvsim::image::ImageError> {
//! let bytes = include_bytes!("../../../fixtures/riscv64/tiny.elf");
//! let image = hvsim::image::ElfImage::parse(bytes)?;
//! assert_eq!(image.arch(), hvsim::Arch::Riscv64);
//! let tohost = image.symbol("tohost").map(|s| s.value());
//! assert_eq!(tohost, Some(0x8000_1000));
//! # Ok(()) }
//! ```

mod bounds;
mod ident;
mod segment;
mod symbol;

#[cfg(test)]
mod test_elf;
#[cfg(test)]
mod tests;

use core::fmt;

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{self, ET_DYN, ET_EXEC, Header};
use goblin::elf::program_header::ProgramHeader;
use goblin::elf::section_header::SectionHeader;

pub use segment::{Segment, SegmentFlags};
pub use symbol::{Symbol, SymbolBinding, SymbolKind};

use self::bounds::{one_line, table};
use crate::Arch;
use crate::image::ImageError;

/// Size of an `Elf64_Phdr`.
const PHDR64_SIZE: u64 = 56;
/// Size of an `Elf64_Shdr`.
const SHDR64_SIZE: u64 = 64;
/// `e_version` of every valid ELF file.
const EV_CURRENT: u32 = 1;

/// Whether the image is position dependent or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElfType {
    /// ET_EXEC: linked at fixed addresses.
    Exec,
    /// ET_DYN: position-independent; hvsim still loads it at its link addresses.
    Dyn,
}

impl fmt::Display for ElfType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ElfType::Exec => "EXEC (executable)",
            ElfType::Dyn => "DYN (position-independent executable)",
        })
    }
}

/// A validated ELF64 guest image borrowing the file bytes.
#[derive(Clone, Debug)]
pub struct ElfImage<'a> {
    arch: Arch,
    elf_type: ElfType,
    entry: u64,
    flags: u32,
    program_header_count: usize,
    section_count: usize,
    segments: Vec<Segment<'a>>,
    symbols: Vec<Symbol<'a>>,
}

impl<'a> ElfImage<'a> {
    /// Parses and validates `bytes` as a guest image.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ImageError> {
        ident::check(bytes)?;
        let header = goblin::elf::Elf::parse_header(bytes).map_err(|e| ImageError::Malformed {
            what: "ELF64 file header",
            detail: one_line(e),
        })?;
        if header.e_version != EV_CURRENT {
            return Err(ImageError::InvalidField {
                field: "e_version",
                value: header.e_version.into(),
                expected: "EV_CURRENT (1)",
            });
        }
        let elf_type = match header.e_type {
            ET_EXEC => ElfType::Exec,
            ET_DYN => ElfType::Dyn,
            e_type => {
                return Err(ImageError::UnsupportedType {
                    e_type,
                    name: header::et_to_str(e_type),
                });
            }
        };
        let arch =
            Arch::from_elf_machine(header.e_machine).ok_or(ImageError::UnsupportedMachine {
                machine: header.e_machine,
                name: header::machine_to_str(header.e_machine),
            })?;

        let ctx = Ctx::new(Container::Big, Endian::Little);
        let program_headers = program_headers(bytes, &header, ctx)?;
        let segments = segment::loadable(bytes, &program_headers)?;
        let sections = section_headers(bytes, &header, ctx)?;
        let symbols = symbol::read(bytes, &sections, ctx)?;

        Ok(ElfImage {
            arch,
            elf_type,
            entry: header.e_entry,
            flags: header.e_flags,
            program_header_count: program_headers.len(),
            section_count: sections.len(),
            segments,
            symbols,
        })
    }

    /// The guest architecture (`e_machine`).
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// `e_type`.
    pub fn elf_type(&self) -> ElfType {
        self.elf_type
    }

    /// `e_entry`: the virtual address the guest starts at.
    pub fn entry(&self) -> u64 {
        self.entry
    }

    /// `e_flags` (processor-specific; for RISC-V the RVC and float-ABI bits).
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// Number of entries in the program header table (all types, not only PT_LOAD).
    pub fn program_header_count(&self) -> usize {
        self.program_header_count
    }

    /// Number of entries in the section header table, including the null section.
    pub fn section_count(&self) -> usize {
        self.section_count
    }

    /// The PT_LOAD segments in program-header order, with their file bytes.
    pub fn segments(&self) -> &[Segment<'a>] {
        &self.segments
    }

    /// The segment whose virtual range holds `addr`.
    pub fn segment_at_vaddr(&self, addr: u64) -> Option<&Segment<'a>> {
        self.segments.iter().find(|s| s.contains_vaddr(addr))
    }

    /// All named symbols of the static symbol table, in table order.
    pub fn symbols(&self) -> &[Symbol<'a>] {
        &self.symbols
    }

    /// The symbol called `name`: the first global or weak one, else the first local one.
    pub fn symbol(&self, name: &str) -> Option<&Symbol<'a>> {
        let mut named = self.symbols.iter().filter(|s| s.name() == name);
        let first = named.clone().next();
        named
            .find(|s| matches!(s.binding(), SymbolBinding::Global | SymbolBinding::Weak))
            .or(first)
    }
}

/// The program header table, bounds-checked.
fn program_headers(
    bytes: &[u8],
    header: &Header,
    ctx: Ctx,
) -> Result<Vec<ProgramHeader>, ImageError> {
    if header.e_phnum == 0 {
        return Ok(Vec::new());
    }
    if u64::from(header.e_phentsize) != PHDR64_SIZE {
        return Err(ImageError::InvalidField {
            field: "e_phentsize",
            value: header.e_phentsize.into(),
            expected: "0x38 (size of an Elf64_Phdr)",
        });
    }
    let count = header.e_phnum.into();
    let raw = table(
        bytes,
        "program header table",
        header.e_phoff,
        count,
        PHDR64_SIZE,
    )?;
    ProgramHeader::parse(raw, 0, count.try_into().unwrap_or(usize::MAX), ctx).map_err(|e| {
        ImageError::Malformed {
            what: "program header table",
            detail: one_line(e),
        }
    })
}

/// The section header table, bounds-checked. gABI "Sections": when there are SHN_LORESERVE
/// or more sections, `e_shnum` is 0 and the count is in `sh_size` of section 0.
fn section_headers(
    bytes: &[u8],
    header: &Header,
    ctx: Ctx,
) -> Result<Vec<SectionHeader>, ImageError> {
    if header.e_shoff == 0 {
        return Ok(Vec::new());
    }
    if u64::from(header.e_shentsize) != SHDR64_SIZE {
        return Err(ImageError::InvalidField {
            field: "e_shentsize",
            value: header.e_shentsize.into(),
            expected: "0x40 (size of an Elf64_Shdr)",
        });
    }
    let malformed = |e| ImageError::Malformed {
        what: "section header table",
        detail: one_line(e),
    };
    let count = if header.e_shnum == 0 {
        let first = table(
            bytes,
            "section header table",
            header.e_shoff,
            1,
            SHDR64_SIZE,
        )?;
        let null = SectionHeader::parse_from(first, 0, 1, ctx).map_err(malformed)?;
        null.first().map_or(0, |sh| sh.sh_size)
    } else {
        header.e_shnum.into()
    };
    if count == 0 {
        return Ok(Vec::new());
    }
    let raw = table(
        bytes,
        "section header table",
        header.e_shoff,
        count,
        SHDR64_SIZE,
    )?;
    // `table` proved count * 64 bytes exist, so count fits in usize.
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    SectionHeader::parse_from(raw, 0, count, ctx).map_err(malformed)
}
