//! The vCPU state machine (docs/vcpu.md "State machine", axvcpu's states) under random API
//! call sequences on the real RISC-V vCPU over the platform board, through
//! `hvsim::testkit::TestMachine::raw_parts`. The model below is written from the table in
//! docs/vcpu.md, not from the code. `PROPTEST_CASES=1000 cargo test --test prop_vcpu_state`.

use hvsim::testkit::{Program, RiscvTestMachine, TestMachine};
use hw_models::riscv::isa::encode;
use proptest::prelude::*;
use vcpu::{VCpuError, VCpuState};

const ENTRY: u64 = 0x8000_0000;

#[derive(Clone, Copy, Debug)]
enum Op {
    Bind(usize, usize),
    Run(usize, usize),
    Unbind(usize, usize),
    Block(usize),
    Unblock(usize),
    SetGpr(usize, usize),
    SetEntry(usize),
    Inject(usize, usize),
    Release(usize, usize),
}

/// What the model expects: Ok or the rejection's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Ok,
    InvalidState,
    Affinity,
    Busy,
    NotHere,
    BadGpr,
    BadVector,
}

fn kind(r: &Result<(), VCpuError>) -> Option<Want> {
    Some(match r {
        Ok(()) => Want::Ok,
        Err(VCpuError::InvalidState { .. }) => Want::InvalidState,
        Err(VCpuError::AffinityViolation { .. }) => Want::Affinity,
        Err(VCpuError::PCpuBusy { .. }) => Want::Busy,
        Err(VCpuError::NotBoundHere { .. }) => Want::NotHere,
        Err(VCpuError::BadGpr { .. }) => Want::BadGpr,
        Err(VCpuError::BadVector { .. }) => Want::BadVector,
        Err(_) => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum S {
    Free,
    Ready,
    Blocked,
}

struct Model {
    state: [S; 2],
    bound: [Option<usize>; 2],
    slot: [Option<usize>; 2],
}

impl Model {
    /// docs/vcpu.md's table; vCPU v's affinity is physical CPU v only.
    fn step(&mut self, op: Op) -> Want {
        match op {
            Op::Bind(v, p) => {
                if self.state[v] != S::Free {
                    Want::InvalidState
                } else if p != v {
                    Want::Affinity
                } else if self.slot[p].is_some() {
                    Want::Busy
                } else {
                    self.state[v] = S::Ready;
                    self.bound[v] = Some(p);
                    self.slot[p] = Some(v);
                    Want::Ok
                }
            }
            Op::Run(v, p) | Op::Unbind(v, p) => {
                if self.state[v] != S::Ready {
                    Want::InvalidState
                } else if self.bound[v] != Some(p) {
                    Want::NotHere
                } else {
                    if let Op::Unbind(..) = op {
                        self.state[v] = S::Free;
                        self.bound[v] = None;
                        self.slot[p] = None;
                    }
                    Want::Ok
                }
            }
            Op::Block(v) => self.flip(v, S::Free, S::Blocked),
            Op::Unblock(v) => self.flip(v, S::Blocked, S::Free),
            Op::SetGpr(_, idx) if idx >= 32 => Want::BadGpr,
            Op::SetGpr(..) => Want::Ok,
            Op::SetEntry(v) => match self.state[v] {
                S::Free | S::Blocked => Want::Ok,
                S::Ready => Want::InvalidState,
            },
            Op::Inject(_, vec) if ![1, 2, 5, 6, 9, 10].contains(&vec) => Want::BadVector,
            Op::Inject(..) => Want::Ok,
            // Legal only in Invalid, which no sequence here reaches.
            Op::Release(..) => Want::InvalidState,
        }
    }

    fn flip(&mut self, v: usize, from: S, to: S) -> Want {
        if self.state[v] == from {
            self.state[v] = to;
            Want::Ok
        } else {
            Want::InvalidState
        }
    }
}

fn apply(m: &mut RiscvTestMachine, op: Op) -> Result<(), VCpuError> {
    let (v, p) = match op {
        Op::Bind(v, p) | Op::Run(v, p) | Op::Unbind(v, p) | Op::Release(v, p) => (v, p),
        Op::Block(v) | Op::Unblock(v) | Op::SetGpr(v, _) | Op::SetEntry(v) | Op::Inject(v, _) => {
            (v, v)
        }
    };
    let (vc, pc, hw) = m.raw_parts(v, p).expect("parts");
    match op {
        Op::Bind(..) => vc.bind(pc, hw),
        Op::Run(..) => vc.run(pc, hw).map(|_| ()),
        Op::Unbind(..) => vc.unbind(pc, hw),
        Op::Block(_) => vc.block(),
        Op::Unblock(_) => vc.unblock(),
        Op::SetGpr(_, idx) => vc.set_gpr(idx, 7),
        Op::SetEntry(_) => vc.set_entry(sim_core::GuestPhysAddr::new(ENTRY)),
        Op::Inject(_, vec) => vc.inject_interrupt(vec),
        Op::Release(..) => vc.release(pc),
    }
}

fn op() -> impl Strategy<Value = Op> {
    let v = 0usize..2;
    prop_oneof![
        (v.clone(), 0usize..2).prop_map(|(v, p)| Op::Bind(v, p)),
        (v.clone(), 0usize..2).prop_map(|(v, p)| Op::Run(v, p)),
        (v.clone(), 0usize..2).prop_map(|(v, p)| Op::Unbind(v, p)),
        v.clone().prop_map(Op::Block),
        v.clone().prop_map(Op::Unblock),
        (v.clone(), 0usize..40).prop_map(|(v, i)| Op::SetGpr(v, i)),
        v.clone().prop_map(Op::SetEntry),
        (v.clone(), 0usize..12).prop_map(|(v, i)| Op::Inject(v, i)),
        (v, 0usize..2).prop_map(|(v, p)| Op::Release(v, p)),
    ]
}

/// 256 cases, or `PROPTEST_CASES` when set.
fn cases() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 256;
    }
    c
}

proptest! {
    #![proptest_config(cases())]

    /// docs/vcpu.md "State machine" (axvcpu's Created/Free/Ready/Running/Blocked/Invalid
    /// over the real RISC-V vCPU): every call in a random sequence on two vCPUs and two
    /// harts succeeds or is rejected exactly as the table says, a rejection changes
    /// nothing, the vCPU never ends Invalid (no failure is reachable) and its state and
    /// binding always match the model.
    #[test]
    fn vcpu_state_machine_matches_model(ops in proptest::collection::vec(op(), 1..60)) {
        // Two vCPUs, each bound to its hart at build; the guest loops on wfi.
        let mut code = encode::wfi().to_le_bytes().to_vec();
        code.extend_from_slice(&encode::jal(encode::Reg::ZERO, -4).expect("jal").to_le_bytes());
        let mut m = TestMachine::riscv()
            .vcpus(2)
            .ram_mib(4)
            .program(Program::from_bytes(ENTRY, code))
            .build()
            .expect("machine");
        let mut model = Model { state: [S::Ready; 2], bound: [Some(0), Some(1)], slot: [Some(0), Some(1)] };
        for (i, op) in ops.iter().enumerate() {
            let want = model.step(*op);
            let got = apply(&mut m, *op);
            prop_assert_eq!(kind(&got), Some(want), "step {} {:?}: {:?}", i, op, got);
            for v in 0..2 {
                m.select(v).expect("select");
                let st = m.vcpu().state();
                let expect = match model.state[v] {
                    S::Free => VCpuState::Free,
                    S::Ready => VCpuState::Ready,
                    S::Blocked => VCpuState::Blocked,
                };
                prop_assert_eq!(st, expect, "vCPU {} after step {} {:?}", v, i, op);
                prop_assert_eq!(m.vcpu().bound_pcpu(), model.bound[v]);
            }
        }
    }
}
