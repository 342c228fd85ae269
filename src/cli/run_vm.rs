//! `hvsim run <IMAGE>` without `--bare`: the guest in VS-mode on the hypervisor Machine
//! (docs/run.md). Console on stdout; exit trace, summary and errors on stderr; the process
//! exit status is the guest's shutdown status.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use hvsim::Arch;
use hvsim::image::ElfImage;
use hvsim::image::LinuxImage;
use hvsim::machine::{GuestImage, Outcome, RunSummary};
use hvsim::machine_riscv::{
    EXIT_ERROR, ExitSink, RunConfig, SharedConsole, TraceOut, build_machine_traced, exit_status,
};
use sim_core::trace::TraceSink;
use vcpu::stage2::GStageMode;

use super::guest_file::read_image;
use super::run::{RunArgs, TraceKind};

/// Offset of the arm64 Linux `Image` magic ("ARM\x64", arm64 booting.rst).
const ARM64_IMAGE_MAGIC_OFFSET: usize = 0x38;
const ARM64_IMAGE_MAGIC: [u8; 4] = *b"ARM\x64";

/// The options of `hvsim run` that only the hypervisor Machine has.
#[derive(Debug, Args)]
pub struct VmArgs {
    /// Number of vCPUs (harts of the guest), 1..=64.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub vcpus: u16,
    /// Kernel command line, passed in the device tree (/chosen/bootargs).
    #[arg(long, value_name = "CMDLINE", default_value = "")]
    pub append: String,
    /// The guest architecture, for images whose header does not say (raw binaries).
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<ArchArg>,
    /// The G-stage (stage-2) translation scheme.
    #[arg(long, value_name = "MODE", default_value = "sv39x4")]
    pub gstage: GStageArg,
    /// Write every trap and exit event as JSON Lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace_out: Option<PathBuf>,
    /// Compare the exits with a golden trace (a `.exits` file); a difference fails the run
    /// (exit status 1) with the first differing line.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
}

/// `--arch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ArchArg {
    /// RISC-V 64 with the H extension.
    Riscv64,
    /// AArch64 with EL2.
    Aarch64,
    /// x86-64 with VMX.
    #[value(name = "x86_64")]
    X86_64,
}

/// `--gstage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GStageArg {
    /// Sv39x4: 41-bit guest-physical addresses.
    Sv39x4,
    /// Sv48x4: 50-bit guest-physical addresses.
    Sv48x4,
}

/// Refuses Machine-only options on `--bare`.
pub fn reject_vm_only_flags(args: &RunArgs) -> anyhow::Result<()> {
    let vm = &args.vm;
    let used = [
        (vm.vcpus != 1, "--vcpus"),
        (!vm.append.is_empty(), "--append"),
        (vm.trace_out.is_some(), "--trace-out"),
        (vm.expect.is_some(), "--expect"),
        (args.trace == Some(TraceKind::Exits), "--trace exits"),
    ];
    if let Some((_, flag)) = used.iter().find(|(on, _)| *on) {
        bail!("{flag} needs the hypervisor Machine; the bare machine has no vCPUs (drop --bare)");
    }
    Ok(())
}

/// The architecture an image is for: the ELF header, the Linux `Image` magic, or `--arch`.
fn detect_arch(bytes: &[u8], arg: Option<ArchArg>) -> anyhow::Result<Arch> {
    let from_arg = arg.map(|a| match a {
        ArchArg::Riscv64 => Arch::Riscv64,
        ArchArg::Aarch64 => Arch::Aarch64,
        ArchArg::X86_64 => Arch::X86_64,
    });
    let detected = if bytes.starts_with(b"\x7fELF") {
        Some(ElfImage::parse(bytes)?.arch())
    } else if LinuxImage::has_magic(bytes) {
        Some(Arch::Riscv64)
    } else if bytes.get(ARM64_IMAGE_MAGIC_OFFSET..ARM64_IMAGE_MAGIC_OFFSET + 4)
        == Some(&ARM64_IMAGE_MAGIC[..])
    {
        Some(Arch::Aarch64)
    } else {
        None
    };
    match (detected, from_arg) {
        (Some(d), Some(a)) if d != a => bail!("the image is for {d}, but --arch says {a}"),
        (Some(d), _) => Ok(d),
        (None, Some(a)) => Ok(a),
        (None, None) => bail!(
            "cannot tell the architecture: neither an ELF file nor a Linux Image (use --arch)"
        ),
    }
}

/// Runs the guest on the hypervisor Machine and returns the process exit status.
pub fn run(args: &RunArgs) -> anyhow::Result<u8> {
    let shown = args.path.display().to_string();
    if args.stats {
        tracing::info!("--stats is implied: the hypervisor Machine always prints its summary");
    }
    let bytes = read_image(&args.path)?;
    let arch = detect_arch(&bytes, args.vm.arch).with_context(|| shown.clone())?;
    if arch != Arch::Riscv64 {
        bail!("{shown}: the {arch} Machine is not built yet (riscv64 only)");
    }
    let mut sink = ExitSink::new();
    // --trace insn: instruction lines and exit lines share one buffered stderr writer,
    // so they stay in execution order (docs/run.md).
    let insn_out = (args.trace == Some(TraceKind::Insn))
        .then(|| TraceOut::new(Box::new(BufWriter::new(io::stderr()))));
    match (&insn_out, args.trace) {
        (Some(out), _) => sink = sink.echo(Box::new(out.clone())),
        (None, Some(TraceKind::Exits)) => sink = sink.echo(Box::new(io::stderr())),
        (None, _) => {}
    }
    if let Some(p) = &args.vm.trace_out {
        let f = File::create(p).with_context(|| format!("{}: creating", p.display()))?;
        sink = sink.jsonl(Box::new(BufWriter::new(f)));
    }
    if let Some(p) = &args.vm.expect {
        let text = std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?;
        sink = sink.expect(&text);
    }
    let cfg = RunConfig {
        vcpus: usize::from(args.vm.vcpus),
        ram: args.ram,
        max_insns: args.max_insns,
        append: args.vm.append.clone(),
        gstage: match args.vm.gstage {
            GStageArg::Sv39x4 => GStageMode::Sv39x4,
            GStageArg::Sv48x4 => GStageMode::Sv48x4,
        },
    };
    let console = SharedConsole::with_echo(Box::new(io::stdout()));
    // Without a consumer the sink would only cost time on the exit path.
    let wanted = args.trace.is_some() || args.vm.trace_out.is_some() || args.vm.expect.is_some();
    let sink: Option<Box<dyn TraceSink>> = if wanted { Some(Box::new(sink)) } else { None };
    let mut m = build_machine_traced(GuestImage::Auto(bytes), &cfg, &console, sink, insn_out)
        .with_context(|| shown.clone())?;
    let start = Instant::now();
    let summary = m.run();
    let host = start.elapsed();
    let sink = m.tracer_mut().sink_mut::<ExitSink>().map(|s| {
        s.flush();
        (s.divergence(), s.write_failed())
    });
    print_summary(&summary, host.as_secs_f64());
    if let Some((_, true)) = sink {
        tracing::warn!("writing the exit trace failed; it is incomplete");
    }
    if let (Some((Some(d), _)), Some(p)) = (sink, &args.vm.expect) {
        eprintln!(
            "hvsim: exit trace differs from {} at line {}:",
            p.display(),
            d.line
        );
        eprintln!(
            "  expected: {}",
            d.expected.as_deref().unwrap_or("(end of trace)")
        );
        eprintln!(
            "  actual:   {}",
            d.actual.as_deref().unwrap_or("(run ended)")
        );
        return Ok(EXIT_ERROR);
    }
    finish(&summary.outcome, args.max_insns)
}

fn print_summary(s: &RunSummary, host_secs: f64) {
    let exits: Vec<String> = s.exits.iter().map(|(n, c)| format!("{n} {c}")).collect();
    eprintln!("hvsim: outcome: {}", s.outcome);
    eprintln!("hvsim: exits: {} ({})", s.exits.total(), exits.join(", "));
    let mips = if host_secs > 0.0 {
        s.instructions as f64 / host_secs / 1e6
    } else {
        0.0
    };
    eprintln!(
        "hvsim: instructions: {}, virtual time: {} ns, host time: {:.3} s, {:.1} MIPS",
        s.instructions, s.vtime_ns, host_secs, mips
    );
    eprintln!("hvsim: digest: {}", s.digest);
}

/// The exit status, or the one-line error for outcomes that are hvsim failures.
fn finish(outcome: &Outcome, max_insns: Option<u64>) -> anyhow::Result<u8> {
    let status = exit_status(outcome);
    match outcome {
        Outcome::Error(e) => bail!("the run failed: {e}"),
        Outcome::AllHalted => {
            bail!("every vCPU waits in WFI and no timer is armed: nothing can wake them")
        }
        Outcome::AllStopped => bail!("every vCPU stopped (SBI hart_stop) without a shutdown"),
        Outcome::Reset { .. } => {
            bail!("the guest asked for a reboot ({outcome}), which the Machine does not model")
        }
        Outcome::BudgetExhausted => eprintln!(
            "hvsim: instruction limit reached (--max-insns {}) (exit status {status})",
            max_insns.unwrap_or(0)
        ),
        Outcome::Shutdown { .. } | Outcome::Stopped { .. } => {
            if status != 0 {
                eprintln!("hvsim: guest failed: {outcome} (exit status {status})");
            }
        }
    }
    Ok(status)
}
