//! Nothing a guest does panics the host (DESIGN.md "Errors and bad input"): random
//! instruction words, with random register contents and misaligned-access policies, always
//! end in an architectural outcome and a clean stop.

use hw_models::riscv::hart::{Hart, HartConfig, MisalignedPolicy, RamBus, StopReason};
use proptest::prelude::*;
use sim_core::HostPhysAddr;

const BASE: u64 = 0x8000_0000;

/// Register values that reach RAM, its edges, devices and nowhere.
fn reg_value() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        (0u64..0x1_0000).prop_map(|o| BASE + o),
        Just(BASE + 0xfffe),
        Just(BASE - 1),
        Just(u64::MAX),
        0u64..64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random code (any 32-bit words, so also every compressed form) plus random registers:
    /// `run` returns a StopReason, the pc stays 2-byte aligned, x0 stays 0, and every
    /// attempted instruction is counted against the budget.
    #[test]
    fn random_code_never_panics(
        words in proptest::collection::vec(any::<u32>(), 64),
        regs in proptest::collection::vec(reg_value(), 31),
        trap_misaligned in any::<bool>(),
        mtvec_off in 0u64..0x100,
    ) {
        let mut bus = RamBus::new(BASE, 0x1_0000).unwrap_or_else(|e| panic!("{e}"));
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        bus.mem.write_bytes(HostPhysAddr::new(BASE), &bytes).unwrap_or_else(|e| panic!("{e}"));
        let mut h = Hart::new(HartConfig {
            misaligned: if trap_misaligned { MisalignedPolicy::Trap } else { MisalignedPolicy::Perform },
            ..HartConfig::default()
        });
        for (i, v) in regs.iter().enumerate() {
            h.set_reg(i + 1, *v).unwrap_or_else(|e| panic!("{e}"));
        }
        // Traps land inside the random code too.
        h.set_csr(0x305, BASE + mtvec_off * 4).unwrap_or_else(|e| panic!("{e}"));
        let mut total = 0u64;
        for _ in 0..4 {
            let before = h.retired();
            let stop = h.run(&mut bus, 500);
            prop_assert!(h.retired() - before <= 500);
            prop_assert_eq!(h.pc() & 1, 0);
            prop_assert_eq!(h.reg(0), 0);
            total += h.retired() - before;
            if stop == StopReason::Wfi {
                break;
            }
        }
        prop_assert!(total <= 2000);
    }
}
