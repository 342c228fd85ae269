//! SBI v2.0 numbers: extension ids, function ids and error codes (SBI spec, "Binary
//! Encoding" and each extension's chapter).

// The numbers the firmware model and the guest-facing SBI share (error codes, Base, TIME,
// IPI, RFENCE function ids) have one definition, in the firmware model.
pub use hw_models::riscv::firmware::sbi::{base, err, ipi, rfence, time};

/// Extension ids.
pub mod eid {
    /// Legacy set_timer (not implemented by hvsim).
    pub const LEGACY_SET_TIMER: u64 = 0x00;
    /// Legacy console putchar.
    pub const LEGACY_CONSOLE_PUTCHAR: u64 = 0x01;
    /// Legacy console getchar.
    pub const LEGACY_CONSOLE_GETCHAR: u64 = 0x02;
    /// Base.
    pub const BASE: u64 = 0x10;
    /// Timer ("TIME").
    pub const TIME: u64 = 0x5449_4D45;
    /// IPI ("sPI").
    pub const IPI: u64 = 0x0073_5049;
    /// RFENCE ("RFNC").
    pub const RFENCE: u64 = 0x5246_4E43;
    /// Hart state management ("HSM").
    pub const HSM: u64 = 0x0048_534D;
    /// System reset ("SRST").
    pub const SRST: u64 = 0x5352_5354;
    /// Performance monitoring ("PMU").
    pub const PMU: u64 = 0x0050_4D55;
    /// Debug console ("DBCN").
    pub const DBCN: u64 = 0x4442_434E;
    /// System suspend ("SUSP"), not implemented.
    pub const SUSP: u64 = 0x5355_5350;
    /// CPPC, not implemented.
    pub const CPPC: u64 = 0x4350_5043;
    /// Nested acceleration ("NACL"), not implemented.
    pub const NACL: u64 = 0x4E41_434C;
    /// Steal-time accounting ("STA"), not implemented.
    pub const STA: u64 = 0x0053_5441;
    /// Supervisor software events ("SSE"), not implemented.
    pub const SSE: u64 = 0x0053_5345;
    /// Firmware features ("FWFT"), not implemented.
    pub const FWFT: u64 = 0x4657_4654;
    /// Debug triggers ("DBTR"), not implemented.
    pub const DBTR: u64 = 0x4442_5452;
    /// hvsim's hypercall extension ("HVC" in ASCII), handed to the VMM as a hypercall.
    pub const HVC: u64 = 0x0048_5643;
}

/// HSM function ids and states.
pub mod hsm {
    /// sbi_hart_start.
    pub const HART_START: u64 = 0;
    /// sbi_hart_stop.
    pub const HART_STOP: u64 = 1;
    /// sbi_hart_get_status.
    pub const HART_GET_STATUS: u64 = 2;
    /// sbi_hart_suspend.
    pub const HART_SUSPEND: u64 = 3;
    /// Suspend type: default retentive.
    pub const SUSPEND_RETENTIVE: u64 = 0x0000_0000;
    /// Suspend type: default non-retentive.
    pub const SUSPEND_NON_RETENTIVE: u64 = 0x8000_0000;
}

/// SRST function ids and parameter values.
pub mod srst {
    /// sbi_system_reset.
    pub const SYSTEM_RESET: u64 = 0;
    /// Reset type: shutdown.
    pub const TYPE_SHUTDOWN: u64 = 0;
    /// Reset type: cold reboot.
    pub const TYPE_COLD_REBOOT: u64 = 1;
    /// Reset type: warm reboot.
    pub const TYPE_WARM_REBOOT: u64 = 2;
    /// First vendor/platform-specific reset type.
    pub const TYPE_VENDOR_FIRST: u64 = 0xF000_0000;
    /// Reset reason: none.
    pub const REASON_NONE: u64 = 0;
    /// Reset reason: system failure.
    pub const REASON_SYSTEM_FAILURE: u64 = 1;
    /// First SBI-implementation-specific reason.
    pub const REASON_SBI_FIRST: u64 = 0xE000_0000;
}

/// PMU function ids.
pub mod pmu {
    /// sbi_pmu_num_counters.
    pub const NUM_COUNTERS: u64 = 0;
    /// sbi_pmu_counter_get_info.
    pub const COUNTER_GET_INFO: u64 = 1;
    /// sbi_pmu_counter_config_matching.
    pub const COUNTER_CONFIG_MATCHING: u64 = 2;
    /// sbi_pmu_counter_start.
    pub const COUNTER_START: u64 = 3;
    /// sbi_pmu_counter_stop.
    pub const COUNTER_STOP: u64 = 4;
    /// sbi_pmu_counter_fw_read.
    pub const COUNTER_FW_READ: u64 = 5;
    /// sbi_pmu_counter_fw_read_hi.
    pub const COUNTER_FW_READ_HI: u64 = 6;
    /// sbi_pmu_snapshot_set_shmem.
    pub const SNAPSHOT_SET_SHMEM: u64 = 7;
}

/// DBCN function ids.
pub mod dbcn {
    /// sbi_debug_console_write.
    pub const WRITE: u64 = 0;
    /// sbi_debug_console_read.
    pub const READ: u64 = 1;
    /// sbi_debug_console_write_byte.
    pub const WRITE_BYTE: u64 = 2;
}

/// SBI specification version 2.0: major in bits 30:24, minor in bits 23:0.
pub const SPEC_VERSION: u64 = 2 << 24;
/// hvsim's SBI implementation id: "HVSM" in ASCII. It is not in the SBI registry of
/// implementation ids (those are small integers), so it cannot collide with one.
pub const IMPL_ID: u64 = 0x4856_534D;
/// hvsim's SBI implementation version: 0.1.0 as major << 16 | minor << 8 | patch.
pub const IMPL_VERSION: u64 = 0x0000_0100;
/// `hart_mask_base` = -1 selects every hart (SBI spec, "Hart List Parameter").
pub const HART_MASK_BASE_ALL: u64 = u64::MAX;
