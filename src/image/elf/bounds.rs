//! Bounds-checked views into the file. Every offset and size in an ELF file is untrusted, so
//! all slicing goes through here with checked arithmetic.

use crate::image::ImageError;

/// The `size` bytes at `offset`, or `None` if any of them is outside `bytes` or the range
/// overflows.
pub(super) fn range(bytes: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let end = offset.checked_add(size)?;
    let start = usize::try_from(offset).ok()?;
    let end = usize::try_from(end).ok()?;
    bytes.get(start..end)
}

/// The bytes of a table of `count` entries of `entsize` bytes at `offset`.
pub(super) fn table<'a>(
    bytes: &'a [u8],
    table: &'static str,
    offset: u64,
    count: u64,
    entsize: u64,
) -> Result<&'a [u8], ImageError> {
    let size = count.checked_mul(entsize);
    size.and_then(|size| range(bytes, offset, size))
        .ok_or(ImageError::TableOutOfFile {
            table,
            offset,
            size: size.unwrap_or(u64::MAX),
            len: file_len(bytes),
        })
}

/// The file length as the u64 the ELF fields are compared with.
pub(super) fn file_len(bytes: &[u8]) -> u64 {
    // usize is at most 64 bits on every host Rust supports.
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

/// A decoder error as one line (goblin messages may span lines).
pub(super) fn one_line(err: impl core::fmt::Display) -> String {
    err.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
