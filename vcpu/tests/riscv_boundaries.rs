//! Boundary cases that mutation testing (docs/mutation-testing.md) showed the other suites
//! did not pin down. Each test states the spec rule it checks.

mod riscv_common;

use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as csr;
use hw_models::riscv::hw::HwTrap;
use riscv_common::*;
use sim_core::{GuestPhysAddr, HostPhysAddr};
use vcpu::ExitReason;
use vcpu::riscv::{RiscvPerCpu, RiscvVCpu, RiscvVCpuConfig, RiscvVCpuError};
use vcpu::{PerCpu, VCpu, VCpuParams};

const BUF: u64 = 0x8100_0000;

/// SBI spec "Hart List Parameter": bit i names hart base + i. The sender is named only if
/// its bit is set: below the base it cannot be, and bit 63 is the last bit of the mask.
#[test]
fn send_ipi_names_the_sender_only_through_its_own_bit() {
    let (mut v, mut hw) = bound_vcpu_with(RiscvVCpuConfig {
        hart_id: 2,
        hart_count: 70,
        ..config()
    });
    let self_flag = |exit: ExitReason| match exit {
        ExitReason::SendIpi { send_to_self, .. } => send_to_self,
        other => panic!("{other:?}"),
    };
    // base 1: bit 1 is hart 2 (the sender), bit 0 is hart 1.
    assert!(self_flag(sbi(&mut v, &mut hw, EID_IPI, 0, &[0b10, 1]).2));
    assert!(!self_flag(sbi(&mut v, &mut hw, EID_IPI, 0, &[0b01, 1]).2));
    // base 3 is above the sender: no bit can name it.
    assert!(!self_flag(
        sbi(&mut v, &mut hw, EID_IPI, 0, &[u64::MAX >> 58, 3]).2
    ));
    // The sender at base + 64 is one past the mask's last bit (hart 66 = 2 + 64).
    let (mut v, mut hw) = bound_vcpu_with(RiscvVCpuConfig {
        hart_id: 66,
        hart_count: 70,
        ..config()
    });
    assert!(!self_flag(
        sbi(&mut v, &mut hw, EID_IPI, 0, &[1 << 63, 2]).2
    ));
    assert!(self_flag(sbi(&mut v, &mut hw, EID_IPI, 0, &[1 << 63, 3]).2));
}

/// SBI spec DBCN read: "reads ... at most num_bytes". Bytes beyond the request stay in the
/// input for the next call, and memory past the buffer is not touched.
#[test]
fn dbcn_read_takes_no_more_than_asked() {
    let (mut v, mut hw) = bound_vcpu();
    hw.write_phys(BUF, &[0; 4]);
    hw.console_in.extend(b"abc");
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 1, &[1, BUF, 0]),
        (0, 1, ExitReason::Nothing)
    );
    assert_eq!(hw.phys[&BUF], b'a');
    assert_eq!(hw.phys[&(BUF + 1)], 0, "nothing past num_bytes");
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 1, &[2, BUF + 1, 0]),
        (0, 2, ExitReason::Nothing)
    );
    assert_eq!(&[hw.phys[&(BUF + 1)], hw.phys[&(BUF + 2)]], b"bc");
}

/// SBI spec RFENCE: a size of 2^XLEN - 1 means the whole address space whatever
/// start_addr is, so it is never an overflowing range (SBI_ERR_INVALID_ADDRESS).
#[test]
fn rfence_size_all_ones_flushes_everything_from_any_start() {
    let (mut v, mut hw) = bound_vcpu();
    hw.fences.clear();
    assert_eq!(
        sbi(
            &mut v,
            &mut hw,
            EID_RFENCE,
            1,
            &[1, 0, 0x8000_1000, u64::MAX]
        ),
        (0, 0, ExitReason::Nothing)
    );
    assert_eq!(hw.fences, vec![Fence::Vvma(None, None)]);
    hw.fences.clear();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_RFENCE, 2, &[1, 0, 0x1000, u64::MAX, 3]),
        (0, 0, ExitReason::Nothing)
    );
    assert_eq!(hw.fences, vec![Fence::Vvma(None, Some(3))]);
}

/// Hypervisor spec "Hypervisor Interrupt Registers" (norm:hvip_acc): VSSIP, VSTIP and VSEIP
/// are independent bits, so a queued assertion or deassertion of one line never changes
/// another, in whichever order the VMM queues them before the next entry.
#[test]
fn queued_hvip_changes_touch_only_their_own_line() {
    // VSEIP pending; retract it, then inject VSSI before the next entry: both apply.
    let (mut v, mut hw) = bound_vcpu();
    v.inject_interrupt(10).unwrap();
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(hw.entries[0].hvip, VSEIP);
    v.retract_interrupt(10).unwrap();
    v.inject_interrupt(2).unwrap();
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(
        hw.entries[1].hvip, VSSIP,
        "the retraction of VSEI still applies"
    );
    // Inject VSEI and VSSI, then retract VSEI: VSSI stays asserted, VSEI does not.
    let (mut v, mut hw) = bound_vcpu();
    v.inject_interrupt(10).unwrap();
    v.inject_interrupt(2).unwrap();
    v.retract_interrupt(9).unwrap();
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(hw.entries[0].hvip, VSSIP, "only VSEI is retracted");
}

/// `pending_hvip` of an unbound vCPU is what the guest will see at the next entry: the hvip
/// saved at unbind with the queued changes applied. Asserting a line that is already
/// asserted keeps it asserted (a level, norm:hvip_acc); retracting one line clears only it.
#[test]
fn pending_hvip_of_an_unbound_vcpu_is_the_saved_value_with_the_queue() {
    let (mut v, mut hw) = bound_vcpu();
    v.inject_interrupt(2).unwrap();
    v.inject_interrupt(10).unwrap();
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    v.unbind(&mut hw).unwrap();
    assert_eq!(v.pending_hvip(), VSSIP | VSEIP);
    v.inject_interrupt(1).unwrap(); // VSSI again, as the guest's S code
    assert_eq!(
        v.pending_hvip(),
        VSSIP | VSEIP,
        "re-asserting keeps the line"
    );
    v.retract_interrupt(9).unwrap();
    assert_eq!(v.pending_hvip(), VSSIP, "only VSEI retracted");
    v.inject_interrupt(6).unwrap();
    assert_eq!(v.pending_hvip(), VSSIP | VSTIP);
    // And that is what the hart gets at the next entry.
    v.bind(&mut hw).unwrap();
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(hw.entries[1].hvip, VSSIP | VSTIP);
}

/// Probing for H (hypervisor spec: hstatus exists only with H; an HS-mode access to a CSR
/// that does not exist raises illegal-instruction): only an illegal-instruction trap means
/// "no H extension". Any other trap on the hstatus read is a broken hart below, reported
/// as the CSR error it is, not taken for a missing extension.
#[test]
fn h_probe_takes_only_illegal_instruction_for_a_missing_extension() {
    let mut hw = FakeHart::new();
    let odd = HwTrap {
        cause: exc::LOAD_ACCESS_FAULT,
        tval: 0,
        htval: 0,
        htinst: 0,
    };
    hw.csr_faults.insert(csr::HSTATUS, odd);
    let mut p = RiscvPerCpu::<FakeHart>::new(0);
    assert_eq!(
        p.hardware_enable(&mut hw),
        Err(RiscvVCpuError::Csr {
            csr: csr::HSTATUS,
            cause: exc::LOAD_ACCESS_FAULT
        })
    );
    assert!(!p.is_enabled());
}

/// hgatp.VMID is VMIDLEN bits, at most 14 on RV64 (hypervisor spec, "Hypervisor Guest
/// Address Translation and Protection Register", norm:hgatp_vmid): 0x3fff is the largest
/// VMID, valid, and bind programs it; 0x4000 is rejected (riscv_lifecycle).
#[test]
fn the_largest_14_bit_vmid_is_accepted() {
    let (_v, hw) = bound_vcpu_with(RiscvVCpuConfig {
        vmid: 0x3fff,
        ..config()
    });
    assert_eq!((hw.csr(csr::HGATP) >> 44) & 0x3fff, 0x3fff);
}

/// The public CSR field constants sit where the specs put them: hstatus (hypervisor spec,
/// "Hypervisor Status Register" figure) GVA bit 6, SPV 7, SPVP 8, VTVM 20, VTW 21, VTSR 22,
/// VSXL bits 33:32 with 2 meaning VSXLEN = 64 (norm:hstatus_vsxl_64); sstatus (priv spec,
/// "Supervisor Status Register") SIE 1, SPIE 5, SPP 8; the VS interrupt bits of hvip are
/// their interrupt codes 2, 6, 10 ("Hypervisor Interrupt Registers").
#[test]
fn csr_field_constants_match_the_spec_layouts() {
    use vcpu::riscv::bits::{hstatus, hvip, sstatus};
    assert_eq!(hstatus::GVA, 1 << 6);
    assert_eq!(hstatus::SPV, 1 << 7);
    assert_eq!(hstatus::SPVP, 1 << 8);
    assert_eq!(hstatus::VTVM, 1 << 20);
    assert_eq!(hstatus::VTW, 1 << 21);
    assert_eq!(hstatus::VTSR, 1 << 22);
    assert_eq!(hstatus::VSXL_MASK, 0x3_0000_0000);
    assert_eq!(hstatus::VSXL_64, 0x2_0000_0000);
    assert_eq!(sstatus::SIE, 1 << 1);
    assert_eq!(sstatus::SPIE, 1 << 5);
    assert_eq!(sstatus::SPP, 1 << 8);
    assert_eq!(hvip::ALL_VS, (1 << 2) | (1 << 6) | (1 << 10));
}

/// The guest runs with VSXLEN = 64: the hstatus written for the entry has VSXL = 2
/// (norm:hstatus_vsxl_64), not left to whatever the hart's WARL field holds.
#[test]
fn guest_entry_hstatus_selects_64_bit_vs_mode() {
    let (mut v, mut hw) = bound_vcpu();
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(hw.entries[0].hstatus >> 32 & 3, 2);
}

/// A VMM switching two vCPUs on one hart through the shared `VCpu`/`PerCpu` contract. The VS
/// CSRs and hvip are per-hart registers (hypervisor spec, "Hypervisor and Virtual Supervisor
/// CSRs"), so they must travel with the vCPU: unbind saves the outgoing guest's VS CSRs and
/// pending VS interrupts and leaves none pending on the hart; bind brings them back.
#[test]
fn manager_unbind_saves_the_guest_state_it_switches_out() {
    let mut hw = FakeHart::new();
    let mut per = PerCpu::<RiscvPerCpu<FakeHart>>::new(0, &mut hw).unwrap();
    per.hardware_enable(&mut hw).unwrap();
    let make = |id: usize| {
        let cfg = RiscvVCpuConfig {
            hart_id: id as u64,
            hart_count: 2,
            ..config()
        };
        let mut v = VCpu::<RiscvVCpu<FakeHart>>::new(VCpuParams::new(0, id), cfg).unwrap();
        v.setup(GuestPhysAddr::new(ENTRY), HostPhysAddr::new(ROOT), ())
            .unwrap();
        v
    };
    let (mut a, mut b) = (make(0), make(1));
    a.bind(&mut per, &mut hw).unwrap();
    // Guest A's own state, live on the hart.
    hw.set_csr(csr::VSSCRATCH, 0xa);
    hw.set_csr(csr::HVIP, VSEIP);
    a.unbind(&mut per, &mut hw).unwrap();
    assert_eq!(hw.csr(csr::HVIP), 0, "nothing pending for the next guest");
    assert_eq!(a.arch().pending_hvip(), VSEIP, "A keeps its interrupt");
    b.bind(&mut per, &mut hw).unwrap();
    assert_eq!(hw.csr(csr::VSSCRATCH), 0, "B's own vsscratch");
    b.unbind(&mut per, &mut hw).unwrap();
    a.bind(&mut per, &mut hw).unwrap();
    assert_eq!(hw.csr(csr::VSSCRATCH), 0xa);
    assert_eq!(hw.csr(csr::HVIP), VSEIP);
}

/// Disabling virtualization through the shared `PerCpu` contract undoes the per-hart setup
/// (docs/riscv-vcpu.md, "Per-CPU"): nothing is delegated to VS any more (hedeleg = hideleg
/// = 0, so every trap from V=1 reaches HS: norm:hedeleg_op, norm:hideleg_op), no VS
/// interrupt stays pending (hvip = 0), hgatp is Bare, and the hart reads as disabled.
#[test]
fn percpu_disable_through_the_manager_undoes_the_setup() {
    let mut hw = FakeHart::new();
    let mut per = PerCpu::<RiscvPerCpu<FakeHart>>::new(0, &mut hw).unwrap();
    per.hardware_enable(&mut hw).unwrap();
    assert_ne!(hw.csr(csr::HEDELEG), 0);
    assert_ne!(hw.csr(csr::HIDELEG), 0);
    hw.set_csr(csr::HVIP, VSSIP);
    hw.set_csr(csr::HGATP, (8 << 60) | 5);
    per.hardware_disable(&mut hw).unwrap();
    assert!(!per.is_enabled());
    for c in [csr::HEDELEG, csr::HIDELEG, csr::HVIP, csr::HGATP] {
        assert_eq!(hw.csr(c), 0, "csr {c:#x}");
    }
}

/// `setup` prepares the guest's hstatus as docs/riscv-vcpu.md ("Lifecycle") documents it
/// and the public register view shows it: SPV = 1 (SRET enters V=1, norm:hstatus_spv_sret),
/// SPVP = 1 (the guest starts in VS), VSXL = 2 (VSXLEN = 64, norm:hstatus_vsxl_64) and
/// VTW = 1 (WFI in VS traps, norm:H_virtinst_wfi_vtw1_tw0), nothing else.
#[test]
fn setup_prepares_the_documented_guest_hstatus() {
    let mut v = RiscvVCpu::<FakeHart>::new(config()).unwrap();
    v.setup().unwrap();
    let spv = 1 << 7;
    let spvp = 1 << 8;
    let vsxl_64 = 2 << 32;
    let vtw = 1 << 21;
    assert_eq!(v.regs().guest_regs.ctx.hstatus, spv | spvp | vsxl_64 | vtw);
}

/// `is_bound` follows bind and unbind (docs/riscv-vcpu.md, "Lifecycle").
#[test]
fn is_bound_follows_bind_and_unbind() {
    let (mut v, mut hw) = bound_vcpu();
    assert!(v.is_bound());
    v.unbind(&mut hw).unwrap();
    assert!(!v.is_bound());
    v.bind(&mut hw).unwrap();
    assert!(v.is_bound());
}

/// After an `MmioRead`, only a write of the load's destination register completes the load
/// with its extension (RV64I: LH sign-extends its halfword); a write of any other register
/// is raw and leaves the completion pending (docs/riscv-vcpu.md, "Completion").
#[test]
fn only_the_destination_register_completes_a_load() {
    let (mut v, mut hw) = bound_vcpu();
    // lh a5, 0(a0) to an unmapped address; htinst is the transformed LH (funct3 1, rd 15).
    hw.push(Trap {
        scause: 21,
        stval: 0x1000_0000,
        htval: 0x1000_0000 >> 2,
        htinst: 0x1783,
        ..Trap::default()
    });
    let exit = v.run(&mut hw).unwrap();
    assert!(
        matches!(exit, ExitReason::MmioRead { reg: 15, .. }),
        "{exit:?}"
    );
    v.set_gpr(14, 0xffff_8000).unwrap();
    assert_eq!(
        v.gpr(14),
        0xffff_8000,
        "a4 written raw, not as the halfword load"
    );
    v.set_gpr(15, 0x8000).unwrap();
    assert_eq!(v.gpr(15), 0xffff_ffff_ffff_8000, "a5 completes the LH");
}
