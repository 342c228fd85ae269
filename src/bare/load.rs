//! Putting an ELF image on the bare board.

use hw_models::riscv::board::{BareBoard, BoardError};

use crate::Arch;
use crate::image::{ElfImage, ImageError};

/// Why an image cannot run on the bare board.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Not a valid ELF image.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// A valid image for another architecture.
    #[error("{0} image: the bare machine runs riscv64 images only")]
    WrongArch(Arch),
    /// The image has nothing to load.
    #[error("no loadable (PT_LOAD) segment")]
    NoSegments,
    /// A segment does not fit in RAM, or the board could not be built.
    #[error("{0}")]
    Board(#[from] BoardError),
    /// A segment does not fit in RAM (with its index, for the message).
    #[error("segment {index}: {source}")]
    Segment {
        /// Program header index.
        index: usize,
        /// What went wrong.
        source: BoardError,
    },
    /// The entry point is not in RAM.
    #[error("entry point {0:#x} is not in RAM")]
    EntryOutsideRam(u64),
}

/// What was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadedImage {
    /// The entry point (`e_entry`), where the hart starts.
    pub entry: u64,
    /// The `tohost` symbol, if any (HTIF is attached then).
    pub tohost: Option<u64>,
    /// The `fromhost` symbol, if any.
    pub fromhost: Option<u64>,
}

/// Loads every PT_LOAD segment at its physical address (`p_paddr`, zero-filled up to
/// `p_memsz`), points the hart at `e_entry`, and attaches HTIF if the image defines `tohost`.
pub fn load_image(board: &mut BareBoard, bytes: &[u8]) -> Result<LoadedImage, LoadError> {
    let image = ElfImage::parse(bytes)?;
    if image.arch() != Arch::Riscv64 {
        return Err(LoadError::WrongArch(image.arch()));
    }
    if image.segments().is_empty() {
        return Err(LoadError::NoSegments);
    }
    for seg in image.segments() {
        board
            .load(seg.paddr(), seg.data(), seg.memsz())
            .map_err(|source| LoadError::Segment {
                index: seg.index(),
                source,
            })?;
    }
    let entry = image.entry();
    if board
        .mem()
        .check_ram(sim_core::HostPhysAddr::new(entry), 2)
        .is_err()
    {
        return Err(LoadError::EntryOutsideRam(entry));
    }
    board.set_entry(entry);
    let sym = |name| {
        image
            .symbol(name)
            .filter(|s| s.is_defined())
            .map(|s| s.value())
    };
    let (tohost, fromhost) = (sym("tohost"), sym("fromhost"));
    if let Some(to) = tohost {
        board.attach_htif(to, fromhost)?;
    }
    Ok(LoadedImage {
        entry,
        tohost,
        fromhost,
    })
}
