//! Entry from OpenSBI (fw_dynamic jumps here in S-mode; with the H extension that is
//! HS-mode, V=0) and the host's fatal-trap vector.

core::arch::global_asm!(
    ".section .text.entry, \"ax\", @progbits",
    ".globl _start",
    "_start:",
    // Interrupts stay masked in host code (NativeHart::new's contract); FS = Initial so
    // compiler-generated FP/vector-free code that touches f-registers cannot trap.
    "csrci sstatus, 2",
    "li t0, 0x2000",
    "csrs sstatus, t0",
    "la sp, __stack_top",
    "mv s0, a0",
    "mv s1, a1",
    "la t0, __bss_start",
    "la t1, __bss_end",
    "1:",
    "bgeu t0, t1, 2f",
    "sd zero, 0(t0)",
    "addi t0, t0, 8",
    "j 1b",
    "2:",
    "la t0, hvsim_runner_fatal_vector",
    "csrw stvec, t0",
    "mv a0, s0",
    "mv a1, s1",
    "call runner_main",
    "3:",
    "wfi",
    "j 3b",
    // Any trap in host code outside a guarded instruction is a runner bug: report it.
    ".balign 4",
    ".globl hvsim_runner_fatal_vector",
    "hvsim_runner_fatal_vector:",
    "call runner_fatal_trap",
    "j hvsim_runner_fatal_vector",
    ".text",
);
