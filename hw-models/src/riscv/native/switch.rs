//! `run_guest`: the world switch into the guest and back.
//!
//! `hvsim_native_run_guest(ctx)` (assembly below, C ABI):
//! - saves the host's sstatus and hstatus in `ctx` and loads the guest's hstatus, sepc and
//!   sstatus (with SIE clear: while the stub runs with stvec at the exit vector no HS
//!   interrupt may be taken, and the HS SIE is irrelevant while V=1, where HS interrupts
//!   are always enabled, norm:mstatus_xie_intr_en_dis);
//! - saves the host's callee-saved registers (ra, sp, gp, tp, s0..s11), stvec and
//!   sscratch in `ctx`; points sscratch at `ctx` and stvec at the exit vector;
//! - loads the guest's x1..x31 from `ctx` (a0 last) and executes SRET, which enters VS or
//!   VU (sstatus.SPP, hstatus.SPV/SPVP) at sepc (norm:sret_v1, norm:hstatus_spv_sret);
//! - the next trap into HS (any exception not delegated to VS, and any HS interrupt) lands
//!   on the exit vector: it swaps a0 with sscratch to find `ctx`, saves the guest's
//!   x1..x31, its sstatus, hstatus and sepc and the trap CSRs (scause, stval, htval,
//!   htinst), restores sscratch, stvec, the host's hstatus and sstatus and the host
//!   registers, and returns.
//!
//! The host's caller-saved registers are clobbered, as for any C call. scounteren has no VS
//! copy: a guest in V=1 reads and writes the one HS scounteren. It is not swapped here; a
//! guest's value therefore persists, and a host with U-mode programs of its own would have
//! to swap it too (docs/native.md, "Known limits").

use crate::riscv::hw::{GuestContext, GuestRunEnd, TrapCsrs};

// hstatus, htval and htinst are named by number in the assembly (0x600, 0x643, 0x64A,
// priv "Hypervisor and Virtual Supervisor CSRs" table): the assembler accepts their names
// only with the H extension enabled for the whole crate.

/// What the world switch saves and loads: the guest's GPRs, then the host's callee-saved
/// registers, stvec and sscratch, then the swapped CSRs and the trap CSRs. The assembly
/// uses these byte offsets.
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
    /// Guest sstatus, hstatus, sepc (loaded, then saved), at offsets 400, 408, 416.
    guest_csrs: [u64; 3],
    /// Host sstatus and hstatus, at offsets 424 and 432.
    host_csrs: [u64; 2],
    /// scause, stval, htval, htinst after the trap, at offsets 440..464.
    trap: [u64; 4],
}

const _: () = {
    assert!(core::mem::offset_of!(SwitchContext, guest) == 0);
    assert!(core::mem::offset_of!(SwitchContext, host) == 256);
    assert!(core::mem::offset_of!(SwitchContext, host_stvec) == 384);
    assert!(core::mem::offset_of!(SwitchContext, host_sscratch) == 392);
    assert!(core::mem::offset_of!(SwitchContext, guest_csrs) == 400);
    assert!(core::mem::offset_of!(SwitchContext, host_csrs) == 424);
    assert!(core::mem::offset_of!(SwitchContext, trap) == 440);
};

core::arch::global_asm!(
    ".section .text.hvsim_native_switch, \"ax\", @progbits",
    ".globl hvsim_native_run_guest",
    ".balign 4",
    "hvsim_native_run_guest:",
    "csrr t0, sstatus",
    "sd t0, 424(a0)",
    "csrr t0, 0x600",
    "sd t0, 432(a0)",
    "ld t0, 408(a0)",
    "csrw 0x600, t0",
    "ld t0, 416(a0)",
    "csrw sepc, t0",
    "ld t0, 400(a0)",
    "andi t0, t0, -3",
    "csrw sstatus, t0",
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
    "csrr t0, sstatus",
    "sd t0, 400(a0)",
    "csrr t0, 0x600",
    "sd t0, 408(a0)",
    "csrr t0, sepc",
    "sd t0, 416(a0)",
    "csrr t0, scause",
    "sd t0, 440(a0)",
    "csrr t0, stval",
    "sd t0, 448(a0)",
    "csrr t0, 0x643",
    "sd t0, 456(a0)",
    "csrr t0, 0x64a",
    "sd t0, 464(a0)",
    "ld t0, 392(a0)",
    "csrw sscratch, t0",
    "ld t0, 384(a0)",
    "csrw stvec, t0",
    "ld t0, 432(a0)",
    "csrw 0x600, t0",
    "ld t0, 424(a0)",
    "csrw sstatus, t0",
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

/// Enters the guest described by `guest` and returns at its next trap into HS, with
/// `guest` updated as `RiscvHardware::run_guest` documents.
pub(super) fn run_guest(guest: &mut GuestContext) -> GuestRunEnd {
    let mut ctx = SwitchContext {
        guest: guest.gprs.x,
        host: [0; 16],
        host_stvec: 0,
        host_sscratch: 0,
        guest_csrs: [guest.sstatus, guest.hstatus, guest.sepc],
        host_csrs: [0; 2],
        trap: [0; 4],
    };
    // SAFETY: `ctx` is a live, exclusively borrowed SwitchContext for the whole call. The
    // assembly saves and restores every callee-saved register, stvec, sscratch, sstatus and
    // hstatus, so to Rust it is an ordinary C function that clobbers only caller-saved
    // registers. While the guest runs, it can reach only memory the G-stage maps and HS
    // trap CSRs it is architecturally allowed to change (NativeHart::new's contract).
    unsafe { hvsim_native_run_guest(&mut ctx) };
    guest.gprs.x = ctx.guest;
    guest.gprs.x[0] = 0;
    [guest.sstatus, guest.hstatus, guest.sepc] = ctx.guest_csrs;
    let [scause, stval, htval, htinst] = ctx.trap;
    guest.trap = TrapCsrs {
        scause,
        stval,
        htval,
        htinst,
    };
    GuestRunEnd::Trap
}
