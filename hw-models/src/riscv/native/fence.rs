//! HFENCE.VVMA and HFENCE.GVMA.
//!
//! Encoded with `.insn r` (OP = SYSTEM 0x73, funct3 = 0, funct7 = 0x11 for VVMA and 0x31
//! for GVMA, rd = x0; unpriv/priv spec, "Hypervisor Virtual-Memory Fence Instructions"),
//! so no assembler H-extension support is needed. An absent operand is x0, which widens
//! the fence to all addresses or all ASIDs/VMIDs (norm:hfence-vvma_hfence-gvma_op,
//! norm:hfence-gvma_op). Neither traps in HS-mode.

macro_rules! hfence {
    ($funct7:literal, $a:expr, $b:expr) => {
        match ($a, $b) {
            // SAFETY: an HFENCE only orders and invalidates address-translation caches for
            // guest translations; it changes no register and no memory.
            (None, None) => unsafe {
                core::arch::asm!(concat!(".insn r 0x73, 0, ", $funct7, ", x0, x0, x0"), options(nostack))
            },
            // SAFETY: as above; `a` is only read.
            (Some(a), None) => unsafe {
                core::arch::asm!(concat!(".insn r 0x73, 0, ", $funct7, ", x0, {a}, x0"), a = in(reg) a, options(nostack))
            },
            // SAFETY: as above; `b` is only read.
            (None, Some(b)) => unsafe {
                core::arch::asm!(concat!(".insn r 0x73, 0, ", $funct7, ", x0, x0, {b}"), b = in(reg) b, options(nostack))
            },
            // SAFETY: as above; `a` and `b` are only read.
            (Some(a), Some(b)) => unsafe {
                core::arch::asm!(concat!(".insn r 0x73, 0, ", $funct7, ", x0, {a}, {b}"), a = in(reg) a, b = in(reg) b, options(nostack))
            },
        }
    };
}

/// HFENCE.VVMA rs1 = `vaddr`, rs2 = `asid`.
pub(super) fn hfence_vvma(vaddr: Option<u64>, asid: Option<u64>) {
    hfence!("0x11", vaddr, asid);
}

/// HFENCE.GVMA rs1 = `gaddr >> 2`, rs2 = `vmid`: the instruction takes the guest-physical
/// address shifted right by 2 (norm:hfence-vvma_hfence-gvma_op).
pub(super) fn hfence_gvma(gaddr: Option<u64>, vmid: Option<u64>) {
    hfence!("0x31", gaddr.map(|g| g >> 2), vmid);
}
