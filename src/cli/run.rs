//! `hvsim run --bare <elf>`: run a RISC-V ELF on the bare machine (docs/bare-machine.md).
//! Without `--bare` the guest runs on the hypervisor Machine: `run_vm.rs` (docs/run.md).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hvsim::bare::{self, BareOptions, Outcome, RunReport, StdConsole};
use hw_models::riscv::board::ExitSource;
use hw_models::riscv::hart::HartEvent;

use super::guest_file::read_image;

/// Arguments of `hvsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run on the bare RISC-V machine: M-mode from the ELF entry, RAM at 0x8000_0000, CLINT,
    /// 16550 UART, SiFive test finisher and HTIF (tohost/fromhost). Without it the guest
    /// runs in VS-mode on the hypervisor Machine (docs/run.md).
    #[arg(long)]
    pub bare: bool,
    /// The guest image: an ELF file, or a Linux `Image` (riscv64).
    #[arg(value_name = "IMAGE")]
    pub path: PathBuf,
    /// RAM size: bytes, or a number with a K, M or G suffix (binary units).
    #[arg(long, value_name = "SIZE", default_value = "128M", value_parser = parse_size)]
    pub ram: u64,
    /// Stop after N instructions (retired or trapped) with exit status 124.
    #[arg(long, value_name = "N")]
    pub max_insns: Option<u64>,
    /// Print a trace on stderr: `insn` = every retired instruction (address, encoding,
    /// disassembly, register written), exception and interrupt, and on the hypervisor
    /// Machine also every exit; `exits` = every exit (hypervisor Machine only).
    #[arg(long, value_name = "WHAT")]
    pub trace: Option<TraceKind>,
    /// Print instructions retired, virtual time, host time and MIPS on stderr at the end.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub vm: super::run_vm::VmArgs,
}

/// What `--trace` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceKind {
    /// Every instruction, exception and interrupt.
    Insn,
    /// Every vCPU exit with its decoded fields (hypervisor Machine only).
    Exits,
}

/// Parses `4096`, `64K`, `128M`, `1G` (also `128MiB`, `128MB`: binary units either way).
pub(super) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 10),
        Some((i, 'M' | 'm')) => (&t[..i], 20),
        Some((i, 'G' | 'g')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a size (examples: 4096, 64K, 128M, 1G)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("'{s}' is too large"))
}

/// Runs the guest and returns the process exit status (docs/bare-machine.md).
pub fn run(args: &RunArgs) -> anyhow::Result<u8> {
    if !args.bare {
        return super::run_vm::run(args);
    }
    super::run_vm::reject_vm_only_flags(args)?;
    let shown = args.path.display();
    let bytes = read_image(&args.path)?;
    let opts = BareOptions {
        ram_size: args.ram,
        max_insns: args.max_insns,
    };
    let (mut board, _) = bare::prepare(&bytes, &opts).with_context(|| shown.to_string())?;
    let mut console = StdConsole::new();
    let report = match args.trace {
        Some(TraceKind::Insn) => {
            let mut err = BufWriter::new(io::stderr().lock());
            let mut hook = |ev: &HartEvent| {
                let _ = writeln!(err, "{}", bare::format_event(ev));
            };
            let r = bare::run_board(&mut board, &opts, &mut console, Some(&mut hook));
            err.flush().context("writing the trace")?;
            r
        }
        Some(TraceKind::Exits) | None => bare::run_board(&mut board, &opts, &mut console, None),
    }
    .with_context(|| shown.to_string())?;
    console.flush();
    if let Some(kind) = console.error().filter(|k| *k != io::ErrorKind::BrokenPipe) {
        eprintln!("hvsim: warning: guest output was lost: {kind}");
    }
    if args.stats {
        print_stats(&report);
    }
    finish(&report)
}

fn print_stats(r: &RunReport) {
    eprintln!("hvsim: instructions retired: {}", r.retired);
    eprintln!(
        "hvsim: virtual time: {} ns ({} timebase ticks)",
        r.virtual_ns, r.ticks
    );
    eprintln!("hvsim: host time: {:.3} s", r.host_time.as_secs_f64());
    eprintln!("hvsim: MIPS: {:.1}", r.mips());
}

/// Reports the outcome on stderr and picks the exit status; outcomes that are hvsim errors
/// come back as `Err` (one `error:` line, status 1).
fn finish(r: &RunReport) -> anyhow::Result<u8> {
    let status = r.outcome.exit_status();
    match r.outcome {
        Outcome::Exit { code: 0, .. } => {}
        Outcome::Exit { source, code } => {
            let by = match source {
                ExitSource::Htif => "HTIF exit",
                ExitSource::Finisher => "test finisher FAIL",
            };
            eprintln!("hvsim: guest failed: {by} code {code} (exit status {status})");
        }
        Outcome::InsnLimit { limit } => {
            eprintln!(
                "hvsim: instruction limit reached (--max-insns {limit}) at pc {:#x}, {} retired (exit status {status})",
                r.pc, r.retired
            );
        }
        Outcome::Idle { pc } => anyhow::bail!(
            "the hart waits in WFI at pc {pc:#x} and no interrupt is enabled or scheduled that could wake it"
        ),
        Outcome::ResetRequested => anyhow::bail!(
            "the guest asked the test finisher for a reset, which the bare machine does not model"
        ),
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_with_binary_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("128M"), Ok(128 << 20));
        assert_eq!(parse_size("128MiB"), Ok(128 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
