//! Bit fields of the HS-visible CSRs the vCPU programs, named as in the privileged spec.
//!
//! Only the fields this layer reads or writes are listed; the hart's CSR file owns the rest.

/// `sstatus` fields (priv spec, "Supervisor Status Register").
pub mod sstatus {
    /// SIE: supervisor interrupt enable.
    pub const SIE: u64 = 1 << 1;
    /// SPIE: SIE before the last trap into S-mode.
    pub const SPIE: u64 = 1 << 5;
    /// SPP: the privilege the hart was in before the last trap into S-mode (1 = S).
    pub const SPP: u64 = 1 << 8;
}

/// `hstatus` fields (hypervisor spec, "Hypervisor Status Register").
pub mod hstatus {
    /// GVA: stval holds a guest virtual address.
    pub const GVA: u64 = 1 << 6;
    /// SPV: the virtualization mode before the last trap into HS; SRET returns to V=SPV.
    pub const SPV: u64 = 1 << 7;
    /// SPVP: the guest privilege HLV/HLVX/HSV use (1 = VS); written on traps from V=1.
    pub const SPVP: u64 = 1 << 8;
    /// VTVM: SFENCE.VMA/satp accesses in VS raise virtual-instruction.
    pub const VTVM: u64 = 1 << 20;
    /// VTW: WFI in VS raises virtual-instruction (if it does not complete quickly).
    pub const VTW: u64 = 1 << 21;
    /// VTSR: SRET in VS raises virtual-instruction.
    pub const VTSR: u64 = 1 << 22;
    /// VSXL shift (bits 33:32).
    pub const VSXL_SHIFT: u32 = 32;
    /// VSXL mask.
    pub const VSXL_MASK: u64 = 3 << VSXL_SHIFT;
    /// VSXL encoding for VSXLEN=64.
    pub const VSXL_64: u64 = 2 << VSXL_SHIFT;
}

/// Bits of `hvip`/`hip`/`hie`/`hideleg` for VS-level interrupts (hypervisor spec,
/// "Hypervisor Interrupt Registers"); the bit number is the interrupt code.
pub mod hvip {
    use hw_models::riscv::cause::irq;
    /// VSSIP: VS-level software interrupt pending.
    pub const VSSIP: u64 = 1 << irq::VSSI;
    /// VSTIP: VS-level timer interrupt pending.
    pub const VSTIP: u64 = 1 << irq::VSTI;
    /// VSEIP: VS-level external interrupt pending.
    pub const VSEIP: u64 = 1 << irq::VSEI;
    /// All three VS-level interrupt bits.
    pub const ALL_VS: u64 = VSSIP | VSTIP | VSEIP;
}

/// Bits of `sie`/`sip` (priv spec, "Supervisor Interrupt Registers").
pub mod sie {
    use hw_models::riscv::cause::irq;
    /// SSIE/SSIP.
    pub const SSI: u64 = 1 << irq::SSI;
    /// STIE/STIP.
    pub const STI: u64 = 1 << irq::STI;
    /// SEIE/SEIP.
    pub const SEI: u64 = 1 << irq::SEI;
}

/// `hgatp` fields (hypervisor spec, "Hypervisor Guest Address Translation and Protection").
pub mod hgatp {
    /// MODE shift (bits 63:60 on RV64).
    pub const MODE_SHIFT: u32 = 60;
    /// MODE = Bare.
    pub const MODE_BARE: u64 = 0;
    /// MODE = Sv39x4.
    pub const MODE_SV39X4: u64 = 8;
    /// MODE = Sv48x4.
    pub const MODE_SV48X4: u64 = 9;
    /// VMID shift (bits 57:44 on RV64).
    pub const VMID_SHIFT: u32 = 44;
    /// VMID mask (14 bits, VMIDLEN at most 14 on RV64).
    pub const VMID_MASK: u64 = 0x3fff;
    /// PPN mask (bits 43:0).
    pub const PPN_MASK: u64 = (1 << 44) - 1;
    /// The root of an x4 G-stage table is 16 KiB and must be 16 KiB aligned
    /// (norm:hgatp_ppn_op).
    pub const ROOT_ALIGN: u64 = 16 * 1024;
    /// log2 of the page size.
    pub const PAGE_SHIFT: u32 = 12;
}

/// `vstvec` fields (priv spec, "Supervisor Trap Vector Base Address Register").
pub mod tvec {
    /// MODE field (bits 1:0); exceptions always go to BASE whatever the mode.
    pub const MODE_MASK: u64 = 3;
}

/// The exception codes hvsim asks hedeleg to delegate to VS (seed: riscv_vcpu per-CPU setup).
pub const HEDELEG_GUEST: u64 = {
    use hw_models::riscv::cause::exc;
    (1 << exc::INSTRUCTION_ADDRESS_MISALIGNED)
        | (1 << exc::BREAKPOINT)
        | (1 << exc::ECALL_FROM_U)
        | (1 << exc::INSTRUCTION_PAGE_FAULT)
        | (1 << exc::LOAD_PAGE_FAULT)
        | (1 << exc::STORE_PAGE_FAULT)
        | (1 << exc::ILLEGAL_INSTRUCTION)
};

/// The interrupts hvsim delegates to VS through hideleg: VSSI, VSTI, VSEI.
pub const HIDELEG_GUEST: u64 = hvip::ALL_VS;

/// The S-level interrupts the host enables in `sie` (SEIE, STIE, SSIE).
pub const SIE_HOST: u64 = sie::SSI | sie::STI | sie::SEI;

/// WFI (priv spec, "Wait for Interrupt").
pub const INSN_WFI: u32 = 0x1050_0073;
