//! The static symbol table (SHT_SYMTAB) and its string table: how hosts find `tohost`,
//! `fromhost` and `_start` in a guest.

use core::fmt;

use goblin::container::Ctx;
use goblin::elf::section_header::{SHT_STRTAB, SHT_SYMTAB, SectionHeader};
use goblin::elf::sym::{self, Symtab};

use super::bounds::{one_line, range};
use crate::image::ImageError;

/// Size of an `Elf64_Sym`.
const SYM64_SIZE: u64 = 24;
/// Section index of undefined symbols.
const SHN_UNDEF: u16 = 0;
/// Section index of absolute symbols.
const SHN_ABS: u16 = 0xfff1;
/// Section index of common symbols.
const SHN_COMMON: u16 = 0xfff2;

/// One named symbol.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Symbol<'a> {
    name: &'a str,
    value: u64,
    size: u64,
    kind: SymbolKind,
    binding: SymbolBinding,
    shndx: u16,
}

impl<'a> Symbol<'a> {
    /// The name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// `st_value`: the address, in an executable.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// `st_size`.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The type from `st_info`.
    pub fn kind(&self) -> SymbolKind {
        self.kind
    }

    /// The binding from `st_info`.
    pub fn binding(&self) -> SymbolBinding {
        self.binding
    }

    /// `st_shndx`, the section the symbol is defined in (raw, including SHN_ABS etc.).
    pub fn shndx(&self) -> u16 {
        self.shndx
    }

    /// Whether the symbol is defined (not SHN_UNDEF).
    pub fn is_defined(&self) -> bool {
        self.shndx != SHN_UNDEF
    }

    /// `st_shndx` the way readelf shows it: `UND`, `ABS`, `COM` or the index.
    pub fn section_label(&self) -> String {
        match self.shndx {
            SHN_UNDEF => "UND".to_owned(),
            SHN_ABS => "ABS".to_owned(),
            SHN_COMMON => "COM".to_owned(),
            n => n.to_string(),
        }
    }
}

impl fmt::Debug for Symbol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Symbol")
            .field("name", &self.name)
            .field("value", &format_args!("{:#x}", self.value))
            .field("size", &self.size)
            .field("kind", &self.kind)
            .field("binding", &self.binding)
            .field("shndx", &self.section_label())
            .finish()
    }
}

/// Symbol type (`ELF64_ST_TYPE(st_info)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// STT_NOTYPE (plain assembly labels).
    NoType,
    /// STT_OBJECT.
    Object,
    /// STT_FUNC.
    Func,
    /// STT_SECTION.
    Section,
    /// STT_FILE.
    File,
    /// STT_COMMON.
    Common,
    /// STT_TLS.
    Tls,
    /// Any OS- or processor-specific type.
    Other(u8),
}

impl SymbolKind {
    fn from_st_type(t: u8) -> Self {
        match t {
            sym::STT_NOTYPE => Self::NoType,
            sym::STT_OBJECT => Self::Object,
            sym::STT_FUNC => Self::Func,
            sym::STT_SECTION => Self::Section,
            sym::STT_FILE => Self::File,
            sym::STT_COMMON => Self::Common,
            sym::STT_TLS => Self::Tls,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for SymbolKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoType => f.write_str("NOTYPE"),
            Self::Object => f.write_str("OBJECT"),
            Self::Func => f.write_str("FUNC"),
            Self::Section => f.write_str("SECTION"),
            Self::File => f.write_str("FILE"),
            Self::Common => f.write_str("COMMON"),
            Self::Tls => f.write_str("TLS"),
            Self::Other(t) => write!(f, "<{t}>"),
        }
    }
}

/// Symbol binding (`ELF64_ST_BIND(st_info)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolBinding {
    /// STB_LOCAL.
    Local,
    /// STB_GLOBAL.
    Global,
    /// STB_WEAK.
    Weak,
    /// Any OS- or processor-specific binding.
    Other(u8),
}

impl SymbolBinding {
    fn from_st_bind(b: u8) -> Self {
        match b {
            sym::STB_LOCAL => Self::Local,
            sym::STB_GLOBAL => Self::Global,
            sym::STB_WEAK => Self::Weak,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for SymbolBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local => f.write_str("LOCAL"),
            Self::Global => f.write_str("GLOBAL"),
            Self::Weak => f.write_str("WEAK"),
            Self::Other(b) => write!(f, "<{b}>"),
        }
    }
}

/// The named symbols of the first SHT_SYMTAB section, in table order (the null symbol and
/// unnamed symbols are left out). A file without a symbol table has no symbols.
pub(super) fn read<'a>(
    bytes: &'a [u8],
    sections: &[SectionHeader],
    ctx: Ctx,
) -> Result<Vec<Symbol<'a>>, ImageError> {
    let Some((section, symtab)) = sections
        .iter()
        .enumerate()
        .find(|(_, sh)| sh.sh_type == SHT_SYMTAB)
    else {
        return Ok(Vec::new());
    };
    let bad = |problem: String| ImageError::BadSymbols { section, problem };

    if symtab.sh_entsize != SYM64_SIZE {
        return Err(bad(format!(
            "sh_entsize = {:#x}, expected {SYM64_SIZE:#x} (size of an Elf64_Sym)",
            symtab.sh_entsize
        )));
    }
    if symtab.sh_size % SYM64_SIZE != 0 {
        return Err(bad(format!(
            "sh_size = {:#x} is not a multiple of the entry size {SYM64_SIZE:#x}",
            symtab.sh_size
        )));
    }
    let table = range(bytes, symtab.sh_offset, symtab.sh_size).ok_or_else(|| {
        bad(format!(
            "sh_offset {:#x} + sh_size {:#x} extends past the end of the file ({:#x} bytes)",
            symtab.sh_offset,
            symtab.sh_size,
            bytes.len()
        ))
    })?;

    let strtab_index = usize::try_from(symtab.sh_link).unwrap_or(usize::MAX);
    let strtab = sections
        .get(strtab_index)
        .filter(|sh| sh.sh_type == SHT_STRTAB)
        .ok_or_else(|| {
            bad(format!(
                "sh_link = {} does not name a SHT_STRTAB section",
                symtab.sh_link
            ))
        })?;
    let strings = range(bytes, strtab.sh_offset, strtab.sh_size).ok_or_else(|| {
        bad(format!(
            "string table (section {strtab_index}) sh_offset {:#x} + sh_size {:#x} extends past the end of the file ({:#x} bytes)",
            strtab.sh_offset,
            strtab.sh_size,
            bytes.len()
        ))
    })?;

    let count = table.len() / SYM64_SIZE as usize;
    let entries = Symtab::parse(table, 0, count, ctx).map_err(|e| bad(one_line(e)))?;
    let mut symbols = Vec::new();
    // Entry 0 is the reserved null symbol (gABI, "Symbol Table").
    for (i, entry) in entries.iter().enumerate().skip(1) {
        let name =
            name_at(strings, entry.st_name).map_err(|why| bad(format!("symbol {i}: {why}")))?;
        if name.is_empty() {
            continue;
        }
        symbols.push(Symbol {
            name,
            value: entry.st_value,
            size: entry.st_size,
            kind: SymbolKind::from_st_type(entry.st_type()),
            binding: SymbolBinding::from_st_bind(entry.st_bind()),
            // st_shndx is an Elf64_Half; goblin widens it to usize.
            shndx: u16::try_from(entry.st_shndx).unwrap_or(u16::MAX),
        });
    }
    Ok(symbols)
}

/// The NUL-terminated name at `offset` in the string table.
fn name_at(strings: &[u8], offset: usize) -> Result<&str, String> {
    let tail = strings.get(offset..).ok_or_else(|| {
        format!(
            "st_name {offset:#x} is past the end of the string table ({:#x} bytes)",
            strings.len()
        )
    })?;
    let len = tail
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| format!("name at st_name {offset:#x} is not NUL-terminated"))?;
    core::str::from_utf8(&tail[..len])
        .map_err(|_| format!("name at st_name {offset:#x} is not valid UTF-8"))
}
