//! Hart state management extension (EID "HSM").
//!
//! A vCPU sees only itself; the VMM owns the other harts. hvsim keeps a small table of
//! the states this vCPU knows: its own, the ones it requested (hart_start makes the target
//! START_PENDING), and the ones the VMM reports through [`RiscvVCpu::set_hart_state`].
//! Harts never mentioned are STOPPED, which is how a VM boots (only the boot hart runs).

use alloc::collections::BTreeMap;

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;
use sim_core::GuestPhysAddr;

use super::consts::{err, hsm};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error, success};
use crate::ExitReason;
use crate::riscv::bits::sstatus;
use crate::riscv::csr;
use crate::riscv::error::Result;
use crate::riscv::regs::GprIndex;
use crate::riscv::vcpu::RiscvVCpu;

/// HSM hart states (SBI spec, Table "HSM Hart States").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u64)]
pub enum HartState {
    /// 0: started.
    Started = 0,
    /// 1: stopped.
    Stopped = 1,
    /// 2: start pending.
    StartPending = 2,
    /// 3: stop pending.
    StopPending = 3,
    /// 4: suspended.
    Suspended = 4,
    /// 5: suspend pending.
    SuspendPending = 5,
    /// 6: resume pending.
    ResumePending = 6,
}

/// The hart states a vCPU knows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HartTable {
    states: BTreeMap<u64, HartState>,
}

impl HartTable {
    /// A table in which only `own` is started.
    pub fn new(own: u64) -> Self {
        let mut states = BTreeMap::new();
        states.insert(own, HartState::Started);
        Self { states }
    }

    /// The state of `hart` (STOPPED when unknown).
    pub fn get(&self, hart: u64) -> HartState {
        self.states
            .get(&hart)
            .copied()
            .unwrap_or(HartState::Stopped)
    }

    /// Records the state of `hart`.
    pub fn set(&mut self, hart: u64, state: HartState) {
        if state == HartState::Stopped {
            self.states.remove(&hart);
        } else {
            self.states.insert(hart, state);
        }
    }
}

/// Reserved and platform-specific suspend type ranges (SBI spec, Table "HSM Hart Suspend
/// Types").
const SUSPEND_RETENTIVE_PLATFORM: core::ops::RangeInclusive<u64> = 0x1000_0000..=0x7FFF_FFFF;
const SUSPEND_NON_RETENTIVE_PLATFORM: core::ops::RangeInclusive<u64> = 0x9000_0000..=0xFFFF_FFFF;

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// Tells this vCPU the state of another hart of its VM (for hart_get_status and
    /// hart_start's SBI_ERR_ALREADY_AVAILABLE).
    pub fn set_hart_state(&mut self, hart: u64, state: HartState) {
        self.harts.set(hart, state);
    }

    /// The state this vCPU believes `hart` is in.
    pub fn hart_state(&self, hart: u64) -> HartState {
        self.harts.get(hart)
    }

    pub(crate) fn sbi_hsm(&mut self, hw: &mut H, call: SbiCall) -> Result<SbiOutcome> {
        let [a0, a1, a2, ..] = call.args;
        let hart_count = self.config.hart_count;
        Ok(match call.fid {
            hsm::HART_START => {
                let (hart, start, opaque) = (a0, a1, a2);
                if hart >= hart_count {
                    SbiOutcome::Ret(error(err::INVALID_PARAM))
                } else if self.harts.get(hart) != HartState::Stopped {
                    SbiOutcome::Ret(error(err::ALREADY_AVAILABLE))
                } else {
                    self.harts.set(hart, HartState::StartPending);
                    SbiOutcome::Exit(
                        success(0),
                        ExitReason::CpuUp {
                            target_cpu: hart,
                            entry_point: GuestPhysAddr::new(start),
                            arg: opaque,
                        },
                    )
                }
            }
            hsm::HART_STOP => {
                self.harts.set(self.config.hart_id, HartState::Stopped);
                // Returns only on failure (SBI spec, sbi_hart_stop).
                SbiOutcome::Exit(error(err::FAILED), ExitReason::CpuDown { state: 0 })
            }
            hsm::HART_GET_STATUS => {
                if a0 >= hart_count {
                    SbiOutcome::Ret(error(err::INVALID_PARAM))
                } else {
                    SbiOutcome::Ret(success(self.harts.get(a0) as u64))
                }
            }
            hsm::HART_SUSPEND => self.hart_suspend(hw, a0, a1, a2)?,
            _ => NOT_SUPPORTED,
        })
    }

    /// sbi_hart_suspend. Retentive: the call returns SBI_SUCCESS when the hart resumes, so
    /// a0/a1 and pc+4 are preset and the exit is `Halt`. Non-retentive: the hart resumes at
    /// `resume_addr` in VS-mode with a0 = hart id, a1 = `opaque`, satp = 0 and
    /// sstatus.SIE = 0 (SBI spec, "Hart Suspend"), placed before the `Halt` exit.
    fn hart_suspend(
        &mut self,
        hw: &mut H,
        suspend_type: u64,
        resume_addr: u64,
        opaque: u64,
    ) -> Result<SbiOutcome> {
        // suspend_type is a uint32_t: only the low 32 bits count (as in OpenSBI).
        Ok(match suspend_type & u64::from(u32::MAX) {
            hsm::SUSPEND_RETENTIVE => SbiOutcome::Exit(success(0), ExitReason::Halt),
            hsm::SUSPEND_NON_RETENTIVE => {
                csr::write(hw, csr_num::VSATP, 0)?;
                csr::clear(hw, csr_num::VSSTATUS, sstatus::SIE)?;
                let hart_id = self.config.hart_id;
                let g = &mut self.regs.guest_regs;
                g.set_abi(GprIndex::A0, hart_id);
                g.set_abi(GprIndex::A1, opaque);
                g.ctx.sepc = resume_addr;
                g.in_vs = true;
                SbiOutcome::Placed(ExitReason::Halt)
            }
            t if SUSPEND_RETENTIVE_PLATFORM.contains(&t)
                || SUSPEND_NON_RETENTIVE_PLATFORM.contains(&t) =>
            {
                // Platform-specific types exist in the spec but hvsim implements none.
                NOT_SUPPORTED
            }
            _ => SbiOutcome::Ret(error(err::INVALID_PARAM)),
        })
    }
}
