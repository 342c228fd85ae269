//! DESIGN.md "Errors and bad input": nothing a guest does panics the host. Random trap
//! CSRs, instruction bytes, registers and SBI arguments always end in an exit or in the
//! one documented error (a trap that cannot come from V=1).

mod riscv_common;

use hw_models::riscv::csr_num as csr;
use hw_models::riscv::hw::HwTrap;
use proptest::prelude::*;
use riscv_common::*;
use vcpu::riscv::RiscvVCpuError;

const EIDS: [u64; 13] = [
    EID_BASE,
    0x00,
    0x01,
    0x02,
    EID_TIME,
    EID_IPI,
    EID_RFENCE,
    EID_HSM,
    EID_SRST,
    EID_PMU,
    EID_DBCN,
    EID_HVC,
    0x5355_5350,
];

fn scause() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..32,
        (0u64..32).prop_map(|c| c | INTERRUPT),
        any::<u64>(),
        Just(21u64),
        Just(23u64),
        Just(22u64),
        Just(10u64),
    ]
}

fn htinst() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(0x3000),
        Just(0x3020),
        Just(0x2000),
        any::<u32>().prop_map(u64::from),
        any::<u64>(),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    scause: u64,
    stval: u64,
    htval: u64,
    htinst: u64,
    insn: Option<[u8; 4]>,
    fetch_fault: Option<u64>,
    from_vu: bool,
    regs: [u64; 32],
    eid: u64,
    vstvec: u64,
    vsstatus: u64,
    vsatp: u64,
    time: u64,
    pc: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (scause(), any::<u64>(), any::<u64>(), htinst()),
        (
            proptest::option::of(any::<[u8; 4]>()),
            proptest::option::of(0u64..32),
            any::<bool>(),
        ),
        (
            proptest::array::uniform32(any::<u64>()),
            prop_oneof![proptest::sample::select(EIDS.to_vec()), any::<u64>()],
        ),
        (
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
        ),
    )
        .prop_map(
            |(
                (scause, stval, htval, htinst),
                (insn, fetch_fault, from_vu),
                (regs, eid),
                (vstvec, vsstatus, vsatp, time, pc),
            )| Case {
                scause,
                stval,
                htval,
                htinst,
                insn,
                fetch_fault,
                from_vu,
                regs,
                eid,
                vstvec,
                vsstatus,
                vsatp,
                time,
                pc,
            },
        )
}

fn run_case(c: &Case) -> Result<(), TestCaseError> {
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::VSTVEC, c.vstvec);
    hw.set_csr(csr::VSSTATUS, c.vsstatus);
    hw.set_csr(csr::VSATP, c.vsatp);
    hw.set_csr(csr::TIME, c.time);
    if let Some(bytes) = c.insn {
        hw.write_virt(c.pc, &bytes);
        hw.write_phys(c.pc, &bytes);
    }
    if let Some(cause) = c.fetch_fault {
        hw.faults.insert(
            c.pc.wrapping_add(2),
            HwTrap {
                cause,
                tval: c.pc.wrapping_add(2),
                htval: c.htval,
                htinst: 0,
            },
        );
    }
    // Some guest memory for DBCN, anywhere the registers may point.
    hw.write_phys(c.regs[11] & !0xfff, &[0x41; 64]);
    let mut gprs: Vec<(usize, u64)> = c.regs.iter().copied().enumerate().collect();
    gprs[17].1 = c.eid;
    let t = Trap {
        scause: c.scause,
        stval: c.stval,
        htval: c.htval,
        htinst: c.htinst,
        pc: Some(c.pc),
        from_vu: c.from_vu,
        gprs,
    };
    hw.push(t);
    match v.run(&mut hw) {
        Ok(_) => {}
        Err(RiscvVCpuError::UnexpectedTrap { scause, .. }) => {
            prop_assert!(
                scause == 9 || scause == 11,
                "only ECALL from HS/M is unexpected"
            );
        }
        Err(e) => return Err(TestCaseError::fail(format!("unexpected error {e}"))),
    }
    // Whatever happened, the VMM can complete the exit and run again.
    v.set_return_value(c.regs[5]);
    hw.script.push_back(Step::SliceEnd);
    prop_assert!(v.run(&mut hw).is_ok());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// DESIGN.md "Errors and bad input" / COMMON.md: no panic reachable from guest input.
    /// Random scause, stval, htval, htinst, instruction bits, fetch faults, privilege,
    /// registers and SBI arguments end in an exit or the documented error.
    #[test]
    fn random_traps_never_panic(c in case()) {
        run_case(&c)?;
    }

    /// The same for the VMM-facing API: any vector, register index or value is either
    /// accepted or refused with an error.
    #[test]
    fn random_api_use_never_panics(vectors in proptest::collection::vec(any::<usize>(), 0..8), idx: usize, val: u64) {
        let (mut v, mut hw) = bound_vcpu();
        for vec in vectors {
            let _ = v.inject_interrupt(vec);
            let _ = v.retract_interrupt(vec);
        }
        let _ = v.set_gpr(idx, val);
        v.set_return_value(val);
        hw.script.push_back(Step::SliceEnd);
        prop_assert!(v.run(&mut hw).is_ok());
    }
}
