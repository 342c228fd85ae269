//! Interpreter throughput: guest MIPS for a loop of loads, stores, ALU ops and a branch.
//!
//! `cargo bench -p hw-models --bench hart_mips` prints the figure; nothing is asserted.

use std::time::Instant;

use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{Hart, HartConfig, RamBus, StopReason};
use hw_models::riscv::privilege::Mode;
use sim_core::HostPhysAddr;

#[path = "../tests/hart_support/mod.rs"]
#[allow(unused_imports)]
mod hart_support;

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

/// Where the loop runs.
#[derive(Clone, Copy, Debug)]
enum Setup {
    /// M-mode, bare.
    Machine,
    /// HS-mode with Sv39 (4 KiB pages).
    SupervisorSv39,
    /// VS-mode: Sv39 (4 KiB pages) over Sv39x4 (2 MiB pages).
    GuestSv39OverSv39x4,
}

/// Code VA and data VA for the S-mode setup (Sv39 maps them onto BASE and BASE + 0x8000).
const S_CODE: u64 = 0x4000_0000;
const S_DATA: u64 = 0x4000_8000;

fn prepare(setup: Setup) -> (Box<Hart>, RamBus, u64) {
    use hart_support::*;
    let mut bus = RamBus::new(BASE, 0x100_0000).unwrap_or_else(|e| panic!("{e}"));
    let mut hart = Box::new(Hart::new(HartConfig::default()));
    let (code_at, data_va) = match setup {
        Setup::Machine => (BASE, BASE + 0x8000),
        Setup::SupervisorSv39 => {
            let mut t = Tables::new(BASE + 0x10_0000);
            let root = t.alloc(&mut bus, 4096);
            for k in 0..16 {
                let flags = RWXAD;
                t.map(
                    &mut bus,
                    root,
                    S_CODE + k * 0x1000,
                    BASE + k * 0x1000,
                    flags,
                    0,
                    false,
                    &ident,
                    &ident,
                );
            }
            let _ = hart.set_csr(n::SATP, atp(SV39, 1, root >> 12));
            hart.set_mode(Mode::HS);
            (BASE, S_DATA)
        }
        Setup::GuestSv39OverSv39x4 => {
            let (hgatp, vsatp) = two_stage(&mut bus);
            let _ = hart.set_csr(n::HGATP, hgatp);
            let _ = hart.set_csr(n::VSATP, vsatp);
            let _ = hart.set_csr(n::VSSTATUS, 1 << 18);
            hart.set_mode(Mode::VS);
            (guest::gpa_to_hpa(guest::GPA_RAM), guest::GVA_DATA)
        }
    };
    for (k, w) in program().iter().enumerate() {
        bus.mem
            .write_bytes(HostPhysAddr::new(code_at + 4 * k as u64), &w.to_le_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let pc = match setup {
        Setup::Machine => BASE,
        Setup::SupervisorSv39 => S_CODE,
        Setup::GuestSv39OverSv39x4 => hart_support::guest::GVA_CODE,
    };
    hart.set_pc(pc);
    (hart, bus, data_va)
}

fn main() {
    for setup in [
        Setup::Machine,
        Setup::SupervisorSv39,
        Setup::GuestSv39OverSv39x4,
    ] {
        measure(setup);
    }
}

fn measure(setup: Setup) {
    let iterations: u64 = 20_000_000;
    let mut best = 0.0f64;
    for _ in 0..3 {
        let (mut hart, mut bus, data) = prepare(setup);
        let _ = hart.set_reg(1, data);
        let _ = hart.set_reg(9, data);
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
            "hart_mips {setup:?}: {} instructions, {:.3} s CPU ({:.3} s wall): {:.1} MIPS per CPU \
             second, {:.1} MIPS wall ({:?}, mode {:?})",
            hart.retired(),
            cpu,
            wall,
            mips,
            n / wall / 1e6,
            stop,
            hart.mode()
        );
    }
    println!("hart_mips {setup:?}: best {best:.1} MIPS per CPU second");
}
