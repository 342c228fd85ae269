//! Putting a guest image into guest RAM.

use sim_core::mem::PhysMem;

use super::backend::ArchDefaults;
use super::error::MachineError;
use super::memory::GuestRam;
use crate::image::{ElfImage, LinuxImage};

/// The image a Machine boots.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum GuestImage {
    /// An ELF64 executable: PT_LOAD segments go to their `p_paddr`, entry is `e_entry`.
    Elf(Vec<u8>),
    /// A flat binary. With a Linux `Image` header it goes to RAM base + `text_offset`;
    /// without one to `load_addr`, or RAM base + the architecture's default text offset
    /// (0x8020_0000 on RISC-V). Entry is its first byte.
    Raw {
        /// The file.
        bytes: Vec<u8>,
        /// Where a header-less binary goes (ignored when the `Image` header is present).
        load_addr: Option<u64>,
    },
    /// ELF if the file starts with the ELF magic, otherwise [`GuestImage::Raw`].
    Auto(Vec<u8>),
}

/// Where the image went.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LoadedImage {
    /// The entry point.
    pub entry: u64,
    /// Lowest guest-physical address written.
    pub start: u64,
    /// One past the highest guest-physical address the image occupies (bss included).
    pub end: u64,
}

const ELF_MAGIC: &[u8; 4] = b"\x7fELF";

fn outside(what: String, addr: u64, size: u64, ram: &GuestRam) -> MachineError {
    MachineError::OutsideRam {
        what,
        addr,
        size,
        ram_base: ram.gpa.as_u64(),
        ram_end: ram.end(),
    }
}

/// Loads `image` into `ram`.
pub(crate) fn load(
    image: &GuestImage,
    defaults: &ArchDefaults,
    ram: &GuestRam,
    mem: &mut PhysMem,
) -> Result<LoadedImage, MachineError> {
    match image {
        GuestImage::Auto(b) if b.starts_with(ELF_MAGIC) => load_elf(b, defaults, ram, mem),
        GuestImage::Auto(b) => load_raw(b, None, defaults, ram, mem),
        GuestImage::Elf(b) => load_elf(b, defaults, ram, mem),
        GuestImage::Raw { bytes, load_addr } => load_raw(bytes, *load_addr, defaults, ram, mem),
    }
}

fn load_elf(
    bytes: &[u8],
    defaults: &ArchDefaults,
    ram: &GuestRam,
    mem: &mut PhysMem,
) -> Result<LoadedImage, MachineError> {
    let elf = ElfImage::parse(bytes)?;
    if elf.arch() != defaults.arch {
        return Err(MachineError::WrongArch {
            image: elf.arch(),
            machine: defaults.arch,
        });
    }
    let (mut start, mut end) = (u64::MAX, 0u64);
    // Check every segment before writing any, so a bad image leaves RAM untouched.
    for s in elf.segments() {
        if !ram.contains(s.paddr(), s.memsz()) {
            return Err(outside(
                format!("program header {} (PT_LOAD)", s.index()),
                s.paddr(),
                s.memsz(),
                ram,
            ));
        }
    }
    for s in elf.segments() {
        // Fresh RAM is zero, so the bss part (memsz beyond filesz) needs no writing.
        if !ram.write(mem, s.paddr(), s.data()) {
            return Err(outside(
                format!("program header {} (PT_LOAD)", s.index()),
                s.paddr(),
                s.memsz(),
                ram,
            ));
        }
        if s.memsz() > 0 {
            start = start.min(s.paddr());
            end = end.max(s.paddr() + s.memsz());
        }
    }
    if start > end {
        start = end;
    }
    Ok(LoadedImage {
        entry: elf.entry(),
        start,
        end,
    })
}

fn load_raw(
    bytes: &[u8],
    load_addr: Option<u64>,
    defaults: &ArchDefaults,
    ram: &GuestRam,
    mem: &mut PhysMem,
) -> Result<LoadedImage, MachineError> {
    let (addr, mem_size, what) = match LinuxImage::parse(bytes)? {
        Some(img) => (
            ram.gpa.as_u64().checked_add(img.text_offset()),
            img.mem_size(),
            "Linux Image (RAM base + text_offset)",
        ),
        None => (
            Some(
                load_addr.unwrap_or(
                    ram.gpa
                        .as_u64()
                        .saturating_add(defaults.default_text_offset),
                ),
            ),
            bytes.len() as u64,
            "raw image",
        ),
    };
    let addr = addr.ok_or_else(|| outside(what.into(), u64::MAX, mem_size, ram))?;
    if !ram.contains(addr, mem_size) || !ram.write(mem, addr, bytes) {
        return Err(outside(what.into(), addr, mem_size, ram));
    }
    Ok(LoadedImage {
        entry: addr,
        start: addr,
        end: addr + mem_size,
    })
}
