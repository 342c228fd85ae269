//! The bare-machine runner behind `hvsim run --bare`: load a RISC-V ELF onto the
//! [`BareBoard`] (RAM at 0x8000_0000, CLINT, 16550 UART, SiFive test finisher, HTIF through
//! the image's `tohost`/`fromhost`), run it in M-mode from its entry, and turn the outcome into
//! a process exit status. See docs/bare-machine.md.
//!
//! ```
//! use hvsim::bare::{self, BareOptions, Outcome};
//! use hw_models::riscv::board::BufferConsole;
//!
//! let elf = std::fs::read(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/fixtures/riscv64/bare/uart_hello.elf"
//! ))
//! .unwrap();
//! let mut console = BufferConsole::default();
//! let report = bare::run_image(&elf, &BareOptions::default(), &mut console, None).unwrap();
//! assert_eq!(report.outcome, Outcome::Exit { code: 0, source: bare::ExitSource::Finisher });
//! assert_eq!(report.outcome.exit_status(), 0);
//! assert_eq!(console.stdout, b"Hello from the 16550 UART\n");
//! ```

mod console;
mod load;
mod status;
mod trace;

use std::time::{Duration, Instant};

pub use console::StdConsole;
pub use hw_models::riscv::board::ExitSource;
use hw_models::riscv::board::{BareBoard, BareConfig, BoardStop, Console};
use hw_models::riscv::hart::HartEvent;
pub use load::{LoadError, LoadedImage, load_image};
pub use status::{
    EXIT_GUEST_CODE_UNREPRESENTABLE, EXIT_INSN_LIMIT, EXIT_PASS, Outcome, guest_exit_status,
};
pub use trace::format_event;

/// What to build and how long to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BareOptions {
    /// RAM size in bytes.
    pub ram_size: u64,
    /// Stop after this many instructions (retired or trapped); `None`: no limit.
    pub max_insns: Option<u64>,
}

impl Default for BareOptions {
    fn default() -> Self {
        Self {
            ram_size: hw_models::riscv::board::map::DEFAULT_RAM_SIZE,
            max_insns: None,
        }
    }
}

/// Why a bare run could not start or could not go on.
#[derive(Debug, thiserror::Error)]
pub enum BareError {
    /// The image could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The board stopped with an error (an unsupported HTIF command, for example).
    #[error(transparent)]
    Board(#[from] hw_models::riscv::board::BoardError),
}

/// The result of a run, with the numbers `--stats` prints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunReport {
    /// How the run ended.
    pub outcome: Outcome,
    /// Instructions retired.
    pub retired: u64,
    /// Virtual time at the end, in timebase ticks.
    pub ticks: u64,
    /// Virtual time at the end, in nanoseconds.
    pub virtual_ns: u64,
    /// Host time spent running the hart (measured here only; nothing in the simulation reads
    /// it).
    pub host_time: Duration,
    /// The pc at the end.
    pub pc: u64,
}

impl RunReport {
    /// Guest instructions retired per host second, in millions.
    pub fn mips(&self) -> f64 {
        let secs = self.host_time.as_secs_f64();
        if secs > 0.0 {
            self.retired as f64 / secs / 1e6
        } else {
            0.0
        }
    }
}

/// Builds a board for `opts` and loads the ELF image in `bytes` onto it.
pub fn prepare(bytes: &[u8], opts: &BareOptions) -> Result<(BareBoard, LoadedImage), BareError> {
    let cfg = BareConfig {
        ram_size: opts.ram_size,
        ..BareConfig::default()
    };
    let mut board = BareBoard::new(&cfg).map_err(LoadError::Board)?;
    let image = load_image(&mut board, bytes)?;
    Ok((board, image))
}

/// Runs a prepared board to its end.
pub fn run_board(
    board: &mut BareBoard,
    opts: &BareOptions,
    console: &mut dyn Console,
    trace: Option<&mut dyn FnMut(&HartEvent)>,
) -> Result<RunReport, BareError> {
    let limit = opts.max_insns.unwrap_or(u64::MAX);
    let started = Instant::now();
    let stop = board.run(limit, console, trace)?;
    let host_time = started.elapsed();
    let outcome = match stop {
        BoardStop::Exit { source, code } => Outcome::Exit { source, code },
        BoardStop::InsnLimit => Outcome::InsnLimit { limit },
        BoardStop::Idle { pc } => Outcome::Idle { pc },
        BoardStop::ResetRequested => Outcome::ResetRequested,
    };
    Ok(RunReport {
        outcome,
        retired: board.hart().retired(),
        ticks: board.clock().ticks(),
        virtual_ns: board.clock().now_ns(),
        host_time,
        pc: board.hart().pc(),
    })
}

/// [`prepare`] then [`run_board`].
pub fn run_image(
    bytes: &[u8],
    opts: &BareOptions,
    console: &mut dyn Console,
    trace: Option<&mut dyn FnMut(&HartEvent)>,
) -> Result<RunReport, BareError> {
    let (mut board, _) = prepare(bytes, opts)?;
    run_board(&mut board, opts, console, trace)
}
