//! The ELF identification bytes (`e_ident`) and the header size, checked before anything is
//! decoded so that the common wrong inputs get a precise message (System V gABI, "ELF
//! Identification").

use super::bounds::file_len;
use crate::image::ImageError;

const MAGIC: [u8; 4] = [0x7f, b'E', b'L', b'F'];
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;
const EI_VERSION: usize = 6;
/// Size of `e_ident`.
const EI_NIDENT: usize = 16;

const ELFCLASS32: u8 = 1;
const ELFCLASS64: u8 = 2;
const ELFDATA2LSB: u8 = 1;
const ELFDATA2MSB: u8 = 2;
const EV_CURRENT: u8 = 1;

/// Size of an `Elf64_Ehdr`.
pub(super) const EHDR64_SIZE: u64 = 64;

/// Accepts exactly ELF64, little-endian, version 1 files at least one header long.
pub(super) fn check(bytes: &[u8]) -> Result<(), ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    let prefix_len = bytes.len().min(MAGIC.len());
    if bytes.get(..prefix_len) != MAGIC.get(..prefix_len) {
        let found = bytes
            .iter()
            .take(MAGIC.len())
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ");
        return Err(ImageError::NotElf { found });
    }
    let ident = bytes.get(..EI_NIDENT).ok_or(ImageError::Truncated {
        what: "ELF identification (e_ident)",
        offset: 0,
        needed: EI_NIDENT as u64,
        len: file_len(bytes),
    })?;
    match ident[EI_CLASS] {
        ELFCLASS64 => {}
        ELFCLASS32 => return Err(ImageError::Elf32),
        other => {
            return Err(ImageError::InvalidField {
                field: "e_ident[EI_CLASS]",
                value: other.into(),
                expected: "ELFCLASS64 (2)",
            });
        }
    }
    match ident[EI_DATA] {
        ELFDATA2LSB => {}
        ELFDATA2MSB => return Err(ImageError::BigEndian),
        other => {
            return Err(ImageError::InvalidField {
                field: "e_ident[EI_DATA]",
                value: other.into(),
                expected: "ELFDATA2LSB (1)",
            });
        }
    }
    if ident[EI_VERSION] != EV_CURRENT {
        return Err(ImageError::InvalidField {
            field: "e_ident[EI_VERSION]",
            value: ident[EI_VERSION].into(),
            expected: "EV_CURRENT (1)",
        });
    }
    if file_len(bytes) < EHDR64_SIZE {
        return Err(ImageError::Truncated {
            what: "ELF64 file header",
            offset: 0,
            needed: EHDR64_SIZE,
            len: file_len(bytes),
        });
    }
    Ok(())
}
