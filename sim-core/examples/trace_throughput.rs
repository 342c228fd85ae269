//! Measures how many exit events per second the always-on digest absorbs: a five-field
//! `MmioRead` and a seven-field `Hypercall` (the exit-path case), recorded into a `Tracer`
//! without a sink.
//!
//! `cargo run --release -p sim-core --example trace_throughput`
//!
//! A measurement, not a test: it asserts nothing about time.

use std::hint::black_box;
use std::time::Instant;

use sim_core::trace::{Field, TraceEvent, TraceKind, Tracer};

const N: u64 = 20_000_000;

/// Nanoseconds this thread has spent on a CPU (Linux schedstat), which stays meaningful on a
/// machine shared with other jobs.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn report(what: &str, start: (Instant, Option<u64>), tracer: &Tracer) {
    let secs = start.0.elapsed().as_secs_f64();
    let cpu = thread_cpu_ns().zip(start.1).map_or("n/a".into(), |(b, a)| {
        format!("{:.1}", b.saturating_sub(a) as f64 / N as f64)
    });
    println!(
        "{what}: {N} events, {:.1} ns/event wall, {cpu} ns/event cpu, digest {}",
        secs * 1e9 / N as f64,
        tracer.digest()
    );
}

fn main() {
    let mut tracer = Tracer::new();
    let start = (Instant::now(), thread_cpu_ns());
    for i in 0..N {
        // A typical MMIO exit: five fields.
        let fields = [
            Field::u64("addr", 0x1000_0000 + (i & 7)),
            Field::i64("width", 1),
            Field::i64("reg", 10),
            Field::i64("reg_width", 8),
            Field::bool("signed_ext", false),
        ];
        let ev = TraceEvent::new(i, 0, TraceKind::Exit, "MmioRead", black_box(&fields));
        tracer.record(black_box(&ev));
    }
    report("MmioRead ", start, &tracer);

    let mut tracer = Tracer::new();
    let start = (Instant::now(), thread_cpu_ns());
    for i in 0..N {
        let fields = [
            Field::u64("nr", 1),
            Field::u64("a0", i),
            Field::u64("a1", 2),
            Field::u64("a2", 3),
            Field::u64("a3", 4),
            Field::u64("a4", 5),
            Field::u64("a5", 6),
        ];
        let ev = TraceEvent::new(i, 0, TraceKind::Exit, "Hypercall", black_box(&fields));
        tracer.record(black_box(&ev));
    }
    report("Hypercall", start, &tracer);
}
