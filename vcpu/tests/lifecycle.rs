//! Scenario tests of the manager, per-CPU bookkeeping and the mock architecture.

use sim_core::{AccessWidth, GuestPhysAddr, HostPhysAddr};
use vcpu::mock::{MockCall, MockConfig, MockHardware, MockOp, MockPerCpu, MockVCpu};
use vcpu::{
    ArchError, ExitReason, PCpuSet, PerCpu, VCpu, VCpuError, VCpuKey, VCpuOp, VCpuParams, VCpuState,
};

const ENTRY: GuestPhysAddr = GuestPhysAddr::new(0x8020_0000);
const FAIL: VCpuError = VCpuError::Arch(ArchError::new("mock", "injected failure"));

/// One physical CPU of a machine: its hardware handle and per-CPU state.
struct Pcpu {
    hw: MockHardware,
    per: PerCpu<MockPerCpu>,
}

fn pcpu(id: usize) -> Pcpu {
    let mut hw = MockHardware::new(id);
    let mut per = PerCpu::new(id, &mut hw).unwrap();
    per.hardware_enable(&mut hw).unwrap();
    Pcpu { hw, per }
}

fn vcpu(vm: usize, id: usize, exits: Vec<ExitReason>) -> VCpu<MockVCpu> {
    let mut v = VCpu::new(VCpuParams::new(vm, id), MockConfig::with_exits(exits)).unwrap();
    let root = HostPhysAddr::new(0x9000_0000 + 0x10_0000 * vm as u64);
    v.setup(ENTRY, root, ()).unwrap();
    v
}

#[test]
fn two_machines_in_one_process_do_not_share_per_cpu_state() {
    // Machine A and machine B each own a physical CPU 0 and a vCPU 0 of VM 0: the same ids,
    // but different objects, and nothing global links them.
    let mut a = pcpu(0);
    let mut b = pcpu(0);
    let mut va = vcpu(0, 0, vec![ExitReason::Halt]);
    let mut vb = vcpu(0, 0, vec![ExitReason::Nothing]);
    va.bind(&mut a.per, &mut a.hw).unwrap();
    // B's physical CPU 0 knows nothing of A's binding.
    assert_eq!(b.per.current(), None);
    assert_eq!(
        va.run(&mut b.per, &mut b.hw),
        Err(VCpuError::NotBoundHere { pcpu: 0 })
    );
    assert_eq!(b.hw.entries(), 0);
    vb.bind(&mut b.per, &mut b.hw).unwrap();
    assert_eq!(va.run(&mut a.per, &mut a.hw), Ok(ExitReason::Halt));
    assert_eq!(vb.run(&mut b.per, &mut b.hw), Ok(ExitReason::Nothing));
    assert_eq!((a.hw.entries(), b.hw.entries()), (1, 1));
}

#[test]
fn bind_on_a_busy_physical_cpu_fails_cleanly() {
    let mut p = pcpu(0);
    let mut v0 = vcpu(0, 0, vec![]);
    let mut v1 = vcpu(0, 1, vec![]);
    v0.bind(&mut p.per, &mut p.hw).unwrap();
    let calls = v1.arch().calls().len();
    assert_eq!(
        v1.bind(&mut p.per, &mut p.hw),
        Err(VCpuError::PCpuBusy {
            pcpu: 0,
            current: VCpuKey::new(0, 0)
        })
    );
    assert_eq!(v1.state(), VCpuState::Free);
    assert_eq!(
        v1.arch().calls().len(),
        calls,
        "refused bind reached the arch"
    );
    assert_eq!(p.per.current(), Some(v0.key()));
}

#[test]
fn failed_run_invalidates_and_frees_the_physical_cpu() {
    let mut p = pcpu(0);
    let mut v0 = vcpu(0, 0, vec![]);
    let mut v1 = vcpu(0, 1, vec![ExitReason::Halt]);
    v0.bind(&mut p.per, &mut p.hw).unwrap();
    v0.arch_mut().fail_next(MockOp::Run, FAIL);
    assert_eq!(v0.run(&mut p.per, &mut p.hw), Err(FAIL));
    assert_eq!(v0.state(), VCpuState::Invalid);
    assert_eq!(v0.bound_pcpu(), None);
    assert_eq!(p.per.current(), None);
    // Invalid is terminal: every operation is refused with the state unchanged.
    assert_eq!(
        v0.set_return_value(1),
        Err(VCpuError::InvalidState {
            op: VCpuOp::SetReturnValue,
            state: VCpuState::Invalid
        })
    );
    assert!(v0.unblock().is_err());
    assert_eq!(v0.state(), VCpuState::Invalid);
    // The physical CPU is usable by another vCPU, whose bind reloads the hardware.
    v1.bind(&mut p.per, &mut p.hw).unwrap();
    assert_eq!(v1.run(&mut p.per, &mut p.hw), Ok(ExitReason::Halt));
}

#[test]
fn register_failure_while_bound_needs_release() {
    let mut p = pcpu(0);
    let mut v0 = vcpu(0, 0, vec![]);
    let mut v1 = vcpu(0, 1, vec![]);
    v0.bind(&mut p.per, &mut p.hw).unwrap();
    v0.arch_mut().fail_next(MockOp::InjectInterrupt, FAIL);
    assert_eq!(v0.inject_interrupt(5), Err(FAIL));
    assert_eq!(v0.state(), VCpuState::Invalid);
    assert_eq!(p.per.current(), Some(v0.key()));
    assert!(matches!(
        v1.bind(&mut p.per, &mut p.hw),
        Err(VCpuError::PCpuBusy { .. })
    ));
    // Releasing on the wrong physical CPU is refused.
    let mut other = pcpu(1);
    assert_eq!(
        v0.release(&mut other.per),
        Err(VCpuError::NotBoundHere { pcpu: 1 })
    );
    v0.release(&mut p.per).unwrap();
    assert_eq!(p.per.current(), None);
    assert_eq!(v0.bound_pcpu(), None);
    v1.bind(&mut p.per, &mut p.hw).unwrap();
    // release is only for invalid vCPUs.
    assert_eq!(
        v1.release(&mut p.per),
        Err(VCpuError::InvalidState {
            op: VCpuOp::Release,
            state: VCpuState::Ready
        })
    );
}

#[test]
fn mmio_read_is_completed_through_set_gpr() {
    let mut p = pcpu(0);
    let exit = ExitReason::MmioRead {
        addr: GuestPhysAddr::new(0x1000_0005),
        width: AccessWidth::Byte,
        reg: 10,
        reg_width: AccessWidth::Qword,
        signed_ext: true,
    };
    let mut v = vcpu(0, 0, vec![exit]);
    v.bind(&mut p.per, &mut p.hw).unwrap();
    let ExitReason::MmioRead {
        reg,
        width,
        signed_ext,
        ..
    } = v.run(&mut p.per, &mut p.hw).unwrap()
    else {
        panic!("expected the scripted MmioRead");
    };
    // The device returned 0x80 for an `lb`: the VMM sign-extends and writes back.
    v.set_gpr(reg, width.extend(0x80, signed_ext)).unwrap();
    assert_eq!(v.arch().gpr(10), Some(0xffff_ffff_ffff_ff80));
    assert_eq!(v.run(&mut p.per, &mut p.hw), Ok(ExitReason::Preempted));
}

#[test]
fn halted_vcpu_parks_and_wakes_with_a_queued_interrupt() {
    let mut p = pcpu(0);
    let mut v = vcpu(0, 0, vec![ExitReason::Halt]);
    v.bind(&mut p.per, &mut p.hw).unwrap();
    assert_eq!(v.run(&mut p.per, &mut p.hw), Ok(ExitReason::Halt));
    v.unbind(&mut p.per, &mut p.hw).unwrap();
    v.block().unwrap();
    assert_eq!(
        v.bind(&mut p.per, &mut p.hw),
        Err(VCpuError::InvalidState {
            op: VCpuOp::Bind,
            state: VCpuState::Blocked
        })
    );
    v.inject_interrupt(9).unwrap();
    v.unblock().unwrap();
    assert_eq!(v.arch().pending_interrupts(), 1 << 9);
    v.bind(&mut p.per, &mut p.hw).unwrap();
    v.run(&mut p.per, &mut p.hw).unwrap();
    assert_eq!(v.arch().pending_interrupts(), 0, "delivered at entry");
}

#[test]
fn the_arch_sees_the_hardware_of_the_physical_cpu_it_runs_on() {
    let mut p1 = pcpu(1);
    let mut v = vcpu(0, 0, vec![]);
    v.bind(&mut p1.per, &mut p1.hw).unwrap();
    v.run(&mut p1.per, &mut p1.hw).unwrap();
    v.unbind(&mut p1.per, &mut p1.hw).unwrap();
    let tail: Vec<MockCall> = v.arch().calls()[3..].to_vec();
    assert_eq!(
        tail,
        [
            MockCall::Bind { cpu: 1 },
            MockCall::Run { cpu: 1 },
            MockCall::Unbind { cpu: 1 }
        ]
    );
    assert_eq!(
        &v.arch().calls()[..3],
        &[
            MockCall::SetEntry(ENTRY),
            MockCall::SetEptRoot(HostPhysAddr::new(0x9000_0000)),
            MockCall::Setup
        ]
    );
    assert_eq!(p1.hw.loaded_root(), None);
}

#[test]
fn per_cpu_enable_disable_rules() {
    let mut hw = MockHardware::without_virtualization(0);
    let mut per = PerCpu::<MockPerCpu>::new(0, &mut hw).unwrap();
    assert!(matches!(
        per.hardware_enable(&mut hw),
        Err(VCpuError::Unsupported(_))
    ));
    assert!(!per.is_enabled());
    assert_eq!(per.max_guest_page_table_levels(), 4);

    let mut other = MockHardware::new(3);
    assert!(matches!(
        PerCpu::<MockPerCpu>::new(0, &mut other),
        Err(VCpuError::BadConfig(_))
    ));

    let mut p = pcpu(0);
    // Enabling twice is harmless.
    p.per.hardware_enable(&mut p.hw).unwrap();
    let mut v = vcpu(0, 0, vec![]);
    v.bind(&mut p.per, &mut p.hw).unwrap();
    assert_eq!(
        p.per.hardware_disable(&mut p.hw),
        Err(VCpuError::PCpuBusy {
            pcpu: 0,
            current: v.key()
        })
    );
    assert!(p.per.is_enabled() && p.hw.enabled());
    v.unbind(&mut p.per, &mut p.hw).unwrap();
    p.per.hardware_disable(&mut p.hw).unwrap();
    assert!(!p.hw.enabled());
    assert_eq!(
        v.bind(&mut p.per, &mut p.hw),
        Err(VCpuError::HardwareDisabled { pcpu: 0 })
    );
}

#[test]
fn creation_checks_placement_and_arch_errors() {
    let cfg = MockConfig::default;
    let empty = VCpuParams::new(0, 0).affinity(PCpuSet::EMPTY);
    assert!(matches!(
        VCpu::<MockVCpu>::new(empty, cfg()),
        Err(VCpuError::BadConfig(_))
    ));
    let outside = VCpuParams::new(0, 0)
        .favor_pcpu(2)
        .affinity(PCpuSet::from_mask(0b11));
    assert!(matches!(
        VCpu::<MockVCpu>::new(outside, cfg()),
        Err(VCpuError::BadConfig(_))
    ));
    let failing = MockConfig {
        fail_new: Some(FAIL),
        ..cfg()
    };
    assert_eq!(
        VCpu::<MockVCpu>::new(VCpuParams::new(0, 0), failing).err(),
        Some(FAIL)
    );

    let v = VCpu::<MockVCpu>::new(
        VCpuParams::new(2, 3)
            .favor_pcpu(1)
            .affinity(PCpuSet::from_mask(0b10)),
        cfg(),
    )
    .unwrap();
    assert_eq!((v.vm_id(), v.id(), v.favor_pcpu()), (2, 3, 1));
    assert!(!v.is_bsp());
    assert!(v.affinity().contains(1) && !v.affinity().contains(0));
    assert_eq!(v.state(), VCpuState::Created);
}

#[test]
fn setup_rejection_keeps_created_and_can_be_retried() {
    let mut v = VCpu::<MockVCpu>::new(VCpuParams::new(0, 0), MockConfig::default()).unwrap();
    v.arch_mut()
        .fail_next(MockOp::Setup, VCpuError::BadConfig("not yet"));
    let root = HostPhysAddr::new(0x9000_0000);
    assert_eq!(
        v.setup(ENTRY, root, ()),
        Err(VCpuError::BadConfig("not yet"))
    );
    assert_eq!(v.state(), VCpuState::Created);
    v.setup(ENTRY, root, ()).unwrap();
    assert_eq!(v.state(), VCpuState::Free);
    assert_eq!(v.arch().entry(), Some(ENTRY));
}

#[test]
fn x0_is_hardwired_and_out_of_range_registers_are_rejected() {
    let mut v = vcpu(0, 0, vec![]);
    v.set_gpr(0, 5).unwrap();
    assert_eq!(v.arch().gpr(0), Some(0));
    assert_eq!(v.set_gpr(32, 5), Err(VCpuError::BadGpr { idx: 32 }));
    assert_eq!(
        v.inject_interrupt(64),
        Err(VCpuError::BadVector { vector: 64 })
    );
    assert_eq!(v.state(), VCpuState::Free);
    v.set_return_value(0x77).unwrap();
    assert_eq!(v.arch().gpr(10), Some(0x77));
}
