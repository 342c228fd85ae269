//! `hvsim inspect <elf>`: what a guest image contains, as the loader sees it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::guest_file::read_image;

use anyhow::Context;
use clap::Args;
use hvsim::Arch;
use hvsim::image::{ElfImage, Segment, Symbol};

/// Symbols hosts look for: the entry, the HTIF mailbox, and the riscv-arch-test signature.
const SYMBOLS_OF_INTEREST: [&str; 5] = [
    "_start",
    "tohost",
    "fromhost",
    "begin_signature",
    "end_signature",
];

/// Arguments of `hvsim inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The guest ELF file.
    #[arg(value_name = "ELF")]
    pub path: PathBuf,
    /// List every symbol, not only the ones hosts look for.
    #[arg(long)]
    pub symbols: bool,
}

/// Reads, validates and describes the image.
pub fn run(args: &InspectArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let bytes = read_image(&args.path)?;
    let image = ElfImage::parse(&bytes).with_context(|| args.path.display().to_string())?;
    tracing::info!(path = %args.path.display(), arch = %image.arch(), "parsed guest image");
    describe(&args.path, bytes.len(), &image, args.symbols, out)
}

fn describe(
    path: &Path,
    len: usize,
    image: &ElfImage<'_>,
    all_symbols: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let entry_note = match image.segment_at_vaddr(image.entry()) {
        Some(seg) => format!("in segment {}", seg.index()),
        None => "WARNING: outside every loadable segment".to_owned(),
    };
    let loads = image.segments().len();
    writeln!(out, "file:            {} ({len} bytes)", path.display())?;
    writeln!(
        out,
        "machine:         {} ({})",
        image.arch(),
        em_name(image.arch())
    )?;
    writeln!(out, "class:           ELF64")?;
    writeln!(out, "endianness:      little-endian")?;
    writeln!(out, "type:            {}", image.elf_type())?;
    writeln!(out, "entry:           {:#x} ({entry_note})", image.entry())?;
    writeln!(
        out,
        "flags:           {}",
        describe_flags(image.arch(), image.flags())
    )?;
    writeln!(
        out,
        "program headers: {} ({loads} PT_LOAD)",
        image.program_header_count()
    )?;
    writeln!(out, "sections:        {}", image.section_count())?;

    writeln!(out)?;
    writeln!(out, "loadable segments:")?;
    writeln!(
        out,
        "  {:>3}  {:<18}  {:<18}  {:<10}  {:<10}  flags  align",
        "idx", "vaddr", "paddr", "filesz", "memsz"
    )?;
    for seg in image.segments() {
        write_segment(out, seg)?;
    }

    writeln!(out)?;
    let symbol_header = format!(
        "  {:<18}  {:>6}  {:<7} {:<7} {:>4}  name",
        "value", "size", "type", "bind", "ndx"
    );
    if all_symbols {
        writeln!(out, "symbols ({}):", image.symbols().len())?;
        writeln!(out, "{symbol_header}")?;
        for sym in image.symbols() {
            write_symbol(out, sym)?;
        }
    } else {
        writeln!(out, "symbols of interest:")?;
        writeln!(out, "{symbol_header}")?;
        for name in SYMBOLS_OF_INTEREST {
            match image.symbol(name) {
                Some(sym) => write_symbol(out, sym)?,
                None => writeln!(
                    out,
                    "  {:<18}  {:>6}  {:<7} {:<7} {:>4}  {name} (not present)",
                    "-", "-", "-", "-", "-"
                )?,
            }
        }
    }
    Ok(())
}

fn write_segment(out: &mut dyn Write, seg: &Segment<'_>) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:>3}  {:#018x}  {:#018x}  {:<#10x}  {:<#10x}  {:<5}  {:#x}",
        seg.index(),
        seg.vaddr(),
        seg.paddr(),
        seg.filesz(),
        seg.memsz(),
        seg.flags().to_string(),
        seg.align()
    )
}

fn write_symbol(out: &mut dyn Write, sym: &Symbol<'_>) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:#018x}  {:>6}  {:<7} {:<7} {:>4}  {}",
        sym.value(),
        sym.size(),
        sym.kind().to_string(),
        sym.binding().to_string(),
        sym.section_label(),
        sym.name()
    )
}

fn em_name(arch: Arch) -> &'static str {
    match arch {
        Arch::Riscv64 => "EM_RISCV",
        Arch::Aarch64 => "EM_AARCH64",
        Arch::X86_64 => "EM_X86_64",
    }
}

/// RISC-V ELF psABI, "e_flags": RVC, float ABI, RVE and TSO bits.
const EF_RISCV_RVC: u32 = 0x1;
const EF_RISCV_FLOAT_ABI: u32 = 0x6;
const EF_RISCV_RVE: u32 = 0x8;
const EF_RISCV_TSO: u32 = 0x10;

/// `e_flags` in hex, with the RISC-V psABI bits spelled out.
fn describe_flags(arch: Arch, flags: u32) -> String {
    if arch != Arch::Riscv64 {
        return format!("{flags:#x}");
    }
    let float_abi = match flags & EF_RISCV_FLOAT_ABI {
        0x0 => "soft-float ABI",
        0x2 => "single-float ABI",
        0x4 => "double-float ABI",
        _ => "quad-float ABI",
    };
    let mut parts = vec![float_abi];
    if flags & EF_RISCV_RVC != 0 {
        parts.insert(0, "RVC");
    }
    if flags & EF_RISCV_RVE != 0 {
        parts.push("RVE");
    }
    if flags & EF_RISCV_TSO != 0 {
        parts.push("TSO");
    }
    format!("{flags:#x} ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RISC-V ELF psABI e_flags: bit 0 RVC, bits 1-2 float ABI (0 soft, 1 single, 2 double,
    /// 3 quad), bit 3 RVE, bit 4 TSO.
    #[test]
    fn riscv_flags_follow_the_psabi() {
        assert_eq!(
            describe_flags(Arch::Riscv64, 0x1),
            "0x1 (RVC, soft-float ABI)"
        );
        assert_eq!(
            describe_flags(Arch::Riscv64, 0x5),
            "0x5 (RVC, double-float ABI)"
        );
        assert_eq!(
            describe_flags(Arch::Riscv64, 0x18),
            "0x18 (soft-float ABI, RVE, TSO)"
        );
        assert_eq!(describe_flags(Arch::Aarch64, 0), "0x0");
    }
}
