//! Why a guest image was rejected. Every variant renders as one line that names the field at
//! fault, because the CLI prints it verbatim after the file name.

/// A guest image that cannot be loaded: not an ELF, truncated, malformed, or a kind hvsim
/// does not run (32-bit, big-endian, an unknown machine, an object file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The file has no bytes at all.
    #[error("empty file (0 bytes), expected an ELF image")]
    Empty,
    /// The first bytes are not the ELF magic `\x7fELF`.
    #[error("not an ELF file: starts with {found}, ELF files start with 7f 45 4c 46")]
    NotElf {
        /// The leading bytes, as hex.
        found: String,
    },
    /// A structure the file declares does not fit in the file.
    #[error("truncated {what}: needs {needed} bytes at offset {offset:#x}, file has {len}")]
    Truncated {
        /// Which structure.
        what: &'static str,
        /// Where it starts.
        offset: u64,
        /// How many bytes it needs.
        needed: u64,
        /// The file length.
        len: u64,
    },
    /// ELFCLASS32. Every guest architecture hvsim models is 64-bit.
    #[error(
        "32-bit ELF (e_ident[EI_CLASS] = ELFCLASS32) is not supported: hvsim runs 64-bit guests (riscv64, aarch64, x86_64)"
    )]
    Elf32,
    /// ELFDATA2MSB. Every guest architecture hvsim models is little-endian.
    #[error(
        "big-endian ELF (e_ident[EI_DATA] = ELFDATA2MSB) is not supported: hvsim guests are little-endian"
    )]
    BigEndian,
    /// A header field holds a value the ELF specification does not allow.
    #[error("invalid {field} = {value:#x}: expected {expected}")]
    InvalidField {
        /// The field, by its ELF name.
        field: &'static str,
        /// The value found.
        value: u64,
        /// What the field must hold.
        expected: &'static str,
    },
    /// `e_machine` names an architecture hvsim does not model.
    #[error(
        "unsupported machine {name} (e_machine = {machine}): hvsim runs riscv64 (EM_RISCV), aarch64 (EM_AARCH64) and x86_64 (EM_X86_64)"
    )]
    UnsupportedMachine {
        /// The raw `e_machine`.
        machine: u16,
        /// Its `EM_*` name, or `unknown`.
        name: &'static str,
    },
    /// `e_type` is not an executable.
    #[error(
        "unsupported file type ET_{name} (e_type = {e_type}): hvsim loads linked executables (ET_EXEC or ET_DYN)"
    )]
    UnsupportedType {
        /// The raw `e_type`.
        e_type: u16,
        /// Its `ET_*` name without the prefix.
        name: &'static str,
    },
    /// A header table (program headers, section headers, symbols, strings) is out of the file.
    #[error(
        "{table} at offset {offset:#x} ({size:#x} bytes) extends past the end of the file ({len:#x} bytes)"
    )]
    TableOutOfFile {
        /// Which table.
        table: &'static str,
        /// Where it starts.
        offset: u64,
        /// Its size in bytes (`u64::MAX` when the size itself overflows).
        size: u64,
        /// The file length.
        len: u64,
    },
    /// A loadable segment is inconsistent.
    #[error("program header {index} (PT_LOAD): {problem}")]
    BadSegment {
        /// Index in the program header table.
        index: usize,
        /// What is wrong with it.
        problem: SegmentProblem,
    },
    /// Two loadable segments claim the same memory.
    #[error(
        "program headers {first} and {second} (PT_LOAD) overlap in {field}: {first_start:#x}..{first_end:#x} and {second_start:#x}..{second_end:#x}"
    )]
    SegmentOverlap {
        /// Which address: `p_vaddr` or `p_paddr`.
        field: &'static str,
        /// The lower segment's index.
        first: usize,
        /// Its start.
        first_start: u64,
        /// Its end (exclusive).
        first_end: u64,
        /// The other segment's index.
        second: usize,
        /// Its start.
        second_start: u64,
        /// Its end (exclusive).
        second_end: u64,
    },
    /// A structure that passed the bounds checks still could not be decoded.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// Which structure.
        what: &'static str,
        /// The decoder's explanation, on one line.
        detail: String,
    },
    /// The symbol table or its string table is inconsistent.
    #[error("symbol table (section {section}): {problem}")]
    BadSymbols {
        /// Section index of the SHT_SYMTAB.
        section: usize,
        /// What is wrong with it.
        problem: String,
    },
}

/// What is wrong with one PT_LOAD program header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentProblem {
    /// `p_offset + p_filesz` is past the end of the file (or overflows).
    #[error(
        "file bytes p_offset {offset:#x} + p_filesz {filesz:#x} extend past the end of the file ({len:#x} bytes)"
    )]
    FileRangeOutOfFile {
        /// `p_offset`.
        offset: u64,
        /// `p_filesz`.
        filesz: u64,
        /// The file length.
        len: u64,
    },
    /// `p_memsz < p_filesz`, which the gABI forbids for PT_LOAD.
    #[error("p_memsz {memsz:#x} is smaller than p_filesz {filesz:#x}")]
    MemszBelowFilesz {
        /// `p_filesz`.
        filesz: u64,
        /// `p_memsz`.
        memsz: u64,
    },
    /// The segment's end address does not fit in 64 bits.
    #[error("{field} {addr:#x} + p_memsz {memsz:#x} overflows the 64-bit address space")]
    AddressOverflow {
        /// `p_vaddr` or `p_paddr`.
        field: &'static str,
        /// The start address.
        addr: u64,
        /// `p_memsz`.
        memsz: u64,
    },
}
