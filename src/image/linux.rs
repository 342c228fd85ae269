//! Raw guest images: flat binaries, and flat binaries with the Linux RISC-V `Image` header.
//!
//! The RISC-V `Image` header (Linux, Documentation/arch/riscv/boot-image-header.rst) is 64
//! little-endian bytes at the start of the file:
//!
//! | offset | field |
//! |---|---|
//! | 0x00 | `code0`, `code1` (a jump over the header) |
//! | 0x08 | `text_offset`: where in RAM the image wants to sit, from the RAM base |
//! | 0x10 | `image_size`: bytes the image occupies in memory, including its bss |
//! | 0x18 | `flags` |
//! | 0x20 | `version`, `res1` |
//! | 0x28 | `res2` |
//! | 0x30 | `magic` (`"RISCV\0\0\0"`, deprecated) |
//! | 0x38 | `magic2` (`"RSC\x05"`) |
//! | 0x3c | `res3` |
//!
//! Linux and kvm-unit-tests are booted this way: the whole file is copied to
//! `RAM base + text_offset` and entered at its first byte.

/// The file offset of `magic2`.
pub const LINUX_MAGIC2_OFFSET: usize = 0x38;
/// `magic2`: "RSC\x05".
pub const LINUX_MAGIC2: [u8; 4] = *b"RSC\x05";
/// Size of the header.
pub const LINUX_HEADER_SIZE: usize = 0x40;
/// The file offset of `text_offset`.
const TEXT_OFFSET_AT: usize = 0x08;
/// The file offset of `image_size`.
const IMAGE_SIZE_AT: usize = 0x10;
/// `text_offset` must keep the image page aligned.
const TEXT_ALIGN: u64 = 0x1000;

/// Why a raw or Linux image was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RawImageError {
    /// The file has no bytes.
    #[error("empty image file (0 bytes)")]
    Empty,
    /// The `RSC\x05` magic is present but the file is shorter than the 64-byte header.
    #[error(
        "truncated Linux Image header: the file has {len} bytes, the header needs {LINUX_HEADER_SIZE}"
    )]
    TruncatedHeader {
        /// File length.
        len: usize,
    },
    /// `text_offset` is not a multiple of 4 KiB.
    #[error("Linux Image header: text_offset {0:#x} is not 4 KiB aligned")]
    UnalignedTextOffset(u64),
    /// `image_size` is non-zero and smaller than the file.
    #[error(
        "Linux Image header: image_size {image_size:#x} is smaller than the file ({len:#x} bytes)"
    )]
    ImageSizeTooSmall {
        /// `image_size`.
        image_size: u64,
        /// File length.
        len: u64,
    },
}

/// A flat binary with a valid Linux RISC-V `Image` header.
///
/// ```
/// use hvsim::image::LinuxImage;
/// let mut file = vec![0u8; 0x1000];
/// file[0x08..0x10].copy_from_slice(&0x20_0000u64.to_le_bytes());
/// file[0x10..0x18].copy_from_slice(&0x3000u64.to_le_bytes());
/// file[0x38..0x3c].copy_from_slice(b"RSC\x05");
/// let img = LinuxImage::parse(&file).unwrap().unwrap();
/// assert_eq!((img.text_offset(), img.image_size()), (0x20_0000, 0x3000));
/// assert!(LinuxImage::parse(&[0x13, 0, 0, 0]).unwrap().is_none()); // plain raw binary
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinuxImage<'a> {
    text_offset: u64,
    image_size: u64,
    data: &'a [u8],
}

fn le_u64(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = bytes.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

impl<'a> LinuxImage<'a> {
    /// Whether `bytes` carries the `RSC\x05` magic at 0x38 (a short file cannot).
    pub fn has_magic(bytes: &[u8]) -> bool {
        bytes.get(LINUX_MAGIC2_OFFSET..LINUX_MAGIC2_OFFSET + 4) == Some(&LINUX_MAGIC2[..])
    }

    /// Parses the header. `Ok(None)` means the file has no `Image` header (a plain flat
    /// binary); a header that is present but unusable is an error.
    pub fn parse(bytes: &'a [u8]) -> Result<Option<Self>, RawImageError> {
        if bytes.is_empty() {
            return Err(RawImageError::Empty);
        }
        if !Self::has_magic(bytes) {
            return Ok(None);
        }
        if bytes.len() < LINUX_HEADER_SIZE {
            return Err(RawImageError::TruncatedHeader { len: bytes.len() });
        }
        let text_offset = le_u64(bytes, TEXT_OFFSET_AT);
        let image_size = le_u64(bytes, IMAGE_SIZE_AT);
        if text_offset % TEXT_ALIGN != 0 {
            return Err(RawImageError::UnalignedTextOffset(text_offset));
        }
        let len = bytes.len() as u64;
        if image_size != 0 && image_size < len {
            return Err(RawImageError::ImageSizeTooSmall { image_size, len });
        }
        Ok(Some(Self {
            text_offset,
            image_size,
            data: bytes,
        }))
    }

    /// `text_offset`: the load address is the RAM base plus this.
    pub fn text_offset(&self) -> u64 {
        self.text_offset
    }

    /// `image_size` as written (0 in images from before the field was filled in).
    pub fn image_size(&self) -> u64 {
        self.image_size
    }

    /// The bytes the image occupies in memory: `image_size`, or the file length when the
    /// field is 0.
    pub fn mem_size(&self) -> u64 {
        if self.image_size == 0 {
            self.data.len() as u64
        } else {
            self.image_size
        }
    }

    /// The whole file, header included (it is loaded as is).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text_offset: u64, image_size: u64, len: usize) -> Vec<u8> {
        let mut f = vec![0u8; len.max(LINUX_HEADER_SIZE)];
        f[8..16].copy_from_slice(&text_offset.to_le_bytes());
        f[16..24].copy_from_slice(&image_size.to_le_bytes());
        f[0x38..0x3c].copy_from_slice(b"RSC\x05");
        f.truncate(len);
        f
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(LinuxImage::parse(&[]), Err(RawImageError::Empty));
        let short = header(0x20_0000, 0, 0x3c);
        assert_eq!(
            LinuxImage::parse(&short),
            Err(RawImageError::TruncatedHeader { len: 0x3c })
        );
        assert_eq!(
            LinuxImage::parse(&header(0x20_0800, 0, 0x100)),
            Err(RawImageError::UnalignedTextOffset(0x20_0800))
        );
        assert_eq!(
            LinuxImage::parse(&header(0x20_0000, 0x80, 0x100)),
            Err(RawImageError::ImageSizeTooSmall {
                image_size: 0x80,
                len: 0x100
            })
        );
        let ok = header(0, 0, 0x100);
        assert_eq!(LinuxImage::parse(&ok).unwrap().unwrap().mem_size(), 0x100);
        // The magic must be exactly RSC\x05 at 0x38: one byte off is a plain binary.
        let mut off = header(0x20_0000, 0, 0x100);
        off[0x3b] = 0x04;
        assert_eq!(LinuxImage::parse(&off), Ok(None));
    }
}
