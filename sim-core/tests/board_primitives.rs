//! The sim-core primitives used together the way a board uses them.

use sim_core::clock::ClockConfig;
use sim_core::mem::{FrameAllocator, PAGE_SIZE};
use sim_core::trace::{Field, MemorySink, TraceEvent, TraceKind, Tracer};
use sim_core::{AccessWidth, EventQueue, HostPhysAddr, PhysMem, VirtualClock};

const RAM: u64 = 0x8000_0000;

/// A toy run: two CPUs take turns in quanta, hit timer events and record exits. Returns the
/// digest and the number of recorded events.
fn run(quantum: u64, sink: bool) -> (String, u64) {
    let mut clock = VirtualClock::new(ClockConfig::default()).unwrap();
    let mut queue = EventQueue::new();
    let mut tracer = if sink {
        Tracer::with_sink(Box::new(MemorySink::new()))
    } else {
        Tracer::new()
    };
    queue.push(1_000, 0u32);
    queue.push(1_000, 1u32);
    queue.push(2_500, 0u32);
    let mut cpu = 0u32;
    while clock.ticks() < 3_000 {
        clock.retire(quantum);
        while let Some((t, who)) = queue.pop_due(clock.ticks()) {
            let f = [Field::u64("due", t), Field::u64("now", clock.ticks())];
            tracer.record(&TraceEvent::new(
                clock.ticks(),
                who,
                TraceKind::Trap,
                "Timer",
                &f,
            ));
        }
        let f = [Field::i64("quantum", quantum as i64)];
        tracer.record(&TraceEvent::new(
            clock.ticks(),
            cpu,
            TraceKind::Insn,
            "q",
            &f,
        ));
        tracer.record(&TraceEvent::new(
            clock.ticks(),
            cpu,
            TraceKind::Exit,
            "Yield",
            &[],
        ));
        cpu ^= 1;
    }
    (tracer.digest().to_string(), tracer.count(TraceKind::Exit))
}

#[test]
fn same_inputs_same_digest_with_or_without_sink() {
    assert_eq!(run(5_000, false), run(5_000, false));
    assert_eq!(run(5_000, false), run(5_000, true));
    // A different schedule is a different run.
    assert_ne!(run(5_000, false).0, run(7_000, false).0);
}

#[test]
fn stage2_root_and_guest_frames() {
    let mut mem = PhysMem::new(16 << 20);
    mem.add_ram(HostPhysAddr::new(RAM), 16 << 20).unwrap();
    mem.add_mmio(HostPhysAddr::new(0x1000_0000), 0x1000, 1)
        .unwrap();
    let mut frames = FrameAllocator::new(&mem, HostPhysAddr::new(RAM), 16 << 20).unwrap();
    // A boot page first, then the 16 KiB-aligned Sv39x4 root table.
    let boot = frames.alloc_frame(&mut mem).unwrap();
    let root = frames.alloc_contiguous(&mut mem, 4, 0x4000).unwrap();
    assert_eq!(boot, HostPhysAddr::new(RAM));
    assert!(root.is_aligned(0x4000));
    // Fresh frames read as zero even if the memory was dirty, and cost no host memory.
    assert_eq!(mem.read(root, AccessWidth::Qword), Ok(0));
    mem.write(root, AccessWidth::Qword, 0x2000_0001).unwrap();
    assert_eq!(mem.resident_pages(), 1);
    frames
        .dealloc_contiguous(root, 4)
        .expect("the root table frames were allocated");
    let again = frames.alloc_contiguous(&mut mem, 4, 0x4000).unwrap();
    assert_eq!(again, root);
    assert_eq!(mem.read(root, AccessWidth::Qword), Ok(0));
    assert_eq!(mem.resident_pages(), 0);
    assert_eq!(frames.free_frames(), (16 << 20) / PAGE_SIZE as u64 - 5);
}
