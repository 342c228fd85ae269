//! Disassembler unit tests. Expected text follows binutils' conventions (riscv-opc
//! mnemonics and aliases) with `", "` separators; the H-extension forms follow binutils'
//! `hlv.w rd,(rs1)` / `hsv.w rs2,(rs1)` / `hfence.gvma rs1,rs2` syntax.

use alloc::string::{String, ToString};

use super::encode::{self as e, AqRl, Reg};
use super::{decode, disasm::disasm};

fn dis(raw: u32, pc: u64) -> String {
    disasm(&decode(raw), pc).to_string()
}

fn ok<T: Default>(r: Result<T, e::EncodeError>) -> T {
    r.unwrap_or_default()
}

#[test]
fn hypervisor_and_privileged() {
    assert_eq!(dis(e::hlv_w(Reg::A0, Reg::A1), 0), "hlv.w a0, (a1)");
    assert_eq!(dis(e::hlv_bu(Reg::T0, Reg::SP), 0), "hlv.bu t0, (sp)");
    assert_eq!(dis(e::hlvx_hu(Reg::A0, Reg::A1), 0), "hlvx.hu a0, (a1)");
    assert_eq!(dis(e::hlvx_wu(Reg::S11, Reg::T6), 0), "hlvx.wu s11, (t6)");
    assert_eq!(dis(e::hlv_d(Reg::A0, Reg::A1), 0), "hlv.d a0, (a1)");
    assert_eq!(dis(e::hsv_w(Reg::A2, Reg::A1), 0), "hsv.w a2, (a1)");
    assert_eq!(dis(e::hsv_d(Reg::ZERO, Reg::A1), 0), "hsv.d zero, (a1)");
    assert_eq!(
        dis(e::hfence_gvma(Reg::A0, Reg::A1), 0),
        "hfence.gvma a0, a1"
    );
    assert_eq!(dis(e::hfence_gvma(Reg::ZERO, Reg::ZERO), 0), "hfence.gvma");
    assert_eq!(dis(e::hfence_vvma(Reg::A0, Reg::ZERO), 0), "hfence.vvma a0");
    assert_eq!(
        dis(e::hfence_vvma(Reg::ZERO, Reg::A1), 0),
        "hfence.vvma zero, a1"
    );
    assert_eq!(dis(e::sfence_vma(Reg::ZERO, Reg::ZERO), 0), "sfence.vma");
    assert_eq!(dis(e::mret(), 0), "mret");
    assert_eq!(dis(e::sret(), 0), "sret");
    assert_eq!(dis(e::wfi(), 0), "wfi");
    assert_eq!(dis(e::ecall(), 0), "ecall");
    assert_eq!(dis(e::ebreak(), 0), "ebreak");
}

#[test]
fn csrs_by_name() {
    use crate::riscv::csr_num::{HGATP, HSTATUS, MSTATUS, SSCRATCH, TIME};
    assert_eq!(dis(ok(e::csrr(Reg::A0, HSTATUS)), 0), "csrr a0, hstatus");
    assert_eq!(dis(ok(e::csrw(HGATP, Reg::T0)), 0), "csrw hgatp, t0");
    assert_eq!(
        dis(ok(e::csrrw(Reg::SP, SSCRATCH, Reg::SP)), 0),
        "csrrw sp, sscratch, sp"
    );
    assert_eq!(
        dis(ok(e::csrrsi(Reg::ZERO, MSTATUS, 8)), 0),
        "csrsi mstatus, 8"
    );
    assert_eq!(
        dis(ok(e::csrrci(Reg::A0, MSTATUS, 8)), 0),
        "csrrci a0, mstatus, 8"
    );
    assert_eq!(dis(ok(e::csrr(Reg::A0, TIME)), 0), "rdtime a0");
    // A CSR number without a name prints in hex.
    assert_eq!(dis(ok(e::csrr(Reg::A0, 0x7ff)), 0), "csrr a0, 0x7ff");
}

#[test]
fn pseudo_instructions() {
    assert_eq!(dis(e::nop(), 0), "nop");
    assert_eq!(dis(ok(e::addi(Reg::A0, Reg::ZERO, -5)), 0), "li a0, -5");
    assert_eq!(dis(e::mv(Reg::A0, Reg::A1), 0), "mv a0, a1");
    assert_eq!(dis(e::ret(), 0), "ret");
    assert_eq!(dis(ok(e::jalr(Reg::ZERO, Reg::T0, 0)), 0), "jr t0");
    assert_eq!(dis(ok(e::jalr(Reg::RA, Reg::T0, 0)), 0), "jalr t0");
    assert_eq!(dis(ok(e::jalr(Reg::A0, Reg::T0, -8)), 0), "jalr a0, -8(t0)");
    assert_eq!(dis(ok(e::xori(Reg::A0, Reg::A1, -1)), 0), "not a0, a1");
    assert_eq!(dis(e::sub(Reg::A0, Reg::ZERO, Reg::A1), 0), "neg a0, a1");
    assert_eq!(dis(ok(e::addiw(Reg::A0, Reg::A1, 0)), 0), "sext.w a0, a1");
    assert_eq!(dis(ok(e::sltiu(Reg::A0, Reg::A1, 1)), 0), "seqz a0, a1");
    assert_eq!(dis(e::sltu(Reg::A0, Reg::ZERO, Reg::A1), 0), "snez a0, a1");
    assert_eq!(dis(e::fence_tso(), 0), "fence.tso");
    assert_eq!(dis(e::pause(), 0), "pause");
    assert_eq!(dis(ok(e::fence(0xf, 0xf)), 0), "fence");
    assert_eq!(dis(ok(e::fence(0b0010, 0b0011)), 0), "fence r, rw");
}

#[test]
fn targets_are_absolute() {
    let pc = 0x8000_0000;
    assert_eq!(dis(ok(e::jal(Reg::ZERO, -4)), pc), "j 0x7ffffffc");
    assert_eq!(dis(ok(e::jal(Reg::RA, 0x100)), pc), "jal 0x80000100");
    assert_eq!(dis(ok(e::jal(Reg::T0, 8)), pc), "jal t0, 0x80000008");
    assert_eq!(
        dis(ok(e::bne(Reg::A0, Reg::ZERO, 16)), pc),
        "bnez a0, 0x80000010"
    );
    assert_eq!(
        dis(ok(e::bltu(Reg::A0, Reg::A1, -2)), pc),
        "bltu a0, a1, 0x7ffffffe"
    );
    assert_eq!(dis(u32::from(ok(e::c_j(-2))), pc), "c.j 0x7ffffffe");
    assert_eq!(
        dis(u32::from(ok(e::c_beqz(Reg::S1, 4))), pc),
        "c.beqz s1, 0x80000004"
    );
}

#[test]
fn memory_and_atomics() {
    assert_eq!(dis(ok(e::ld(Reg::A0, Reg::S0, -8)), 0), "ld a0, -8(s0)");
    assert_eq!(dis(ok(e::sd(Reg::RA, Reg::SP, 8)), 0), "sd ra, 8(sp)");
    assert_eq!(
        dis(e::lr_d(Reg::A0, Reg::A1, AqRl::AQ), 0),
        "lr.d.aq a0, (a1)"
    );
    assert_eq!(
        dis(e::sc_w(Reg::A0, Reg::A2, Reg::A1, AqRl::RL), 0),
        "sc.w.rl a0, a2, (a1)"
    );
    assert_eq!(
        dis(e::amomaxu_d(Reg::T0, Reg::T1, Reg::T2, AqRl::AQRL), 0),
        "amomaxu.d.aqrl t0, t1, (t2)"
    );
    assert_eq!(dis(ok(e::lui(Reg::A0, 0xfffff)), 0), "lui a0, 0xfffff");
    assert_eq!(dis(ok(e::auipc(Reg::T0, 0)), 0), "auipc t0, 0x0");
}

#[test]
fn compressed_mnemonics() {
    let c = |h: Result<u16, e::EncodeError>| dis(u32::from(ok(h)), 0);
    assert_eq!(c(Ok(e::c_nop())), "c.nop");
    assert_eq!(c(e::c_addi(Reg::ZERO, 3)), "c.nop 3");
    assert_eq!(c(e::c_li(Reg::A0, -1)), "c.li a0, -1");
    assert_eq!(c(e::c_addi(Reg::SP, -16)), "c.addi sp, -16");
    assert_eq!(c(e::c_addi16sp(-16)), "c.addi16sp sp, -16");
    assert_eq!(c(e::c_addi4spn(Reg::S0, 16)), "c.addi4spn s0, sp, 16");
    assert_eq!(c(e::c_lui(Reg::A0, -1)), "c.lui a0, 0xfffff");
    assert_eq!(c(e::c_lwsp(Reg::A0, 12)), "c.lwsp a0, 12(sp)");
    assert_eq!(c(e::c_sdsp(Reg::RA, 8)), "c.sdsp ra, 8(sp)");
    assert_eq!(c(e::c_ld(Reg::A0, Reg::A1, 248)), "c.ld a0, 248(a1)");
    assert_eq!(c(e::c_sw(Reg::A0, Reg::A1, 4)), "c.sw a0, 4(a1)");
    assert_eq!(c(e::c_mv(Reg::A0, Reg::A1)), "c.mv a0, a1");
    assert_eq!(c(e::c_add(Reg::A0, Reg::A1)), "c.add a0, a1");
    assert_eq!(c(e::c_jr(Reg::RA)), "c.jr ra");
    assert_eq!(c(e::c_jalr(Reg::A1)), "c.jalr a1");
    assert_eq!(c(Ok(e::c_ebreak())), "c.ebreak");
    assert_eq!(c(e::c_srai(Reg::A0, 63)), "c.srai a0, 63");
    assert_eq!(c(e::c_andi(Reg::A0, -32)), "c.andi a0, -32");
    assert_eq!(c(e::c_subw(Reg::A0, Reg::A5)), "c.subw a0, a5");
    assert_eq!(c(e::c_addiw(Reg::A0, 0)), "c.addiw a0, 0");
    assert_eq!(c(e::c_slli(Reg::T6, 1)), "c.slli t6, 1");
}

#[test]
fn illegal_shows_the_encoding() {
    assert_eq!(dis(0x0000_0000, 0), ".2byte 0x0000");
    assert_eq!(dis(0xffff_ffff, 0), ".4byte 0xffffffff");
    // An F-extension load (FLW) is illegal in hvsim.
    assert_eq!(dis(0x0005_2507, 0), ".4byte 0x00052507");
}
