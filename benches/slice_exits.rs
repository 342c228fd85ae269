//! Exits per second through the whole path guest -> vCPU -> Machine -> guest: runs
//! fixtures/riscv64/hcloop.elf (an endless loop of hvsim hypercall FID 0, three
//! instructions per exit) on the RISC-V Machine for a fixed instruction budget, several
//! times, and reports exits/s by wall clock and by this thread's CPU time.
//!
//! `cargo bench --bench slice_exits`. Host time is measured here only; the simulation never
//! reads it. CPU time comes from Linux `/proc/thread-self/schedstat` (meaningful on a
//! shared machine).

use std::time::{Duration, Instant};

use hvsim::machine::{GuestImage, Outcome};
use hvsim::machine_riscv::{RunConfig, SharedConsole, build_machine};

const HCLOOP_ELF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/riscv64/hcloop.elf");
const BUDGET: u64 = 6_000_000;
const RUNS: usize = 5;

fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let elf = match std::fs::read(HCLOOP_ELF) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("slice_exits: cannot read {HCLOOP_ELF}: {e}");
            std::process::exit(1);
        }
    };
    let mut best_cpu: f64 = 0.0;
    for run in 1..=RUNS {
        let console = SharedConsole::new();
        let cfg = RunConfig {
            max_insns: Some(BUDGET),
            ..RunConfig::default()
        };
        let mut m = match build_machine(GuestImage::Elf(elf.clone()), &cfg, &console, None) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("slice_exits: {e}");
                std::process::exit(1);
            }
        };
        let cpu0 = thread_cpu_ns();
        let t0 = Instant::now();
        let s = m.run();
        let wall = t0.elapsed();
        let cpu = match (cpu0, thread_cpu_ns()) {
            (Some(a), Some(b)) if b > a => Some(Duration::from_nanos(b - a)),
            _ => None,
        };
        if s.outcome != Outcome::BudgetExhausted {
            eprintln!("slice_exits: unexpected outcome {}", s.outcome);
            std::process::exit(1);
        }
        let hc = s.exits.get("Hypercall");
        let per = |d: Duration| hc as f64 / d.as_secs_f64();
        let cpu_rate = cpu.map_or(0.0, per);
        best_cpu = best_cpu.max(cpu_rate);
        println!(
            "run {run}: {hc} hypercall exits ({} exits in all), wall {:.3} s = {:.2} M exits/s, cpu {} = {:.2} M exits/s ({:.0} ns/exit)",
            s.exits.total(),
            wall.as_secs_f64(),
            per(wall) / 1e6,
            cpu.map_or("n/a".into(), |d| format!("{:.3} s", d.as_secs_f64())),
            cpu_rate / 1e6,
            if cpu_rate > 0.0 { 1e9 / cpu_rate } else { 0.0 },
        );
    }
    println!("best: {:.2} M exits per CPU second", best_cpu / 1e6);
}
