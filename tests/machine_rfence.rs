//! SBI remote_sfence_vma between vCPUs on the RISC-V Machine backend: each vCPU stays on
//! its own physical hart with its own TLB, so a fence one vCPU asks for another must reach
//! that other hart (docs/sbi.md, "RFENCE").

use hvsim::testkit::{Program, RiscvTestMachine, TestMachine};
use hw_models::riscv::csr_num;
use hw_models::riscv::isa::encode::{self, Assembler, EncodeError, Reg};
use vcpu::ExitReason;

const CODE: u64 = 0x8000_0000;
/// The guest's Sv39 tables: root, one level-1 and one level-0 table.
const ROOT: u64 = 0x8010_0000;
const L1: u64 = 0x8010_1000;
const L0: u64 = 0x8010_2000;
/// The two data pages the test virtual page is mapped to, before and after the change.
const PAGE_A: u64 = 0x8020_0000;
const PAGE_B: u64 = 0x8020_1000;
const VALUE_A: u64 = 0xAAAA_0000_0000_000A;
const VALUE_B: u64 = 0xBBBB_0000_0000_000B;
/// The test virtual page: Sv39 VPN[2] = 3, VPN[1] = 0, VPN[0] = 0x100. (Not VPN[0] = 0:
/// the model's direct-mapped TLB would then share a slot with the code page at
/// 0x8000_0000, and the code fetches would evict the translation under test.)
const VA: u64 = 0xC010_0000;
/// VA's index in the level-0 table.
const VA_L0_INDEX: usize = ((VA >> 12) & 0x1ff) as usize;

/// Sv39 PTE bits (priv spec, "Sv39"): V, R, W, X, A, D.
const PTE_V: u64 = 1 << 0;
const PTE_R: u64 = 1 << 1;
const PTE_W: u64 = 1 << 2;
const PTE_X: u64 = 1 << 3;
const PTE_A: u64 = 1 << 6;
const PTE_D: u64 = 1 << 7;
const PTE_PPN_SHIFT: u32 = 10;
const SATP_MODE_SV39: u64 = 8 << 60;

const EID_RFENCE: u64 = 0x5246_4E43;
const FID_SFENCE_VMA: u64 = 1;
const EID_HVC: u64 = 0x0048_5643;
/// Hypercall numbers the guest reports with.
const HC_RFENCE_DONE: u64 = 1;
const HC_FIRST_READ: u64 = 2;
const HC_SECOND_READ: u64 = 3;

fn table(pa: u64) -> u64 {
    (pa >> 12) << PTE_PPN_SHIFT | PTE_V
}

fn leaf(pa: u64, perms: u64) -> u64 {
    (pa >> 12) << PTE_PPN_SHIFT | perms | PTE_V | PTE_A | PTE_D
}

fn page_with(entries: &[(usize, u64)]) -> Vec<u8> {
    let mut p = vec![0u8; 4096];
    for &(i, v) in entries {
        p[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    p
}

fn hypercall(a: &mut Assembler, nr: u64) {
    a.li(Reg::A7, EID_HVC as i64);
    a.li(Reg::A6, nr as i64);
    a.put(encode::ecall());
}

/// Both vCPUs turn on Sv39 (RAM identity-mapped by a gigapage, `VA` → `PAGE_A`).
/// vCPU 1 reads `VA` twice, reporting each value; vCPU 0 remaps `VA` to `PAGE_B` and asks
/// SBI to fence the harts in `fence_mask` (hart 1 only, normally), then reports the SBI
/// error.
fn program(fence_mask: u64) -> Program {
    let code = |a: &mut Assembler| -> Result<(), EncodeError> {
        let hart1 = a.new_label();
        let idle = a.new_label();
        a.li(Reg::T0, (SATP_MODE_SV39 | ROOT >> 12) as i64);
        a.put(encode::csrw(csr_num::SATP, Reg::T0)?);
        a.put(encode::sfence_vma(Reg::ZERO, Reg::ZERO));
        a.li(Reg::T1, VA as i64);
        a.bnez(Reg::A0, hart1);
        // vCPU 0: L0[VA] := PAGE_B, then remote_sfence_vma(fence_mask, base 0, VA, 4K).
        a.li(Reg::T2, (L0 + VA_L0_INDEX as u64 * 8) as i64);
        a.li(Reg::T3, (leaf(PAGE_B, PTE_R | PTE_W)) as i64);
        a.put(encode::sd(Reg::T3, Reg::T2, 0)?);
        a.li(Reg::A0, fence_mask as i64);
        a.li(Reg::A1, 0);
        a.put(encode::addi(Reg::A2, Reg::T1, 0)?);
        a.li(Reg::A3, 4096);
        a.li(Reg::A7, EID_RFENCE as i64);
        a.li(Reg::A6, FID_SFENCE_VMA as i64);
        a.put(encode::ecall());
        hypercall(a, HC_RFENCE_DONE);
        a.j(idle);
        // vCPU 1: read VA (the translation is now cached on hart 1), report, read again.
        a.bind(hart1)?;
        a.put(encode::ld(Reg::A0, Reg::T1, 0)?);
        hypercall(a, HC_FIRST_READ);
        a.put(encode::ld(Reg::A0, Reg::T1, 0)?);
        hypercall(a, HC_SECOND_READ);
        a.bind(idle)?;
        a.put(encode::wfi());
        a.j(idle);
        Ok(())
    };
    Program::riscv(CODE, code)
        .expect("program assembles")
        // Root: VPN[2] = 2 is RAM (gigapage, RWX), VPN[2] = 3 goes down to VA's page.
        .data(
            ROOT,
            page_with(&[(2, leaf(CODE, PTE_R | PTE_W | PTE_X)), (3, table(L1))]),
        )
        .data(L1, page_with(&[(0, table(L0))]))
        .data(L0, page_with(&[(VA_L0_INDEX, leaf(PAGE_A, PTE_R | PTE_W))]))
        .data(PAGE_A, page_with(&[(0, VALUE_A)]))
        .data(PAGE_B, page_with(&[(0, VALUE_B)]))
}

fn run_to_hypercall(m: &mut RiscvTestMachine, vcpu: usize) -> (u64, u64) {
    m.select(vcpu).expect("vCPU exists");
    match m
        .run_until(100, |e| matches!(e, ExitReason::Hypercall { .. }))
        .expect("the guest reaches its hypercall")
    {
        ExitReason::Hypercall { nr, args } => (nr, args[0]),
        other => unreachable!("{other:?}"),
    }
}

/// SBI spec, remote_sfence_vma: "Instructs the remote harts to execute one or more
/// SFENCE.VMA instructions". After vCPU 0 changes the PTE and fences hart 1, vCPU 1's
/// next read of `VA` must use the new mapping, although vCPU 1's physical hart cached the
/// old one.
#[test]
fn remote_sfence_vma_reaches_the_sibling_vcpus_hart() {
    let mut m = TestMachine::riscv()
        .vcpus(2)
        .ram_mib(16)
        .program(program(0b10))
        .build()
        .expect("machine builds");
    assert_eq!(
        run_to_hypercall(&mut m, 1),
        (HC_FIRST_READ, VALUE_A),
        "vCPU 1 reads through the first mapping"
    );
    assert_eq!(
        run_to_hypercall(&mut m, 0),
        (HC_RFENCE_DONE, 0),
        "remote_sfence_vma returns SBI_SUCCESS"
    );
    assert_eq!(
        run_to_hypercall(&mut m, 1),
        (HC_SECOND_READ, VALUE_B),
        "vCPU 1 must not use the stale translation its hart cached"
    );
}

/// The control: without a fence for hart 1 the architecture allows the stale value, and the
/// model's TLB keeps it. This shows the first test is about the remote fence (not about
/// the model failing to cache at all).
#[test]
fn without_the_remote_fence_hart_1_keeps_its_cached_translation() {
    // vCPU 0 names only itself (mask 0b01), not hart 1.
    let mut m = TestMachine::riscv()
        .vcpus(2)
        .ram_mib(16)
        .program(program(0b01))
        .build()
        .expect("machine builds");
    assert_eq!(run_to_hypercall(&mut m, 1), (HC_FIRST_READ, VALUE_A));
    assert_eq!(run_to_hypercall(&mut m, 0), (HC_RFENCE_DONE, 0));
    assert_eq!(run_to_hypercall(&mut m, 1), (HC_SECOND_READ, VALUE_A));
}

const FID_FENCE_I: u64 = 0;
/// Where the patched function lives (its own page, away from the caller's code).
const FUNC: u64 = 0x8000_8000;

/// vCPU 1 calls `FUNC` (which returns 1 in a0) and reports the result, twice; vCPU 0
/// rewrites its second instruction to return 2 and calls remote_fence_i for `fence_mask`.
/// (The second: the model decodes the first instruction of a page afresh whenever
/// execution enters the page, and serves the following ones from its decode cache.)
fn self_modifying_program(fence_mask: u64) -> Program {
    let code = |a: &mut Assembler| -> Result<(), EncodeError> {
        let hart1 = a.new_label();
        let idle = a.new_label();
        a.li(Reg::S1, FUNC as i64);
        a.bnez(Reg::A0, hart1);
        a.li(Reg::T2, i64::from(encode::addi(Reg::A0, Reg::ZERO, 2)?));
        a.put(encode::sw(Reg::T2, Reg::S1, 4)?);
        a.li(Reg::A0, fence_mask as i64);
        a.li(Reg::A1, 0);
        a.li(Reg::A7, EID_RFENCE as i64);
        a.li(Reg::A6, FID_FENCE_I as i64);
        a.put(encode::ecall());
        hypercall(a, HC_RFENCE_DONE);
        a.j(idle);
        a.bind(hart1)?;
        a.put(encode::jalr(Reg::RA, Reg::S1, 0)?);
        hypercall(a, HC_FIRST_READ);
        a.put(encode::jalr(Reg::RA, Reg::S1, 0)?);
        hypercall(a, HC_SECOND_READ);
        a.bind(idle)?;
        a.put(encode::wfi());
        a.j(idle);
        Ok(())
    };
    let mut func = Assembler::new(FUNC);
    func.put(encode::addi(Reg::ZERO, Reg::ZERO, 0).expect("encodes"));
    func.put(encode::addi(Reg::A0, Reg::ZERO, 1).expect("encodes"));
    func.put(encode::jalr(Reg::ZERO, Reg::RA, 0).expect("encodes"));
    Program::riscv(CODE, code)
        .expect("program assembles")
        .data(FUNC, func.finish().expect("function assembles"))
}

/// SBI spec, remote_fence_i: "Instructs remote harts to execute FENCE.I". vCPU 1's hart
/// decoded `FUNC` before vCPU 0 (on another hart) rewrote it; after the remote FENCE.I
/// vCPU 1 must execute the new instruction.
#[test]
fn remote_fence_i_reaches_the_sibling_vcpus_hart() {
    let mut m = TestMachine::riscv()
        .vcpus(2)
        .program(self_modifying_program(0b10))
        .build()
        .expect("machine builds");
    assert_eq!(run_to_hypercall(&mut m, 1), (HC_FIRST_READ, 1));
    assert_eq!(run_to_hypercall(&mut m, 0), (HC_RFENCE_DONE, 0));
    assert_eq!(
        run_to_hypercall(&mut m, 1),
        (HC_SECOND_READ, 2),
        "vCPU 1 must not execute the stale decoded instruction"
    );
}

/// The control: with no fence for hart 1 the architecture lets hart 1 keep fetching the
/// old instruction (FENCE.I orders only the local hart's fetches), and the model does.
#[test]
fn without_remote_fence_i_hart_1_may_run_the_old_code() {
    let mut m = TestMachine::riscv()
        .vcpus(2)
        .program(self_modifying_program(0))
        .build()
        .expect("machine builds");
    assert_eq!(run_to_hypercall(&mut m, 1), (HC_FIRST_READ, 1));
    assert_eq!(run_to_hypercall(&mut m, 0), (HC_RFENCE_DONE, 0));
    assert_eq!(run_to_hypercall(&mut m, 1), (HC_SECOND_READ, 1));
}
