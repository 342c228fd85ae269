//! Exception delegation from VS-mode (hedeleg), through `hvsim::testkit`: delegated
//! exceptions go straight to the guest's vstvec with no exit; the others trap to HS (an
//! exit) with scause naming the exception. `PROPTEST_CASES=1000 cargo test --test
//! prop_delegation` runs more.

use hvsim::testkit::strategies::delegation;
use hvsim::testkit::{Program, RiscvTestMachine, TestMachine};
use hw_models::riscv::isa::encode::{self, Reg};
use proptest::prelude::*;
use vcpu::ExitReason;

const ENTRY: u64 = 0x8000_0000;
const DATA: u64 = 0x8010_0000;
const MMIO: u64 = 0x4000_0000;
const STVEC: u16 = 0x105;
const SCAUSE: u16 = 0x142;
const HEDELEG: u16 = 0x602;
const HGATP: u16 = 0x680;
const MAX_EXITS: usize = 50;

/// An instruction that raises a known exception in VS-mode.
#[derive(Clone, Copy, Debug)]
enum Trigger {
    /// The all-zero parcel: illegal instruction (2).
    Illegal,
    /// `ebreak`: breakpoint (3).
    Ebreak,
    /// `ecall` from VS (10, never delegable).
    Ecall,
    /// A load from an unmapped guest-physical address: load guest-page fault (21).
    GuestPageLoad,
    /// `csrr hgatp` from VS: virtual instruction (22).
    VirtualInsn,
    /// A jump to an unmapped guest-physical address: instruction guest-page fault (20).
    GuestPageFetch,
}

impl Trigger {
    fn cause(self) -> u64 {
        match self {
            Trigger::Illegal => 2,
            Trigger::Ebreak => 3,
            Trigger::Ecall => 10,
            Trigger::GuestPageLoad => 21,
            Trigger::VirtualInsn => 22,
            Trigger::GuestPageFetch => 20,
        }
    }
}

/// vstvec handler stores scause at DATA and halts; the main code sets up and triggers.
fn guest(t: Trigger) -> Program {
    Program::riscv(ENTRY, |a| {
        let handler = a.new_label();
        a.li(Reg::S11, DATA as i64);
        a.la(Reg::T0, handler);
        a.put(encode::csrw(STVEC, Reg::T0)?);
        a.li(Reg::T1, MMIO as i64);
        a.li(Reg::A7, 0x0123_4567); // an unknown SBI extension for the ecall
        match t {
            Trigger::Illegal => {
                a.put_c(0);
            }
            Trigger::Ebreak => {
                a.put(encode::ebreak());
            }
            Trigger::Ecall => {
                a.put(encode::ecall());
            }
            Trigger::GuestPageLoad => {
                a.put(encode::ld(Reg::A0, Reg::T1, 0)?);
            }
            Trigger::VirtualInsn => {
                a.put(encode::csrr(Reg::A0, HGATP)?);
            }
            Trigger::GuestPageFetch => {
                a.put(encode::jalr(Reg::ZERO, Reg::T1, 0)?);
            }
        }
        a.put(encode::wfi());
        a.align(4);
        a.bind(handler)?;
        a.put(encode::csrr(Reg::T3, SCAUSE)?);
        a.put(encode::sd(Reg::T3, Reg::S11, 0)?);
        a.put(encode::wfi());
        Ok(())
    })
    .expect("guest")
    .mmio_window(MMIO, 0x1000)
}

fn trigger() -> impl Strategy<Value = Trigger> {
    proptest::sample::select(vec![
        Trigger::Illegal,
        Trigger::Ebreak,
        Trigger::Ecall,
        Trigger::GuestPageLoad,
        Trigger::VirtualInsn,
        Trigger::GuestPageFetch,
    ])
}

fn machine(t: Trigger, deleg: u64) -> (RiscvTestMachine, u64) {
    let mut m = TestMachine::riscv()
        .ram_mib(4)
        .program(guest(t))
        .build()
        .expect("machine");
    m.set_csr(HEDELEG, deleg).expect("hedeleg");
    let actual = m.csr(HEDELEG).expect("hedeleg");
    (m, actual)
}

/// 256 cases, or `PROPTEST_CASES` when set.
fn cases() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 256;
    }
    c
}

proptest! {
    #![proptest_config(cases())]

    /// Delegation (norm:hedeleg_op, norm:HEDELEG_WARL, norm:H_guest_page_fault,
    /// norm:H_cause_virtual_instruction): with any hedeleg the HS side may set (a random
    /// subset of the delegable causes, read back as WARL), an exception whose hedeleg bit
    /// is set goes to the guest's vstvec with vscause = the cause and no exit (the first
    /// exit is the handler's WFI); one whose bit is clear always exits, with HS scause =
    /// the cause. ECALL from VS, guest-page faults and virtual instructions are never
    /// delegable (their bits read 0).
    #[test]
    fn delegated_never_exit_others_always_do(t in trigger(), deleg in delegation()) {
        let (mut m, actual) = machine(t, deleg);
        for c in [10u32, 20, 21, 22, 23] {
            prop_assert_eq!(actual >> c & 1, 0, "hedeleg bit {} must read 0", c);
        }
        let cause = t.cause();
        let exit = m.run_to_exit().expect("run");
        if actual >> cause & 1 == 1 {
            prop_assert!(matches!(exit, ExitReason::Halt), "{t:?} delegated, yet exit {exit:?}");
            prop_assert_eq!(m.read_u64(DATA).expect("vscause"), cause);
        } else {
            prop_assert!(!matches!(exit, ExitReason::Halt), "{t:?} not delegated, no exit");
            prop_assert_eq!(m.csr(SCAUSE).expect("scause"), cause, "{:?} -> {:?}", t, exit);
            match t {
                Trigger::GuestPageLoad => prop_assert!(matches!(exit, ExitReason::MmioRead { .. }), "{exit:?}"),
                Trigger::GuestPageFetch => prop_assert!(matches!(exit, ExitReason::NestedPageFault { .. }), "{exit:?}"),
                _ => prop_assert!(matches!(exit, ExitReason::Nothing), "{exit:?}"),
            }
        }
        // The run goes on to a WFI either way (reflected or emulated), never an error.
        if !matches!(t, Trigger::GuestPageFetch) {
            if let ExitReason::MmioRead { .. } = exit { m.complete_mmio_read(0).expect("complete"); }
            let last = m.run_until(MAX_EXITS, |e| matches!(e, ExitReason::Halt));
            prop_assert!(last.is_ok(), "{t:?}: {last:?}");
        }
    }
}
