//! MMIO decode and exit transparency on the RISC-V vCPU, through `hvsim::testkit`.
//!
//! Each case builds a one-instruction guest (the access, then `wfi`), presets every
//! register, runs to the exit, answers it, and checks the architectural result against the
//! ISA spec with plain integer arithmetic (not the vCPU's own helpers).
//! `PROPTEST_CASES=1000 cargo test --test prop_mmio` runs more cases.

use hvsim::testkit::strategies::{MmioAccess, mmio_access};
use hvsim::testkit::{Program, RiscvTestMachine, TestMachine};
use hw_models::riscv::isa::encode;
use proptest::prelude::*;
use vcpu::ExitReason;

const ENTRY: u64 = 0x8000_0000;
const WINDOW: u64 = 0x4000_0000;
const WINDOW_SIZE: u64 = 0x1000;
/// The VS CSRs a guest owns (priv spec, "Hypervisor and Virtual Supervisor CSRs").
const VS_CSRS: [u16; 9] = [
    0x200, 0x204, 0x205, 0x240, 0x241, 0x242, 0x243, 0x244, 0x280,
];

fn machine(acc: &MmioAccess, regs: &[u64; 32]) -> RiscvTestMachine {
    let mut code = acc.encode().expect("strategy yields encodable accesses");
    code.extend_from_slice(&encode::wfi().to_le_bytes());
    let prog = Program::from_bytes(ENTRY, code).mmio_window(WINDOW, WINDOW_SIZE);
    let mut m = TestMachine::riscv()
        .ram_mib(4)
        .program(prog)
        .build()
        .expect("test machine");
    for (i, v) in regs.iter().enumerate().skip(1) {
        m.set_gpr(i, *v).expect("set_gpr");
    }
    m.set_gpr(usize::from(acc.base_reg), acc.base_value())
        .expect("set base");
    m
}

fn snapshot(m: &mut RiscvTestMachine) -> ([u64; 32], Vec<u64>) {
    let mut g = [0u64; 32];
    for (i, r) in g.iter_mut().enumerate() {
        *r = m.gpr(i);
    }
    let csrs = VS_CSRS.iter().map(|c| m.csr(*c).expect("csr")).collect();
    (g, csrs)
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

    /// MMIO decode (norm:H_guest_page_fault, norm:htinst_val, norm:HTVAL_TRAPVAL; RV64I
    /// norm:lb_rv64i_op/lbu_rv64i_op/lh_op_rv64i/lhu_rv64i_op/lw_op_rv64i/lwu_op/ld_op_rv64i;
    /// C norm:c-lw_op/c-ld_op/c-sw_op/c-sd_op/c-lwsp_op/c-ldsp_op/c-swsp_op/c-sdsp_op):
    /// any access into an unmapped window gives exactly one MmioRead/MmioWrite with the
    /// accessed address, width, destination register and store data; after the read is
    /// answered the destination holds the sign- or zero-extended value; the guest resumes
    /// at pc + the instruction's length (the next exit is the `wfi` there); no other
    /// register and no VS CSR changes.
    #[test]
    fn mmio_decode(acc in mmio_access(WINDOW, WINDOW_SIZE), regs in any::<[u64; 32]>(), dev in any::<u64>()) {
        let mut m = machine(&acc, &regs);
        let (before, csrs_before) = snapshot(&mut m);
        let exit = m.run_to_exit().expect("run");
        let width = acc.insn.width();
        let mut expect = before;
        match exit {
            ExitReason::MmioRead { addr, width: w, reg, signed_ext, .. } => {
                prop_assert!(!acc.insn.is_store(), "load exit for {acc:?}");
                prop_assert_eq!(addr.as_u64(), acc.addr);
                prop_assert_eq!(w, width);
                prop_assert_eq!(reg, usize::from(acc.data_reg));
                if width.size() < 8 {
                    prop_assert_eq!(signed_ext, acc.insn.sign_extends());
                }
                m.complete_mmio_read(dev).expect("complete");
                expect[reg] = acc.loaded_value(dev);
            }
            ExitReason::MmioWrite { addr, width: w, data } => {
                prop_assert!(acc.insn.is_store(), "store exit for {acc:?}");
                prop_assert_eq!(addr.as_u64(), acc.addr);
                prop_assert_eq!(w, width);
                prop_assert_eq!(data & width.mask(), before[usize::from(acc.data_reg)] & width.mask());
            }
            other => prop_assert!(false, "{acc:?}: expected an MMIO exit, got {other:?}"),
        }
        prop_assert_eq!(m.pc(), ENTRY + acc.insn.insn_len(), "pc after {:?}", acc);
        let (after, csrs_after) = snapshot(&mut m);
        prop_assert_eq!(after, expect);
        prop_assert_eq!(csrs_after, csrs_before);
        // Resumes right after the access: the next exit is the wfi there.
        let next = m.run_to_exit().expect("run");
        prop_assert!(matches!(next, ExitReason::Halt), "after {acc:?}: {next:?}");
        prop_assert_eq!(m.pc(), ENTRY + acc.insn.insn_len() + 4);
    }

    /// Exit transparency (norm:H_guest_page_fault: the trap is taken to HS and, once the
    /// hypervisor emulates the access, invisible to the guest): across an MMIO exit that is
    /// answered, every guest register other than the load's destination and every VS CSR
    /// keeps its value through a second exit-and-resume (the `wfi`), and the exit answers
    /// nothing twice (a later `set_gpr` is raw).
    #[test]
    fn exit_transparency(acc in mmio_access(WINDOW, WINDOW_SIZE), regs in any::<[u64; 32]>(), dev in any::<u64>(), raw in any::<u64>()) {
        let mut m = machine(&acc, &regs);
        let exit = m.run_to_exit().expect("run");
        if let ExitReason::MmioRead { .. } = exit {
            m.complete_mmio_read(dev).expect("complete");
        }
        let (mid, csrs_mid) = snapshot(&mut m);
        let next = m.run_to_exit().expect("run");
        prop_assert!(matches!(next, ExitReason::Halt));
        let (after, csrs_after) = snapshot(&mut m);
        prop_assert_eq!(after, mid);
        prop_assert_eq!(csrs_after, csrs_mid);
        // A later set_gpr writes the raw value (only the first completion extends).
        m.set_gpr(5, raw).expect("set");
        prop_assert_eq!(m.gpr(5), raw);
    }
}
