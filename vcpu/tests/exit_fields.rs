//! Exit reasons as trace records: names, field order, units and text form.
//!
//! The expected lines are written by hand from the format in `docs/vcpu.md` ("Exit
//! reasons in traces") and sim-core's text form (U64 as `0x` hex, I64 decimal).

use proptest::prelude::*;
use sim_core::trace::{MemorySink, TraceKind, Tracer, parse_json_line};
use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::{
    AccessFlags, ExitReason, MAX_EXIT_FIELDS, SHUTDOWN_REASON_SYSTEM_FAILURE, ShutdownKind,
    SysRegAddr,
};

fn line(e: &ExitReason) -> String {
    e.with_trace_event(5, 1, |ev| ev.to_string())
}

#[test]
fn every_variant_has_its_documented_text_form() {
    let gpa = GuestPhysAddr::new;
    let cases: Vec<(ExitReason, &str)> = vec![
        (
            ExitReason::Hypercall {
                nr: 0x4856,
                args: [1, 2, 3, 4, 5, 0xffff_ffff_ffff_ffff],
            },
            "Hypercall nr=0x4856 a0=0x1 a1=0x2 a2=0x3 a3=0x4 a4=0x5 a5=0xffffffffffffffff",
        ),
        (
            ExitReason::MmioRead {
                addr: gpa(0x1000_0000),
                width: AccessWidth::Word,
                reg: 11,
                reg_width: AccessWidth::Dword,
                signed_ext: true,
            },
            "MmioRead addr=0x10000000 width=2 reg=11 reg_width=4 signed_ext=true",
        ),
        (
            ExitReason::MmioWrite {
                addr: gpa(0x1000_0000),
                width: AccessWidth::Qword,
                data: 0x41,
            },
            "MmioWrite addr=0x10000000 width=8 data=0x41",
        ),
        (
            ExitReason::SysRegRead {
                addr: SysRegAddr::new(0xc01),
                reg: 5,
            },
            "SysRegRead addr=0xc01 reg=5",
        ),
        (
            ExitReason::SysRegWrite {
                addr: SysRegAddr::new(0x14d),
                value: 0,
            },
            "SysRegWrite addr=0x14d value=0x0",
        ),
        (
            ExitReason::IoRead {
                port: 0x3f8,
                width: AccessWidth::Byte,
            },
            "IoRead port=0x3f8 width=1",
        ),
        (
            ExitReason::IoWrite {
                port: 0xcf8,
                width: AccessWidth::Dword,
                data: 0x8000_0000,
            },
            "IoWrite port=0xcf8 width=4 data=0x80000000",
        ),
        (
            ExitReason::ExternalInterrupt { vector: 9 },
            "ExternalInterrupt vector=0x9",
        ),
        (
            ExitReason::NestedPageFault {
                addr: gpa(0x8000_0000),
                access_flags: AccessFlags::READ | AccessFlags::WRITE,
            },
            "NestedPageFault addr=0x80000000 access=rw-",
        ),
        (ExitReason::Halt, "Halt"),
        (
            ExitReason::CpuUp {
                target_cpu: 1,
                entry_point: gpa(0x8020_0000),
                arg: 0xdead,
            },
            "CpuUp target_cpu=0x1 entry_point=0x80200000 arg=0xdead",
        ),
        (ExitReason::CpuDown { state: 0 }, "CpuDown state=0x0"),
        (
            ExitReason::SystemDown {
                kind: ShutdownKind::WarmReboot,
                reason: SHUTDOWN_REASON_SYSTEM_FAILURE,
            },
            "SystemDown kind=warm_reboot reason=0x1",
        ),
        (ExitReason::Nothing, "Nothing"),
        (ExitReason::Preempted, "Preempted"),
        (
            ExitReason::FailEntry {
                hardware_entry_failure_reason: 0x8000_0021,
            },
            "FailEntry hardware_entry_failure_reason=0x80000021",
        ),
        (
            ExitReason::SendIpi {
                target_cpu: 0,
                target_cpu_aux: 0b110,
                send_to_all: false,
                send_to_self: true,
                vector: 1,
            },
            "SendIpi target_cpu=0x0 target_cpu_aux=0x6 send_to_all=false send_to_self=true \
             vector=0x1",
        ),
    ];
    assert_eq!(cases.len(), 17, "one case per ExitReason variant");
    for (exit, want) in &cases {
        assert_eq!(line(exit), format!("exit t=5 cpu=1 {want}"));
    }
}

#[test]
fn shutdown_kinds_follow_sbi_srst_reset_types() {
    // SBI spec, System Reset extension: reset_type 0 shutdown, 1 cold reboot, 2 warm reboot.
    assert_eq!(
        ShutdownKind::from_sbi_reset_type(0),
        Some(ShutdownKind::Shutdown)
    );
    assert_eq!(
        ShutdownKind::from_sbi_reset_type(1),
        Some(ShutdownKind::ColdReboot)
    );
    assert_eq!(
        ShutdownKind::from_sbi_reset_type(2),
        Some(ShutdownKind::WarmReboot)
    );
    assert_eq!(ShutdownKind::from_sbi_reset_type(0xf000_0000), None);
    assert_eq!(ShutdownKind::Shutdown.name(), "shutdown");
    assert_eq!(ShutdownKind::ColdReboot.name(), "cold_reboot");
}

fn width() -> impl Strategy<Value = AccessWidth> {
    prop::sample::select(AccessWidth::ALL.to_vec())
}

fn exit_reason() -> impl Strategy<Value = ExitReason> {
    let gpa = any::<u64>().prop_map(GuestPhysAddr::new);
    prop_oneof![
        (any::<u64>(), any::<[u64; 6]>()).prop_map(|(nr, args)| ExitReason::Hypercall { nr, args }),
        (gpa.clone(), width(), 0..32usize, width(), any::<bool>()).prop_map(
            |(addr, width, reg, reg_width, signed_ext)| ExitReason::MmioRead {
                addr,
                width,
                reg,
                reg_width,
                signed_ext
            }
        ),
        (gpa.clone(), width(), any::<u64>())
            .prop_map(|(addr, width, data)| ExitReason::MmioWrite { addr, width, data }),
        (any::<u64>(), 0..32usize).prop_map(|(a, reg)| ExitReason::SysRegRead {
            addr: SysRegAddr::new(a),
            reg
        }),
        (any::<u64>(), any::<u64>()).prop_map(|(a, value)| ExitReason::SysRegWrite {
            addr: SysRegAddr::new(a),
            value
        }),
        (any::<u16>(), width()).prop_map(|(port, width)| ExitReason::IoRead { port, width }),
        (any::<u16>(), width(), any::<u64>()).prop_map(|(port, width, data)| ExitReason::IoWrite {
            port,
            width,
            data
        }),
        any::<u64>().prop_map(|vector| ExitReason::ExternalInterrupt { vector }),
        (gpa.clone(), 0u8..8).prop_map(|(addr, bits)| ExitReason::NestedPageFault {
            addr,
            access_flags: AccessFlags::from_bits(bits).unwrap_or_default()
        }),
        Just(ExitReason::Halt),
        (any::<u64>(), gpa, any::<u64>()).prop_map(|(target_cpu, entry_point, arg)| {
            ExitReason::CpuUp {
                target_cpu,
                entry_point,
                arg,
            }
        }),
        any::<u64>().prop_map(|state| ExitReason::CpuDown { state }),
        (0u32..3, any::<u32>()).prop_map(|(t, reason)| ExitReason::SystemDown {
            kind: ShutdownKind::from_sbi_reset_type(t).unwrap_or(ShutdownKind::Shutdown),
            reason
        }),
        Just(ExitReason::Nothing),
        Just(ExitReason::Preempted),
        any::<u64>().prop_map(|r| ExitReason::FailEntry {
            hardware_entry_failure_reason: r
        }),
        (
            any::<u64>(),
            any::<u64>(),
            any::<bool>(),
            any::<bool>(),
            any::<u64>()
        )
            .prop_map(
                |(target_cpu, target_cpu_aux, send_to_all, send_to_self, vector)| {
                    ExitReason::SendIpi {
                        target_cpu,
                        target_cpu_aux,
                        send_to_all,
                        send_to_self,
                        vector,
                    }
                }
            ),
    ]
}

proptest! {
    /// Rule: docs/vcpu.md "Exit reasons in traces": at most MAX_EXIT_FIELDS fields, distinct
    /// names, and the JSON form reads back to the same record (a golden trace written from
    /// an exit is lossless).
    #[test]
    fn fields_are_bounded_unique_and_round_trip(exit in exit_reason()) {
        let n = exit.with_fields(|fs| {
            let mut names: Vec<&str> = fs.iter().map(|f| f.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), fs.len(), "duplicate field names");
            fs.len()
        });
        prop_assert!(n <= MAX_EXIT_FIELDS);
        let (json, owned) = exit.with_trace_event(3, 2, |ev| {
            let mut s = String::new();
            ev.write_json(&mut s).unwrap();
            (s, ev.to_owned_event())
        });
        let back = parse_json_line(&json).unwrap();
        prop_assert_eq!(back, owned);
    }

    /// Rule: the digest does not depend on how an exit reaches it (docs/sim-core.md,
    /// "Digest"): the fast path (`Tracer::record_visit`, no `TraceEvent` built) absorbs
    /// exactly what recording the exit's `TraceEvent` does, with or without a sink, for
    /// every variant and any values, in any sequence.
    #[test]
    fn the_digest_fast_path_equals_the_event_path(
        exits in prop::collection::vec((exit_reason(), any::<u64>(), any::<u32>()), 1..8),
    ) {
        let mut by_event = Tracer::new();
        let mut fast = Tracer::new();
        let mut with_sink = Tracer::with_sink(Box::new(MemorySink::new()));
        for (exit, t, cpu) in &exits {
            exit.with_trace_event(*t, *cpu, |ev| by_event.record(ev));
            fast.record_visit(*t, *cpu, exit);
            with_sink.record_visit(*t, *cpu, exit);
        }
        prop_assert_eq!(fast.digest(), by_event.digest());
        prop_assert_eq!(with_sink.digest(), by_event.digest());
        prop_assert_eq!(fast.count(TraceKind::Exit), exits.len() as u64);
        let seen = with_sink.sink_ref::<MemorySink>().unwrap().events().len();
        prop_assert_eq!(seen, exits.len());
    }

    /// Rule: data and addresses are never truncated in a record (U64 carries all 64 bits).
    #[test]
    fn mmio_write_carries_address_and_data_exactly(addr in any::<u64>(), data in any::<u64>()) {
        let exit = ExitReason::MmioWrite {
            addr: GuestPhysAddr::new(addr),
            width: AccessWidth::Qword,
            data,
        };
        prop_assert_eq!(line(&exit), format!("exit t=5 cpu=1 MmioWrite addr={addr:#x} width=8 data={data:#x}"));
    }
}
