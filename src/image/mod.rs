//! Guest images: the files hvsim loads into a machine.
//!
//! ELF64 little-endian executables for the three guest architectures (see [`elf`]), and flat
//! binaries with or without the Linux RISC-V `Image` header ([`LinuxImage`]). Parsing validates every offset and size against the file, so a malformed file
//! gives an [`ImageError`] naming the field at fault, never a panic.

pub mod elf;
mod error;
mod linux;

pub use elf::{ElfImage, ElfType, Segment, SegmentFlags, Symbol, SymbolBinding, SymbolKind};
pub use error::{ImageError, SegmentProblem};
pub use linux::{LINUX_HEADER_SIZE, LINUX_MAGIC2, LINUX_MAGIC2_OFFSET, LinuxImage, RawImageError};
