//! Boundary cases that mutation testing (docs/mutation-testing.md) showed the other suites
//! did not pin down. Each test states the spec rule it checks.

mod riscv_common;

use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as csr;
use hw_models::riscv::hw::HwTrap;
use riscv_common::*;
use vcpu::ExitReason;
use vcpu::riscv::{RiscvPerCpu, RiscvVCpuConfig, RiscvVCpuError};

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
