//! Virtual-instruction exceptions (hypervisor "Virtual-Instruction Exceptions") and the
//! illegal-instruction cases next to them: a table with one row per listed case, each run on
//! the interpreter with nothing delegated (every trap lands in M, where mcause is read).

mod hart_support;

use hart_support::*;
use hw_models::riscv::cause::exc::{ILLEGAL_INSTRUCTION as ILL, VIRTUAL_INSTRUCTION as VIRT};
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{HartConfig, StopReason};
use hw_models::riscv::isa::encode::{self as e, Reg};
use hw_models::riscv::privilege::Mode;

const CODE: u64 = RAM_BASE + 0x1000;
const MTVEC: u64 = RAM_BASE + 0x2000;
const DATA: u64 = RAM_BASE + 0x8000;
const SENTINEL: u64 = 0x5a5a;

// Bits from the spec layouts.
const TVM: u64 = 1 << 20;
const TW: u64 = 1 << 21;
const TSR: u64 = 1 << 22;
const VTVM: u64 = 1 << 20;
const VTW: u64 = 1 << 21;
const VTSR: u64 = 1 << 22;
const HU: u64 = 1 << 9;
const STCE: u64 = 1 << 63;

struct Case {
    /// The normative rule the row checks.
    rule: &'static str,
    mode: Mode,
    setup: &'static [(u16, u64)],
    insn: u32,
    /// `None`: the instruction executes without trapping.
    expect: Option<u64>,
}

fn csrr(c: u16) -> u32 {
    ok(e::csrr(Reg::T0, c))
}
fn csrw(c: u16) -> u32 {
    ok(e::csrw(c, Reg::ZERO))
}

fn cases() -> Vec<Case> {
    use Mode as M;
    let sfence = e::sfence_vma(Reg::ZERO, Reg::ZERO);
    let hfv = e::hfence_vvma(Reg::ZERO, Reg::ZERO);
    let hfg = e::hfence_gvma(Reg::ZERO, Reg::ZERO);
    let hlv = e::hlv_w(Reg::T0, Reg::T1);
    let hlvx = e::hlvx_hu(Reg::T0, Reg::T1);
    let hsv = e::hsv_w(Reg::T0, Reg::T1);
    let c = |rule, mode, setup, insn, expect| Case {
        rule,
        mode,
        setup,
        insn,
        expect,
    };
    let ctr_on: &'static [(u16, u64)] = &[(n::MCOUNTEREN, 1)];
    vec![
        // SRET.
        c(
            "H_virtinst_vs_sret_vtsr1",
            M::VS,
            &[(n::HSTATUS, VTSR)],
            e::sret(),
            Some(VIRT),
        ),
        c(
            "mstatus_tsr (ignored in VS)",
            M::VS,
            &[(n::MSTATUS, TSR)],
            e::sret(),
            None,
        ),
        c(
            "mstatus_tsr",
            M::HS,
            &[(n::MSTATUS, TSR)],
            e::sret(),
            Some(ILL),
        ),
        c(
            "H_virtinst_vu_sret_sfence",
            M::VU,
            &[],
            e::sret(),
            Some(VIRT),
        ),
        c("sret in U", M::U, &[], e::sret(), Some(ILL)),
        c(
            "mret below M is not HS-qualified",
            M::VS,
            &[],
            e::mret(),
            Some(ILL),
        ),
        // SFENCE.VMA and satp.
        c(
            "H_virtinst_vs_sfence_sinval_satp_vtvm1",
            M::VS,
            &[(n::HSTATUS, VTVM)],
            sfence,
            Some(VIRT),
        ),
        c(
            "H_virtinst_vs_sfence_sinval_satp_vtvm1",
            M::VS,
            &[(n::HSTATUS, VTVM)],
            csrr(n::SATP),
            Some(VIRT),
        ),
        c(
            "mstatus_tvm_hs (TVM ignored in VS)",
            M::VS,
            &[(n::MSTATUS, TVM)],
            sfence,
            None,
        ),
        c(
            "mstatus_tvm_hs (TVM ignored in VS)",
            M::VS,
            &[(n::MSTATUS, TVM)],
            csrr(n::SATP),
            None,
        ),
        c(
            "mstatus_tvm",
            M::HS,
            &[(n::MSTATUS, TVM)],
            sfence,
            Some(ILL),
        ),
        c(
            "mstatus_tvm",
            M::HS,
            &[(n::MSTATUS, TVM)],
            csrr(n::SATP),
            Some(ILL),
        ),
        c(
            "hgatp_tvm_illegal",
            M::HS,
            &[(n::MSTATUS, TVM)],
            csrr(n::HGATP),
            Some(ILL),
        ),
        c(
            "mstatus_tvm_hs: vsatp unaffected",
            M::HS,
            &[(n::MSTATUS, TVM)],
            csrr(n::VSATP),
            None,
        ),
        c("H_virtinst_vu_sret_sfence", M::VU, &[], sfence, Some(VIRT)),
        c("sfence in U", M::U, &[], sfence, Some(ILL)),
        // WFI.
        c(
            "H_virtinst_wfi_vtw1_tw0",
            M::VS,
            &[(n::HSTATUS, VTW)],
            e::wfi(),
            Some(VIRT),
        ),
        c(
            "mstatus_tw precedes VTW",
            M::VS,
            &[(n::HSTATUS, VTW), (n::MSTATUS, TW)],
            e::wfi(),
            Some(ILL),
        ),
        c("H_virtinst_vu_wfi_tw0", M::VU, &[], e::wfi(), Some(VIRT)),
        c(
            "mstatus_tw in VU",
            M::VU,
            &[(n::MSTATUS, TW)],
            e::wfi(),
            Some(ILL),
        ),
        c(
            "mstatus_tw in HS",
            M::HS,
            &[(n::MSTATUS, TW)],
            e::wfi(),
            Some(ILL),
        ),
        c("mstatus_tw_umode_op", M::U, &[], e::wfi(), Some(ILL)),
        // Hypervisor instructions.
        c("H_virtinst_vu_vs_hinst", M::VS, &[], hlv, Some(VIRT)),
        c("H_virtinst_vu_vs_hinst", M::VS, &[], hlvx, Some(VIRT)),
        c("H_virtinst_vu_vs_hinst", M::VS, &[], hsv, Some(VIRT)),
        c("H_virtinst_vu_vs_hinst", M::VS, &[], hfv, Some(VIRT)),
        c("H_virtinst_vu_vs_hinst", M::VS, &[], hfg, Some(VIRT)),
        c("H_virtinst_vu_vs_hinst", M::VU, &[], hlv, Some(VIRT)),
        c("H_virtinst_vu_vs_hinst", M::VU, &[], hfg, Some(VIRT)),
        c("hstatus_hu_op (HU=0)", M::U, &[], hlv, Some(ILL)),
        c("hstatus_hu_op (HU=1)", M::U, &[(n::HSTATUS, HU)], hlv, None),
        c("hstatus_hu_op (HU=1)", M::U, &[(n::HSTATUS, HU)], hsv, None),
        c(
            "hstatus_hu_op: HFENCE never in U",
            M::U,
            &[(n::HSTATUS, HU)],
            hfv,
            Some(ILL),
        ),
        c("hfence-vvma_tvm", M::HS, &[(n::MSTATUS, TVM)], hfv, None),
        c(
            "hfence-gvma with TVM",
            M::HS,
            &[(n::MSTATUS, TVM)],
            hfg,
            Some(ILL),
        ),
        c("hlsv in HS", M::HS, &[], hlv, None),
        // CSRs.
        c(
            "H_virtinst_vu_vs_nonhigh_allowedhs_tvm0",
            M::VS,
            &[],
            csrr(n::HSTATUS),
            Some(VIRT),
        ),
        c("H_vscsrs_acc_vs", M::VS, &[], csrr(n::VSSTATUS), Some(VIRT)),
        c("H_vscsrs_acc_u", M::U, &[], csrr(n::VSSTATUS), Some(ILL)),
        c("H_vscsrs_acc_m_hs", M::HS, &[], csrr(n::VSSTATUS), None),
        c("M CSRs from VS", M::VS, &[], csrr(n::MSTATUS), Some(ILL)),
        c(
            "write to read-only hgeip is not HS-qualified",
            M::VS,
            &[],
            csrw(n::HGEIP),
            Some(ILL),
        ),
        c(
            "H_virtinst_vu_vs_nonhigh_allowedhs_tvm0",
            M::VS,
            &[],
            csrr(n::HGEIP),
            Some(VIRT),
        ),
        c(
            "H_virtinst_vu_nonhigh_supervisor_allowedhs_tvm0",
            M::VU,
            &[],
            csrr(n::SSTATUS),
            Some(VIRT),
        ),
        c(
            "H_virtinst_vu_nonhigh_supervisor_allowedhs_tvm0",
            M::VU,
            &[],
            csrr(n::SENVCFG),
            Some(VIRT),
        ),
        c(
            "H_virtinst_vu_vs_nonhigh_allowedhs_tvm0",
            M::VU,
            &[],
            csrr(n::HSTATUS),
            Some(VIRT),
        ),
        c("M CSRs from VU", M::VU, &[], csrr(n::MSTATUS), Some(ILL)),
        c(
            "H_scsrs_nomatch: senvcfg stays accessible",
            M::VS,
            &[],
            csrr(n::SENVCFG),
            None,
        ),
        // Counters.
        c(
            "H_virtinst_vs_nonhighctr_h0_m1",
            M::VS,
            ctr_on,
            csrr(n::CYCLE),
            Some(VIRT),
        ),
        c(
            "hcounteren_op (m0)",
            M::VS,
            &[(n::HCOUNTEREN, 1)],
            csrr(n::CYCLE),
            Some(ILL),
        ),
        c(
            "hcounteren_op",
            M::VS,
            &[(n::MCOUNTEREN, 1), (n::HCOUNTEREN, 1)],
            csrr(n::CYCLE),
            None,
        ),
        c(
            "H_virtinst_vu_nonhighctr_h0_s0_m1",
            M::VU,
            &[(n::MCOUNTEREN, 4), (n::HCOUNTEREN, 4)],
            csrr(n::INSTRET),
            Some(VIRT),
        ),
        c(
            "H_virtinst_vu_nonhighctr_h0_s0_m1",
            M::VU,
            &[(n::MCOUNTEREN, 4), (n::SCOUNTEREN, 4)],
            csrr(n::INSTRET),
            Some(VIRT),
        ),
        c(
            "hcounteren_op (VU)",
            M::VU,
            &[(n::MCOUNTEREN, 4), (n::HCOUNTEREN, 4), (n::SCOUNTEREN, 4)],
            csrr(n::INSTRET),
            None,
        ),
        c(
            "mcounteren_clr_ill_inst_exc (VU)",
            M::VU,
            &[(n::HCOUNTEREN, 4), (n::SCOUNTEREN, 4)],
            csrr(n::INSTRET),
            Some(ILL),
        ),
        c(
            "scounteren in U",
            M::U,
            &[(n::MCOUNTEREN, 2)],
            csrr(n::TIME),
            Some(ILL),
        ),
        c(
            "mcounteren_clr_ill_inst_exc (HS)",
            M::HS,
            &[],
            csrr(n::TIME),
            Some(ILL),
        ),
        // Sstc.
        c(
            "hcounteren TM gates vstimecmp",
            M::VS,
            &[(n::MENVCFG, STCE), (n::HENVCFG, STCE), (n::MCOUNTEREN, 2)],
            csrr(n::STIMECMP),
            Some(VIRT),
        ),
        c(
            "henvcfg_stce",
            M::VS,
            &[(n::MENVCFG, STCE), (n::MCOUNTEREN, 2), (n::HCOUNTEREN, 2)],
            csrr(n::STIMECMP),
            Some(VIRT),
        ),
        c(
            "menvcfg_stce_op2",
            M::VS,
            &[(n::MCOUNTEREN, 2), (n::HCOUNTEREN, 2)],
            csrr(n::STIMECMP),
            Some(ILL),
        ),
        c(
            "menvcfg_stce_op2 (HS)",
            M::HS,
            &[(n::MCOUNTEREN, 2)],
            csrr(n::STIMECMP),
            Some(ILL),
        ),
        c(
            "stimecmp enabled",
            M::VS,
            &[
                (n::MENVCFG, STCE),
                (n::HENVCFG, STCE),
                (n::MCOUNTEREN, 2),
                (n::HCOUNTEREN, 2),
            ],
            csrr(n::STIMECMP),
            None,
        ),
    ]
}

/// Every row of the table. On a trap, mtval holds the instruction bits
/// (norm:H_virtinst_xtval) and mepc the instruction.
#[test]
fn virtual_instruction_table() {
    let mut failures = Vec::new();
    for (i, c) in cases().iter().enumerate() {
        let mut bus = bus();
        write_words(&mut bus, CODE, &[c.insn, e::nop()]);
        write_words(&mut bus, CODE + 0x100, &[e::nop()]);
        write_words(&mut bus, MTVEC, &[e::nop()]);
        let mut h = hart(HartConfig {
            hs_host: true,
            ..HartConfig::default()
        });
        set(&mut h, n::MTVEC, MTVEC);
        set(&mut h, n::MCAUSE, SENTINEL);
        set(&mut h, n::SEPC, CODE + 0x100);
        set(&mut h, n::VSEPC, CODE + 0x100);
        for &(csr, v) in c.setup {
            set(&mut h, csr, v);
        }
        h.set_reg(Reg::T1.num() as usize, DATA)
            .unwrap_or_else(|err| panic!("{err}"));
        h.set_mode(c.mode);
        h.set_pc(CODE);
        let stop = h.run(&mut bus, 1);
        let got = (stop == StopReason::MTrap).then(|| get(&h, n::MCAUSE));
        if got != c.expect {
            failures.push(format!(
                "row {i} ({}, {:?}, insn {:#010x}): expected {:?}, got {:?} (stop {stop:?})",
                c.rule, c.mode, c.insn, c.expect, got
            ));
            continue;
        }
        if got.is_some() {
            assert_eq!(get(&h, n::MTVAL), u64::from(c.insn), "row {i} mtval");
            assert_eq!(get(&h, n::MEPC), CODE, "row {i} mepc");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
