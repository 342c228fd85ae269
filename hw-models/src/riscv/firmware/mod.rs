//! The M-level firmware model: the SBI v2.0 implementation that sits below HS-mode, written
//! in Rust, behaving as OpenSBI does on QEMU `virt` with the H extension.
//!
//! It offers Base, TIME, IPI, RFENCE, HSM, SRST, DBCN and the legacy console putchar/getchar,
//! programs medeleg/mideleg as OpenSBI does, and handles the traps that reach M-mode while a
//! guest runs (MTI, MSI, and exceptions that are not delegated, which it redirects to HS or
//! VS as OpenSBI's `sbi_trap_redirect` does).
//!
//! It reaches the hardware only through [`SbiEnv`], so it runs on the platform board and on
//! a test mock alike.
//!
//! ```
//! use hw_models::riscv::firmware::{Firmware, sbi};
//! # use hw_models::riscv::firmware::mock::MockEnv;
//! let mut env = MockEnv::new(2);
//! let mut fw = Firmware::new(2);
//! fw.cold_boot(&mut env, 0, 0x8020_0000, 0);
//! let r = fw.call(&mut env, 0, sbi::eid::BASE, sbi::base::GET_SPEC_VERSION, [0; 6]);
//! assert_eq!((r.error, r.value), (0, 0x0200_0000));
//! ```
//!
//! See docs/riscv-platform.md for every behaviour and choice.

mod base;
mod console;
mod deleg;
mod env;
mod hart_mask;
mod hsm;
mod ipi;
pub mod mock;
mod mtrap;
mod rfence;
pub mod sbi;
mod srst;
mod timer;

#[cfg(test)]
mod tests;

use alloc::vec;
use alloc::vec::Vec;

pub use deleg::{MEDELEG, MIDELEG};
pub use env::{Fence, ResetKind, SbiEnv, SystemReset};
pub use hsm::HsmState;
pub use mtrap::MTrapAction;

use crate::riscv::hw::SbiRet;
use sbi::err;

/// Per-hart firmware state.
#[derive(Clone, Copy, Debug)]
struct HartFw {
    hsm: HsmState,
    /// (start_addr, opaque) of a hart_start waiting for the hart to come up.
    start: Option<(u64, u64)>,
}

/// The firmware of one board. See the module documentation.
#[derive(Clone, Debug)]
pub struct Firmware {
    harts: Vec<HartFw>,
    /// Set once a system reset was performed; every later call fails.
    reset: Option<SystemReset>,
    /// The harts implement Sstc and the firmware enables it (menvcfg.STCE), as OpenSBI does
    /// when the extension is present: set_timer then programs stimecmp.
    sstc: bool,
}

/// Shorthand for an SBI return value.
pub(crate) const fn ret(error: i64, value: u64) -> SbiRet {
    SbiRet { error, value }
}

/// SBI_SUCCESS with a value.
pub(crate) const fn ok(value: u64) -> SbiRet {
    ret(err::SUCCESS, value)
}

/// An SBI error (value 0).
pub(crate) const fn fail(error: i64) -> SbiRet {
    ret(error, 0)
}

impl Firmware {
    /// The firmware of a board with `harts` harts, before boot: every hart STOPPED.
    pub fn new(harts: usize) -> Self {
        Self {
            harts: vec![
                HartFw {
                    hsm: HsmState::Stopped,
                    start: None,
                };
                harts
            ],
            reset: None,
            sstc: false,
        }
    }

    /// The same firmware, using Sstc (`true`) or the ACLINT MTIMER (`false`, the default)
    /// for the TIME extension.
    pub fn with_sstc(mut self, on: bool) -> Self {
        self.sstc = on;
        self
    }

    /// Whether the TIME extension uses Sstc.
    pub fn sstc(&self) -> bool {
        self.sstc
    }

    /// Cold boot, as OpenSBI's `init_coldboot` + `init_warmboot` on every hart: programs the
    /// M-level CSRs of each hart (delegation, counters, interrupt enables), then sends
    /// `boot_hart` to S-mode (HS) at `next_addr` with a1 = `next_arg1` (OpenSBI's "next
    /// stage"); the other harts stay STOPPED until HSM hart_start.
    pub fn cold_boot<E: SbiEnv + ?Sized>(
        &mut self,
        env: &mut E,
        boot_hart: usize,
        next_addr: u64,
        next_arg1: u64,
    ) {
        for hart in 0..self.harts.len() {
            deleg::init_hart(env, hart, self.sstc);
            env.park(hart);
        }
        if let Some(h) = self.harts.get_mut(boot_hart) {
            h.hsm = HsmState::Started;
            env.enter_supervisor(
                boot_hart,
                crate::riscv::PrivLevel::Supervisor,
                next_addr,
                next_arg1,
            );
        }
    }

    /// Number of harts.
    pub fn hart_count(&self) -> usize {
        self.harts.len()
    }

    /// The HSM state of `hart`, `None` for a hart that does not exist.
    pub fn hsm_state(&self, hart: usize) -> Option<HsmState> {
        self.harts.get(hart).map(|h| h.hsm)
    }

    /// The system reset performed, if any.
    pub fn system_reset(&self) -> Option<SystemReset> {
        self.reset
    }

    /// An `ecall` from S-mode (HS) on `hart`: a7 = `eid`, a6 = `fid`, a0..a5 = `args`.
    /// Unknown extensions and functions return SBI_ERR_NOT_SUPPORTED (SBI v2.0 §3).
    pub fn call<E: SbiEnv + ?Sized>(
        &mut self,
        env: &mut E,
        hart: usize,
        eid: u64,
        fid: u64,
        args: [u64; 6],
    ) -> SbiRet {
        if hart >= self.harts.len() {
            return fail(err::FAILED);
        }
        if self.reset.is_some() {
            // The system is down: nothing answers any more.
            return fail(err::FAILED);
        }
        let [a0, a1, a2, a3, a4, _a5] = args;
        match eid {
            sbi::eid::BASE => base::call(env, hart, fid, a0),
            sbi::eid::TIME => match fid {
                sbi::time::SET_TIMER => timer::set_timer(env, hart, a0, self.sstc),
                _ => fail(err::NOT_SUPPORTED),
            },
            sbi::eid::IPI => match fid {
                sbi::ipi::SEND_IPI => ipi::send_ipi(env, a0, a1),
                _ => fail(err::NOT_SUPPORTED),
            },
            sbi::eid::RFENCE => rfence::call(env, hart, fid, [a0, a1, a2, a3, a4]),
            sbi::eid::HSM => self.hsm_call(env, hart, fid, a0, a1, a2),
            sbi::eid::SRST => match fid {
                sbi::srst::SYSTEM_RESET => self.system_reset_call(env, hart, a0, a1),
                _ => fail(err::NOT_SUPPORTED),
            },
            sbi::eid::DBCN => console::dbcn(env, fid, a0, a1, a2),
            sbi::eid::LEGACY_PUTCHAR => console::legacy_putchar(env, a0),
            sbi::eid::LEGACY_GETCHAR => console::legacy_getchar(env),
            _ => fail(err::NOT_SUPPORTED),
        }
    }

    /// Handles the trap `hart` just took into M-mode (see [`MTrapAction`]); the board then
    /// executes MRET, or records the fault.
    pub fn handle_mtrap<E: SbiEnv + ?Sized>(&mut self, env: &mut E, hart: usize) -> MTrapAction {
        mtrap::handle_mtrap(env, hart)
    }

    /// Runs the M-level handlers of the interrupts pending and enabled in mip & mie of a hart
    /// that is not executing (its HS code is the caller), as they would preempt HS on
    /// silicon. Returns whether one was handled.
    pub fn service_interrupts<E: SbiEnv + ?Sized>(&mut self, env: &mut E, hart: usize) -> bool {
        mtrap::service_interrupts(env, hart)
    }
}
