//! Trap routing with the hypervisor extension: for random delegation settings
//! (medeleg/mideleg/hedeleg/hideleg), random start modes (M, HS, U, VS, VU), random
//! exceptions raised by real instructions and random pending interrupts, the destination
//! mode and every trap CSR are checked against a reference written here from the spec
//! (priv "Machine Trap Delegation Registers", hypervisor "Trap Entry", "hedeleg and
//! hideleg", "hvip, hip and hie").

mod hart_support;

use hart_support::*;
use hw_models::riscv::cause::{INTERRUPT_BIT, exc};
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{Hart, HartConfig, IrqLine, RamBus, StopReason};
use hw_models::riscv::isa::encode::{self as e, Reg};
use hw_models::riscv::privilege::{Mode, PrivLevel};
use proptest::prelude::*;

const CODE: u64 = RAM_BASE + 0x1000;
const MTVEC: u64 = RAM_BASE + 0x2000;
const STVEC: u64 = RAM_BASE + 0x3000;
const VSTVEC: u64 = RAM_BASE + 0x4000;
/// An address with nothing behind it (host) and no G-stage mapping (guest).
const HOLE: u64 = 0x1000;
const G_TABLES: u64 = RAM_BASE + 0x10_0000;

// Status bits from the spec layouts.
const SIE: u64 = 1 << 1;
const MIE: u64 = 1 << 3;
const SPIE: u64 = 1 << 5;
const MPIE: u64 = 1 << 7;
const SPP: u64 = 1 << 8;
const MPP_SHIFT: u32 = 11;
const GVA_M: u64 = 1 << 38;
const MPV: u64 = 1 << 39;
const H_GVA: u64 = 1 << 6;
const H_SPV: u64 = 1 << 7;
const H_SPVP: u64 = 1 << 8;

const MODES: [Mode; 5] = [Mode::M, Mode::HS, Mode::U, Mode::VS, Mode::VU];

/// What the test makes the instruction do.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Ecall,
    Ebreak,
    Load,
    Store,
    /// `csrr t0, mhartid` below M.
    Illegal,
    /// `csrr t0, hstatus` at V=1.
    Virtual,
}

fn insn(k: Kind) -> u32 {
    match k {
        Kind::Ecall => e::ecall(),
        Kind::Ebreak => e::ebreak(),
        Kind::Load => ok(e::ld(Reg::T0, Reg::T1, 0)),
        Kind::Store => ok(e::sd(Reg::T0, Reg::T1, 0)),
        Kind::Illegal => ok(e::csrr(Reg::T0, n::MHARTID)),
        Kind::Virtual => ok(e::csrr(Reg::T0, n::HSTATUS)),
    }
}

/// (cause, tval, htval/mtval2, tval is an address) the spec prescribes.
fn expected_exception(k: Kind, m: Mode) -> (u64, u64, u64, bool) {
    let v = m.virt;
    match k {
        Kind::Ecall => {
            let c = match (m.privilege, v) {
                (PrivLevel::User, _) => exc::ECALL_FROM_U,
                (PrivLevel::Supervisor, false) => exc::ECALL_FROM_S,
                (PrivLevel::Supervisor, true) => exc::ECALL_FROM_VS,
                (PrivLevel::Machine, _) => exc::ECALL_FROM_M,
            };
            (c, 0, 0, false)
        }
        // norm:ebreak: tval = pc, an address (guest virtual at V=1).
        Kind::Ebreak => (exc::BREAKPOINT, CODE, 0, true),
        // V=1: the G-stage has no mapping for HOLE → guest-page fault, htval = GPA >> 2.
        Kind::Load if v => (exc::LOAD_GUEST_PAGE_FAULT, HOLE, HOLE >> 2, true),
        Kind::Load => (exc::LOAD_ACCESS_FAULT, HOLE, 0, true),
        Kind::Store if v => (exc::STORE_GUEST_PAGE_FAULT, HOLE, HOLE >> 2, true),
        Kind::Store => (exc::STORE_ACCESS_FAULT, HOLE, 0, true),
        Kind::Illegal => (exc::ILLEGAL_INSTRUCTION, u64::from(insn(k)), 0, false),
        Kind::Virtual => (exc::VIRTUAL_INSTRUCTION, u64::from(insn(k)), 0, false),
    }
}

/// Reference routing (norm:trap_never_trans_lower, norm:hedeleg_op, norm:hideleg_op): a trap
/// from M stays in M; otherwise medeleg/mideleg send it to HS, and from V=1 hedeleg/hideleg
/// further to VS.
fn reference_target(m: Mode, cause: u64, deleg: (u64, u64)) -> Mode {
    let (mdeleg, hdeleg) = deleg;
    if m == Mode::M || mdeleg >> cause & 1 == 0 {
        Mode::M
    } else if m.virt && hdeleg >> cause & 1 != 0 {
        Mode::VS
    } else {
        Mode::HS
    }
}

/// The guest-physical identity map over host RAM (Sv39x4, 2 MiB pages), for V=1 modes.
fn identity_hgatp(bus: &mut RamBus) -> u64 {
    let mut t = Tables::new(G_TABLES);
    let root = t.alloc(bus, 16 * 1024);
    for k in 0..(RAM_SIZE / 0x20_0000) {
        let a = RAM_BASE + k * 0x20_0000;
        t.map(bus, root, a, a, RWXAD | PTE_U, 1, true, &ident, &ident);
    }
    atp(SV39, 1, root >> 12)
}

#[derive(Clone, Copy, Debug)]
struct Start {
    mode: Mode,
    medeleg: u64,
    mideleg: u64,
    hedeleg: u64,
    hideleg: u64,
    mstatus: u64,
    vsstatus: u64,
    hstatus: u64,
}

fn start() -> impl Strategy<Value = Start> {
    (
        0usize..5,
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        any::<[bool; 4]>(),
    )
        .prop_map(|(m, medeleg, mideleg, hedeleg, hideleg, b)| Start {
            mode: MODES[m],
            medeleg,
            mideleg,
            hedeleg,
            hideleg,
            mstatus: if b[0] { MIE } else { 0 } | if b[1] { SIE } else { 0 },
            vsstatus: if b[2] { SIE } else { 0 },
            hstatus: if b[3] { H_SPVP } else { 0 },
        })
}

/// A hart in `s.mode` at CODE with `code` there; vectors hold NOPs.
fn setup(s: &Start, code: u32) -> (Hart, RamBus) {
    let mut bus = bus();
    write_words(&mut bus, CODE, &[code]);
    for v in [MTVEC, STVEC, VSTVEC] {
        write_words(&mut bus, v, &[e::nop()]);
    }
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    let hgatp = identity_hgatp(&mut bus);
    for (c, v) in [
        (n::MTVEC, MTVEC),
        (n::STVEC, STVEC),
        (n::VSTVEC, VSTVEC),
        (n::HGATP, hgatp),
        (n::MEDELEG, s.medeleg),
        (n::MIDELEG, s.mideleg),
        (n::HEDELEG, s.hedeleg),
        (n::HIDELEG, s.hideleg),
        (n::MSTATUS, s.mstatus),
        (n::VSSTATUS, s.vsstatus),
        (n::HSTATUS, s.hstatus),
        // Sentinels: trap CSRs a trap must not touch keep these.
        (n::SCAUSE, 0x5a5a),
        (n::VSCAUSE, 0x5a5a),
        (n::MCAUSE, 0x5a5a),
    ] {
        set(&mut h, c, v);
    }
    h.set_reg(Reg::T1.num() as usize, HOLE)
        .unwrap_or_else(|err| panic!("{err}"));
    h.set_mode(s.mode);
    h.set_pc(CODE);
    (h, bus)
}

/// Checks the state after a trap from `s` with `cause` (an interrupt number when `int`)
/// against the spec's trap-entry rules (norm:H_trap_m_csrwrites, norm:H_trap_hs_csrwrites,
/// norm:H_trap_vs_csrwrites, norm:hstatus_spv_op, norm:hstatus_spvp_op,
/// norm:hstatus_gva_op, norm:mstatus_mpv_op, norm:mstatus_gva_op, norm:hideleg_trans).
#[allow(clippy::too_many_arguments)]
fn check_entry(
    h: &Hart,
    stop: StopReason,
    s: &Start,
    deleg: (u64, u64),
    cause: u64,
    int: bool,
    tval: u64,
    tval2: u64,
    is_addr: bool,
) -> Result<(), TestCaseError> {
    let to = reference_target(s.mode, cause, deleg);
    let m = s.mode;
    let ib = if int { INTERRUPT_BIT } else { 0 };
    let gva = is_addr && m.virt && !int;
    let was_s = m.privilege != PrivLevel::User;
    prop_assert_eq!(h.mode(), to);
    match (to.privilege, to.virt) {
        (PrivLevel::Machine, _) => {
            prop_assert_eq!(stop, StopReason::MTrap);
            prop_assert_eq!(h.pc(), MTVEC);
            prop_assert_eq!(get(h, n::MCAUSE), cause | ib);
            prop_assert_eq!(get(h, n::MEPC), CODE);
            prop_assert_eq!(get(h, n::MTVAL), tval);
            prop_assert_eq!(get(h, n::MTVAL2), tval2);
            let ms = get(h, n::MSTATUS);
            prop_assert_eq!(ms >> MPP_SHIFT & 3, m.privilege as u64);
            prop_assert_eq!(ms & MPV != 0, m.virt);
            prop_assert_eq!(ms & GVA_M != 0, gva);
            prop_assert_eq!(ms & MPIE != 0, s.mstatus & MIE != 0);
            prop_assert_eq!(ms & MIE, 0);
            prop_assert_eq!(get(h, n::SCAUSE), 0x5a5a);
        }
        (_, false) => {
            prop_assert_eq!(stop, StopReason::HsTrap);
            prop_assert_eq!(h.pc(), STVEC);
            prop_assert_eq!(get(h, n::SCAUSE), cause | ib);
            prop_assert_eq!(get(h, n::SEPC), CODE);
            prop_assert_eq!(get(h, n::STVAL), tval);
            prop_assert_eq!(get(h, n::HTVAL), tval2);
            let ss = get(h, n::MSTATUS);
            prop_assert_eq!(ss & SPP != 0, was_s);
            prop_assert_eq!(ss & SPIE != 0, s.mstatus & SIE != 0);
            prop_assert_eq!(ss & SIE, 0);
            let hs = get(h, n::HSTATUS);
            prop_assert_eq!(hs & H_SPV != 0, m.virt);
            let spvp = if m.virt {
                was_s
            } else {
                s.hstatus & H_SPVP != 0
            };
            prop_assert_eq!(hs & H_SPVP != 0, spvp);
            prop_assert_eq!(hs & H_GVA != 0, gva);
            prop_assert_eq!(get(h, n::MCAUSE), 0x5a5a);
        }
        (_, true) => {
            prop_assert_eq!(stop, StopReason::Budget);
            // norm:hideleg_trans: VS-level interrupt codes arrive as the S-level ones.
            let vs_cause = if int && matches!(cause, 2 | 6 | 10) {
                cause - 1
            } else {
                cause
            };
            prop_assert_eq!(get(h, n::VSCAUSE), vs_cause | ib);
            prop_assert_eq!(get(h, n::VSEPC), CODE);
            prop_assert_eq!(get(h, n::VSTVAL), tval);
            let vs = get(h, n::VSSTATUS);
            prop_assert_eq!(vs & SPP != 0, was_s);
            prop_assert_eq!(vs & SPIE != 0, s.vsstatus & SIE != 0);
            prop_assert_eq!(vs & SIE, 0);
            prop_assert_eq!(get(h, n::SCAUSE), 0x5a5a);
            prop_assert_eq!(get(h, n::MCAUSE), 0x5a5a);
        }
    }
    Ok(())
}

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(vec![
        Kind::Ecall,
        Kind::Ebreak,
        Kind::Load,
        Kind::Store,
        Kind::Illegal,
        Kind::Virtual,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Exceptions: destination and trap CSRs for every delegation setting and start mode.
    #[test]
    fn exception_routing(s in start(), k in kind()) {
        let k = match (k, s.mode) {
            (Kind::Illegal, Mode::M) => Kind::Ecall,
            (Kind::Virtual, m) if !m.virt => Kind::Ebreak,
            (k, _) => k,
        };
        let (mut h, mut bus) = setup(&s, insn(k));
        let deleg = (get(&h, n::MEDELEG), get(&h, n::HEDELEG));
        let stop = h.run(&mut bus, 1);
        let (cause, tval, tval2, is_addr) = expected_exception(k, s.mode);
        check_entry(&h, stop, &s, deleg, cause, false, tval, tval2, is_addr)?;
    }

    /// Interrupts (norm:intr_M_mode_pri and the hypervisor priority order; enables per mode:
    /// an interrupt for a more privileged mode is taken when running below it or in it with
    /// xIE; never for a less privileged mode).
    #[test]
    fn interrupt_routing(s in start(), pend in any::<u16>(), mie in any::<u16>()) {
        let (mut h, mut bus) = setup(&s, e::nop());
        // Sources: bit i of `pend` asks interrupt i to be pending.
        let want = u64::from(pend);
        let lines = [(3, IrqLine::Msip), (7, IrqLine::Mtip), (11, IrqLine::Meip)];
        for (i, l) in lines {
            h.set_irq_line(l, want >> i & 1 != 0);
        }
        set(&mut h, n::MIP, want & 0x222);
        set(&mut h, n::HVIP, want & 0x444);
        if want >> 12 & 1 != 0 {
            set(&mut h, n::HGEIE, 2);
            h.set_guest_irq_line(1, true);
        }
        set(&mut h, n::MIE, u64::from(mie));
        let pending = get(&h, n::MIP) & get(&h, n::MIE);
        let mideleg = get(&h, n::MIDELEG);
        let hideleg = get(&h, n::HIDELEG);
        // Reference selection.
        let order = [11u64, 3, 7, 9, 1, 5, 12, 10, 2, 6];
        let pick = |set: u64| order.iter().copied().find(|&i| set >> i & 1 != 0);
        let m = s.mode;
        let m_on = m != Mode::M || s.mstatus & MIE != 0;
        let hs_on = m != Mode::M && (m != Mode::HS || s.mstatus & SIE != 0);
        let vs_on = m == Mode::VU || (m == Mode::VS && s.vsstatus & SIE != 0);
        let chosen = m_on.then(|| pick(pending & !mideleg)).flatten()
            .or_else(|| hs_on.then(|| pick(pending & mideleg & !hideleg)).flatten())
            .or_else(|| vs_on.then(|| pick(pending & mideleg & hideleg)).flatten());
        let stop = h.run(&mut bus, 1);
        match chosen {
            None => {
                prop_assert_eq!(stop, StopReason::Budget);
                prop_assert_eq!(h.mode(), m);
                prop_assert_eq!(h.pc(), CODE + 4);
            }
            Some(i) => {
                let deleg = (mideleg, hideleg);
                check_entry(&h, stop, &s, deleg, i, true, 0, 0, false)?;
            }
        }
    }
}
