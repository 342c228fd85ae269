//! Interpreter throughput: guest MIPS for a loop of loads, stores, ALU ops and a branch.
//!
//! `cargo bench -p hw-models --bench hart_mips` prints the figure; nothing is asserted.

use std::time::Instant;

use hw_models::riscv::hart::{Hart, HartConfig, RamBus, StopReason};
use sim_core::HostPhysAddr;

const BASE: u64 = 0x8000_0000;

const fn r(op: u32, f3: u32, f7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
}
const fn i(op: u32, f3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    (((imm as u32) & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
}
const fn s(f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 5) & 0x7f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (f3 << 12)
        | ((imm & 0x1f) << 7)
        | 0x23
}
const fn bne(rs1: u32, rs2: u32, off: i32) -> u32 {
    let o = off as u32;
    (((o >> 12) & 1) << 31)
        | (((o >> 5) & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (1 << 12)
        | (((o >> 1) & 0xf) << 8)
        | (((o >> 11) & 1) << 7)
        | 0x63
}

fn program() -> Vec<u32> {
    let body = [
        i(0x03, 3, 3, 9, 0),     // ld   x3, 0(x9)
        i(0x13, 0, 3, 3, 1),     // addi x3, x3, 1
        s(3, 9, 3, 0),           // sd   x3, 0(x9)
        r(0x33, 0, 0, 4, 4, 3),  // add  x4, x4, x3
        r(0x33, 4, 0, 5, 5, 4),  // xor  x5, x5, x4
        i(0x03, 2, 6, 9, 8),     // lw   x6, 8(x9)
        s(2, 9, 5, 8),           // sw   x5, 8(x9)
        i(0x13, 1, 7, 4, 3),     // slli x7, x4, 3
        i(0x13, 0, 8, 8, 16),    // addi x8, x8, 16
        i(0x13, 7, 8, 8, 0x3f0), // andi x8, x8, 0x3f0
        r(0x33, 0, 0, 9, 1, 8),  // add  x9, x1, x8
        i(0x13, 0, 2, 2, -1),    // addi x2, x2, -1
    ];
    let mut p = body.to_vec();
    p.push(bne(2, 0, -4 * body.len() as i32));
    p.push(0x1050_0073); // wfi
    p
}

/// CPU time of this thread in seconds, from /proc (Linux), so the figure is meaningful on a
/// machine shared with other jobs. `None` elsewhere.
fn thread_cpu_secs() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// A board calls the hart through a pointer from its own code; keep the benchmark honest by
/// not letting the compiler see the hart as a local of `main`.
#[inline(never)]
fn slice(hart: &mut Hart, bus: &mut RamBus, budget: u64) -> StopReason {
    hart.run(bus, budget)
}

fn main() {
    let mut bus = RamBus::new(BASE, 0x10_0000).unwrap_or_else(|e| panic!("{e}"));
    for (k, w) in program().iter().enumerate() {
        bus.mem
            .write_bytes(HostPhysAddr::new(BASE + 4 * k as u64), &w.to_le_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let iterations: u64 = 20_000_000;
    let mut best = 0.0f64;
    for _ in 0..3 {
        let mut hart = Box::new(Hart::new(HartConfig::default()));
        let _ = hart.set_reg(1, BASE + 0x8000);
        let _ = hart.set_reg(9, BASE + 0x8000);
        let _ = hart.set_reg(2, iterations);
        let t = Instant::now();
        let c0 = thread_cpu_secs();
        let mut stop = StopReason::Budget;
        // Slices of 1M instructions, like a board with a quantum.
        while stop == StopReason::Budget {
            stop = slice(&mut hart, &mut bus, 1_000_000);
        }
        let wall = t.elapsed().as_secs_f64();
        let cpu = match (c0, thread_cpu_secs()) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => wall,
        };
        let n = hart.retired() as f64;
        let mips = n / cpu / 1e6;
        best = best.max(mips);
        println!(
            "hart_mips: {} instructions, {:.3} s CPU ({:.3} s wall): {:.1} MIPS per CPU second, \
             {:.1} MIPS wall ({:?})",
            hart.retired(),
            cpu,
            wall,
            mips,
            n / wall / 1e6,
            stop
        );
    }
    println!("hart_mips: best {best:.1} MIPS per CPU second");
}
