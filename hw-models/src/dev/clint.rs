//! The SiFive CLINT, which is the RISC-V ACLINT MSWI + MTIMER pair at their legacy offsets
//! (QEMU `virt` maps it at 0x0200_0000, 64 KiB).
//!
//! | offset               | register          | width            |
//! |----------------------|-------------------|------------------|
//! | `0x0000 + 4*hart`    | `msip[hart]`      | 32               |
//! | `0x4000 + 8*hart`    | `mtimecmp[hart]`  | 64, or 32 per half |
//! | `0xBFF8`             | `mtime`           | 64, or 32 per half |
//!
//! - `msip`: only bit 0 is implemented (it drives the hart's MSIP); the other bits read zero
//!   and ignore writes, as in the ACLINT MSWI device.
//! - `mtime` follows virtual time: `mtime = now + offset` (wrapping, norm:mtime_wrap), with
//!   `now` supplied by the board through [`MmioDevice::set_time`]. A write to `mtime` (either
//!   half, or all of it) changes `offset` so that `mtime` reads back the written value at that
//!   instant.
//! - `mtimecmp` resets to `u64::MAX` (the ACLINT spec leaves the reset value unspecified; the
//!   maximum keeps the timer interrupt quiet until software programs it).
//! - The machine timer interrupt of hart *h* is pending while `mtime >= mtimecmp[h]`
//!   (norm:mtime_intr_pending).
//! - Anything else in the window (reserved space, harts beyond the configured count, misaligned
//!   offsets) is [`DevError::BadOffset`]; byte/halfword accesses and 64-bit accesses to `msip`
//!   are [`DevError::BadWidth`].

use alloc::vec;
use alloc::vec::Vec;

use sim_core::AccessWidth;

use super::{DevError, MmioDevice};

/// Size of the register window.
pub const CLINT_SIZE: u64 = 0x1_0000;
/// Start of the `msip` array (ACLINT MSWI).
const MSIP_BASE: u64 = 0x0000;
/// Bytes per `msip` register.
const MSIP_STRIDE: u64 = 4;
/// Start of the `mtimecmp` array (ACLINT MTIMER).
const MTIMECMP_BASE: u64 = 0x4000;
/// Bytes per `mtimecmp` register.
const MTIMECMP_STRIDE: u64 = 8;
/// The `mtime` register.
const MTIME: u64 = 0xbff8;
/// The only implemented bit of `msip`.
const MSIP_BIT: u32 = 1;
/// Most harts the layout can address: `mtimecmp[4095]` would overlap `mtime`.
pub const CLINT_MAX_HARTS: usize = 4095;

const LOW_HALF: u64 = 0xffff_ffff;
const HALF_SHIFT: u32 = 32;

/// Which register an offset names, and which part of it.
#[derive(Clone, Copy, Debug)]
enum Reg {
    Msip(usize),
    Mtimecmp(usize, Part),
    Mtime(Part),
}

/// All of a 64-bit register, or one 32-bit half.
#[derive(Clone, Copy, Debug)]
enum Part {
    Full,
    Low,
    High,
}

impl Part {
    fn get(self, reg: u64) -> u64 {
        match self {
            Self::Full => reg,
            Self::Low => reg & LOW_HALF,
            Self::High => reg >> HALF_SHIFT,
        }
    }

    fn merge(self, reg: u64, value: u64) -> u64 {
        match self {
            Self::Full => value,
            Self::Low => (reg & !LOW_HALF) | (value & LOW_HALF),
            Self::High => (reg & LOW_HALF) | ((value & LOW_HALF) << HALF_SHIFT),
        }
    }
}

/// The CLINT of a board with a fixed number of harts.
///
/// ```
/// use hw_models::dev::{Clint, MmioDevice};
/// use sim_core::AccessWidth;
///
/// let mut clint = Clint::new(2).unwrap();
/// clint.set_time(100);
/// clint.write(0x4008, AccessWidth::Qword, 150).unwrap(); // mtimecmp[1]
/// assert!(!clint.mtip(1, 149));
/// assert!(clint.mtip(1, 150));
/// assert_eq!(clint.next_deadline(100), Some(150));
/// clint.write(0x0004, AccessWidth::Dword, 1).unwrap(); // msip[1]
/// assert!(clint.msip(1));
/// ```
#[derive(Clone, Debug)]
pub struct Clint {
    msip: Vec<bool>,
    mtimecmp: Vec<u64>,
    /// `mtime - now`, wrapping.
    mtime_offset: u64,
    /// Virtual time of the current access, from [`MmioDevice::set_time`].
    now: u64,
    /// Bumped by every register change: the interrupt lines it drives can only change
    /// when this or the time does.
    generation: u64,
}

impl Clint {
    /// A CLINT for `harts` harts (1..=[`CLINT_MAX_HARTS`]), at reset.
    pub fn new(harts: usize) -> Result<Self, DevError> {
        if harts == 0 || harts > CLINT_MAX_HARTS {
            return Err(DevError::BadConfig("CLINT hart count must be 1..=4095"));
        }
        Ok(Self {
            msip: vec![false; harts],
            mtimecmp: vec![u64::MAX; harts],
            mtime_offset: 0,
            now: 0,
            generation: 0,
        })
    }

    /// Changes whenever msip, mtimecmp or mtime is written (by MMIO or the firmware API):
    /// while it and the time are unchanged, so are the MTIP/MSIP lines.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of harts.
    pub fn harts(&self) -> usize {
        self.msip.len()
    }

    /// The software interrupt line of `hart` (MSIP); false for harts that do not exist.
    pub fn msip(&self, hart: usize) -> bool {
        self.msip.get(hart).copied().unwrap_or(false)
    }

    /// Sets `msip[hart]` (for a firmware model sending an IPI). Ignored for harts that do not
    /// exist.
    pub fn set_msip(&mut self, hart: usize, pending: bool) {
        self.generation = self.generation.wrapping_add(1);
        if let Some(m) = self.msip.get_mut(hart) {
            *m = pending;
        }
    }

    /// `mtimecmp[hart]`; `None` for harts that do not exist.
    pub fn mtimecmp(&self, hart: usize) -> Option<u64> {
        self.mtimecmp.get(hart).copied()
    }

    /// Sets `mtimecmp[hart]` (for a firmware model implementing SBI `set_timer`). Ignored for
    /// harts that do not exist.
    pub fn set_mtimecmp(&mut self, hart: usize, value: u64) {
        self.generation = self.generation.wrapping_add(1);
        if let Some(c) = self.mtimecmp.get_mut(hart) {
            *c = value;
        }
    }

    /// The value of `mtime` at virtual time `now`.
    pub fn mtime(&self, now: u64) -> u64 {
        now.wrapping_add(self.mtime_offset)
    }

    /// The machine timer interrupt line of `hart` (MTIP) at virtual time `now`: `mtime >=
    /// mtimecmp[hart]`. False for harts that do not exist.
    pub fn mtip(&self, hart: usize, now: u64) -> bool {
        self.mtimecmp
            .get(hart)
            .is_some_and(|&cmp| self.mtime(now) >= cmp)
    }

    /// The earliest virtual time at or after `now` at which some hart's MTIP is set, for the
    /// board's event queue. `None` if no hart's comparator can be reached before virtual time
    /// itself would overflow.
    pub fn next_deadline(&self, now: u64) -> Option<u64> {
        let mtime = self.mtime(now);
        self.mtimecmp
            .iter()
            .filter_map(|&cmp| {
                if mtime >= cmp {
                    Some(now)
                } else {
                    // mtime counts up one per tick and reaches cmp before it could wrap.
                    now.checked_add(cmp - mtime)
                }
            })
            .min()
    }

    fn decode(&self, offset: u64, width: AccessWidth) -> Result<Reg, DevError> {
        let bad_offset = DevError::BadOffset { offset, width };
        let bad_width = DevError::BadWidth { offset, width };
        let harts = self.harts() as u64;
        if offset < MTIMECMP_BASE {
            let hart = (offset - MSIP_BASE) / MSIP_STRIDE;
            if offset % MSIP_STRIDE != 0 || hart >= harts {
                return Err(bad_offset);
            }
            return match width {
                AccessWidth::Dword => Ok(Reg::Msip(hart as usize)),
                _ => Err(bad_width),
            };
        }
        let part = |reg_base: u64| -> Result<Part, DevError> {
            match (width, offset - reg_base) {
                (AccessWidth::Qword, 0) => Ok(Part::Full),
                (AccessWidth::Dword, 0) => Ok(Part::Low),
                (AccessWidth::Dword, 4) => Ok(Part::High),
                (AccessWidth::Byte | AccessWidth::Word, _) => Err(bad_width),
                _ => Err(bad_offset),
            }
        };
        if (MTIME..MTIME + 8).contains(&offset) {
            return Ok(Reg::Mtime(part(MTIME)?));
        }
        let hart = (offset - MTIMECMP_BASE) / MTIMECMP_STRIDE;
        if offset < MTIME && hart < harts {
            let base = MTIMECMP_BASE + hart * MTIMECMP_STRIDE;
            return Ok(Reg::Mtimecmp(hart as usize, part(base)?));
        }
        Err(bad_offset)
    }
}

impl MmioDevice for Clint {
    fn read(&mut self, offset: u64, width: AccessWidth) -> Result<u64, DevError> {
        Ok(match self.decode(offset, width)? {
            Reg::Msip(h) => u64::from(self.msip[h]),
            Reg::Mtimecmp(h, part) => part.get(self.mtimecmp[h]),
            Reg::Mtime(part) => part.get(self.mtime(self.now)),
        })
    }

    fn write(&mut self, offset: u64, width: AccessWidth, value: u64) -> Result<(), DevError> {
        self.generation = self.generation.wrapping_add(1);
        match self.decode(offset, width)? {
            Reg::Msip(h) => self.msip[h] = value as u32 & MSIP_BIT != 0,
            Reg::Mtimecmp(h, part) => self.mtimecmp[h] = part.merge(self.mtimecmp[h], value),
            Reg::Mtime(part) => {
                let new = part.merge(self.mtime(self.now), value);
                self.mtime_offset = new.wrapping_sub(self.now);
            }
        }
        Ok(())
    }

    fn size(&self) -> u64 {
        CLINT_SIZE
    }

    fn set_time(&mut self, now_ticks: u64) {
        self.now = now_ticks;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const D: AccessWidth = AccessWidth::Dword;
    const Q: AccessWidth = AccessWidth::Qword;

    #[test]
    fn msip_bit0_only() {
        let mut c = Clint::new(3).unwrap();
        c.write(0x8, D, 0xffff_fffe).unwrap();
        assert!(!c.msip(2));
        c.write(0x8, D, 0xffff_ffff).unwrap();
        assert!(c.msip(2));
        assert_eq!(c.read(0x8, D), Ok(1));
        assert!(!c.msip(0) && !c.msip(1) && !c.msip(99));
        c.set_msip(0, true);
        assert_eq!(c.read(0x0, D), Ok(1));
        assert_eq!(
            c.read(0xc, D),
            Err(DevError::BadOffset {
                offset: 0xc,
                width: D
            })
        );
        assert_eq!(
            c.read(0x2, D),
            Err(DevError::BadOffset {
                offset: 0x2,
                width: D
            })
        );
        assert_eq!(
            c.read(0x0, Q),
            Err(DevError::BadWidth {
                offset: 0,
                width: Q
            })
        );
        assert_eq!(
            c.read(0x0, AccessWidth::Byte),
            Err(DevError::BadWidth {
                offset: 0,
                width: AccessWidth::Byte
            })
        );
    }

    /// norm:mtime_acc (read-write), norm:mtime_op (constant rate: one per virtual tick).
    #[test]
    fn mtime_follows_virtual_time_and_writes_set_offset() {
        let mut c = Clint::new(1).unwrap();
        c.set_time(1000);
        assert_eq!(c.read(MTIME, Q), Ok(1000));
        c.write(MTIME, Q, 10).unwrap();
        assert_eq!(c.read(MTIME, Q), Ok(10));
        c.set_time(1500);
        assert_eq!(c.read(MTIME, Q), Ok(510));
        // Write only the high half: the low half keeps counting.
        c.write(MTIME + 4, D, 0x2).unwrap();
        assert_eq!(c.read(MTIME, Q), Ok(0x2_0000_01fe));
        assert_eq!(c.read(MTIME + 4, D), Ok(2));
        assert_eq!(c.read(MTIME, D), Ok(0x1fe));
        c.set_time(1501);
        assert_eq!(c.read(MTIME, D), Ok(0x1ff));
        // Low-half write.
        c.write(MTIME, D, 0xffff_ffff).unwrap();
        assert_eq!(c.read(MTIME, Q), Ok(0x2_ffff_ffff));
        c.set_time(1502);
        assert_eq!(c.read(MTIME, Q), Ok(0x3_0000_0000));
    }

    #[test]
    fn mtimecmp_halves_and_reset_value() {
        let mut c = Clint::new(2).unwrap();
        assert_eq!(c.read(0x4008, Q), Ok(u64::MAX));
        c.write(0x4008, D, 0x1234).unwrap();
        assert_eq!(c.mtimecmp(1), Some(0xffff_ffff_0000_1234));
        c.write(0x400c, D, 0).unwrap();
        assert_eq!(c.read(0x4008, Q), Ok(0x1234));
        assert_eq!(c.read(0x400c, D), Ok(0));
        assert_eq!(c.mtimecmp(0), Some(u64::MAX));
        assert_eq!(
            c.read(0x4010, Q),
            Err(DevError::BadOffset {
                offset: 0x4010,
                width: Q
            })
        );
        assert_eq!(
            c.read(0x4004, Q),
            Err(DevError::BadOffset {
                offset: 0x4004,
                width: Q
            })
        );
        assert_eq!(
            c.read(0xbffc, Q),
            Err(DevError::BadOffset {
                offset: 0xbffc,
                width: Q
            })
        );
        assert_eq!(
            c.read(0xc000, D),
            Err(DevError::BadOffset {
                offset: 0xc000,
                width: D
            })
        );
        assert_eq!(c.mtimecmp(2), None);
    }

    #[test]
    fn mtip_and_deadline() {
        let mut c = Clint::new(2).unwrap();
        assert!(!c.mtip(0, 1 << 40));
        // At reset the comparators are at u64::MAX: reached only at the very end of time.
        assert_eq!(c.next_deadline(0), Some(u64::MAX));
        c.set_mtimecmp(0, 500);
        c.set_mtimecmp(1, 300);
        assert_eq!(c.next_deadline(100), Some(300));
        assert!(!c.mtip(1, 299));
        assert!(c.mtip(1, 300));
        assert!(!c.mtip(0, 300));
        assert_eq!(c.next_deadline(400), Some(400));
        // With mtime moved ahead by 1000, hart 0's comparator is already reached.
        c.set_time(0);
        c.write(MTIME, Q, 1000).unwrap();
        assert!(c.mtip(0, 0));
        assert_eq!(c.next_deadline(0), Some(0));
        assert!(!c.mtip(5, 0));
        // mtime set behind virtual time: a comparator at u64::MAX is out of reach.
        let mut c = Clint::new(1).unwrap();
        c.set_time(10);
        c.write(MTIME, Q, 0).unwrap();
        assert_eq!(c.next_deadline(10), None);
    }

    /// norm:mtime_wrap: mtime wraps around when the count overflows.
    #[test]
    fn mtime_wraps() {
        let mut c = Clint::new(1).unwrap();
        c.set_time(0);
        c.write(MTIME, Q, u64::MAX).unwrap();
        c.set_time(2);
        assert_eq!(c.read(MTIME, Q), Ok(1));
    }

    #[test]
    fn hart_count_validated() {
        assert!(Clint::new(0).is_err());
        assert!(Clint::new(CLINT_MAX_HARTS + 1).is_err());
        let mut c = Clint::new(CLINT_MAX_HARTS).unwrap();
        // The last comparator sits right below mtime.
        c.write(0xbff0, Q, 7).unwrap();
        assert_eq!(c.mtimecmp(CLINT_MAX_HARTS - 1), Some(7));
        c.write(0x3ff8, D, 1).unwrap();
        assert!(c.msip(CLINT_MAX_HARTS - 1));
        assert_eq!(
            c.read(0x3ffc, D),
            Err(DevError::BadOffset {
                offset: 0x3ffc,
                width: D
            })
        );
    }

    /// How a board uses the CLINT with sim-core's clock and queue: a hart programs
    /// mtimecmp, executes WFI with nothing runnable, and virtual time jumps exactly to the
    /// deadline, where MTIP is set.
    #[test]
    fn wfi_fast_forward_with_clock_and_queue() {
        use sim_core::EventQueue;
        use sim_core::clock::{ClockConfig, VirtualClock};

        let mut clock = VirtualClock::new(ClockConfig::default()).unwrap();
        let mut queue = EventQueue::new();
        let mut c = Clint::new(1).unwrap();
        clock.retire(1_000); // 100 ticks
        c.set_time(clock.ticks());
        let now = c.read(MTIME, Q).unwrap();
        c.write(MTIMECMP_BASE, Q, now + 5_000).unwrap();
        let deadline = c.next_deadline(clock.ticks()).unwrap();
        assert_eq!(deadline, 5_100);
        queue.push(deadline, 0usize);
        // The hart could run up to the deadline...
        assert_eq!(clock.insns_until(deadline), 50_000);
        // ...but it executes WFI: skip to the next event.
        let t = queue.peek_time().unwrap();
        clock.skip_to(t);
        assert_eq!(queue.pop_due(clock.ticks()), Some((5_100, 0)));
        assert!(!c.mtip(0, clock.ticks() - 1));
        assert!(c.mtip(0, clock.ticks()));
    }

    proptest! {
        /// norm:mtime_intr_pending: MTIP is pending exactly while mtime >= mtimecmp (unsigned);
        /// next_deadline is the first tick at which that holds.
        #[test]
        fn prop_deadline_is_first_pending_tick(
            cmp in 0u64..10_000,
            now in 0u64..10_000,
            set_mtime in prop::option::of(0u64..10_000),
        ) {
            let mut c = Clint::new(1).unwrap();
            c.set_time(now);
            if let Some(m) = set_mtime {
                c.write(MTIME, Q, m).unwrap();
            }
            c.write(MTIMECMP_BASE, Q, cmp).unwrap();
            let d = c.next_deadline(now).unwrap();
            prop_assert!(d >= now);
            prop_assert!(c.mtip(0, d));
            if d > now {
                prop_assert!(!c.mtip(0, d - 1));
            }
            prop_assert_eq!(c.mtip(0, now), c.mtime(now) >= cmp);
        }

        /// norm:mtimecmp_rv32_wr (a 32-bit write modifies only its half) and
        /// norm:mtime_mtimecmp_rv64_wr (naturally aligned 64-bit accesses): both views see
        /// the same little-endian register.
        #[test]
        fn prop_halves_compose(v in any::<u64>(), hart in 0usize..4) {
            let mut c = Clint::new(4).unwrap();
            let off = MTIMECMP_BASE + 8 * hart as u64;
            c.write(off, D, v & 0xffff_ffff).unwrap();
            c.write(off + 4, D, v >> 32).unwrap();
            prop_assert_eq!(c.read(off, Q), Ok(v));
            prop_assert_eq!(c.read(off + 4, D), Ok(v >> 32));
        }
    }

    proptest! {
        /// Arbitrary offsets and widths never panic, and an access succeeds exactly when it
        /// names an implemented register at a supported width (ACLINT MSWI/MTIMER layout).
        #[test]
        fn prop_decode_total(
            offset in prop_oneof![0u64..0x20, 0x3ff0u64..0x4020, 0xbff0u64..0xc008, any::<u64>()],
            w in prop::sample::select(AccessWidth::ALL.to_vec()),
            v in any::<u64>(),
        ) {
            let harts = 3u64;
            let mut c = Clint::new(harts as usize).unwrap();
            let msip = offset < harts * 4 && offset % 4 == 0 && w == D;
            let in_cmp = (0x4000..0x4000 + 8 * harts).contains(&offset);
            let wide = |base: u64| (w == Q && offset == base) || (w == D && offset % 4 == 0);
            let cmp = in_cmp && wide(0x4000 + (offset - 0x4000) / 8 * 8);
            let mtime = (MTIME..MTIME + 8).contains(&offset) && wide(MTIME);
            let ok = msip || cmp || mtime;
            prop_assert_eq!(c.read(offset, w).is_ok(), ok);
            prop_assert_eq!(c.write(offset, w, v).is_ok(), ok);
        }
    }
}
