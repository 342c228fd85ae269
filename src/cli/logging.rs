//! Diagnostics on stderr through `tracing`. The level comes from `RUST_LOG` when it is set
//! (full env-filter syntax), else from -q / -v / -vv / -vvv.

use std::io::IsTerminal;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

use super::LogArgs;

/// The env-filter directive for the flags: warnings by default.
fn default_directive(args: &LogArgs) -> &'static str {
    if args.quiet {
        return "error";
    }
    match args.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    }
}

/// Installs the global subscriber (the process-wide logger is the one global the CLI has).
pub fn init(args: &LogArgs) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => {
            EnvFilter::try_new(&spec).with_context(|| format!("invalid RUST_LOG '{spec}'"))?
        }
        _ => EnvFilter::new(default_directive(args)),
    };
    // Colour only for a terminal, and never when NO_COLOR is set (no-color.org).
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .without_time()
        .with_target(false)
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_map_to_levels() {
        let at = |verbose, quiet| default_directive(&LogArgs { verbose, quiet });
        assert_eq!(at(0, false), "warn");
        assert_eq!(at(1, false), "info");
        assert_eq!(at(2, false), "debug");
        assert_eq!(at(9, false), "trace");
        assert_eq!(at(0, true), "error");
    }
}
