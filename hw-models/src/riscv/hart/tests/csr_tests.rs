//! CSR access legality and WARL behaviour, through instructions and as properties.

use proptest::prelude::*;

use super::asm::*;
use super::*;
use crate::riscv::cause::exc;
use crate::riscv::csr_num as n;
use crate::riscv::hart::config::Features;
use crate::riscv::hart::csr::access::{CsrOp, csr_op};
use crate::riscv::hart::csr::mstatus::{self as ms, MPP, MPP_SHIFT};
use crate::riscv::hart::csr::{lookup, mip};
use crate::riscv::hart::state::ArchState;
use crate::riscv::privilege::{Mode, PrivLevel};

fn state(f: Features) -> ArchState {
    ArchState::new(0, BASE, f)
}

const MS_F: Features = Features { s: false, h: false };
const S_F: Features = Features { s: true, h: false };

/// Runs one CSR instruction in `mode`; returns Ok(rd) or Err(mcause).
fn csr_insn(insn: u32, mode: Mode, setup: &[(u16, u64)]) -> Result<u64, u64> {
    let (mut h, mut b) = machine(&[MRET]);
    // ECALL ends the test in every mode (WFI would trap in U with S present).
    poke(&mut b, BASE + 0x100, &[insn, ECALL]);
    for &(c, v) in setup {
        h.set_csr(c, v).unwrap_or_else(|e| panic!("{e}"));
    }
    h.set_csr(n::MEPC, BASE + 0x100)
        .unwrap_or_else(|e| panic!("{e}"));
    let mpp = mode.privilege.bits() << MPP_SHIFT;
    let s = h.csr(n::MSTATUS).unwrap_or(0);
    h.set_csr(n::MSTATUS, (s & !MPP) | mpp)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_reg(7, 0x1234).unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut b);
    if mepc(&h) == BASE + 0x104 && (8..=11).contains(&mcause(&h)) {
        Ok(h.reg(5))
    } else {
        assert_eq!(mepc(&h), BASE + 0x100);
        Err(mcause(&h))
    }
}

#[test]
fn read_only_csrs_allow_csrrs_with_x0_but_not_writes() {
    // norm:Zicsr_rw: CSRRS/CSRRC with rs1 = x0 and CSRRSI/CSRRCI with uimm = 0 do not write.
    let m = Mode::M;
    assert_eq!(csr_insn(csr(2, 5, n::MHARTID, 0), m, &[]), Ok(0));
    assert_eq!(csr_insn(csr(3, 5, n::MHARTID, 0), m, &[]), Ok(0));
    assert_eq!(csr_insn(csr(6, 5, n::MHARTID, 0), m, &[]), Ok(0));
    assert_eq!(csr_insn(csr(7, 5, n::MHARTID, 0), m, &[]), Ok(0));
    // norm:Zicsr_write_ro: any write attempt is illegal, even of the same value; CSRRW with
    // rd = x0 too; CSRRS with a zero-valued register that is not x0 too.
    assert_eq!(
        csr_insn(csr(1, 5, n::MHARTID, 0), m, &[]),
        Err(exc::ILLEGAL_INSTRUCTION)
    );
    assert_eq!(
        csr_insn(csr(1, 0, n::MVENDORID, 7), m, &[]),
        Err(exc::ILLEGAL_INSTRUCTION)
    );
    assert_eq!(
        csr_insn(csr(2, 5, n::MHARTID, 8), m, &[]),
        Err(exc::ILLEGAL_INSTRUCTION)
    );
    assert_eq!(
        csr_insn(csr(5, 5, n::CYCLE, 0), m, &[]),
        Err(exc::ILLEGAL_INSTRUCTION)
    );
    assert_eq!(
        csr_insn(csr(6, 5, n::CYCLE, 1), m, &[]),
        Err(exc::ILLEGAL_INSTRUCTION)
    );
}

#[test]
fn illegal_csr_access_reports_the_encoding() {
    let insn = csr(1, 5, n::MSCRATCH, 7);
    let (mut h, mut b) = machine(&[MRET]);
    poke(&mut b, BASE + 0x100, &[insn]);
    h.set_csr(n::MEPC, BASE + 0x100)
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_csr(n::MSTATUS, 0).unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut b);
    assert_eq!(mcause(&h), exc::ILLEGAL_INSTRUCTION);
    assert_eq!(mtval(&h), u64::from(insn));
}

#[test]
fn u_mode_cannot_touch_m_csrs() {
    // norm:Zicsr_illegal_mode.
    for c in [n::MSTATUS, n::MSCRATCH, n::MHARTID, n::MCYCLE, n::PMPADDR0] {
        assert_eq!(
            csr_insn(csr(2, 5, c, 0), Mode::U, &[]),
            Err(exc::ILLEGAL_INSTRUCTION),
            "{c:#x}"
        );
    }
}

#[test]
fn nonexistent_csrs_are_illegal() {
    // Odd pmpcfg on RV64 (norm:pmp_cfg_rv64_illegal), mstatush (RV32 only), the RV32-only
    // high halves (norm:H_illegal_high_half), an unallocated number.
    for c in [0x3a1, 0x310, 0x615, 0x61a, 0x7ff] {
        assert_eq!(
            csr_insn(csr(2, 5, c, 0), Mode::M, &[]),
            Err(exc::ILLEGAL_INSTRUCTION),
            "{c:#x}"
        );
    }
}

#[test]
fn mcounteren_gates_user_counter_reads() {
    // norm:mcounteren_clr_ill_inst_exc / norm:mcounteren_set_nxt_priv.
    for (c, bit) in [(n::CYCLE, 0), (n::TIME, 1), (n::INSTRET, 2), (0xc03, 3)] {
        assert_eq!(
            csr_insn(csr(2, 5, c, 0), Mode::U, &[]),
            Err(exc::ILLEGAL_INSTRUCTION)
        );
        // With S, U also needs the scounteren bit.
        assert_eq!(
            csr_insn(csr(2, 5, c, 0), Mode::U, &[(n::MCOUNTEREN, 1 << bit)]),
            Err(exc::ILLEGAL_INSTRUCTION)
        );
        assert!(
            csr_insn(
                csr(2, 5, c, 0),
                Mode::U,
                &[(n::MCOUNTEREN, 1 << bit), (n::SCOUNTEREN, 1 << bit)]
            )
            .is_ok()
        );
        // M is never gated.
        assert!(csr_insn(csr(2, 5, c, 0), Mode::M, &[]).is_ok());
    }
}

#[test]
fn instret_counts_retired_instructions_and_writes_take_effect_after() {
    // norm:minstret_op, norm:mcycle_minstret_wr.
    let h = exec(&[
        addi(0, 0, 0),
        csr(2, 1, n::INSTRET, 0),
        csr(5, 0, n::MINSTRET, 7),
        csr(2, 2, n::MINSTRET, 0),
        csr(2, 3, n::CYCLE, 0),
        WFI,
    ]);
    assert_eq!(h.reg(1), 1);
    assert_eq!(h.reg(2), 7);
    assert_eq!(h.reg(3), 4);
}

#[test]
fn mcountinhibit_freezes_minstret() {
    let h = exec(&[
        csr(6, 0, n::MCOUNTINHIBIT, 4),
        addi(0, 0, 0),
        addi(0, 0, 0),
        csr(2, 1, n::MINSTRET, 0),
        csr(7, 0, n::MCOUNTINHIBIT, 4),
        addi(0, 0, 0),
        csr(2, 2, n::MINSTRET, 0),
        WFI,
    ]);
    assert_eq!(h.reg(1), 0);
    // The clearing write counts, then one addi: two more.
    assert_eq!(h.reg(2), 2);
}

#[test]
fn machine_information_values() {
    let h = Hart::new(HartConfig {
        hart_id: 3,
        ..HartConfig::default()
    });
    assert_eq!(h.csr(n::MHARTID), Ok(3));
    assert_eq!(h.csr(n::MVENDORID), Ok(0));
    // misa: MXL = 2, I M A C S U H.
    let isa = h.csr(n::MISA).unwrap_or(0);
    assert_eq!(isa >> 62, 2);
    for c in [b'I', b'M', b'A', b'C', b'S', b'U', b'H'] {
        assert_ne!(isa & (1 << (c - b'A')), 0, "{}", c as char);
    }
    for c in [b'F', b'D', b'E'] {
        assert_eq!(isa & (1 << (c - b'A')), 0, "{}", c as char);
    }
    // UXL = SXL = 2 read-only, FS = 0, SD = 0.
    let s = h.csr(n::MSTATUS).unwrap_or(0);
    assert_eq!((s >> ms::UXL_SHIFT) & 3, 2);
    assert_eq!((s >> ms::SXL_SHIFT) & 3, 2);
}

#[test]
fn mtvec_reserved_modes_and_mepc_alignment() {
    let mut h = Hart::new(HartConfig::default());
    let set = |h: &mut Hart, c, v| h.set_csr(c, v).unwrap_or_else(|e| panic!("{e}"));
    set(&mut h, n::MTVEC, 0x8000_0102);
    assert_eq!(h.csr(n::MTVEC), Ok(0x8000_0100));
    set(&mut h, n::MTVEC, 0x8000_0103);
    assert_eq!(h.csr(n::MTVEC), Ok(0x8000_0101));
    set(&mut h, n::MEPC, 0x8000_0003);
    assert_eq!(h.csr(n::MEPC), Ok(0x8000_0002));
}

proptest! {
    /// norm:MSTATUS_XPP_WARL, norm:mstatus_fs_op (FS Off), norm:mstatus_sum_rdonly0,
    /// norm:mstatus_mxr_rdonly0_no_smode, norm:mstatus_uxl_rdonly_mxlen64: after any write,
    /// MPP holds M or U, absent fields read 0 and UXL reads 64-bit.
    #[test]
    fn mstatus_warl_without_s(v in any::<u64>()) {
        let mut st = state(MS_F);
        prop_assert!(csr_op(&mut st, n::MSTATUS, CsrOp::Write, v, true).is_ok());
        let r = st.csr.mstatus;
        let mpp = (r & MPP) >> MPP_SHIFT;
        prop_assert!(mpp == 0 || mpp == 3);
        prop_assert_eq!(mpp == 3, (v & MPP) >> MPP_SHIFT == 3);
        prop_assert_eq!(r & (ms::SIE | ms::SPIE | ms::SPP | ms::SUM | ms::MXR | ms::TVM | ms::TSR | ms::FS | ms::SD), 0);
        prop_assert_eq!((r >> ms::UXL_SHIFT) & 3, 2);
        prop_assert_eq!(r & (ms::MIE | ms::MPIE | ms::MPRV | ms::TW), v & (ms::MIE | ms::MPIE | ms::MPRV | ms::TW));
    }

    /// norm:MSTATUS_XPP_WARL with S: MPP keeps M, S, U and maps the reserved 2 to U.
    #[test]
    fn mstatus_mpp_with_s(v in any::<u64>()) {
        let mut st = state(S_F);
        prop_assert!(csr_op(&mut st, n::MSTATUS, CsrOp::Write, v, true).is_ok());
        let want = match (v >> MPP_SHIFT) & 3 { 2 => 0, x => x };
        prop_assert_eq!((st.csr.mstatus & MPP) >> MPP_SHIFT, want);
        prop_assert_eq!((st.csr.mstatus >> ms::SXL_SHIFT) & 3, 2);
    }

    /// norm:medeleg_when_rd0 (bit 11 read-only 0), norm:medeleg_16_no_rd0,
    /// norm:medeleg_no_rd1 (writing 0 clears every bit), norm:mideleg_no_rd1 (M-level
    /// interrupt bits never read 1).
    #[test]
    fn delegation_masks_with_s(v in any::<u64>()) {
        let mut st = state(S_F);
        prop_assert!(csr_op(&mut st, n::MEDELEG, CsrOp::Write, v, true).is_ok());
        prop_assert_eq!(st.csr.medeleg & ((1 << 11) | (1 << 16) | (1 << 10)), 0);
        prop_assert_eq!(st.csr.medeleg & (1 << 8), v & (1 << 8));
        prop_assert!(csr_op(&mut st, n::MIDELEG, CsrOp::Write, v, true).is_ok());
        prop_assert_eq!(st.csr.mideleg & mip::M_BITS, 0);
        prop_assert!(csr_op(&mut st, n::MEDELEG, CsrOp::Write, 0, true).is_ok());
        prop_assert_eq!(st.csr.medeleg, 0);
    }

    /// norm:mie_bits_rdonly0, norm:mip_msip_rdonly, norm:mip_mtip_rdonly,
    /// norm:mip_meip_rdonly: without S only MSIE/MTIE/MEIE exist in mie and M software
    /// cannot change any mip bit.
    #[test]
    fn mie_mip_masks_without_s(v in any::<u64>(), lines in 0u64..16) {
        let mut st = state(MS_F);
        st.csr.lines = lines << 3 & mip::LINE_BITS;
        let before = st.csr.mip();
        prop_assert!(csr_op(&mut st, n::MIE, CsrOp::Write, v, true).is_ok());
        prop_assert_eq!(st.csr.mie, v & mip::M_BITS);
        prop_assert!(csr_op(&mut st, n::MIP, CsrOp::Write, v, true).is_ok());
        prop_assert_eq!(st.csr.mip(), before);
    }

    /// norm:MISA_WARL: misa is read-only in hvsim; writes are legal and change nothing.
    #[test]
    fn misa_ignores_writes(v in any::<u64>()) {
        let mut st = state(MS_F);
        let before = csr_op(&mut st, n::MISA, CsrOp::Set, 0, false);
        prop_assert!(csr_op(&mut st, n::MISA, CsrOp::Write, v, true).is_ok());
        prop_assert_eq!(csr_op(&mut st, n::MISA, CsrOp::Set, 0, false), before);
    }

    /// norm:mepc_align: mepc[0] is always 0 and, with IALIGN = 16, bit 1 is kept.
    #[test]
    fn mepc_low_bit(v in any::<u64>()) {
        let mut st = state(MS_F);
        prop_assert!(csr_op(&mut st, n::MEPC, CsrOp::Write, v, true).is_ok());
        prop_assert_eq!(st.csr.mepc, v & !1);
    }

    /// norm:MTVEC_WARL: MODE reads 0 or 1, BASE is kept.
    #[test]
    fn mtvec_mode(v in any::<u64>()) {
        let mut st = state(MS_F);
        prop_assert!(csr_op(&mut st, n::MTVEC, CsrOp::Write, v, true).is_ok());
        prop_assert!(st.csr.mtvec & 3 <= 1);
        prop_assert_eq!(st.csr.mtvec & !3, v & !3);
    }

    /// norm:Zicsr_illegal_mode / norm:Zicsr_write_ro for every CSR number: an access from
    /// U to a CSR whose number needs more privilege, or a write to a read-only number, is
    /// refused; a refused access changes nothing.
    #[test]
    fn privilege_and_read_only_encoding(num in 0u16..0x1000, v in any::<u64>(), write in any::<bool>()) {
        let mut st = state(MS_F);
        st.mode = Mode::U;
        st.csr.mcounteren = u64::MAX;
        let before = st.csr.clone();
        let r = csr_op(&mut st, num, CsrOp::Write, v, write);
        let needs = ((num >> 8) & 3) as u8;
        let ro = (num >> 10) & 3 == 3;
        if needs > PrivLevel::User as u8 || (write && ro) || lookup(num, MS_F).is_none() {
            prop_assert!(r.is_err());
            prop_assert_eq!(format!("{:?}", st.csr), format!("{:?}", before));
        }
    }

    /// PMPCFG_WARL: the reserved R=0/W=1 combination never reads back; locked entries keep
    /// their value (norm:pmp_l_bit_write_protection).
    #[test]
    fn pmpcfg_warl(v in any::<u64>(), w in any::<u64>()) {
        let mut st = state(MS_F);
        prop_assert!(csr_op(&mut st, n::PMPCFG0, CsrOp::Write, v, true).is_ok());
        let r = st.csr.pmp.read_cfg(0);
        for i in 0..8 {
            let b = (r >> (8 * i)) & 0xff;
            prop_assert!(b & 3 != 2);
            prop_assert_eq!(b & 0x60, 0);
        }
        prop_assert!(csr_op(&mut st, n::PMPCFG0, CsrOp::Write, w, true).is_ok());
        let r2 = st.csr.pmp.read_cfg(0);
        for i in 0..8 {
            if (r >> (8 * i)) & 0x80 != 0 {
                prop_assert_eq!((r2 >> (8 * i)) & 0xff, (r >> (8 * i)) & 0xff);
            }
        }
    }
}

use alloc::format;

#[test]
fn debugger_writes_do_not_shift_counters() {
    let (mut h, mut b) = machine(&[addi(0, 0, 0), addi(0, 0, 0), WFI]);
    assert_eq!(h.run(&mut b, 2), StopReason::Budget);
    h.set_csr(n::MINSTRET, 100)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.csr(n::MINSTRET), Ok(100));
    h.set_csr(n::MCOUNTINHIBIT, 5)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.csr(n::MINSTRET), Ok(100));
    assert_eq!(h.csr(n::MCYCLE), Ok(2));
    // Reset restarts the counters but not the monotonic retired count.
    h.reset();
    assert_eq!(h.csr(n::MINSTRET), Ok(0));
    assert_eq!(h.retired(), 2);
    assert_eq!(h.pc(), BASE);
}

proptest! {
    /// The board's per-access M-interrupt check (`m_soft_or_timer_irq_ready`) reads only the
    /// interrupt lines; it must agree with the architectural mip & mie for MTI and MSI
    /// (priv "Machine Interrupt Registers": MTIP/MSIP are read-only in mip, driven by the
    /// timer and the software-interrupt device) whatever software wrote to mip, sip, mie,
    /// hvip and menvcfg and whatever the lines are.
    #[test]
    fn m_interrupt_check_agrees_with_mip(
        lines in prop::array::uniform4(any::<bool>()),
        writes in prop::collection::vec((0usize..6, any::<u64>()), 0..8),
        time in any::<u64>(),
    ) {
        use crate::riscv::hart::{CsrAccess, IrqLine};
        let mut h = Hart::new(HartConfig::default());
        for (line, level) in [IrqLine::Msip, IrqLine::Mtip, IrqLine::Meip, IrqLine::Seip]
            .into_iter()
            .zip(lines)
        {
            h.set_irq_line(line, level);
        }
        let csrs = [n::MIP, n::MIE, n::SIP, n::HVIP, n::MENVCFG, n::STIMECMP];
        for (i, v) in writes {
            let _ = h.csr_access(Mode::M, csrs[i], CsrAccess::Write(v));
        }
        h.set_time(time);
        const MASK: u64 = (1 << 7) | (1 << 3);
        let c = &h.st.csr;
        prop_assert_eq!(h.m_soft_or_timer_irq_ready(), c.mip() & c.mie & MASK != 0);
    }
}
