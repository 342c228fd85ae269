//! MMIO and port routing: the UART, the test finisher and user handlers, for every width.

mod machine_support;

use std::cell::RefCell;
use std::rc::Rc;

use hvsim::machine::mock::MockBackend;
use hvsim::machine::{
    MachineError, MmioAccess, Outcome, Reply, RunError, ShutdownStatus, StopSource,
};
use hw_models::dev::{DevError, MmioDevice};
use machine_support::*;
use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::{ExitReason, ShutdownKind};

#[test]
fn uart_writes_of_every_width_transmit_the_low_byte() {
    // The 16550 model takes any width at offsets 0..8 and keeps the low byte (hw-models).
    let exits = vec![
        write(UART, AccessWidth::Byte, u64::from(b'a')),
        write(UART, AccessWidth::Word, 0x4100 | u64::from(b'b')),
        write(UART, AccessWidth::Dword, 0xdead_be00 | u64::from(b'c')),
        write(
            UART,
            AccessWidth::Qword,
            0xffff_ffff_ffff_ff00 | u64::from(b'\n'),
        ),
        pass(),
    ];
    let m = run_script(exits);
    assert_eq!(m.console().output(), b"abc\n");
    assert_eq!(m.summary().exits.get("MmioWrite"), 5);
    assert!(m.summary().outcome.is_success());
}

#[test]
fn uart_reads_of_every_width_reach_the_destination_register() {
    // LSR (offset 5) of an idle UART reads THRE | TEMT = 0x60.
    let mut exits: Vec<ExitReason> = AccessWidth::ALL
        .iter()
        .enumerate()
        .map(|(i, w)| read(UART + 5, *w, 5 + i, false))
        .collect();
    exits.push(pass());
    let m = run_script(exits);
    for i in 0..4 {
        assert_eq!(m.vcpus()[0].arch().gpr(5 + i), Some(0x60), "width #{i}");
    }
}

#[test]
fn console_writer_mirrors_output() {
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Shared::default();
    let b = MockBackend::new(1).script(0, [write(UART, AccessWidth::Byte, 0x7a), pass()]);
    let mut m = builder(b)
        .console_writer(Box::new(sink.clone()))
        .build()
        .unwrap();
    m.run();
    assert_eq!(&*sink.0.borrow(), b"z");
}

#[test]
fn uart_input_is_readable() {
    let b = MockBackend::new(1).script(0, [read(UART, AccessWidth::Byte, 6, false), pass()]);
    let mut m = builder(b).uart_input(b"q").build().unwrap();
    m.run();
    assert_eq!(m.vcpus()[0].arch().gpr(6), Some(u64::from(b'q')));
}

#[test]
fn finisher_pass_fail_reset() {
    let cases = [
        (
            0x5555,
            Outcome::Shutdown {
                status: ShutdownStatus::Pass,
            },
        ),
        (
            0x0007_3333,
            Outcome::Shutdown {
                status: ShutdownStatus::Fail(7),
            },
        ),
        (
            0x7777,
            Outcome::Reset {
                kind: ShutdownKind::ColdReboot,
                reason: 0,
                by: StopSource::TestFinisher,
            },
        ),
    ];
    for (value, want) in cases {
        // A write that is not a command changes nothing; the run goes on to the real one.
        let m = run_script(vec![
            write(FINISHER, AccessWidth::Dword, 0x1234),
            write(FINISHER, AccessWidth::Dword, value),
            write(UART, AccessWidth::Byte, 0x21),
        ]);
        assert_eq!(m.summary().outcome, want, "{value:#x}");
        assert!(
            m.console().output().is_empty(),
            "the run stopped at the finisher"
        );
    }
    // Word stores carry the command too.
    let m = run_script(vec![write(FINISHER, AccessWidth::Word, 0x5555)]);
    assert!(m.summary().outcome.is_success());
}

#[test]
fn device_rejection_and_unmapped_mmio_are_errors() {
    let m = run_script(vec![write(FINISHER, AccessWidth::Byte, 0x55)]);
    assert_eq!(
        m.summary().outcome,
        Outcome::Error(RunError::Device {
            vcpu: 0,
            device: "test-finisher",
            addr: GuestPhysAddr::new(FINISHER),
            err: DevError::BadWidth {
                offset: 0,
                width: AccessWidth::Byte
            },
        })
    );
    let m = run_script(vec![read(0x2000_0000, AccessWidth::Dword, 5, false)]);
    let out = m.summary().outcome;
    assert_eq!(
        out,
        Outcome::Error(RunError::UnhandledMmio {
            vcpu: 0,
            addr: GuestPhysAddr::new(0x2000_0000),
            width: AccessWidth::Dword,
            write: false,
        })
    );
    assert!(out.to_string().contains("0x20000000"), "{out}");
}

#[test]
fn user_mmio_handler_gets_every_width_and_reads_are_extended() {
    const BASE: u64 = 0x4000_0000;
    let log: Rc<RefCell<Vec<MmioAccess>>> = Rc::default();
    let l = log.clone();
    let mut exits = Vec::new();
    for (i, w) in AccessWidth::ALL.into_iter().enumerate() {
        exits.push(write(
            BASE + 8 * i as u64,
            w,
            0x1122_3344_5566_7788 & w.mask(),
        ));
        // Reads return a value with the sign bit of the width set.
        exits.push(read(BASE + 0x100, w, 10 + i, true));
        exits.push(read(BASE + 0x100, w, 20 + i, false));
    }
    exits.push(pass());
    let b = MockBackend::new(1).script(0, exits);
    let mut m = builder(b)
        .mmio(BASE, 0x1000, move |a: &MmioAccess| {
            l.borrow_mut().push(*a);
            Reply::Value(a.width.mask() & 0x8080_8080_8080_8080)
        })
        .build()
        .unwrap();
    m.run();
    let log = log.borrow();
    let writes: Vec<_> = log.iter().filter(|a| a.write.is_some()).collect();
    assert_eq!(writes.len(), 4);
    for (i, (a, w)) in writes.iter().zip(AccessWidth::ALL).enumerate() {
        assert_eq!(a.offset, 8 * i as u64);
        assert_eq!(a.addr, GuestPhysAddr::new(BASE + 8 * i as u64));
        assert_eq!(a.width, w);
        assert_eq!(a.write, Some(0x1122_3344_5566_7788 & w.mask()));
    }
    let v = m.vcpus()[0].arch();
    // Sign-extended (lb/lh/lw/ld) and zero-extended (lbu/lhu/lwu) results.
    assert_eq!(v.gpr(10), Some(0xffff_ffff_ffff_ff80));
    assert_eq!(v.gpr(11), Some(0xffff_ffff_ffff_8080));
    assert_eq!(v.gpr(12), Some(0xffff_ffff_8080_8080));
    assert_eq!(v.gpr(13), Some(0x8080_8080_8080_8080));
    assert_eq!(v.gpr(20), Some(0x80));
    assert_eq!(v.gpr(21), Some(0x8080));
    assert_eq!(v.gpr(22), Some(0x8080_8080));
    assert_eq!(v.gpr(23), Some(0x8080_8080_8080_8080));
}

#[test]
fn user_device_model_and_handler_stop() {
    #[derive(Debug)]
    struct Scratch([u8; 16]);
    impl MmioDevice for Scratch {
        fn read(&mut self, offset: u64, width: AccessWidth) -> Result<u64, DevError> {
            let o = offset as usize;
            let mut b = [0u8; 8];
            b[..width.size()].copy_from_slice(&self.0[o..o + width.size()]);
            Ok(u64::from_le_bytes(b))
        }
        fn write(&mut self, offset: u64, width: AccessWidth, value: u64) -> Result<(), DevError> {
            let o = offset as usize;
            self.0[o..o + width.size()].copy_from_slice(&value.to_le_bytes()[..width.size()]);
            Ok(())
        }
        fn size(&self) -> u64 {
            16
        }
    }
    let b = MockBackend::new(1).script(
        0,
        [
            write(0x3000_0000, AccessWidth::Dword, 0xcafe_f00d),
            read(0x3000_0002, AccessWidth::Word, 9, false),
            write(0x5000_0000, AccessWidth::Byte, 1),
            pass(),
        ],
    );
    let mut m = builder(b)
        .mmio_device(0x3000_0000, Scratch([0; 16]))
        .mmio(0x5000_0000, 0x1000, |_: &MmioAccess| Reply::Stop(42))
        .build()
        .unwrap();
    let s = m.run();
    assert_eq!(m.vcpus()[0].arch().gpr(9), Some(0xcafe));
    assert_eq!(s.outcome, Outcome::Stopped { code: 42 });
}

#[test]
fn overlapping_windows_are_rejected() {
    let e = builder(MockBackend::new(1))
        .mmio(0x1000_0080, 0x100, |_: &MmioAccess| Reply::Done)
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, MachineError::Overlap { other, .. } if other == "uart"),
        "{e}"
    );
    let e = builder(MockBackend::new(1))
        .mmio(0x80ff_f000, 0x2000, |_: &MmioAccess| Reply::Done)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("guest RAM"), "{e}");
}

#[test]
fn io_ports_route_to_handlers() {
    let b = MockBackend::new(1).script(
        0,
        [
            ExitReason::IoWrite {
                port: 0x3f8,
                width: AccessWidth::Byte,
                data: 0x41,
            },
            ExitReason::IoRead {
                port: 0x3fd,
                width: AccessWidth::Word,
            },
            ExitReason::IoRead {
                port: 0x80,
                width: AccessWidth::Byte,
            },
        ],
    );
    type PortLog = Vec<(u16, u16, Option<u64>)>;
    let seen: Rc<RefCell<PortLog>> = Rc::default();
    let s2 = seen.clone();
    let mut m = builder(b)
        .io_ports(0x3f8, 8, move |a| {
            s2.borrow_mut().push((a.port, a.offset, a.write));
            Reply::Value(0x1_2345)
        })
        .build()
        .unwrap();
    let s = m.run();
    assert_eq!(
        *seen.borrow(),
        vec![(0x3f8, 0, Some(0x41)), (0x3fd, 5, None)]
    );
    // The mock completes IoRead in a0, zero-extended from the access width.
    assert_eq!(m.vcpus()[0].arch().gpr(10), Some(0x2345));
    assert_eq!(
        s.outcome,
        Outcome::Error(RunError::UnhandledPort {
            vcpu: 0,
            port: 0x80,
            width: AccessWidth::Byte,
            write: false
        })
    );
}
