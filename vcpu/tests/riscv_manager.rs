//! The RISC-V vCPU behind the shared contracts: `VCpu<RiscvVCpu<_>>` with
//! `PerCpu<RiscvPerCpu<_>>`, as a VMM drives it.

mod riscv_common;

use hw_models::riscv::csr_num as csr;
use riscv_common::*;
use sim_core::{AccessWidth, GuestPhysAddr, HostPhysAddr};
use vcpu::riscv::{GStageMode, RiscvPerCpu, RiscvVCpu, RiscvVCpuConfig};
use vcpu::{ArchPerCpu, ExitReason, PerCpu, VCpu, VCpuError, VCpuParams, VCpuState};

fn manager(cfg: RiscvVCpuConfig) -> VCpu<RiscvVCpu<FakeHart>> {
    let mut v = VCpu::new(VCpuParams::new(0, 0), cfg).unwrap();
    v.setup(GuestPhysAddr::new(ENTRY), HostPhysAddr::new(ROOT), ())
        .unwrap();
    v
}

#[test]
fn a_vmm_loop_over_mmio_and_halt() {
    let mut hw = FakeHart::new();
    let mut per = PerCpu::<RiscvPerCpu<FakeHart>>::new(0, &mut hw).unwrap();
    per.hardware_enable(&mut hw).unwrap();
    let mut v = manager(config());
    v.bind(&mut per, &mut hw).unwrap();

    // lh a5, 0(a0) to an unmapped address, with htinst provided.
    hw.push(Trap {
        scause: 21,
        stval: 0x1000_0000,
        htval: 0x1000_0000 >> 2,
        htinst: 0x1783, // transformed LH a5 (funct3 1, rd 15)
        ..Trap::default()
    });
    let exit = v.run(&mut per, &mut hw).unwrap();
    assert_eq!(
        exit,
        ExitReason::MmioRead {
            addr: GuestPhysAddr::new(0x1000_0000),
            width: AccessWidth::Word,
            reg: 15,
            reg_width: AccessWidth::Qword,
            signed_ext: true
        }
    );
    // The axvcpu completion path: set_gpr on the destination register extends.
    v.set_gpr(15, 0xbeef).unwrap();
    assert_eq!(v.arch().gpr(15), 0xffff_ffff_ffff_beef);

    hw.push(Trap {
        scause: 22,
        stval: 0x1050_0073,
        ..Trap::default()
    });
    assert_eq!(v.run(&mut per, &mut hw).unwrap(), ExitReason::Halt);
    assert_eq!(v.arch().pc(), ENTRY + 8);
    assert_eq!(hw.entries[1].gprs.x[15], 0xffff_ffff_ffff_beef);

    hw.push(Trap::ecall(EID_HVC, 3, &[11, 12, 13, 14, 15, 16]));
    assert_eq!(
        v.run(&mut per, &mut hw).unwrap(),
        ExitReason::Hypercall {
            nr: 3,
            args: [11, 12, 13, 14, 15, 16]
        }
    );
    v.set_return_value(77).unwrap();
    assert_eq!((v.arch().gpr(10), v.arch().gpr(11)), (0, 77));

    v.unbind(&mut per, &mut hw).unwrap();
    assert_eq!(v.state(), VCpuState::Free);
}

#[test]
fn a_hart_without_h_is_unsupported() {
    let mut hw = FakeHart::without_h();
    let mut per = PerCpu::<RiscvPerCpu<FakeHart>>::new(0, &mut hw).unwrap();
    assert_eq!(
        per.hardware_enable(&mut hw),
        Err(VCpuError::Unsupported("the RISC-V H extension"))
    );
}

#[test]
fn page_table_levels_follow_the_probed_gstage_modes() {
    let mut hw = FakeHart::new();
    hw.set_csr(csr::HGATP, 0x1234);
    let p = <RiscvPerCpu<FakeHart> as ArchPerCpu>::new(0, &mut hw).unwrap();
    assert_eq!(p.max_guest_page_table_levels(), 4);
    assert_eq!(hw.csr(csr::HGATP), 0x1234, "probe restores hgatp");
    let mut hw = FakeHart::new();
    hw.hgatp_modes = vec![0, 8];
    let p = <RiscvPerCpu<FakeHart> as ArchPerCpu>::new(0, &mut hw).unwrap();
    assert_eq!(p.max_guest_page_table_levels(), 3);
}

#[test]
fn unsupported_gstage_mode_fails_bind_with_its_name() {
    let mut hw = FakeHart::new();
    hw.hgatp_modes = vec![0, 8];
    let mut per = PerCpu::<RiscvPerCpu<FakeHart>>::new(0, &mut hw).unwrap();
    per.hardware_enable(&mut hw).unwrap();
    let mut v = manager(RiscvVCpuConfig {
        gstage: GStageMode::Sv48x4,
        ..config()
    });
    assert_eq!(
        v.bind(&mut per, &mut hw),
        Err(VCpuError::Unsupported("G-stage mode Sv48x4 on this hart"))
    );
}

#[test]
fn slice_end_is_preempted_through_the_manager() {
    let mut hw = FakeHart::new();
    let mut per = PerCpu::<RiscvPerCpu<FakeHart>>::new(0, &mut hw).unwrap();
    per.hardware_enable(&mut hw).unwrap();
    let mut v = manager(config());
    v.bind(&mut per, &mut hw).unwrap();
    hw.script.push_back(Step::SliceEnd);
    assert_eq!(v.run(&mut per, &mut hw).unwrap(), ExitReason::Preempted);
    assert_eq!(
        v.inject_interrupt(4),
        Err(VCpuError::BadVector { vector: 4 })
    );
}
