//! Exit-path cost of the Machine: a mock vCPU that exits on a hypercall on every `run`, a
//! handler that answers, the always-on trace digest, no trace sink, `record_calls(false)`.
//! Reports nanoseconds per exit round trip (wall clock and, on Linux, this thread's on-CPU
//! time, which stays meaningful on a machine shared with other jobs).
//!
//! `cargo bench --bench exit_roundtrip` (release profile). Host time is measured here only.

use std::time::Instant;

use hvsim::machine::mock::MockBackend;
use hvsim::machine::{GuestImage, MachineBuilder, Reply};
use vcpu::ExitReason;

const EXITS: u64 = 10_000_000;
const RUNS: usize = 3;

/// Nanoseconds this thread has spent on a CPU (first field of schedstat), if available.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let mut best = f64::INFINITY;
    for run in 0..RUNS {
        let backend = MockBackend::new(1)
            .idle_exit(ExitReason::Hypercall {
                nr: 1,
                args: [1, 2, 3, 4, 5, 6],
            })
            .insns_per_run(1)
            .record_calls(false);
        let built = MachineBuilder::new(backend)
            .ram_size(16 << 20)
            .budget(EXITS)
            .image(GuestImage::Raw {
                bytes: vec![0x73, 0x00, 0x50, 0x10],
                load_addr: None,
            })
            .on_hypercall(|c| Reply::Value(c.args[0]))
            .build();
        let mut m = match built {
            Ok(m) => m,
            Err(e) => {
                eprintln!("build failed: {e}");
                return;
            }
        };
        let cpu0 = thread_cpu_ns();
        let t0 = Instant::now();
        let sum = m.run();
        let wall = t0.elapsed().as_nanos() as f64;
        let cpu = thread_cpu_ns()
            .zip(cpu0)
            .map(|(b, a)| b.saturating_sub(a) as f64);
        let exits = sum.exits.get("Hypercall").max(1) as f64;
        let cpu_ns = cpu.map(|c| c / exits);
        best = best.min(cpu_ns.unwrap_or(wall / exits));
        println!(
            "run {run}: {exits} hypercall exits, {:.1} ns/exit wall, {} ns/exit cpu, digest {}",
            wall / exits,
            cpu_ns.map_or("n/a".into(), |c| format!("{c:.1}")),
            sum.digest
        );
    }
    println!("best: {best:.1} ns per exit round trip");
}
