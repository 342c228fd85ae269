//! mcycle/minstret and their shadows (priv "Hardware Performance Monitor", Zicntr).
//!
//! hvsim retires one instruction per cycle, so both counters advance with the hart's
//! monotonic retired count. Each counter stores an offset from that count, or its frozen value
//! while inhibited by mcountinhibit.

/// mcountinhibit.CY.
pub const INHIBIT_CY: u64 = 1 << 0;
/// mcountinhibit.IR.
pub const INHIBIT_IR: u64 = 1 << 2;
/// Writable mcountinhibit bits: CY and IR. TM does not exist (norm:mcountinhibit_enc) and
/// HPM bits are read-only 0 because mhpmcounter3..31 are read-only 0 (MHPMCOUNTER_N_RDONLY0).
pub const INHIBIT_MASK: u64 = INHIBIT_CY | INHIBIT_IR;

/// mcounteren/scounteren bit for `cycle`.
pub const EN_CY: u64 = 1 << 0;
/// ... for `time`.
pub const EN_TM: u64 = 1 << 1;
/// ... for `instret`.
pub const EN_IR: u64 = 1 << 2;
/// All 32 enable bits are writable (norm:MCOUNTEREN_FLDS_WARL; hpmcounterN read as 0 when
/// enabled).
pub const COUNTEREN_MASK: u64 = 0xffff_ffff;

/// One 64-bit counter advancing with the retired count unless inhibited.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counter {
    /// `value - retired` while counting, the frozen value while inhibited.
    base: u64,
}

impl Counter {
    /// The value seen by an instruction that executes after `retired` instructions retired.
    pub fn read(self, retired: u64, inhibited: bool) -> u64 {
        if inhibited {
            self.base
        } else {
            self.base.wrapping_add(retired)
        }
    }

    /// Written by the instruction executing after `retired` retirements. The write "takes
    /// effect after the writing instruction has otherwise completed" (norm:mcycle_minstret_wr):
    /// the next instruction reads exactly `value`, the writer's own increment is overwritten.
    pub fn write(&mut self, value: u64, retired: u64, inhibited: bool) {
        self.base = if inhibited {
            value
        } else {
            value.wrapping_sub(retired.wrapping_add(1))
        };
    }

    /// Switches between counting and frozen without changing the visible value.
    pub fn set_inhibited(&mut self, was: bool, now: bool, retired: u64) {
        match (was, now) {
            (false, true) => self.base = self.base.wrapping_add(retired),
            (true, false) => self.base = self.base.wrapping_sub(retired),
            _ => {}
        }
    }
}
