//! The HSM extension (SBI v2.0 §9) for the board's physical harts.
//!
//! Transitions the model makes (§9 "Hart states"):
//! - hart_start on a STOPPED hart: STOPPED -> START_PENDING. The board completes the start
//!   ([`Firmware::complete_start`]) when it next selects that hart: START_PENDING -> STARTED
//!   with the §9.1 register state (S-mode at start_addr, a0 = hartid, a1 = opaque, satp = 0,
//!   sstatus.SIE = 0).
//! - hart_stop on the calling hart: STARTED -> STOPPED at once (the STOP_PENDING window has
//!   no observer on a single-threaded board). On silicon the call does not return; the model
//!   returns SBI_SUCCESS to the Rust caller, which must stop using that hart.
//! - hart_suspend, default retentive type: STARTED -> SUSPENDED, virtual time runs until an
//!   interrupt is pending and enabled for the hart, then SUSPENDED -> STARTED and the call
//!   returns SBI_SUCCESS (§9.4: "resume ... from the instruction after the ecall"). If
//!   nothing can ever wake the hart it returns to STARTED with SBI_ERR_FAILED. Non-retentive
//!   suspend is a valid type the model does not implement: SBI_ERR_NOT_SUPPORTED.

use super::sbi::{err, hsm};
use super::{Firmware, SbiEnv, fail, ok};
use crate::riscv::PrivLevel;
use crate::riscv::hw::SbiRet;

/// HSM hart states and their §9 encodings (hart_get_status values).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u64)]
pub enum HsmState {
    /// Executing normally.
    Started = 0,
    /// Not executing in S-mode or any lower mode.
    Stopped = 1,
    /// Some hart requested a start; the hart has not started yet.
    StartPending = 2,
    /// The hart requested its own stop; not yet stopped.
    StopPending = 3,
    /// In a platform-specific suspend (or low power) state.
    Suspended = 4,
    /// The hart requested its own suspend; not yet suspended.
    SuspendPending = 5,
    /// An interrupt or platform event woke the suspended hart; not yet resumed.
    ResumePending = 6,
}

/// First and last suspend types of the ranges the spec reserves or leaves to platforms; all
/// of them are unimplemented here, so SBI_ERR_INVALID_PARAM (§9.4).
const fn suspend_type_known(t: u32) -> bool {
    t == hsm::SUSPEND_RETENTIVE || t == hsm::SUSPEND_NON_RETENTIVE
}

impl Firmware {
    pub(crate) fn hsm_call<E: SbiEnv + ?Sized>(
        &mut self,
        env: &mut E,
        hart: usize,
        fid: u64,
        a0: u64,
        a1: u64,
        a2: u64,
    ) -> SbiRet {
        match fid {
            hsm::HART_START => self.hart_start(env, a0, a1, a2),
            hsm::HART_STOP => self.hart_stop(env, hart),
            hsm::HART_GET_STATUS => {
                match usize::try_from(a0).ok().and_then(|h| self.harts.get(h)) {
                    Some(h) => ok(h.hsm as u64),
                    None => fail(err::INVALID_PARAM),
                }
            }
            // suspend_type is uint32_t: the upper register bits are ignored, as OpenSBI does.
            hsm::HART_SUSPEND => self.hart_suspend(env, hart, a0 as u32),
            _ => fail(err::NOT_SUPPORTED),
        }
    }

    /// sbi_hart_start(hartid, start_addr, opaque) (§9.1).
    fn hart_start<E: SbiEnv + ?Sized>(
        &mut self,
        env: &mut E,
        hartid: u64,
        start_addr: u64,
        opaque: u64,
    ) -> SbiRet {
        let Some(h) = usize::try_from(hartid)
            .ok()
            .and_then(|i| self.harts.get_mut(i))
        else {
            return fail(err::INVALID_PARAM);
        };
        if h.hsm != HsmState::Stopped {
            return fail(err::ALREADY_AVAILABLE);
        }
        // §9.1: SBI_ERR_INVALID_ADDRESS if start_addr is not a valid physical address or
        // executable access there is prohibited: the model allows code in RAM only.
        if !env.is_ram(start_addr, 2) {
            return fail(err::INVALID_ADDRESS);
        }
        h.hsm = HsmState::StartPending;
        h.start = Some((start_addr, opaque));
        ok(0)
    }

    /// Completes a pending hart_start of `hart` (the board calls this when it selects the
    /// hart). Returns whether a start was completed.
    pub fn complete_start<E: SbiEnv + ?Sized>(&mut self, env: &mut E, hart: usize) -> bool {
        let Some(h) = self.harts.get_mut(hart) else {
            return false;
        };
        if h.hsm != HsmState::StartPending {
            return false;
        }
        let (pc, opaque) = h.start.take().unwrap_or((0, 0));
        h.hsm = HsmState::Started;
        env.enter_supervisor(hart, PrivLevel::Supervisor, pc, opaque);
        true
    }

    /// sbi_hart_stop() (§9.2): only a STARTED hart can stop itself; otherwise FAILED.
    fn hart_stop<E: SbiEnv + ?Sized>(&mut self, env: &mut E, hart: usize) -> SbiRet {
        let Some(h) = self.harts.get_mut(hart) else {
            return fail(err::FAILED);
        };
        if h.hsm != HsmState::Started {
            return fail(err::FAILED);
        }
        h.hsm = HsmState::Stopped;
        env.park(hart);
        ok(0)
    }

    /// sbi_hart_suspend(suspend_type, resume_addr, opaque) (§9.4).
    fn hart_suspend<E: SbiEnv + ?Sized>(
        &mut self,
        env: &mut E,
        hart: usize,
        suspend_type: u32,
    ) -> SbiRet {
        if !suspend_type_known(suspend_type) {
            return fail(err::INVALID_PARAM);
        }
        if suspend_type == hsm::SUSPEND_NON_RETENTIVE {
            return fail(err::NOT_SUPPORTED);
        }
        let Some(h) = self.harts.get_mut(hart) else {
            return fail(err::FAILED);
        };
        if h.hsm != HsmState::Started {
            return fail(err::FAILED);
        }
        h.hsm = HsmState::Suspended;
        let woke = env.wait_for_interrupt(hart);
        if let Some(h) = self.harts.get_mut(hart) {
            h.hsm = HsmState::Started;
        }
        if woke { ok(0) } else { fail(err::FAILED) }
    }
}
