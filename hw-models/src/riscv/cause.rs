//! Exception and interrupt codes (priv spec, mcause table), by their spec names.

/// Bit 63 of xcause: set for interrupts.
pub const INTERRUPT_BIT: u64 = 1 << 63;

/// Synchronous exception codes.
pub mod exc {
    /// Instruction address misaligned.
    pub const INSTRUCTION_ADDRESS_MISALIGNED: u64 = 0;
    /// Instruction access fault.
    pub const INSTRUCTION_ACCESS_FAULT: u64 = 1;
    /// Illegal instruction.
    pub const ILLEGAL_INSTRUCTION: u64 = 2;
    /// Breakpoint.
    pub const BREAKPOINT: u64 = 3;
    /// Load address misaligned.
    pub const LOAD_ADDRESS_MISALIGNED: u64 = 4;
    /// Load access fault.
    pub const LOAD_ACCESS_FAULT: u64 = 5;
    /// Store/AMO address misaligned.
    pub const STORE_ADDRESS_MISALIGNED: u64 = 6;
    /// Store/AMO access fault.
    pub const STORE_ACCESS_FAULT: u64 = 7;
    /// Environment call from U-mode or VU-mode.
    pub const ECALL_FROM_U: u64 = 8;
    /// Environment call from HS-mode.
    pub const ECALL_FROM_S: u64 = 9;
    /// Environment call from VS-mode.
    pub const ECALL_FROM_VS: u64 = 10;
    /// Environment call from M-mode.
    pub const ECALL_FROM_M: u64 = 11;
    /// Instruction page fault.
    pub const INSTRUCTION_PAGE_FAULT: u64 = 12;
    /// Load page fault.
    pub const LOAD_PAGE_FAULT: u64 = 13;
    /// Store/AMO page fault.
    pub const STORE_PAGE_FAULT: u64 = 15;
    /// Instruction guest-page fault.
    pub const INSTRUCTION_GUEST_PAGE_FAULT: u64 = 20;
    /// Load guest-page fault.
    pub const LOAD_GUEST_PAGE_FAULT: u64 = 21;
    /// Virtual instruction.
    pub const VIRTUAL_INSTRUCTION: u64 = 22;
    /// Store/AMO guest-page fault.
    pub const STORE_GUEST_PAGE_FAULT: u64 = 23;
}

/// Interrupt codes (also the bit numbers in mip/mie).
pub mod irq {
    /// Supervisor software interrupt.
    pub const SSI: u64 = 1;
    /// Virtual supervisor software interrupt.
    pub const VSSI: u64 = 2;
    /// Machine software interrupt.
    pub const MSI: u64 = 3;
    /// Supervisor timer interrupt.
    pub const STI: u64 = 5;
    /// Virtual supervisor timer interrupt.
    pub const VSTI: u64 = 6;
    /// Machine timer interrupt.
    pub const MTI: u64 = 7;
    /// Supervisor external interrupt.
    pub const SEI: u64 = 9;
    /// Virtual supervisor external interrupt.
    pub const VSEI: u64 = 10;
    /// Machine external interrupt.
    pub const MEI: u64 = 11;
    /// Supervisor guest external interrupt.
    pub const SGEI: u64 = 12;
}
