//! Property tests of the Machine over the mock vCPU.

mod machine_support;

use hvsim::machine::mock::MockBackend;
use hvsim::machine::{MmioAccess, Reply};
use machine_support::*;
use proptest::prelude::*;
use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::ExitReason;

const DEV: u64 = 0x4000_0000;

fn width() -> impl Strategy<Value = AccessWidth> {
    prop::sample::select(AccessWidth::ALL.to_vec())
}

/// The value a load of `bits` bits leaves in a 64-bit register, computed from the ISA text
/// (RV64I "Load and Store Instructions": LB/LH/LW sign-extend, LBU/LHU/LWU zero-extend,
/// LD takes all 64 bits), with plain shifts rather than `AccessWidth` helpers.
fn reference_load(bits: u32, value: u64, signed: bool) -> u64 {
    if bits == 64 {
        return value;
    }
    let low = value & ((1u64 << bits) - 1);
    if signed && low >> (bits - 1) & 1 == 1 {
        low | !((1u64 << bits) - 1)
    } else {
        low
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// MMIO read completion for every width, signedness, register and device value: the
    /// destination register gets exactly the extended value; x0 stays zero.
    #[test]
    fn prop_mmio_read_completion(
        reads in prop::collection::vec((width(), any::<bool>(), 0usize..32, any::<u64>()), 1..12),
    ) {
        let values: Vec<u64> = reads.iter().map(|r| r.3).collect();
        let exits: Vec<ExitReason> = reads
            .iter()
            .enumerate()
            .map(|(i, &(w, s, reg, _))| ExitReason::MmioRead {
                addr: GuestPhysAddr::new(DEV + 8 * i as u64),
                width: w,
                reg,
                reg_width: AccessWidth::Qword,
                signed_ext: s,
            })
            .chain([pass()])
            .collect();
        let b = MockBackend::new(1).script(0, exits);
        let mut m = builder(b)
            .mmio(DEV, 0x1000, move |a: &MmioAccess| Reply::Value(values[(a.offset / 8) as usize]))
            .build()
            .unwrap();
        prop_assert!(m.run().outcome.is_success());
        let mut want = [0u64; 32];
        for &(w, s, reg, v) in &reads {
            if reg != 0 {
                want[reg] = reference_load(w.size() as u32 * 8, v, s);
            }
        }
        for (reg, &w) in want.iter().enumerate() {
            // a0/a1 hold the boot hart id and DTB address unless a read overwrote them.
            if (reg == 10 || reg == 11) && !reads.iter().any(|r| r.2 == reg) {
                continue;
            }
            prop_assert_eq!(m.gpr(0, reg), Some(w), "x{}", reg);
        }
    }

    /// Determinism: the same scripts, vCPU count, quantum and rates give the same summary
    /// (outcome, counts, instructions, time, digest) when run twice in one process.
    #[test]
    fn prop_same_inputs_same_summary(
        nvcpus in 1usize..4,
        quantum in 1u64..500,
        per_run in 1u64..300,
        script in prop::collection::vec(0u8..6, 0..20),
    ) {
        let run = || {
            let mk = |k: u8| match k {
                0 => write(UART, AccessWidth::Byte, 0x41),
                1 => hypercall(7, 1),
                2 => ExitReason::Preempted,
                3 => ExitReason::Nothing,
                4 => ExitReason::SendIpi { target_cpu: 0, target_cpu_aux: 0b111, send_to_all: false, send_to_self: false, vector: 1 },
                _ => ExitReason::Halt,
            };
            let mut b = MockBackend::new(2).insns_per_run(per_run);
            let boot: Vec<ExitReason> = (1..nvcpus as u64)
                .map(|t| ExitReason::CpuUp { target_cpu: t, entry_point: GuestPhysAddr::new(0x8000_0000), arg: t })
                .chain(script.iter().map(|k| mk(*k)))
                .collect();
            b = b.script(0, boot);
            for v in 1..nvcpus {
                b = b.script(v, script.iter().rev().map(|k| mk(*k)).collect::<Vec<_>>());
            }
            let mut m = builder(b).vcpus(nvcpus).quantum(quantum).budget(20_000).build().unwrap();
            (m.run(), m.console().output().to_vec())
        };
        let (a, ca) = run();
        let (b, cb) = run();
        prop_assert_eq!(a, b);
        prop_assert_eq!(ca, cb);
    }
}
