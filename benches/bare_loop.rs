//! Guest MIPS of the bare machine: runs fixtures/riscv64/bare/loop.elf (loads, stores, ALU,
//! branches; about 25.7 million instructions, self-checking) through the same path as
//! `hvsim run --bare`, several times, and reports host time and MIPS per run plus the best.
//!
//! `cargo bench --bench bare_loop` (release profile). Host time is measured here only; the
//! simulation never reads it. Besides wall-clock MIPS the bench reports CPU-time MIPS from the
//! thread's on-CPU time (Linux `/proc/thread-self/schedstat`), which stays meaningful on a
//! machine shared with other jobs.

use std::time::Duration;

use hvsim::bare::{self, BareOptions, Outcome};
use hw_models::riscv::board::{BufferConsole, ExitSource};

const LOOP_ELF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/riscv64/bare/loop.elf"
);
const RUNS: usize = 5;

/// Nanoseconds this thread has spent on a CPU (first field of schedstat), if the kernel
/// exposes it.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let elf = match std::fs::read(LOOP_ELF) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("bare_loop: cannot read {LOOP_ELF}: {e}");
            std::process::exit(1);
        }
    };
    let opts = BareOptions::default();
    let mut best: Option<(f64, Duration, u64)> = None;
    for run in 1..=RUNS {
        let mut console = BufferConsole::default();
        let cpu_before = thread_cpu_ns();
        let report = match bare::run_image(&elf, &opts, &mut console, None) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("bare_loop: {e}");
                std::process::exit(1);
            }
        };
        let pass = Outcome::Exit {
            source: ExitSource::Htif,
            code: 0,
        };
        if report.outcome != pass {
            eprintln!("bare_loop: loop.elf did not pass: {:?}", report.outcome);
            std::process::exit(1);
        }
        let cpu = match (cpu_before, thread_cpu_ns()) {
            (Some(a), Some(b)) if b > a => Some(Duration::from_nanos(b - a)),
            _ => None,
        };
        let mips = report.mips();
        let cpu_text = cpu.map_or(String::new(), |c| {
            format!(
                "; {:.3} s on CPU: {:.1} MIPS",
                c.as_secs_f64(),
                report.retired as f64 / c.as_secs_f64() / 1e6
            )
        });
        println!(
            "bare_loop run {run}: {} instructions, {:.3} s wall: {mips:.1} MIPS{cpu_text}",
            report.retired,
            report.host_time.as_secs_f64()
        );
        if best.is_none_or(|(m, _, _)| mips > m) {
            best = Some((mips, report.host_time, report.retired));
        }
    }
    if let Some((mips, t, n)) = best {
        println!(
            "bare_loop best wall-clock: {mips:.1} MIPS ({n} instructions in {:.3} s)",
            t.as_secs_f64()
        );
    }
}
