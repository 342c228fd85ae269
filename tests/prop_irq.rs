//! Interrupt injection into a VS-mode guest, through `hvsim::testkit`.
//! `PROPTEST_CASES=1000 cargo test --test prop_irq` runs more.

use hvsim::testkit::strategies::interrupt_vector;
use hvsim::testkit::{Program, RiscvTestMachine, TestMachine};
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

// ---- Several vCPUs, some sharing a physical hart ----

/// The interrupt controller's acknowledge register, an MMIO window the kit leaves unmapped.
const ACK: u64 = 0x4000_0000;
/// sie.SSIE | sie.STIE | sie.SEIE (bits 1, 5, 9: priv spec, "Supervisor Interrupt
/// Registers").
const SIE_ALL: i64 = (1 << 1) | (1 << 5) | (1 << 9);
const VSSTATUS: u16 = 0x200;
/// Exits one vCPU may take to reach its idle WFI before the test calls it stuck.
const DRAIN_EXITS: usize = 2000;

/// Every vCPU runs this guest (a0 = its hart id). It enables all three S-level interrupts in
/// sie, counts a4 down (a2 counts up: the test presets a4 per vCPU, so each guest enables at
/// its own time), sets sstatus.SIE, and idles in WFI. Its handler reports each interrupt to
/// the VMM by storing scause at ACK (an `MmioWrite` exit: the "claim/complete" of an
/// interrupt controller), then returns with sret. The VMM deasserts the line on that
/// acknowledgement, so the guest never clears a bit itself.
fn smp_guest() -> Program {
    Program::riscv(ENTRY, |a| {
        let handler = a.new_label();
        let delay = a.new_label();
        let enabled = a.new_label();
        let idle = a.new_label();
        a.li(Reg::S10, ACK as i64);
        a.la(Reg::T0, handler);
        a.put(encode::csrw(STVEC, Reg::T0)?);
        a.li(Reg::T2, SIE_ALL);
        a.put(encode::csrs(SIE, Reg::T2)?);
        a.bind(delay)?;
        a.beqz(Reg::A4, enabled);
        a.put(encode::addi(Reg::A4, Reg::A4, -1)?);
        a.put(encode::addi(Reg::A2, Reg::A2, 1)?);
        a.j(delay);
        a.bind(enabled)?;
        a.li(Reg::T1, BIT1);
        a.put(encode::csrs(SSTATUS, Reg::T1)?);
        a.bind(idle)?;
        a.put(encode::wfi());
        a.j(idle);
        a.align(4);
        a.bind(handler)?;
        a.put(encode::csrr(Reg::T3, SCAUSE)?);
        a.put(encode::sd(Reg::T3, Reg::S10, 0)?);
        a.put(encode::sret());
        Ok(())
    })
    .expect("guest")
    .mmio_window(ACK, 0x1000)
}

/// One action of the VMM.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Run vCPU `v` to its next exit (binding it first, which switches out the vCPU on
    /// its hart if there is one).
    Run(usize),
    /// Inject vector `vector` into vCPU `v`, whatever its state.
    Inject(usize, usize),
    /// Unbind vCPU `v` (leaves its hart free).
    Unbind(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..4).prop_map(Step::Run),
        3 => ((0usize..4), interrupt_vector()).prop_map(|(v, x)| Step::Inject(v, x)),
        1 => (0usize..4).prop_map(Step::Unbind),
    ]
}

/// The VMM's view: per vCPU and S code (1, 5, 9), whether a line is asserted and not yet
/// acknowledged, and how many interrupts were expected and acknowledged.
#[derive(Debug, Default)]
struct Model {
    pending: [[bool; 10]; 4],
    expected: [[u32; 10]; 4],
    delivered: [[u32; 10]; 4],
}

/// The S code the guest sees for an injected vector (norm:hideleg_trans: VS codes 2/6/10
/// are reported as 1/5/9).
fn s_code(vector: usize) -> usize {
    if vector % 4 == 2 { vector - 1 } else { vector }
}

struct Smp {
    m: RiscvTestMachine,
    model: Model,
    before: [u64; 4],
}

impl Smp {
    fn inject(&mut self, v: usize, vector: usize) {
        self.m.select(v).expect("select");
        self.m.inject_interrupt(vector).expect("inject");
        let c = s_code(vector);
        // A level: asserting an asserted, unacknowledged line adds nothing (norm:hvip_acc).
        if !self.model.pending[v][c] {
            self.model.pending[v][c] = true;
            self.model.expected[v][c] += 1;
        }
    }

    /// Runs vCPU `v` to its next exit and checks it; returns it.
    fn run(&mut self, v: usize) -> Result<ExitReason, TestCaseError> {
        self.m.select(v).expect("select");
        let exit = self.m.run_to_exit().expect("run");
        match exit {
            ExitReason::MmioWrite { addr, data, .. } if addr.as_u64() == ACK => {
                // The interrupt bit and an S code (norm:hideleg_trans).
                prop_assert_eq!(data & INTERRUPT, INTERRUPT, "vCPU {} acked {:#x}", v, data);
                let c = (data & !INTERRUPT) as usize;
                prop_assert!(matches!(c, 1 | 5 | 9), "vCPU {} scause {:#x}", v, data);
                // Delivered only if injected into this vCPU and not yet delivered: a
                // delivery to the wrong vCPU or a second delivery fails here.
                prop_assert!(
                    self.model.pending[v][c],
                    "vCPU {} took code {} not pending for it ({:?})",
                    v,
                    c,
                    self.model
                );
                // Taken only with sstatus.SIE set (SPIE holds SIE at the trap) and after the
                // guest enabled it (its delay loop is done).
                let vsstatus = self.m.csr(VSSTATUS).expect("vsstatus");
                prop_assert_eq!(vsstatus & SPIE, SPIE, "vCPU {} trapped with SIE clear", v);
                prop_assert_eq!(self.m.gpr(12), self.before[v], "vCPU {} before enabling", v);
                self.model.pending[v][c] = false;
                self.model.delivered[v][c] += 1;
                // The controller deasserts the acknowledged line (before the guest's sret).
                self.m.retract_interrupt(c).expect("retract");
            }
            ExitReason::Halt | ExitReason::Preempted | ExitReason::Nothing => {}
            other => prop_assert!(false, "vCPU {} unexpected exit {:?}", v, other),
        }
        Ok(exit)
    }

    /// Runs vCPU `v` until it halts in its idle loop.
    fn run_to_idle(&mut self, v: usize) -> Result<(), TestCaseError> {
        for _ in 0..DRAIN_EXITS {
            if let ExitReason::Halt = self.run(v)? {
                return Ok(());
            }
        }
        prop_assert!(false, "vCPU {} never reached WFI", v);
        Ok(())
    }
}

proptest! {
    #![proptest_config(cases())]

    /// Injection into several vCPUs (norm:hvip_acc, norm:hvip_sz_op, norm:hideleg_op,
    /// norm:hideleg_trans, norm:vsip_vsie_ssi, norm:vsip_vsie_sti, norm:vsip_vsie_sei,
    /// norm:hip_vssip_vssie_op, norm:hip_vseip_vseie_op): with 2 to 4 vCPUs on 1 to 4
    /// harts, an interrupt (VSSI/VSTI/VSEI, as a VS or S code) injected into any vCPU at any
    /// point (while it runs between slices, halted in WFI, unbound, or while another vCPU is
    /// bound and running on its hart) is delivered exactly once, to that vCPU only, with
    /// scause = interrupt | the S code, once the guest has enabled it (sstatus.SIE and
    /// sie); none is lost and none is duplicated. Injections into a line already asserted
    /// and not yet acknowledged are one interrupt (hvip bits are levels).
    #[test]
    fn smp_injection_delivered_once_to_its_vcpu(
        n in 2usize..=4,
        harts in 1usize..=4,
        slice in 1u64..40,
        before in proptest::array::uniform4(0u64..20),
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let harts = harts.min(n);
        let mut m = TestMachine::riscv()
            .vcpus(n)
            .pcpus(harts)
            .ram_mib(4)
            .slice(slice)
            .program(smp_guest())
            .build()
            .expect("machine");
        for (v, b) in before.iter().enumerate().take(n) {
            m.select(v).expect("select");
            m.set_gpr(14, *b).expect("a4");
        }
        let mut smp = Smp { m, model: Model::default(), before };
        for s in steps {
            match s {
                Step::Run(v) => { smp.run(v % n)?; }
                Step::Inject(v, x) => smp.inject(v % n, x),
                Step::Unbind(v) => smp.m.unbind(v % n).expect("unbind"),
            }
        }
        // Drain: each vCPU runs to its idle WFI, which it reaches only with nothing pending
        // and enabled (a pending enabled interrupt is taken first). Twice, so an interrupt
        // raised again by a switch or a stale hvip would show as a second delivery.
        for _ in 0..2 {
            for v in 0..n {
                smp.run_to_idle(v)?;
            }
        }
        for v in 0..n {
            for c in [1, 5, 9] {
                prop_assert!(!smp.model.pending[v][c], "vCPU {} code {} lost", v, c);
                prop_assert_eq!(smp.model.delivered[v][c], smp.model.expected[v][c], "vCPU {} code {}", v, c);
            }
        }
    }
}
