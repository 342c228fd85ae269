//! Interrupt injection into a VS-mode guest, through `hvsim::testkit`.
//! `PROPTEST_CASES=1000 cargo test --test prop_irq` runs more.

use hvsim::testkit::strategies::interrupt_vector;
use hvsim::testkit::{Program, TestMachine};
use hw_models::riscv::isa::encode::{self, Reg};
use proptest::prelude::*;
use vcpu::ExitReason;

const ENTRY: u64 = 0x8000_0000;
const DATA: u64 = 0x8010_0000;
const SSTATUS: u16 = 0x100;
const SIE: u16 = 0x104;
const STVEC: u16 = 0x105;
const SCAUSE: u16 = 0x142;
const SIP: u16 = 0x144;
/// sstatus.SIE / sie.SSIE / sip.SSIP: bit 1 (priv spec, "Supervisor Status Register",
/// "Supervisor Interrupt Registers").
const BIT1: i64 = 2;
/// sstatus.SPIE (bit 5).
const SPIE: u64 = 1 << 5;
/// scause's Interrupt bit.
const INTERRUPT: u64 = 1 << 63;
const MAX_EXITS: usize = 200;

/// The guest: vstvec = handler, sie bit `code` = 1, `before` no-ops, sstatus.SIE = 1,
/// `after` no-ops, wfi, wfi, loop. The handler stores scause at DATA, counts at DATA + 8,
/// stores sstatus at DATA + 16, clears sie bit `code` (the guest cannot clear STIP/SEIP
/// itself; masking is how a guest stops a level interrupt it cannot acknowledge) and sip.SSIP,
/// and returns.
fn guest(before: usize, after: usize, code: u32) -> Program {
    Program::riscv(ENTRY, |a| {
        let handler = a.new_label();
        let spin = a.new_label();
        a.li(Reg::S11, DATA as i64);
        a.la(Reg::T0, handler);
        a.put(encode::csrw(STVEC, Reg::T0)?);
        a.li(Reg::T1, BIT1);
        a.li(Reg::T2, 1 << code);
        a.put(encode::csrs(SIE, Reg::T2)?);
        for _ in 0..before {
            a.put(encode::addi(Reg::A2, Reg::A2, 1)?);
        }
        a.put(encode::csrs(SSTATUS, Reg::T1)?);
        for _ in 0..after {
            a.put(encode::addi(Reg::A3, Reg::A3, 1)?);
        }
        a.put(encode::wfi());
        a.put(encode::wfi());
        a.bind(spin)?;
        a.j(spin);
        a.align(4);
        a.bind(handler)?;
        a.put(encode::csrr(Reg::T3, SCAUSE)?);
        a.put(encode::sd(Reg::T3, Reg::S11, 0)?);
        a.put(encode::ld(Reg::T4, Reg::S11, 8)?);
        a.put(encode::addi(Reg::T4, Reg::T4, 1)?);
        a.put(encode::sd(Reg::T4, Reg::S11, 8)?);
        a.put(encode::csrr(Reg::T5, SSTATUS)?);
        a.put(encode::sd(Reg::T5, Reg::S11, 16)?);
        a.put(encode::csrc(SIE, Reg::T2)?);
        a.put(encode::csrc(SIP, Reg::T1)?);
        a.put(encode::sret());
        Ok(())
    })
    .expect("guest")
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

    /// Injection (norm:hideleg_trans, norm:vsip_vsie_ssi, norm:vsip_vsie_sti,
    /// norm:vsip_vsie_sei, norm:hideleg_op): a VS interrupt injected at any instruction
    /// boundary (as its VS vector 2/6/10 or the S code 1/5/9 the guest sees) is taken
    /// exactly once, with scause = interrupt | the S code (VS codes translated), and only
    /// once the guest has set sstatus.SIE; none is lost and
    /// none duplicated, whether the guest is running or halted in WFI when it arrives; 1 to
    /// 3 injections before delivery are one pending bit (hvip.VSSIP is a level, not a
    /// counter: norm:hvip_acc), so one interrupt.
    #[test]
    fn injected_ssi_delivered_once(before in 0usize..40, after in 0usize..40, at in 1u64..100, vector in interrupt_vector(), times in 1usize..4) {
        // VS codes 2/6/10 appear to the guest as S codes 1/5/9 (norm:hideleg_trans).
        let code = if vector % 4 == 2 { vector - 1 } else { vector } as u32;
        let mut m = TestMachine::riscv()
            .ram_mib(4)
            .slice(at)
            .program(guest(before, after, code))
            .build()
            .expect("machine");
        // Run `at` instructions (or to the first WFI), then inject.
        let first = m.run_to_exit().expect("run");
        prop_assert!(matches!(first, ExitReason::Preempted | ExitReason::Halt), "{first:?}");
        for _ in 0..times {
            m.inject_interrupt(vector).expect("inject");
        }
        // Run to the second WFI; a Halt before it (the first WFI) is resumed.
        let mut halts = usize::from(matches!(first, ExitReason::Halt));
        for _ in 0..MAX_EXITS {
            if halts == 2 {
                break;
            }
            match m.run_to_exit().expect("run") {
                ExitReason::Halt => halts += 1,
                ExitReason::Preempted | ExitReason::Nothing => {}
                other => prop_assert!(false, "unexpected exit {other:?}"),
            }
        }
        prop_assert_eq!(halts, 2);
        prop_assert_eq!(m.read_u64(DATA + 8).expect("count"), 1, "delivered count");
        prop_assert_eq!(m.read_u64(DATA).expect("cause"), INTERRUPT | u64::from(code));
        // Taken only with sstatus.SIE set: the trap saved SIE = 1 into SPIE (priv spec,
        // "Supervisor Status Register": SPIE holds SIE at the trap).
        prop_assert_eq!(m.read_u64(DATA + 16).expect("sstatus") & SPIE, SPIE);
        prop_assert_eq!(m.gpr(12), before as u64);
        prop_assert_eq!(m.gpr(13), after as u64);
    }
}
