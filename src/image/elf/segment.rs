//! Loadable segments (PT_LOAD program headers): what the loader copies into guest memory.

use core::fmt;

use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_LOAD, ProgramHeader};

use super::bounds::{file_len, range};
use crate::image::{ImageError, SegmentProblem};

/// One PT_LOAD segment, validated: its file bytes lie inside the file, `memsz >= filesz`, and
/// neither address range wraps around.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    index: usize,
    offset: u64,
    vaddr: u64,
    paddr: u64,
    memsz: u64,
    align: u64,
    flags: SegmentFlags,
    data: &'a [u8],
}

impl<'a> Segment<'a> {
    /// Index of this segment's header in the program header table.
    pub fn index(&self) -> usize {
        self.index
    }

    /// `p_offset`: where the file bytes start in the file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// `p_vaddr`: the virtual address of the first byte.
    pub fn vaddr(&self) -> u64 {
        self.vaddr
    }

    /// `p_paddr`: the physical address of the first byte (where a bare-metal loader puts it).
    pub fn paddr(&self) -> u64 {
        self.paddr
    }

    /// `p_filesz`: how many bytes come from the file.
    pub fn filesz(&self) -> u64 {
        file_len(self.data)
    }

    /// `p_memsz`: the size in memory; the bytes past `filesz` are zero (.bss).
    pub fn memsz(&self) -> u64 {
        self.memsz
    }

    /// `p_align`.
    pub fn align(&self) -> u64 {
        self.align
    }

    /// `p_flags` permissions.
    pub fn flags(&self) -> SegmentFlags {
        self.flags
    }

    /// The `filesz` bytes to copy; the loader zero-fills the rest up to `memsz`.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Whether virtual address `addr` lies inside `vaddr..vaddr + memsz`.
    pub fn contains_vaddr(&self, addr: u64) -> bool {
        addr.checked_sub(self.vaddr)
            .is_some_and(|off| off < self.memsz)
    }
}

impl fmt::Debug for Segment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segment")
            .field("index", &self.index)
            .field("offset", &format_args!("{:#x}", self.offset))
            .field("vaddr", &format_args!("{:#x}", self.vaddr))
            .field("paddr", &format_args!("{:#x}", self.paddr))
            .field("filesz", &format_args!("{:#x}", self.filesz()))
            .field("memsz", &format_args!("{:#x}", self.memsz))
            .field("flags", &self.flags)
            .finish()
    }
}

/// The permission bits of a segment (`p_flags` PF_R, PF_W, PF_X).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentFlags(u32);

impl SegmentFlags {
    /// Wraps raw `p_flags`.
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The raw `p_flags`, including any OS- or processor-specific bits.
    pub const fn raw(self) -> u32 {
        self.0
    }

    /// PF_R.
    pub const fn read(self) -> bool {
        self.0 & PF_R != 0
    }

    /// PF_W.
    pub const fn write(self) -> bool {
        self.0 & PF_W != 0
    }

    /// PF_X.
    pub const fn execute(self) -> bool {
        self.0 & PF_X != 0
    }
}

/// `rwx` style, `-` for a missing permission: `r-x`.
impl fmt::Display for SegmentFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bit = |set: bool, c: char| if set { c } else { '-' };
        write!(
            f,
            "{}{}{}",
            bit(self.read(), 'r'),
            bit(self.write(), 'w'),
            bit(self.execute(), 'x')
        )
    }
}

impl fmt::Debug for SegmentFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Validates the PT_LOAD headers among `headers` and returns them as segments, in table order.
pub(super) fn loadable<'a>(
    bytes: &'a [u8],
    headers: &[ProgramHeader],
) -> Result<Vec<Segment<'a>>, ImageError> {
    let mut segments = Vec::new();
    for (index, ph) in headers.iter().enumerate() {
        if ph.p_type != PT_LOAD {
            continue;
        }
        let bad = |problem| ImageError::BadSegment { index, problem };
        let data = range(bytes, ph.p_offset, ph.p_filesz).ok_or_else(|| {
            bad(SegmentProblem::FileRangeOutOfFile {
                offset: ph.p_offset,
                filesz: ph.p_filesz,
                len: file_len(bytes),
            })
        })?;
        // gABI, "Program Header": for PT_LOAD, p_filesz may not be larger than p_memsz.
        if ph.p_memsz < ph.p_filesz {
            return Err(bad(SegmentProblem::MemszBelowFilesz {
                filesz: ph.p_filesz,
                memsz: ph.p_memsz,
            }));
        }
        for (field, addr) in [("p_vaddr", ph.p_vaddr), ("p_paddr", ph.p_paddr)] {
            if addr.checked_add(ph.p_memsz).is_none() {
                return Err(bad(SegmentProblem::AddressOverflow {
                    field,
                    addr,
                    memsz: ph.p_memsz,
                }));
            }
        }
        segments.push(Segment {
            index,
            offset: ph.p_offset,
            vaddr: ph.p_vaddr,
            paddr: ph.p_paddr,
            memsz: ph.p_memsz,
            align: ph.p_align,
            flags: SegmentFlags::from_raw(ph.p_flags),
            data,
        });
    }
    check_overlap(&segments, "p_vaddr", |s| s.vaddr)?;
    check_overlap(&segments, "p_paddr", |s| s.paddr)?;
    Ok(segments)
}

/// Two segments loaded over each other would make the result depend on load order.
fn check_overlap(
    segments: &[Segment<'_>],
    field: &'static str,
    start_of: fn(&Segment<'_>) -> u64,
) -> Result<(), ImageError> {
    // (start, end, index); end cannot overflow, `loadable` checked it. Empty segments occupy
    // no memory and are skipped.
    let mut spans: Vec<(u64, u64, usize)> = segments
        .iter()
        .filter(|s| s.memsz > 0)
        .map(|s| {
            let start = start_of(s);
            (start, start.saturating_add(s.memsz), s.index)
        })
        .collect();
    spans.sort_unstable();
    for pair in spans.windows(2) {
        if let [(a_start, a_end, a), (b_start, b_end, b)] = *pair {
            if b_start < a_end {
                return Err(ImageError::SegmentOverlap {
                    field,
                    first: a,
                    first_start: a_start,
                    first_end: a_end,
                    second: b,
                    second_start: b_start,
                    second_end: b_end,
                });
            }
        }
    }
    Ok(())
}
