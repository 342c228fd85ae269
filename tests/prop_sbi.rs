//! SBI from a VS-mode guest, through `hvsim::testkit`: error codes, probe_extension and the
//! debug console (SBI v2.0). `PROPTEST_CASES=1000 cargo test --test prop_sbi` runs more.

use hvsim::testkit::strategies::{SbiCall, eid, sbi_call};
use hvsim::testkit::{Program, RiscvTestMachine, TestMachine};
use hw_models::riscv::isa::encode;
use proptest::prelude::*;
use vcpu::ExitReason;

const ENTRY: u64 = 0x8000_0000;
const RAM_MIB: u64 = 4;
const RAM_END: u64 = ENTRY + (RAM_MIB << 20);
const A0: usize = 10;
/// The VS CSRs but vsip (priv spec, "Hypervisor and Virtual Supervisor CSRs"): vsstatus,
/// vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp.
const VS_CSRS: [u16; 8] = [0x200, 0x204, 0x205, 0x240, 0x241, 0x242, 0x243, 0x280];
const A1: usize = 11;

/// SBI v2.0 "Standard SBI Errors": SBI_SUCCESS (0) down to SBI_ERR_NO_SHMEM (-9), plus
/// the v2.0/3.0 additions INVALID_STATE (-10), BAD_RANGE (-11), TIMEOUT (-12), IO (-13).
const SBI_ERRORS: core::ops::RangeInclusive<i64> = -13..=0;
const SBI_ERR_NOT_SUPPORTED: i64 = -2;
const SBI_ERR_INVALID_PARAM: i64 = -3;
/// Legacy extensions (EIDs 0x00..=0x0F) use the legacy convention: a0 is a value, not an
/// error code (SBI v2.0, "Legacy Extensions").
fn is_legacy(eid: u64) -> bool {
    eid <= 0x0F
}

fn machine(call: &SbiCall, regs: &[u64; 32]) -> RiscvTestMachine {
    let mut code = encode::ecall().to_le_bytes().to_vec();
    code.extend_from_slice(&encode::wfi().to_le_bytes());
    let mut m = TestMachine::riscv()
        .ram_mib(RAM_MIB)
        .program(Program::from_bytes(ENTRY, code))
        .build()
        .expect("test machine");
    for (i, v) in regs.iter().enumerate().skip(1) {
        m.set_gpr(i, *v).expect("set_gpr");
    }
    for (i, a) in call.args.iter().enumerate() {
        m.set_gpr(A0 + i, *a).expect("set arg");
    }
    m.set_gpr(16, call.fid).expect("a6");
    m.set_gpr(17, call.eid).expect("a7");
    m
}

fn regs_of(m: &RiscvTestMachine) -> [u64; 32] {
    let mut g = [0u64; 32];
    for (i, r) in g.iter_mut().enumerate() {
        *r = m.gpr(i);
    }
    g
}

/// Runs one call; returns (a0, a1, the exit).
fn call(c: &SbiCall) -> (i64, u64, ExitReason) {
    let mut m = machine(c, &[0; 32]);
    let e = m.run_to_exit().expect("run");
    (m.gpr(A0) as i64, m.gpr(A1), e)
}

fn probe(ext: u64) -> u64 {
    call(&SbiCall {
        eid: eid::BASE,
        fid: 3,
        args: [ext, 0, 0, 0, 0, 0],
    })
    .1
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

    /// SBI v2.0 "Binary Encoding" and "Standard SBI Errors": every non-legacy call returns
    /// in a0 one of the standard error codes; an EID the implementation does not provide
    /// returns SBI_ERR_NOT_SUPPORTED with every register other than the return pair a0/a1
    /// (`struct sbiret`) preserved and the pc past the ECALL.
    #[test]
    fn sbi_error_codes(c in sbi_call(), regs in any::<[u64; 32]>()) {
        let mut m = machine(&c, &regs);
        let before = regs_of(&m);
        let exit = m.run_to_exit().expect("run");
        let a0 = m.gpr(A0) as i64;
        if !is_legacy(c.eid) {
            prop_assert!(SBI_ERRORS.contains(&a0), "{c:x?}: a0 = {a0} ({exit:?})");
        }
        if !is_legacy(c.eid) && probe(c.eid) == 0 {
            prop_assert_eq!(a0, SBI_ERR_NOT_SUPPORTED, "{:x?}", c);
            prop_assert!(matches!(exit, ExitReason::Nothing), "{c:x?}: {exit:?}");
            let mut want = before;
            want[A0] = SBI_ERR_NOT_SUPPORTED as u64;
            let mut got = regs_of(&m);
            got[A1] = want[A1];
            prop_assert_eq!(got, want);
            prop_assert_eq!(m.pc(), ENTRY + 4);
        }
    }

    /// SBI v2.0 "Binary Encoding" ("All registers except a0 & a1 must be preserved
    /// across an SBI call by the callee") and exit transparency: for any call (HSM
    /// hart_suspend aside, whose non-retentive form resumes elsewhere with a0/a1 set), every
    /// register but a0/a1 and every VS CSR but vsip (set_timer clears VSTIP) is unchanged
    /// after the call's exit, and the guest resumes right after the ECALL.
    #[test]
    fn sbi_calls_preserve_other_state(c in sbi_call(), regs in any::<[u64; 32]>()) {
        prop_assume!(!(c.eid == eid::HSM && c.fid == 3));
        let mut m = machine(&c, &regs);
        let before = regs_of(&m);
        let csrs: Vec<u64> = VS_CSRS.iter().map(|n| m.csr(*n).expect("csr")).collect();
        let exit = m.run_to_exit().expect("run");
        let mut after = regs_of(&m);
        after[A0] = before[A0];
        after[A1] = before[A1];
        prop_assert_eq!(after, before, "{:x?} -> {:?}", c, exit);
        let csrs_after: Vec<u64> = VS_CSRS.iter().map(|n| m.csr(*n).expect("csr")).collect();
        prop_assert_eq!(csrs_after, csrs, "{:x?}", c);
        prop_assert_eq!(m.pc(), ENTRY + 4, "{:x?} -> {:?}", c, exit);
    }

    /// SBI v2.0 §4.8 "Probe SBI extension": probe_extension returns 0 exactly for the
    /// extensions whose calls are unavailable: a 0 means every function returns
    /// SBI_ERR_NOT_SUPPORTED, a non-zero value means some function of FIDs 0..8 does not.
    #[test]
    fn probe_agrees_with_calls(ext in proptest::sample::select(eid::KNOWN.to_vec()), args in any::<[u64; 6]>()) {
        let available = probe(ext) != 0;
        let answers: Vec<i64> = (0..8)
            .map(|fid| call(&SbiCall { eid: ext, fid, args }).0)
            .collect();
        let some_supported = answers.iter().any(|a| *a != SBI_ERR_NOT_SUPPORTED);
        prop_assert_eq!(available, some_supported, "eid {:#x}: answers {:?}", ext, answers);
    }

    /// SBI v2.0 §12.1 "Console Write" (and "Shared Memory Physical Address Range
    /// Parameter"): DBCN write of a buffer at any guest-physical address prints exactly the
    /// buffer's bytes (a prefix of them: the call may write fewer and says how many in a1)
    /// when the buffer is guest memory, across page boundaries included; a buffer reaching
    /// unmapped memory gives SBI_ERR_INVALID_PARAM and prints nothing. Never a crash.
    #[test]
    fn dbcn_write_any_buffer(
        addr in prop_oneof![
            // Around page boundaries inside RAM (past the code page).
            (1u64..(RAM_MIB << 8) - 1, 0u64..64).prop_map(|(p, o)| ENTRY + p * 4096 - 32 + o),
            // Straddling the start or the end of RAM, and plain unmapped memory.
            (0u64..400).prop_map(|o| ENTRY - 200 + o),
            (0u64..400).prop_map(|o| RAM_END - 200 + o),
            any::<u32>().prop_map(u64::from),
        ],
        len in 0u64..300,
        seed in any::<u8>(),
    ) {
        let c = SbiCall { eid: eid::DBCN, fid: 0, args: [len, addr, 0, 0, 0, 0] };
        let mut m = machine(&c, &[0; 32]);
        let in_ram = |a: u64, n: u64| a >= ENTRY + 4096 && a.checked_add(n).is_some_and(|e| e <= RAM_END);
        let buf: Vec<u8> = (0..len).map(|i| seed.wrapping_add(i as u8) | 0x20).collect();
        let chunk = len.min(256);
        if in_ram(addr, len) {
            m.write_mem(addr, &buf).expect("buffer");
        }
        let exit = m.run_to_exit().expect("run");
        prop_assert!(matches!(exit, ExitReason::Nothing), "{exit:?}");
        let (a0, a1) = (m.gpr(A0) as i64, m.gpr(A1));
        let out = m.firmware_console();
        let mapped = addr >= ENTRY && addr.checked_add(chunk).is_some_and(|e| e <= RAM_END);
        if len == 0 {
            // "num_bytes = 0": nothing to write, success.
            prop_assert_eq!((a0, a1), (0, 0));
            prop_assert!(out.is_empty());
        } else if mapped {
            prop_assert_eq!(a0, 0);
            prop_assert!(a1 <= chunk && a1 > 0, "a1 = {}", a1);
            let mut want = vec![0u8; a1 as usize];
            m.read_mem(addr, &mut want).expect("buffer");
            prop_assert_eq!(&out[..], &want[..]);
            if in_ram(addr, len) {
                prop_assert_eq!(&out[..], &buf[..a1 as usize]);
            }
        } else {
            prop_assert_eq!(a0, SBI_ERR_INVALID_PARAM, "addr {:#x} len {}", addr, len);
            prop_assert!(out.is_empty());
        }
    }
}
