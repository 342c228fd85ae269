//! SBI v2.0 numbers: extension ids, function ids, error codes and parameter encodings
//! (RISC-V Supervisor Binary Interface Specification v2.0, "Binary Encoding" and one chapter
//! per extension).

/// SBI error codes (SBI v2.0 §3 "Binary Encoding", table "Standard SBI Errors").
pub mod err {
    /// Completed successfully.
    pub const SUCCESS: i64 = 0;
    /// Failed.
    pub const FAILED: i64 = -1;
    /// Not supported.
    pub const NOT_SUPPORTED: i64 = -2;
    /// Invalid parameter(s).
    pub const INVALID_PARAM: i64 = -3;
    /// Denied or not allowed.
    pub const DENIED: i64 = -4;
    /// Invalid address(s).
    pub const INVALID_ADDRESS: i64 = -5;
    /// Already available.
    pub const ALREADY_AVAILABLE: i64 = -6;
    /// Already started.
    pub const ALREADY_STARTED: i64 = -7;
    /// Already stopped.
    pub const ALREADY_STOPPED: i64 = -8;
    /// Shared memory not available.
    pub const NO_SHMEM: i64 = -9;
}

/// Extension ids (a7).
pub mod eid {
    /// Legacy Console Putchar (EID #0x01).
    pub const LEGACY_PUTCHAR: u64 = 0x01;
    /// Legacy Console Getchar (EID #0x02).
    pub const LEGACY_GETCHAR: u64 = 0x02;
    /// Base extension.
    pub const BASE: u64 = 0x10;
    /// Timer extension, "TIME".
    pub const TIME: u64 = 0x5449_4d45;
    /// IPI extension, "sPI".
    pub const IPI: u64 = 0x0073_5049;
    /// RFENCE extension, "RFNC".
    pub const RFENCE: u64 = 0x5246_4e43;
    /// Hart state management, "HSM".
    pub const HSM: u64 = 0x0048_534d;
    /// System reset, "SRST".
    pub const SRST: u64 = 0x5352_5354;
    /// Debug console, "DBCN".
    pub const DBCN: u64 = 0x4442_434e;
}

/// Base extension function ids.
pub mod base {
    /// sbi_get_spec_version.
    pub const GET_SPEC_VERSION: u64 = 0;
    /// sbi_get_impl_id.
    pub const GET_IMPL_ID: u64 = 1;
    /// sbi_get_impl_version.
    pub const GET_IMPL_VERSION: u64 = 2;
    /// sbi_probe_extension.
    pub const PROBE_EXTENSION: u64 = 3;
    /// sbi_get_mvendorid.
    pub const GET_MVENDORID: u64 = 4;
    /// sbi_get_marchid.
    pub const GET_MARCHID: u64 = 5;
    /// sbi_get_mimpid.
    pub const GET_MIMPID: u64 = 6;
}

/// TIME function ids.
pub mod time {
    /// sbi_set_timer.
    pub const SET_TIMER: u64 = 0;
}

/// IPI function ids.
pub mod ipi {
    /// sbi_send_ipi.
    pub const SEND_IPI: u64 = 0;
}

/// RFENCE function ids.
pub mod rfence {
    /// sbi_remote_fence_i.
    pub const FENCE_I: u64 = 0;
    /// sbi_remote_sfence_vma.
    pub const SFENCE_VMA: u64 = 1;
    /// sbi_remote_sfence_vma_asid.
    pub const SFENCE_VMA_ASID: u64 = 2;
    /// sbi_remote_hfence_gvma_vmid.
    pub const HFENCE_GVMA_VMID: u64 = 3;
    /// sbi_remote_hfence_gvma.
    pub const HFENCE_GVMA: u64 = 4;
    /// sbi_remote_hfence_vvma_asid.
    pub const HFENCE_VVMA_ASID: u64 = 5;
    /// sbi_remote_hfence_vvma.
    pub const HFENCE_VVMA: u64 = 6;
}

/// HSM function ids and values.
pub mod hsm {
    /// sbi_hart_start.
    pub const HART_START: u64 = 0;
    /// sbi_hart_stop.
    pub const HART_STOP: u64 = 1;
    /// sbi_hart_get_status.
    pub const HART_GET_STATUS: u64 = 2;
    /// sbi_hart_suspend.
    pub const HART_SUSPEND: u64 = 3;
    /// Default retentive suspend type.
    pub const SUSPEND_RETENTIVE: u32 = 0x0000_0000;
    /// Default non-retentive suspend type.
    pub const SUSPEND_NON_RETENTIVE: u32 = 0x8000_0000;
}

/// SRST function ids and values.
pub mod srst {
    /// sbi_system_reset.
    pub const SYSTEM_RESET: u64 = 0;
    /// reset_type: shutdown.
    pub const TYPE_SHUTDOWN: u32 = 0;
    /// reset_type: cold reboot.
    pub const TYPE_COLD_REBOOT: u32 = 1;
    /// reset_type: warm reboot.
    pub const TYPE_WARM_REBOOT: u32 = 2;
    /// reset_reason: no reason.
    pub const REASON_NONE: u32 = 0;
    /// reset_reason: system failure.
    pub const REASON_SYSTEM_FAILURE: u32 = 1;
    /// First SBI-implementation-specific reset reason.
    pub const REASON_SBI_IMPL_FIRST: u32 = 0xe000_0000;
    /// Last SBI-implementation-specific reset reason.
    pub const REASON_SBI_IMPL_LAST: u32 = 0xefff_ffff;
}

/// DBCN function ids.
pub mod dbcn {
    /// sbi_debug_console_write.
    pub const CONSOLE_WRITE: u64 = 0;
    /// sbi_debug_console_read.
    pub const CONSOLE_READ: u64 = 1;
    /// sbi_debug_console_write_byte.
    pub const CONSOLE_WRITE_BYTE: u64 = 2;
}

/// SBI specification version implemented: 2.0 (major in bits 30:24, minor in 23:0).
pub const SPEC_VERSION: u64 = 2 << 24;
/// hvsim's SBI implementation id. The SBI spec's registry assigns ids 0..=11 (BBL, OpenSBI,
/// Xvisor, KVM, RustSBI, Diosix, Coffer, Xen, PolarFire HSS, coreboot, oreboot, bhyve);
/// hvsim is not registered, so it reports an id far above the registry, "hvsm" in ASCII,
/// rather than impersonate OpenSBI (documented in docs/riscv-platform.md).
pub const IMPL_ID: u64 = 0x6876_736d;
/// hvsim's firmware-model version: major << 16 | minor (OpenSBI's encoding).
pub const IMPL_VERSION: u64 = 1;
/// hart_mask_base value meaning "all available harts; ignore hart_mask" (SBI v2.0 §3.1
/// "Hart list parameter").
pub const HART_MASK_BASE_ALL: u64 = u64::MAX;
