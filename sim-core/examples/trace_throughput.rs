//! Measures how many exit events per second the always-on digest absorbs.
//!
//! `cargo run --release -p sim-core --example trace_throughput`
//!
//! A measurement, not a test: it asserts nothing about time.

use std::hint::black_box;
use std::time::Instant;

use sim_core::trace::{Field, TraceEvent, TraceKind, Tracer};

fn main() {
    const N: u64 = 20_000_000;
    let mut tracer = Tracer::new();
    let start = Instant::now();
    for i in 0..N {
        // A typical MMIO exit: five fields.
        let fields = [
            Field::u64("addr", 0x1000_0000 + (i & 7)),
            Field::u64("width", 1),
            Field::u64("reg", 10),
            Field::u64("reg_width", 8),
            Field::bool("signed_ext", false),
        ];
        let ev = TraceEvent::new(i, 0, TraceKind::Exit, "MmioRead", black_box(&fields));
        tracer.record(black_box(&ev));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{N} exit events in {secs:.3} s: {:.1} M events/s, {:.1} ns/event, digest {}",
        N as f64 / secs / 1e6,
        secs * 1e9 / N as f64,
        tracer.digest()
    );
}
