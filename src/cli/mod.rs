//! Command-line interface: argument types, dispatch, and the error policy (one line on
//! stderr, non-zero exit, never a panic or a backtrace for bad input).

mod diff;
mod guest_file;
mod info;
mod inspect;
mod logging;
mod run;
mod run_vm;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Exit status for a command that failed (bad file, failed run).
const EXIT_FAILURE: u8 = 1;
/// Exit status for unusable command-line arguments (the clap/sysexits convention).
const EXIT_USAGE: u8 = 2;

/// Run hypervisor vCPU code against software models of virtualization hardware.
#[derive(Debug, Parser)]
#[command(name = "hvsim", version, about, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Logging verbosity. `RUST_LOG`, when set, overrides both flags.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the architectures, models and features built into this binary.
    Info(info::InfoArgs),
    /// Describe a guest ELF image: machine, entry, loadable segments, symbols.
    Inspect(inspect::InspectArgs),
    /// Compare two JSON Lines traces (`hvsim run --trace-out`) event by event.
    Diff(diff::DiffArgs),
    /// Run a guest image on the hypervisor Machine (`--bare`: a RISC-V ELF on the bare
    /// machine).
    Run(run::RunArgs),
}

/// Parses the arguments, runs the command, and reports the outcome.
pub fn main() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    if let Err(e) = logging::init(&cli.log) {
        return report(&e);
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(&cli.command, &mut out).and_then(|status| {
        out.flush()?;
        Ok(status)
    });
    match result {
        Ok(status) => ExitCode::from(status),
        // `hvsim inspect --symbols big.elf | head` closes the pipe early; that is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

/// Runs one command, writing its report to `out`, and returns the exit status.
pub fn run(command: &Command, out: &mut dyn Write) -> anyhow::Result<u8> {
    match command {
        Command::Info(args) => info::run(args, out).map(|()| 0),
        Command::Inspect(args) => inspect::run(args, out).map(|()| 0),
        Command::Run(args) => run::run(args),
        Command::Diff(args) => diff::run(args, out),
    }
}

/// Prints `error: <cause chain on one line>` and returns the failure status.
fn report(err: &anyhow::Error) -> ExitCode {
    tracing::debug!(error = ?err, "command failed");
    eprintln!("error: {}", one_line(&format!("{err:#}")));
    ExitCode::from(EXIT_FAILURE)
}

/// Help and version go to stdout with success; argument errors become one line with a hint.
fn clap_exit(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{err}");
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{err}");
            ExitCode::from(EXIT_USAGE)
        }
        _ => {
            // clap renders "error: ...", details on indented lines, then a usage block.
            let rendered = err.render().to_string();
            let message = rendered.split("\nUsage:").next().unwrap_or(&rendered);
            let message = one_line(message);
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            eprintln!("error: {message} (see 'hvsim --help')");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Collapses whitespace runs, newlines included, to single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// A panic is a bug in hvsim, never the user's fault: say so on one line instead of the
/// default message and backtrace hint.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "error: internal error (a bug in hvsim, please report it){location}: {}",
            one_line(&payload)
        );
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line("a\n  b\tc \n"), "a b c");
    }
}
