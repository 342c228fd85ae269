//! The run loop: schedule a vCPU, run it, turn its exit into an action. A plain `match` over
//! `ExitReason`, Firecracker style. The table of actions is in `docs/machine.md`.

use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::{ExitReason, ShutdownKind, VCpuError, VCpuState};

use super::backend::{MachineBackend, SBI_ERR_ALREADY_AVAILABLE, SBI_ERR_INVALID_PARAM};
use super::devices::BusReply;
use super::error::RunError;
use super::handlers::{HypercallCall, Reply};
use super::summary::{Outcome, RunSummary, ShutdownStatus, StopSource};
use super::vm::{Machine, RunState};
use hw_models::dev::FinisherStatus;

/// Consecutive exits without a retired instruction after which the run stops: neither
/// virtual time nor the budget advances in such a loop, so without this limit it could spin
/// forever.
pub const NO_PROGRESS_LIMIT: u64 = 1_000_000;

/// What an exit means for the schedule.
enum Next {
    /// Keep running this vCPU (its quantum permitting).
    Continue,
    /// Give the physical CPU to the next vCPU.
    Yield,
    /// The run is over.
    Stop(Outcome),
}

impl<B: MachineBackend> Machine<B> {
    /// Runs until the guest shuts down, the budget runs out, nothing can run any more, or an
    /// error. Calling it again after it returned gives the same summary.
    pub fn run(&mut self) -> RunSummary {
        while self.outcome.is_none() {
            match self.step() {
                Ok(None) => {}
                Ok(Some(o)) => self.outcome = Some(o),
                Err(e) => self.outcome = Some(Outcome::Error(e)),
            }
        }
        self.summary()
    }

    /// The summary of the run. Before [`Machine::run`] has returned there is no outcome
    /// yet, and this reports [`Outcome::AllHalted`] as a placeholder.
    pub fn summary(&self) -> RunSummary {
        RunSummary {
            outcome: self.outcome.clone().unwrap_or(Outcome::AllHalted),
            exits: self.exits,
            instructions: self.clock.retired(),
            vtime_ticks: self.clock.ticks(),
            vtime_ns: self.clock.now_ns(),
            digest: self.tracer.digest(),
            unhandled_hypercalls: self.unhandled_hypercalls,
            dropped_ipis: self.dropped_ipis,
        }
    }

    fn budget_left(&self) -> u64 {
        self.budget
            .map_or(u64::MAX, |b| b.saturating_sub(self.clock.retired()))
    }

    /// The earliest timer deadline among halted vCPUs.
    fn next_wake(&self) -> Option<u64> {
        if self.halted == 0 {
            return None;
        }
        self.vcpus
            .iter()
            .zip(&self.state)
            .filter(|(_, s)| **s == RunState::Halted)
            .filter_map(|(v, _)| self.backend.timer_deadline(v))
            .min()
    }

    /// Unparks halted vCPUs whose timer is due.
    fn wake_due(&mut self) -> Result<(), RunError> {
        if self.halted == 0 {
            return Ok(());
        }
        let now = self.clock.ticks();
        for id in 0..self.vcpus.len() {
            if self.state[id] == RunState::Halted
                && self
                    .backend
                    .timer_deadline(&self.vcpus[id])
                    .is_some_and(|d| d <= now)
            {
                self.wake(id)?;
            }
        }
        Ok(())
    }

    fn wake(&mut self, id: usize) -> Result<(), RunError> {
        if self.vcpus[id].state() == VCpuState::Blocked {
            self.vcpus[id]
                .unblock()
                .map_err(|err| RunError::VCpu { vcpu: id, err })?;
        }
        if self.state[id] == RunState::Halted {
            self.halted -= 1;
        }
        self.state[id] = RunState::Runnable;
        Ok(())
    }

    /// Picks the vCPU to run: the current one while its quantum lasts, else the next
    /// runnable one in round-robin order from the cursor.
    fn pick(&mut self) -> Option<(usize, u64)> {
        if let Some((id, left)) = self.current {
            if left > 0 && self.state[id] == RunState::Runnable {
                return Some((id, left));
            }
        }
        let n = self.vcpus.len();
        (0..n)
            .map(|i| (self.cursor + i) % n)
            .find(|&id| self.state[id] == RunState::Runnable)
            .map(|id| (id, self.quantum))
    }

    /// Takes `id` off the schedule and off its physical CPU.
    fn deschedule(&mut self, id: usize) -> Result<(), RunError> {
        if self.current.is_some_and(|(c, _)| c == id) {
            self.current = None;
        }
        self.cursor = (id + 1) % self.vcpus.len();
        if let Some(p) = self.vcpus[id].bound_pcpu() {
            let hw = self.backend.hardware(p);
            self.vcpus[id]
                .unbind(&mut self.pcpus[p], hw)
                .map_err(|err| RunError::VCpu { vcpu: id, err })?;
        }
        Ok(())
    }

    /// Binds `id` on its physical CPU, unbinding whoever holds it.
    fn ensure_bound(&mut self, id: usize) -> Result<usize, RunError> {
        let p = self.vcpus[id].favor_pcpu();
        if self.vcpus[id].bound_pcpu() == Some(p) {
            return Ok(p);
        }
        if let Some(other) = self.pcpus[p].current().map(|k| k.vcpu_id) {
            let hw = self.backend.hardware(p);
            if let Some(v) = self.vcpus.get_mut(other) {
                v.unbind(&mut self.pcpus[p], hw)
                    .map_err(|err| RunError::VCpu { vcpu: other, err })?;
            }
        }
        let hw = self.backend.hardware(p);
        self.vcpus[id]
            .bind(&mut self.pcpus[p], hw)
            .map_err(|err| RunError::VCpu { vcpu: id, err })?;
        Ok(p)
    }

    /// One scheduling step: one `run` of one vCPU and the action for its exit.
    fn step(&mut self) -> Result<Option<Outcome>, RunError> {
        if self.budget_left() == 0 {
            return Ok(Some(Outcome::BudgetExhausted));
        }
        self.wake_due()?;
        let Some((id, left)) = self.pick() else {
            // Nothing runnable: jump to the next timer event, or stop.
            if !self.state.contains(&RunState::Halted) {
                return Ok(Some(Outcome::AllStopped));
            }
            return match self.next_wake() {
                Some(t) => {
                    self.clock.skip_to(t);
                    self.wake_due()?;
                    Ok(None)
                }
                None => Ok(Some(Outcome::AllHalted)),
            };
        };
        let pcpu = self.ensure_bound(id)?;
        // The slice ends at the quantum, the budget, or the next halted vCPU's timer.
        let mut slice = left.min(self.budget_left());
        if let Some(t) = self.next_wake() {
            slice = slice.min(self.clock.insns_until(t).max(1));
        }
        self.backend.begin_slice(pcpu, &self.clock, slice);
        let hw = self.backend.hardware(pcpu);
        let result = self.vcpus[id].run(&mut self.pcpus[pcpu], hw);
        let retired = self.backend.end_slice(pcpu).min(slice);
        self.clock.retire(retired);
        self.current = Some((id, left.saturating_sub(retired)));
        self.idle_exits = if retired == 0 {
            self.idle_exits.saturating_add(1)
        } else {
            0
        };
        if self.idle_exits > NO_PROGRESS_LIMIT {
            return Err(RunError::NoProgress {
                exits: self.idle_exits,
            });
        }
        let exit = result.map_err(|err| RunError::VCpu { vcpu: id, err })?;

        let cpu = u32::try_from(id).unwrap_or(u32::MAX);
        self.tracer.record_visit(self.clock.ticks(), cpu, &exit);
        self.exits.add(&exit);

        match self.handle(id, exit)? {
            Next::Continue => {
                if self.current.is_some_and(|(_, l)| l == 0) {
                    self.current = None;
                    self.cursor = (id + 1) % self.vcpus.len();
                }
                Ok(None)
            }
            Next::Yield => {
                self.current = None;
                self.cursor = (id + 1) % self.vcpus.len();
                Ok(None)
            }
            Next::Stop(o) => Ok(Some(o)),
        }
    }

    fn vcpu_err(id: usize) -> impl Fn(VCpuError) -> RunError + Copy {
        move |err| RunError::VCpu { vcpu: id, err }
    }

    /// The action for one exit.
    fn handle(&mut self, id: usize, exit: ExitReason) -> Result<Next, RunError> {
        let e = Self::vcpu_err(id);
        match exit {
            ExitReason::MmioRead {
                addr,
                width,
                reg,
                reg_width,
                signed_ext,
            } => match self.mmio(id, addr, width, None)? {
                Ok(v) => {
                    let v = reg_width.zero_extend(width.extend(v, signed_ext));
                    self.vcpus[id].set_gpr(reg, v).map_err(e)?;
                    Ok(Next::Continue)
                }
                Err(next) => Ok(next),
            },
            ExitReason::MmioWrite { addr, width, data } => {
                match self.mmio(id, addr, width, Some(data))? {
                    Ok(_) => Ok(self.after_write()),
                    Err(next) => Ok(next),
                }
            }
            ExitReason::IoRead { port, width } => {
                match self.ports.access(id, port, width, None) {
                    Reply::Value(v) => B::complete_io_read(&mut self.vcpus[id], width, v),
                    Reply::Done => B::complete_io_read(&mut self.vcpus[id], width, 0),
                    Reply::Stop(code) => return Ok(Next::Stop(Outcome::Stopped { code })),
                    Reply::Unhandled => {
                        return Err(RunError::UnhandledPort {
                            vcpu: id,
                            port,
                            width,
                            write: false,
                        });
                    }
                }
                .map_err(e)?;
                Ok(Next::Continue)
            }
            ExitReason::IoWrite { port, width, data } => {
                match self.ports.access(id, port, width, Some(data)) {
                    Reply::Value(_) | Reply::Done => Ok(Next::Continue),
                    Reply::Stop(code) => Ok(Next::Stop(Outcome::Stopped { code })),
                    Reply::Unhandled => Err(RunError::UnhandledPort {
                        vcpu: id,
                        port,
                        width,
                        write: true,
                    }),
                }
            }
            ExitReason::Hypercall { nr, args } => self.hypercall(id, nr, args),
            ExitReason::CpuUp {
                target_cpu,
                entry_point,
                arg,
            } => self.cpu_up(id, target_cpu, entry_point, arg),
            ExitReason::CpuDown { .. } => {
                self.deschedule(id)?;
                self.state[id] = RunState::Stopped;
                for v in self.vcpus.iter_mut() {
                    B::cpu_state_changed(v, id, false);
                }
                Ok(Next::Yield)
            }
            ExitReason::SystemDown { kind, reason } => Ok(Next::Stop(match kind {
                ShutdownKind::Shutdown => Outcome::Shutdown {
                    status: ShutdownStatus::Firmware { reason },
                },
                ShutdownKind::ColdReboot | ShutdownKind::WarmReboot => Outcome::Reset {
                    kind,
                    reason,
                    by: StopSource::Firmware,
                },
            })),
            ExitReason::SendIpi {
                target_cpu,
                target_cpu_aux,
                send_to_all,
                send_to_self,
                vector,
            } => {
                self.send_ipi(
                    id,
                    target_cpu,
                    target_cpu_aux,
                    send_to_all,
                    send_to_self,
                    vector,
                )?;
                Ok(Next::Continue)
            }
            ExitReason::Halt => {
                self.deschedule(id)?;
                self.vcpus[id].block().map_err(e)?;
                self.state[id] = RunState::Halted;
                self.halted += 1;
                Ok(Next::Yield)
            }
            ExitReason::ExternalInterrupt { .. } | ExitReason::Nothing => Ok(Next::Continue),
            ExitReason::Preempted => Ok(Next::Yield),
            ExitReason::NestedPageFault { addr, access_flags } => Err(RunError::NestedPageFault {
                vcpu: id,
                addr,
                access: access_flags,
            }),
            ExitReason::FailEntry {
                hardware_entry_failure_reason,
            } => Err(RunError::FailEntry {
                vcpu: id,
                reason: hardware_entry_failure_reason,
            }),
            ExitReason::SysRegRead { .. } | ExitReason::SysRegWrite { .. } => {
                Err(RunError::UnhandledExit {
                    vcpu: id,
                    exit: exit.with_trace_event(0, 0, |ev| format!("{ev:#}")),
                })
            }
        }
    }

    /// One MMIO access: `Ok(Ok(value))` when done, `Ok(Err(next))` when the run must stop.
    fn mmio(
        &mut self,
        id: usize,
        addr: GuestPhysAddr,
        width: AccessWidth,
        write: Option<u64>,
    ) -> Result<Result<u64, Next>, RunError> {
        let now = self.clock.ticks();
        let r = self.bus.access(id, addr, width, write, now);
        if let Some(uart) = self.bus.uart_mut() {
            if !uart.output().is_empty() {
                let out = uart.take_output();
                self.console.push(&out);
            }
        }
        match r {
            BusReply::Value(v) => Ok(Ok(v)),
            BusReply::Stop(code) => Ok(Err(Next::Stop(Outcome::Stopped { code }))),
            BusReply::Unhandled => Err(RunError::UnhandledMmio {
                vcpu: id,
                addr,
                width,
                write: write.is_some(),
            }),
            BusReply::Rejected(device, err) => Err(RunError::Device {
                vcpu: id,
                device,
                addr,
                err,
            }),
        }
    }

    /// After an MMIO write: did the guest just finish through the test finisher?
    fn after_write(&mut self) -> Next {
        match self.bus.finisher_status() {
            None => Next::Continue,
            Some(FinisherStatus::Pass) => Next::Stop(Outcome::Shutdown {
                status: ShutdownStatus::Pass,
            }),
            Some(FinisherStatus::Fail(code)) => Next::Stop(Outcome::Shutdown {
                status: ShutdownStatus::Fail(code),
            }),
            Some(FinisherStatus::Reset) => Next::Stop(Outcome::Reset {
                kind: ShutdownKind::ColdReboot,
                reason: 0,
                by: StopSource::TestFinisher,
            }),
        }
    }

    fn hypercall(&mut self, id: usize, nr: u64, args: [u64; 6]) -> Result<Next, RunError> {
        let e = Self::vcpu_err(id);
        let call = HypercallCall { vcpu: id, nr, args };
        for h in self.hypercalls.iter_mut() {
            match h(&call) {
                Reply::Unhandled => continue,
                Reply::Value(v) => {
                    self.vcpus[id].set_return_value(v).map_err(e)?;
                    return Ok(Next::Continue);
                }
                Reply::Done => return Ok(Next::Continue),
                Reply::Stop(code) => return Ok(Next::Stop(Outcome::Stopped { code })),
            }
        }
        self.unhandled_hypercalls = self.unhandled_hypercalls.saturating_add(1);
        B::hypercall_unsupported(&mut self.vcpus[id]).map_err(e)?;
        Ok(Next::Continue)
    }

    fn cpu_up(
        &mut self,
        id: usize,
        target: u64,
        entry: GuestPhysAddr,
        arg: u64,
    ) -> Result<Next, RunError> {
        let e = Self::vcpu_err(id);
        let t = match usize::try_from(target) {
            Ok(t) if t < self.vcpus.len() => t,
            _ => {
                B::cpu_up_refused(&mut self.vcpus[id], SBI_ERR_INVALID_PARAM).map_err(e)?;
                return Ok(Next::Continue);
            }
        };
        if self.state[t] != RunState::Stopped {
            B::cpu_up_refused(&mut self.vcpus[id], SBI_ERR_ALREADY_AVAILABLE).map_err(e)?;
            return Ok(Next::Continue);
        }
        let te = Self::vcpu_err(t);
        let (hart_reg, arg_reg) = (self.defaults.hart_id_reg, self.defaults.arg_reg);
        let v = &mut self.vcpus[t];
        v.set_entry(entry).map_err(te)?;
        v.set_gpr(hart_reg, target).map_err(te)?;
        v.set_gpr(arg_reg, arg).map_err(te)?;
        self.state[t] = RunState::Runnable;
        for v in self.vcpus.iter_mut() {
            B::cpu_state_changed(v, t, true);
        }
        Ok(Next::Continue)
    }

    fn send_ipi(
        &mut self,
        id: usize,
        base: u64,
        mask: u64,
        to_all: bool,
        to_self: bool,
        vector: u64,
    ) -> Result<(), RunError> {
        let n = self.vcpus.len();
        let mut targets: Vec<u64> = if to_all {
            (0..n as u64).collect()
        } else {
            B::ipi_targets(base, mask)
        };
        if to_self {
            targets.push(id as u64);
        }
        targets.sort_unstable();
        targets.dedup();
        let vector = usize::try_from(vector).unwrap_or(usize::MAX);
        for t in targets {
            let Some(t) = usize::try_from(t).ok().filter(|t| *t < n) else {
                self.dropped_ipis = self.dropped_ipis.saturating_add(1);
                continue;
            };
            if self.state[t] == RunState::Stopped {
                self.dropped_ipis = self.dropped_ipis.saturating_add(1);
                continue;
            }
            self.vcpus[t]
                .inject_interrupt(vector)
                .map_err(Self::vcpu_err(t))?;
            if self.state[t] == RunState::Halted {
                self.wake(t)?;
            }
        }
        Ok(())
    }
}
