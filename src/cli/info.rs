//! `hvsim info`: what this binary contains.

use std::io::Write;

use clap::Args;
use hvsim::build_info::{self, ARCHES};

/// Arguments of `hvsim info` (none yet).
#[derive(Debug, Args)]
pub struct InfoArgs {}

/// Prints the version, the cargo features and, per architecture, each component's status.
pub fn run(_args: &InfoArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(out, "hvsim {}", build_info::VERSION)?;
    writeln!(
        out,
        "build: {}",
        if build_info::DEBUG_ASSERTIONS {
            "debug assertions on"
        } else {
            "optimized (debug assertions off)"
        }
    )?;
    writeln!(
        out,
        "features: native {} (hardware traits implemented by {})",
        on_off(build_info::NATIVE),
        if build_info::NATIVE {
            "real instructions"
        } else {
            "the software models"
        }
    )?;
    writeln!(out, "guest images: ELF64 little-endian, ET_EXEC or ET_DYN")?;
    for arch in &ARCHES {
        writeln!(out)?;
        writeln!(out, "{} ({})", arch.arch, arch.virtualization)?;
        for component in arch.components {
            writeln!(out, "  {:<14} {}", component.status.label(), component.name)?;
        }
    }
    Ok(())
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}
