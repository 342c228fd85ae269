//! `run_guest`: the world switch into the guest and back.
//!
//! `hvsim_native_run_guest(ctx)` (assembly below, C ABI):
//! - saves the host's callee-saved registers (ra, sp, gp, tp, s0..s11), stvec and
//!   sscratch in `ctx`; points sscratch at `ctx` and stvec at the exit vector;
//! - loads the guest's x1..x31 from `ctx` (a0 last) and executes SRET. The vCPU has already
//!   written sepc, sstatus.SPP, hstatus.SPV/SPVP (and the guest's hstatus) through the CSR
//!   accessors, so SRET enters VS or VU at the guest pc (norm:sret_v1,
//!   norm:hstatus_spv_sret);
//! - the next trap into HS (any exception not delegated to VS, and any HS interrupt, which
//!   is always enabled while V=1 because HS is more privileged than VS/VU,
//!   norm:mstatus_xie_intr_en_dis) lands on the exit vector:
//!   it swaps a0 with sscratch to find `ctx`, saves the guest's x1..x31, restores sscratch,
//!   stvec and the host registers and returns. sepc/scause/stval/htval/htinst/sstatus/
//!   hstatus are left exactly as the trap wrote them, as the trait requires.
//!
//! The host's caller-saved registers are clobbered, as for any C call. sstatus and hstatus
//! are swapped by the vCPU itself around `run_guest` (it reads them, writes the entry
//! values, and restores the host values after reading the trap's), so the switch does not
//! touch them. scounteren has no VS copy: a guest in V=1 reads and writes the one HS
//! scounteren. It is not swapped here because the trait has no place for a per-vCPU value
//! across calls; a guest's value therefore persists, and a host with U-mode programs of its
//! own would have to keep scounteren in the vCPU state (docs/native.md, "Known limits").

use crate::riscv::hw::{GuestGprs, GuestRunEnd};

/// What the world switch saves and loads: the guest's GPRs, then the host's callee-saved
/// registers, stvec and sscratch. The assembly uses these byte offsets.
#[repr(C)]
#[derive(Debug)]
pub struct SwitchContext {
    /// Guest x0..x31 (x0 unused), at offset 0.
    pub guest: [u64; 32],
    /// Host ra, sp, gp, tp, s0..s11, at offset 256.
    host: [u64; 16],
    /// Host stvec, at offset 384.
    host_stvec: u64,
    /// Host sscratch, at offset 392.
    host_sscratch: u64,
}

const _: () = {
    assert!(core::mem::offset_of!(SwitchContext, guest) == 0);
    assert!(core::mem::offset_of!(SwitchContext, host) == 256);
    assert!(core::mem::offset_of!(SwitchContext, host_stvec) == 384);
    assert!(core::mem::offset_of!(SwitchContext, host_sscratch) == 392);
};

core::arch::global_asm!(
    ".section .text.hvsim_native_switch, \"ax\", @progbits",
    ".globl hvsim_native_run_guest",
    ".balign 4",
    "hvsim_native_run_guest:",
    "sd ra, 256(a0)",
    "sd sp, 264(a0)",
    "sd gp, 272(a0)",
    "sd tp, 280(a0)",
    "sd s0, 288(a0)",
    "sd s1, 296(a0)",
    "sd s2, 304(a0)",
    "sd s3, 312(a0)",
    "sd s4, 320(a0)",
    "sd s5, 328(a0)",
    "sd s6, 336(a0)",
    "sd s7, 344(a0)",
    "sd s8, 352(a0)",
    "sd s9, 360(a0)",
    "sd s10, 368(a0)",
    "sd s11, 376(a0)",
    "csrr t0, stvec",
    "sd t0, 384(a0)",
    "csrr t0, sscratch",
    "sd t0, 392(a0)",
    "csrw sscratch, a0",
    "la t0, hvsim_native_guest_exit",
    "csrw stvec, t0",
    "ld x1, 8(a0)",
    "ld x2, 16(a0)",
    "ld x3, 24(a0)",
    "ld x4, 32(a0)",
    "ld x5, 40(a0)",
    "ld x6, 48(a0)",
    "ld x7, 56(a0)",
    "ld x8, 64(a0)",
    "ld x9, 72(a0)",
    "ld x11, 88(a0)",
    "ld x12, 96(a0)",
    "ld x13, 104(a0)",
    "ld x14, 112(a0)",
    "ld x15, 120(a0)",
    "ld x16, 128(a0)",
    "ld x17, 136(a0)",
    "ld x18, 144(a0)",
    "ld x19, 152(a0)",
    "ld x20, 160(a0)",
    "ld x21, 168(a0)",
    "ld x22, 176(a0)",
    "ld x23, 184(a0)",
    "ld x24, 192(a0)",
    "ld x25, 200(a0)",
    "ld x26, 208(a0)",
    "ld x27, 216(a0)",
    "ld x28, 224(a0)",
    "ld x29, 232(a0)",
    "ld x30, 240(a0)",
    "ld x31, 248(a0)",
    "ld x10, 80(a0)",
    "sret",
    ".balign 4",
    "hvsim_native_guest_exit:",
    "csrrw a0, sscratch, a0",
    "sd x1, 8(a0)",
    "sd x2, 16(a0)",
    "sd x3, 24(a0)",
    "sd x4, 32(a0)",
    "sd x5, 40(a0)",
    "sd x6, 48(a0)",
    "sd x7, 56(a0)",
    "sd x8, 64(a0)",
    "sd x9, 72(a0)",
    "sd x11, 88(a0)",
    "sd x12, 96(a0)",
    "sd x13, 104(a0)",
    "sd x14, 112(a0)",
    "sd x15, 120(a0)",
    "sd x16, 128(a0)",
    "sd x17, 136(a0)",
    "sd x18, 144(a0)",
    "sd x19, 152(a0)",
    "sd x20, 160(a0)",
    "sd x21, 168(a0)",
    "sd x22, 176(a0)",
    "sd x23, 184(a0)",
    "sd x24, 192(a0)",
    "sd x25, 200(a0)",
    "sd x26, 208(a0)",
    "sd x27, 216(a0)",
    "sd x28, 224(a0)",
    "sd x29, 232(a0)",
    "sd x30, 240(a0)",
    "sd x31, 248(a0)",
    "csrr t0, sscratch",
    "sd t0, 80(a0)",
    "ld t0, 392(a0)",
    "csrw sscratch, t0",
    "ld t0, 384(a0)",
    "csrw stvec, t0",
    "ld ra, 256(a0)",
    "ld sp, 264(a0)",
    "ld gp, 272(a0)",
    "ld tp, 280(a0)",
    "ld s0, 288(a0)",
    "ld s1, 296(a0)",
    "ld s2, 304(a0)",
    "ld s3, 312(a0)",
    "ld s4, 320(a0)",
    "ld s5, 328(a0)",
    "ld s6, 336(a0)",
    "ld s7, 344(a0)",
    "ld s8, 352(a0)",
    "ld s9, 360(a0)",
    "ld s10, 368(a0)",
    "ld s11, 376(a0)",
    "ret",
    ".text",
);

unsafe extern "C" {
    fn hvsim_native_run_guest(ctx: *mut SwitchContext);
}

/// Enters the guest with `gprs` and returns at its next trap into HS.
pub(super) fn run_guest(gprs: &mut GuestGprs) -> GuestRunEnd {
    let mut ctx = SwitchContext {
        guest: gprs.x,
        host: [0; 16],
        host_stvec: 0,
        host_sscratch: 0,
    };
    // SAFETY: `ctx` is a live, exclusively borrowed SwitchContext for the whole call. The
    // assembly saves and restores every callee-saved register, stvec and sscratch, so to
    // Rust it is an ordinary C function that clobbers only caller-saved registers. While
    // the guest runs, it can reach only memory the G-stage maps and HS trap CSRs it is
    // architecturally allowed to change (NativeHart::new's contract).
    unsafe { hvsim_native_run_guest(&mut ctx) };
    gprs.x = ctx.guest;
    gprs.x[0] = 0;
    GuestRunEnd::Trap
}
