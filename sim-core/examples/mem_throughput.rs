//! Measures PhysMem read/write cost for word accesses spread over 1 MiB of RAM.
//!
//! `cargo run --release -p sim-core --example mem_throughput`
//!
//! A measurement, not a test: it asserts nothing about time.

use std::hint::black_box;
use std::time::Instant;

use sim_core::{AccessWidth, HostPhysAddr, PhysMem};

fn main() {
    const N: u64 = 50_000_000;
    const BASE: u64 = 0x8000_0000;
    let mut mem = PhysMem::new(64 << 20);
    mem.add_ram(HostPhysAddr::new(BASE), 64 << 20).unwrap();
    let addr = |i: u64| HostPhysAddr::new(BASE + (i.wrapping_mul(0x9e37_79b9) & 0xf_fff8));
    let start = Instant::now();
    for i in 0..N {
        mem.write(addr(i), AccessWidth::Qword, i).unwrap();
    }
    let w = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut sum = 0u64;
    for i in 0..N {
        sum = sum.wrapping_add(mem.read(black_box(addr(i)), AccessWidth::Qword).unwrap());
    }
    let r = start.elapsed().as_secs_f64();
    println!(
        "{N} writes: {:.1} ns each; {N} reads: {:.1} ns each (checksum {sum:#x})",
        w * 1e9 / N as f64,
        r * 1e9 / N as f64
    );
}
