//! Guest images: the files hvsim loads into a machine.
//!
//! Only ELF64 little-endian executables for the three guest architectures are accepted (see
//! [`elf`]). Parsing validates every offset and size against the file, so a malformed file
//! gives an [`ImageError`] naming the field at fault, never a panic.

pub mod elf;
mod error;

pub use elf::{ElfImage, ElfType, Segment, SegmentFlags, Symbol, SymbolBinding, SymbolKind};
pub use error::{ImageError, SegmentProblem};
