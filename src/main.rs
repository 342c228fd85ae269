//! The `hvsim` command. All behaviour lives in [`cli`]; this file only maps the outcome to a
//! process exit status.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
