//! RISC-V per-CPU programming and the vCPU lifecycle (setup, set_ept_root, bind, unbind,
//! run entry state, interrupt injection) against the scripted fake hart.

mod riscv_common;

use hw_models::riscv::csr_num as csr;
use riscv_common::*;
use sim_core::HostPhysAddr;
use vcpu::ExitReason;
use vcpu::riscv::{GStageMode, RiscvPerCpu, RiscvVCpu, RiscvVCpuConfig, RiscvVCpuError};

#[test]
fn percpu_programs_delegation_as_documented() {
    let mut hw = FakeHart::new();
    hw.set_csr(csr::HVIP, VSSIP | VSTIP | VSEIP);
    let mut p = RiscvPerCpu::<FakeHart>::new(3);
    assert!(!p.is_enabled());
    p.hardware_enable(&mut hw).unwrap();
    assert!(p.is_enabled());
    assert_eq!(p.cpu_id(), 3);
    // hedeleg: causes 0 (inst misaligned), 2 (illegal), 3 (breakpoint), 8 (ecall from U),
    // 12, 13, 15 (page faults).
    assert_eq!(
        hw.csr(csr::HEDELEG),
        (1 << 0) | (1 << 2) | (1 << 3) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    );
    // hideleg: VSSI (2), VSTI (6), VSEI (10).
    assert_eq!(hw.csr(csr::HIDELEG), (1 << 2) | (1 << 6) | (1 << 10));
    assert_eq!(hw.csr(csr::HVIP), 0);
    assert_eq!(hw.csr(csr::HCOUNTEREN), 0xffff_ffff);
    // sie: SSIE (1), STIE (5), SEIE (9).
    assert_eq!(hw.csr(csr::SIE), (1 << 1) | (1 << 5) | (1 << 9));
}

#[test]
fn percpu_refuses_a_hart_without_h() {
    let mut hw = FakeHart::without_h();
    let mut p = RiscvPerCpu::<FakeHart>::new(0);
    assert_eq!(
        p.hardware_enable(&mut hw),
        Err(RiscvVCpuError::NoHypervisorExtension { cause: 2 })
    );
    assert!(!p.is_enabled());
    assert_eq!(hw.csr(csr::SIE), 0, "nothing programmed");
}

#[test]
fn percpu_disable_clears_delegation() {
    let mut hw = FakeHart::new();
    let mut p = RiscvPerCpu::<FakeHart>::new(0);
    p.hardware_enable(&mut hw).unwrap();
    hw.set_csr(csr::HVIP, VSEIP);
    p.hardware_disable(&mut hw).unwrap();
    assert!(!p.is_enabled());
    assert_eq!(hw.csr(csr::HEDELEG), 0);
    assert_eq!(hw.csr(csr::HIDELEG), 0);
    assert_eq!(hw.csr(csr::HVIP), 0);
    assert_eq!(hw.csr(csr::HGATP), 0);
    p.hardware_enable(&mut hw).unwrap();
    assert!(p.is_enabled());
}

#[test]
fn new_sets_boot_registers_and_validates() {
    let v = RiscvVCpu::<FakeHart>::new(RiscvVCpuConfig {
        hart_id: 2,
        hart_count: 3,
        dtb_addr: 0x8700_0000,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(v.gpr(10), 2);
    assert_eq!(v.gpr(11), 0x8700_0000);
    for bad in [
        RiscvVCpuConfig {
            hart_count: 0,
            ..Default::default()
        },
        RiscvVCpuConfig {
            hart_id: 1,
            hart_count: 1,
            ..Default::default()
        },
        RiscvVCpuConfig {
            vmid: 0x4000,
            ..Default::default()
        },
    ] {
        assert!(matches!(
            RiscvVCpu::<FakeHart>::new(bad),
            Err(RiscvVCpuError::BadConfig(_))
        ));
    }
}

#[test]
fn hgatp_is_sv39x4_with_vmid_and_root_ppn_by_default() {
    let (_v, hw) = bound_vcpu();
    let h = hw.csr(csr::HGATP);
    assert_eq!(h >> 60, 8, "Sv39x4");
    assert_eq!((h >> 44) & 0x3fff, 5, "VMID from the config");
    assert_eq!(h & ((1 << 44) - 1), ROOT >> 12);
    // HFENCE.GVMA for the VMID on bind.
    assert_eq!(hw.fences, vec![Fence::Gvma(None, Some(5))]);
}

#[test]
fn hgatp_sv48x4_when_configured() {
    let (_v, hw) = bound_vcpu_with(RiscvVCpuConfig {
        gstage: GStageMode::Sv48x4,
        ..config()
    });
    assert_eq!(hw.csr(csr::HGATP) >> 60, 9);
}

#[test]
fn unsupported_gstage_mode_is_named() {
    let mut hw = FakeHart::new();
    hw.hgatp_modes = vec![0, 8];
    let mut v = RiscvVCpu::new(RiscvVCpuConfig {
        gstage: GStageMode::Sv48x4,
        ..config()
    })
    .unwrap();
    v.setup().unwrap();
    v.set_ept_root(HostPhysAddr::new(ROOT)).unwrap();
    let e = v.bind(&mut hw).unwrap_err();
    assert_eq!(
        e,
        RiscvVCpuError::UnsupportedGStageMode {
            mode: GStageMode::Sv48x4,
            read_back: 0
        }
    );
    assert!(e.to_string().contains("Sv48x4"));
    assert!(!v.is_bound());
}

#[test]
fn vmid_beyond_vmidlen_is_refused() {
    let mut hw = FakeHart::new();
    hw.vmid_bits = 2;
    let mut v = RiscvVCpu::new(config()).unwrap();
    v.setup().unwrap();
    v.set_ept_root(HostPhysAddr::new(ROOT)).unwrap();
    assert_eq!(
        v.bind(&mut hw),
        Err(RiscvVCpuError::UnsupportedVmid {
            vmid: 5,
            read_back: 1
        })
    );
}

#[test]
fn misaligned_root_is_refused() {
    let mut v = RiscvVCpu::<FakeHart>::new(config()).unwrap();
    // 4 KiB aligned but not 16 KiB aligned (norm:hgatp_ppn_op).
    assert_eq!(
        v.set_ept_root(HostPhysAddr::new(ROOT + 0x1000)),
        Err(RiscvVCpuError::MisalignedRoot {
            root: ROOT + 0x1000
        })
    );
}

#[test]
fn run_requires_setup_and_bind() {
    let mut hw = FakeHart::new();
    let mut v = RiscvVCpu::<FakeHart>::new(config()).unwrap();
    assert_eq!(v.run(&mut hw), Err(RiscvVCpuError::NotSetUp));
    v.setup().unwrap();
    assert_eq!(v.run(&mut hw), Err(RiscvVCpuError::NotBound));
    assert_eq!(v.unbind(&mut hw), Err(RiscvVCpuError::NotBound));
    assert_eq!(v.bind(&mut hw), Err(RiscvVCpuError::NoEptRoot));
    v.set_ept_root(HostPhysAddr::new(ROOT)).unwrap();
    v.bind(&mut hw).unwrap();
    assert_eq!(v.bind(&mut hw), Err(RiscvVCpuError::AlreadyBound));
}

#[test]
fn entry_state_selects_vs_mode_at_the_entry_pc() {
    let (mut v, mut hw) = bound_vcpu();
    hw.script.push_back(Step::SliceEnd);
    assert_eq!(v.run(&mut hw).unwrap(), ExitReason::Preempted);
    let e = &hw.entries[0];
    assert_eq!(e.sepc, ENTRY);
    assert_ne!(e.sstatus & SSTATUS_SPP, 0, "SRET to VS");
    assert_ne!(e.hstatus & HSTATUS_SPV, 0, "SRET to V=1");
    assert_ne!(e.hstatus & HSTATUS_SPVP, 0);
    assert_ne!(
        e.hstatus & HSTATUS_VTW,
        0,
        "WFI traps so a guest idle becomes Halt"
    );
    assert_eq!(e.gprs.x[10], 0, "a0 = hart id");
    assert_eq!(e.gprs.x[11], 0x8220_0000, "a1 = dtb");
}

#[test]
fn a_trap_from_vu_returns_to_vu() {
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::VSTVEC, 0x8000_1000);
    // A load access fault from VU is reflected; the guest then runs in VS at vstvec.
    let mut t = Trap::exception(5);
    t.from_vu = true;
    run_one(&mut v, &mut hw, t);
    // An S-timer interrupt while in VS keeps VS.
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_ne!(hw.entries[1].sstatus & SSTATUS_SPP, 0);
    // Now a trap taken from VU that the hypervisor handles without reflection.
    let mut t = Trap::interrupt(9);
    t.from_vu = true;
    run_one(&mut v, &mut hw, t);
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    let e = hw.entries.last().unwrap();
    assert_eq!(e.sstatus & SSTATUS_SPP, 0, "SRET to VU");
    assert_eq!(e.hstatus & HSTATUS_SPVP, 0, "HLV as VU");
    assert_ne!(e.hstatus & HSTATUS_SPV, 0);
}

#[test]
fn hypervisor_status_is_restored_after_the_exit() {
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::SSTATUS, SSTATUS_SIE);
    let hyp_hstatus = hw.csr(csr::HSTATUS);
    run_one(&mut v, &mut hw, Trap::interrupt(9));
    assert_eq!(hw.csr(csr::SSTATUS), SSTATUS_SIE);
    assert_eq!(hw.csr(csr::HSTATUS), hyp_hstatus);
}

#[test]
fn vs_csrs_survive_unbind_and_bind() {
    let (mut v, mut hw) = bound_vcpu();
    let vals = [
        (csr::VSSTATUS, 0x2),
        (csr::VSIE, 0x222),
        (csr::VSTVEC, 0x8000_0100),
        (csr::VSSCRATCH, 0x1234),
        (csr::VSEPC, 0x8000_2000),
        (csr::VSCAUSE, 13),
        (csr::VSTVAL, 0xdead),
        (csr::VSATP, 8 << 60 | 0x80000),
        (csr::VSTIMECMP, 777),
        (csr::HVIP, VSEIP),
    ];
    for (c, x) in vals {
        hw.set_csr(c, x);
    }
    v.unbind(&mut hw).unwrap();
    assert_eq!(
        hw.csr(csr::HVIP),
        0,
        "unbind leaves no pending VS interrupt"
    );
    // Another vCPU uses the hart.
    for (c, _) in vals {
        hw.set_csr(c, 0xffff);
    }
    v.bind(&mut hw).unwrap();
    for (c, x) in vals {
        assert_eq!(hw.csr(c), x, "csr {c:#x}");
    }
}

#[test]
fn vstimecmp_is_optional() {
    let mut hw = FakeHart::new();
    hw.missing.insert(csr::VSTIMECMP);
    let mut v = RiscvVCpu::new(config()).unwrap();
    v.setup().unwrap();
    v.set_ept_root(HostPhysAddr::new(ROOT)).unwrap();
    v.bind(&mut hw).unwrap();
    v.unbind(&mut hw).unwrap();
    assert_eq!(v.regs().vs_csrs.vstimecmp, None);
}

#[test]
fn injection_is_queued_until_the_next_run() {
    let (mut v, mut hw) = bound_vcpu();
    v.inject_interrupt(10).unwrap(); // VSEI
    v.inject_interrupt(1).unwrap(); // SSI as the guest sees it -> VSSIP
    assert_eq!(hw.csr(csr::HVIP), 0, "not applied before run");
    assert_eq!(v.pending_hvip(), VSEIP | VSSIP);
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(hw.entries[0].hvip, VSEIP | VSSIP, "applied before entry");
    v.retract_interrupt(9).unwrap(); // SEI as the guest sees it -> VSEIP
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(hw.entries[1].hvip, VSSIP);
}

#[test]
fn injection_while_unbound_lands_after_bind() {
    let (mut v, mut hw) = bound_vcpu();
    v.unbind(&mut hw).unwrap();
    v.inject_interrupt(6).unwrap(); // VSTI
    v.bind(&mut hw).unwrap();
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(hw.entries[0].hvip, VSTIP);
}

#[test]
fn bad_vectors_and_registers_are_rejected() {
    let (mut v, _hw) = bound_vcpu();
    for vector in [0, 3, 7, 11, 12, 64, usize::MAX] {
        assert_eq!(
            v.inject_interrupt(vector),
            Err(RiscvVCpuError::BadVector { vector })
        );
    }
    assert_eq!(v.set_gpr(32, 1), Err(RiscvVCpuError::BadGpr { idx: 32 }));
    v.set_gpr(0, 5).unwrap();
    assert_eq!(v.gpr(0), 0, "x0 stays zero");
    v.set_gpr(31, 5).unwrap();
    assert_eq!(v.gpr(31), 5);
}

/// A preemption (`run_guest` slice end, sim only) can find the guest in another mode than
/// its last trap: a VS kernel that SRET'd to VU is preempted in VU. The next entry must
/// resume it in that mode (sstatus.SPP = 0, hstatus.SPVP = 0, norm:sret_v1), and back in VS
/// after a preemption in VS.
#[test]
fn a_preemption_resumes_the_guest_in_the_mode_it_was_preempted_in() {
    let (mut v, mut hw) = bound_vcpu();
    hw.script.push_back(Step::PreemptedIn { vu: true });
    assert_eq!(v.run(&mut hw).unwrap(), ExitReason::Preempted);
    hw.script.push_back(Step::PreemptedIn { vu: false });
    assert_eq!(v.run(&mut hw).unwrap(), ExitReason::Preempted);
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    let e = &hw.entries;
    assert_eq!(e[1].sstatus & SSTATUS_SPP, 0, "resumed in VU");
    assert_eq!(e[1].hstatus & HSTATUS_SPVP, 0);
    assert_ne!(e[2].sstatus & SSTATUS_SPP, 0, "resumed in VS");
    assert_ne!(e[2].hstatus & HSTATUS_SPVP, 0);
}

/// The world switch enters the guest with exactly: the hypervisor's own sstatus as `bind`
/// read it, with SPP naming the guest's mode (its MXR also governs the G-stage,
/// norm:sstatus_mxr_vm), and the hstatus `setup` chose (SPV, SPVP per mode, VSXL = 64,
/// VTW) with no other bit (VTSR, VTVM, HU... would change what the guest traps on,
/// hypervisor "Hypervisor Status Register").
#[test]
fn entry_status_registers_are_the_hypervisors_and_the_setup_values_exactly() {
    const SSTATUS_SUM: u64 = 1 << 18;
    const SSTATUS_MXR: u64 = 1 << 19;
    const HSTATUS_VSXL_64: u64 = 2 << 32;
    let mut hw = FakeHart::new();
    let hyp_sstatus = SSTATUS_SUM | SSTATUS_MXR | SSTATUS_SIE;
    hw.set_csr(csr::SSTATUS, hyp_sstatus);
    let mut v = RiscvVCpu::new(config()).unwrap();
    v.setup().unwrap();
    v.set_entry(sim_core::GuestPhysAddr::new(ENTRY));
    v.set_ept_root(HostPhysAddr::new(ROOT)).unwrap();
    v.bind(&mut hw).unwrap();
    run_one(&mut v, &mut hw, Trap::interrupt(9));
    let mut vu = Trap::interrupt(9);
    vu.from_vu = true;
    run_one(&mut v, &mut hw, vu);
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    let guest_hstatus = HSTATUS_SPV | HSTATUS_VSXL_64 | HSTATUS_VTW;
    let e = &hw.entries;
    assert_eq!(e[0].sstatus, hyp_sstatus | SSTATUS_SPP, "VS entry");
    assert_eq!(e[0].hstatus, guest_hstatus | HSTATUS_SPVP);
    assert_eq!(
        e[1].sstatus,
        hyp_sstatus | SSTATUS_SPP,
        "after an exit from VS"
    );
    assert_eq!(e[1].hstatus, guest_hstatus | HSTATUS_SPVP);
    assert_eq!(e[2].sstatus, hyp_sstatus, "VU entry after an exit from VU");
    assert_eq!(e[2].hstatus, guest_hstatus);
}
