//! Property tests of the vCPU lifecycle against an independent reference model.
//!
//! The model below restates the state table of `docs/vcpu.md` ("State machine") from the
//! document, not from the implementation: if a guard or a target state in `VCpu` changes,
//! these properties fail.

use proptest::prelude::*;
use sim_core::{GuestPhysAddr, HostPhysAddr};
use vcpu::mock::{MockConfig, MockHardware, MockOp, MockPerCpu, MockVCpu};
use vcpu::{ArchError, ExitReason, PCpuSet, PerCpu, VCpu, VCpuError, VCpuParams, VCpuState};

const PCPUS: usize = 2;
const VCPUS: usize = 2;

/// What the test asks the mock architecture to do with the next call of the operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inject {
    /// Succeed.
    None,
    /// Refuse without changing anything (a rejection).
    Reject,
    /// Fail part-way (a failure).
    Fail,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Setup(usize, Inject),
    SetEntry(usize, Inject),
    SetEptRoot(usize, Inject),
    Bind(usize, usize, Inject),
    Run(usize, usize, Inject),
    Unbind(usize, usize, Inject),
    Block(usize),
    Unblock(usize),
    SetGpr(usize, usize, Inject),
    SetReturnValue(usize),
    Inject(usize, usize, Inject),
    Release(usize, usize),
    Enable(usize),
    Disable(usize),
}

/// The error classes the model predicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    InvalidState,
    HardwareDisabled,
    Affinity,
    Busy,
    NotBoundHere,
    BadGpr,
    BadVector,
    InjectedReject,
    InjectedFail,
}

const REJECT: VCpuError = VCpuError::BadConfig("injected rejection");
const FAIL: VCpuError = VCpuError::Arch(ArchError::new("mock", "injected failure"));

fn classify(r: Result<(), VCpuError>) -> Outcome {
    match r {
        Ok(()) => Outcome::Ok,
        Err(VCpuError::InvalidState { .. }) => Outcome::InvalidState,
        Err(VCpuError::HardwareDisabled { .. }) => Outcome::HardwareDisabled,
        Err(VCpuError::AffinityViolation { .. }) => Outcome::Affinity,
        Err(VCpuError::PCpuBusy { .. }) => Outcome::Busy,
        Err(VCpuError::NotBoundHere { .. }) => Outcome::NotBoundHere,
        Err(VCpuError::BadGpr { .. }) => Outcome::BadGpr,
        Err(VCpuError::BadVector { .. }) => Outcome::BadVector,
        Err(e) if e == REJECT => Outcome::InjectedReject,
        Err(e) if e == FAIL => Outcome::InjectedFail,
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

/// The reference model: the state table of docs/vcpu.md, written out by hand.
#[derive(Clone, Debug)]
struct Model {
    state: [VCpuState; VCPUS],
    bound: [Option<usize>; VCPUS],
    current: [Option<usize>; PCPUS],
    enabled: [bool; PCPUS],
    /// Successful runs per vCPU, to predict which scripted exit comes next.
    runs: [usize; VCPUS],
}

/// vCPU 0 may run anywhere; vCPU 1 only on physical CPU 1.
fn allowed(v: usize, p: usize) -> bool {
    v == 0 || p == 1
}

const GPRS: usize = 32;
const VECTORS: usize = 64;

impl Model {
    fn new() -> Self {
        Self {
            state: [VCpuState::Created; VCPUS],
            bound: [None; VCPUS],
            current: [None; PCPUS],
            // System::new enables both physical CPUs, as a booted board would.
            enabled: [true; PCPUS],
            runs: [0; VCPUS],
        }
    }

    /// Applies an injected arch outcome: success moves to `to`, a rejection keeps the
    /// state, a failure makes the vCPU invalid (and, for the calls that get the per-CPU
    /// object, unbinds it).
    fn arch(&mut self, v: usize, inject: Inject, to: VCpuState) -> Outcome {
        self.arch_ex(v, inject, to, false)
    }

    fn arch_ex(&mut self, v: usize, inject: Inject, to: VCpuState, releases: bool) -> Outcome {
        match inject {
            Inject::None => {
                self.state[v] = to;
                Outcome::Ok
            }
            Inject::Reject => Outcome::InjectedReject,
            Inject::Fail => {
                self.state[v] = VCpuState::Invalid;
                if releases {
                    if let Some(p) = self.bound[v].take() {
                        self.current[p] = None;
                    }
                }
                Outcome::InjectedFail
            }
        }
    }

    /// Returns the expected outcome and how many arch calls the operation makes.
    fn step(&mut self, op: Op) -> (Outcome, usize) {
        use VCpuState::*;
        let live = |s: VCpuState| matches!(s, Created | Free | Ready | Blocked);
        let unbound = |s: VCpuState| matches!(s, Created | Free | Blocked);
        match op {
            Op::Setup(v, i) => {
                if self.state[v] != Created {
                    return (Outcome::InvalidState, 0);
                }
                (self.arch(v, i, Free), 3)
            }
            Op::SetEntry(v, i) | Op::SetEptRoot(v, i) => {
                let s = self.state[v];
                if !unbound(s) {
                    return (Outcome::InvalidState, 0);
                }
                (self.arch(v, i, s), 1)
            }
            Op::Bind(v, p, i) => {
                if self.state[v] != Free {
                    return (Outcome::InvalidState, 0);
                }
                if !self.enabled[p] {
                    return (Outcome::HardwareDisabled, 0);
                }
                if !allowed(v, p) {
                    return (Outcome::Affinity, 0);
                }
                if self.current[p].is_some() {
                    return (Outcome::Busy, 0);
                }
                let o = self.arch(v, i, Ready);
                if o == Outcome::Ok {
                    self.bound[v] = Some(p);
                    self.current[p] = Some(v);
                }
                (o, 1)
            }
            Op::Run(v, p, i) => {
                if self.state[v] != Ready {
                    return (Outcome::InvalidState, 0);
                }
                if self.bound[v] != Some(p) {
                    return (Outcome::NotBoundHere, 0);
                }
                let o = self.arch_ex(v, i, Ready, true);
                if o == Outcome::Ok {
                    self.runs[v] += 1;
                }
                (o, 1)
            }
            Op::Unbind(v, p, i) => {
                if self.state[v] != Ready {
                    return (Outcome::InvalidState, 0);
                }
                if self.bound[v] != Some(p) {
                    return (Outcome::NotBoundHere, 0);
                }
                let o = self.arch_ex(v, i, Free, true);
                if o == Outcome::Ok {
                    self.bound[v] = None;
                    self.current[p] = None;
                }
                (o, 1)
            }
            Op::Block(v) => {
                if self.state[v] != Free {
                    return (Outcome::InvalidState, 0);
                }
                self.state[v] = Blocked;
                (Outcome::Ok, 0)
            }
            Op::Unblock(v) => {
                if self.state[v] != Blocked {
                    return (Outcome::InvalidState, 0);
                }
                self.state[v] = Free;
                (Outcome::Ok, 0)
            }
            Op::SetGpr(v, idx, i) => {
                let s = self.state[v];
                if !live(s) {
                    return (Outcome::InvalidState, 0);
                }
                if i == Inject::None && idx >= GPRS {
                    return (Outcome::BadGpr, 1);
                }
                (self.arch(v, i, s), 1)
            }
            Op::SetReturnValue(v) => {
                if !live(self.state[v]) {
                    return (Outcome::InvalidState, 0);
                }
                (Outcome::Ok, 1)
            }
            Op::Inject(v, vector, i) => {
                let s = self.state[v];
                if !live(s) {
                    return (Outcome::InvalidState, 0);
                }
                if i == Inject::None && vector >= VECTORS {
                    return (Outcome::BadVector, 1);
                }
                (self.arch(v, i, s), 1)
            }
            Op::Release(v, p) => {
                if self.state[v] != Invalid {
                    return (Outcome::InvalidState, 0);
                }
                if self.bound[v] != Some(p) {
                    return (Outcome::NotBoundHere, 0);
                }
                self.bound[v] = None;
                self.current[p] = None;
                (Outcome::Ok, 0)
            }
            Op::Enable(p) => {
                self.enabled[p] = true;
                (Outcome::Ok, 0)
            }
            Op::Disable(p) => {
                if self.current[p].is_some() {
                    return (Outcome::Busy, 0);
                }
                self.enabled[p] = false;
                (Outcome::Ok, 0)
            }
        }
    }
}

/// The system under test: two vCPUs of one VM and two physical CPUs.
struct System {
    vcpus: Vec<VCpu<MockVCpu>>,
    pcpus: Vec<PerCpu<MockPerCpu>>,
    hws: Vec<MockHardware>,
}

fn script(v: usize) -> Vec<ExitReason> {
    (0..4u64)
        .map(|k| ExitReason::Hypercall {
            nr: k,
            args: [v as u64; 6],
        })
        .collect()
}

fn entry(v: usize) -> GuestPhysAddr {
    GuestPhysAddr::new(0x8000_0000 + 0x1000 * v as u64)
}

fn root(v: usize) -> HostPhysAddr {
    HostPhysAddr::new(0x9000_0000 + 0x1000 * v as u64)
}

impl System {
    fn new() -> Self {
        let mut hws: Vec<MockHardware> = (0..PCPUS).map(MockHardware::new).collect();
        let pcpus = (0..PCPUS)
            .map(|p| {
                let mut per = PerCpu::new(p, &mut hws[p]).unwrap();
                per.hardware_enable(&mut hws[p]).unwrap();
                per
            })
            .collect();
        let vcpus = (0..VCPUS)
            .map(|v| {
                let params = if v == 0 {
                    VCpuParams::new(0, 0)
                } else {
                    VCpuParams::new(0, v)
                        .favor_pcpu(1)
                        .affinity(PCpuSet::single(1).unwrap())
                };
                VCpu::new(params, MockConfig::with_exits(script(v))).unwrap()
            })
            .collect();
        Self { vcpus, pcpus, hws }
    }

    fn arm(&mut self, v: usize, op: MockOp, i: Inject) {
        let a = self.vcpus[v].arch_mut();
        match i {
            Inject::None => a.clear_fail(),
            Inject::Reject => a.fail_next(op, REJECT),
            Inject::Fail => a.fail_next(op, FAIL),
        }
    }

    /// Runs `op`; returns its outcome and, for a successful run, the exit.
    fn step(&mut self, op: Op) -> (Outcome, Option<ExitReason>) {
        let mut exit = None;
        let r = match op {
            Op::Setup(v, i) => {
                self.arm(v, MockOp::Setup, i);
                self.vcpus[v].setup(entry(v), root(v), ())
            }
            Op::SetEntry(v, i) => {
                self.arm(v, MockOp::SetEntry, i);
                self.vcpus[v].set_entry(entry(v))
            }
            Op::SetEptRoot(v, i) => {
                self.arm(v, MockOp::SetEptRoot, i);
                self.vcpus[v].set_ept_root(root(v))
            }
            Op::Bind(v, p, i) => {
                self.arm(v, MockOp::Bind, i);
                self.vcpus[v].bind(&mut self.pcpus[p], &mut self.hws[p])
            }
            Op::Run(v, p, i) => {
                self.arm(v, MockOp::Run, i);
                self.vcpus[v]
                    .run(&mut self.pcpus[p], &mut self.hws[p])
                    .map(|e| exit = Some(e))
            }
            Op::Unbind(v, p, i) => {
                self.arm(v, MockOp::Unbind, i);
                self.vcpus[v].unbind(&mut self.pcpus[p], &mut self.hws[p])
            }
            Op::Block(v) => self.vcpus[v].block(),
            Op::Unblock(v) => self.vcpus[v].unblock(),
            Op::SetGpr(v, idx, i) => {
                self.arm(v, MockOp::SetGpr, i);
                self.vcpus[v].set_gpr(idx, 7)
            }
            Op::SetReturnValue(v) => self.vcpus[v].set_return_value(9),
            Op::Inject(v, vector, i) => {
                self.arm(v, MockOp::InjectInterrupt, i);
                self.vcpus[v].inject_interrupt(vector)
            }
            Op::Release(v, p) => self.vcpus[v].release(&mut self.pcpus[p]),
            Op::Enable(p) => self.pcpus[p].hardware_enable(&mut self.hws[p]),
            Op::Disable(p) => self.pcpus[p].hardware_disable(&mut self.hws[p]),
        };
        // A failure armed for an operation the manager refused must not leak into the next
        // step.
        for v in &mut self.vcpus {
            v.arch_mut().clear_fail();
        }
        (classify(r), exit)
    }
}

fn inject() -> impl Strategy<Value = Inject> {
    prop_oneof![
        20 => Just(Inject::None),
        1 => Just(Inject::Reject),
        1 => Just(Inject::Fail),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let v = 0..VCPUS;
    let p = 0..PCPUS;
    prop_oneof![
        2 => (v.clone(), inject()).prop_map(|(v, i)| Op::Setup(v, i)),
        1 => (v.clone(), inject()).prop_map(|(v, i)| Op::SetEntry(v, i)),
        1 => (v.clone(), inject()).prop_map(|(v, i)| Op::SetEptRoot(v, i)),
        3 => (v.clone(), p.clone(), inject()).prop_map(|(v, p, i)| Op::Bind(v, p, i)),
        5 => (v.clone(), p.clone(), inject()).prop_map(|(v, p, i)| Op::Run(v, p, i)),
        2 => (v.clone(), p.clone(), inject()).prop_map(|(v, p, i)| Op::Unbind(v, p, i)),
        1 => v.clone().prop_map(Op::Block),
        1 => v.clone().prop_map(Op::Unblock),
        2 => (v.clone(), 0..40usize, inject()).prop_map(|(v, g, i)| Op::SetGpr(v, g, i)),
        1 => v.clone().prop_map(Op::SetReturnValue),
        2 => (v.clone(), 0..72usize, inject()).prop_map(|(v, n, i)| Op::Inject(v, n, i)),
        1 => (v.clone(), p.clone()).prop_map(|(v, p)| Op::Release(v, p)),
        1 => p.clone().prop_map(Op::Enable),
        1 => p.prop_map(Op::Disable),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Rule: docs/vcpu.md "State machine" and "Errors" (the axvcpu lifecycle). For any
    /// sequence of operations on two vCPUs and two physical CPUs, exactly the legal calls
    /// succeed; a refused call changes nothing and never reaches the architecture; an
    /// architecture rejection changes nothing; an architecture failure makes the vCPU
    /// Invalid, and releases its physical CPU when it happens in run or unbind; per-CPU
    /// bookkeeping (`current`) always names exactly the bound vCPU.
    #[test]
    fn lifecycle_matches_reference_model(ops in prop::collection::vec(op(), 1..120)) {
        let mut sys = System::new();
        let mut model = Model::new();
        for (n, op) in ops.into_iter().enumerate() {
            let calls_before: Vec<usize> =
                sys.vcpus.iter().map(|v| v.arch().calls().len()).collect();
            let runs_before = model.runs;
            let (want, want_calls) = model.step(op);
            let (got, exit) = sys.step(op);
            prop_assert_eq!(got, want, "step {}: {:?}", n, op);
            for (v, &before) in calls_before.iter().enumerate() {
                prop_assert_eq!(sys.vcpus[v].state(), model.state[v], "step {}: {:?}", n, op);
                prop_assert_eq!(sys.vcpus[v].bound_pcpu(), model.bound[v], "step {}", n);
                let made = sys.vcpus[v].arch().calls().len() - before;
                let target = match op {
                    Op::Setup(t, _) | Op::SetEntry(t, _) | Op::SetEptRoot(t, _)
                    | Op::Bind(t, _, _) | Op::Run(t, _, _) | Op::Unbind(t, _, _)
                    | Op::SetGpr(t, _, _) | Op::SetReturnValue(t) | Op::Inject(t, _, _)
                    | Op::Block(t) | Op::Unblock(t) | Op::Release(t, _) => Some(t),
                    Op::Enable(_) | Op::Disable(_) => None,
                };
                let expect = if target == Some(v) { want_calls } else { 0 };
                prop_assert_eq!(made, expect, "arch calls, step {}: {:?}", n, op);
                if model.state[v] == VCpuState::Invalid && model.bound[v].is_none() {
                    prop_assert!(sys.pcpus.iter().all(|p| p.current() != Some(sys.vcpus[v].key())));
                }
            }
            for p in 0..PCPUS {
                let want_cur = model.current[p].map(|v| sys.vcpus[v].key());
                prop_assert_eq!(sys.pcpus[p].current(), want_cur, "step {}", n);
                prop_assert_eq!(sys.pcpus[p].is_enabled(), model.enabled[p]);
            }
            if let (Op::Run(v, _, _), Some(e)) = (op, exit) {
                // The k-th successful run returns the k-th scripted exit, then Preempted.
                let k = runs_before[v];
                let want_exit = script(v).get(k).copied().unwrap_or(ExitReason::Preempted);
                prop_assert_eq!(e, want_exit);
            }
        }
    }
}
