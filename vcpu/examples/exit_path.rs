//! Measures the manager's share of the exit path: `VCpu::run` returning a hypercall exit
//! from the mock architecture, the exit turned into trace fields, and the return value set.
//! The mock does no guest work, so this is the layer's overhead alone.
//!
//! `cargo run --release -p vcpu --example exit_path`

use std::hint::black_box;
use std::time::Instant;

use sim_core::{GuestPhysAddr, HostPhysAddr};
use vcpu::mock::{MockConfig, MockHardware, MockVCpu};
use vcpu::{ExitReason, PerCpu, VCpu, VCpuError, VCpuParams};

fn main() -> Result<(), VCpuError> {
    const ROUNDS: u32 = 10_000_000;
    let mut hw = MockHardware::new(0);
    let mut pcpu = PerCpu::new(0, &mut hw)?;
    pcpu.hardware_enable(&mut hw)?;
    let config = MockConfig {
        idle_exit: ExitReason::Hypercall {
            nr: 1,
            args: [1, 2, 3, 4, 5, 6],
        },
        record_calls: false,
        ..MockConfig::default()
    };
    let mut v = VCpu::<MockVCpu>::new(VCpuParams::new(0, 0), config)?;
    v.setup(
        GuestPhysAddr::new(0x8000_0000),
        HostPhysAddr::new(0x9000_0000),
        (),
    )?;
    v.bind(&mut pcpu, &mut hw)?;
    let start = Instant::now();
    let mut sum = 0u64;
    for _ in 0..ROUNDS {
        let exit = v.run(&mut pcpu, &mut hw)?;
        sum += exit.with_fields(|f| f.len() as u64);
        v.set_return_value(black_box(0))?;
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(ROUNDS);
    println!("{ns:.1} ns per run + trace fields + set_return_value (checksum {sum})");
    Ok(())
}
