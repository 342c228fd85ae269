//! Boundary cases that mutation testing (docs/mutation-testing.md) showed the other suites
//! did not pin down. Each test states the spec rule it checks.

mod riscv_common;

use riscv_common::*;
use vcpu::ExitReason;
use vcpu::riscv::RiscvVCpuConfig;

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
