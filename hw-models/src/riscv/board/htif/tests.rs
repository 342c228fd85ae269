use alloc::vec::Vec;

use proptest::prelude::*;
use sim_core::mem::PhysMem;
use sim_core::{AccessWidth, HostPhysAddr};

use super::syscall::{EBADF, EFAULT, ENOSYS, SYS_EXIT, SYS_WRITE};
use super::*;
use crate::riscv::board::console::{Console, Stream};

const RAM: u64 = 0x8000_0000;
const TOHOST: u64 = RAM + 0x1000;
const FROMHOST: u64 = RAM + 0x1040;
const BLOCK: u64 = RAM + 0x2000;
const BUF: u64 = RAM + 0x3000;

#[derive(Default)]
struct Buf {
    out: Vec<(Stream, u8)>,
}

impl Console for Buf {
    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        self.out.extend(bytes.iter().map(|b| (stream, *b)));
    }
}

impl Buf {
    fn text(&self, stream: Stream) -> Vec<u8> {
        self.out
            .iter()
            .filter(|(s, _)| *s == stream)
            .map(|(_, b)| *b)
            .collect()
    }
}

fn a(x: u64) -> HostPhysAddr {
    HostPhysAddr::new(x)
}

fn setup() -> (PhysMem, Htif) {
    let mut mem = PhysMem::new(1 << 20);
    mem.add_ram(a(RAM), 1 << 16).unwrap();
    let htif = Htif::new(&mem, a(TOHOST), Some(a(FROMHOST))).unwrap();
    (mem, htif)
}

fn rd(mem: &PhysMem, addr: u64) -> u64 {
    mem.read(a(addr), AccessWidth::Qword).unwrap()
}

fn wr(mem: &mut PhysMem, addr: u64, v: u64) {
    mem.write(a(addr), AccessWidth::Qword, v).unwrap();
}

fn block(mem: &mut PhysMem, words: &[u64]) -> u64 {
    for (i, w) in words.iter().enumerate() {
        wr(mem, BLOCK + 8 * i as u64, *w);
    }
    BLOCK
}

#[test]
fn decodes_exit_syscall_and_console_commands() {
    assert_eq!(HtifCommand::from_raw(1).request(), HtifRequest::Exit(0));
    assert_eq!(
        HtifCommand::from_raw((7 << 1) | 1).request(),
        HtifRequest::Exit(7)
    );
    assert_eq!(
        HtifCommand::from_raw(0x8000_2000).request(),
        HtifRequest::Syscall(a(0x8000_2000))
    );
    assert_eq!(
        HtifCommand::from_raw(0x0101_0000_0000_0a41).request(),
        HtifRequest::Putchar(0x41)
    );
    let getchar = HtifCommand::from_raw(0x0100_0000_0000_0000);
    assert_eq!(getchar.request(), HtifRequest::Unsupported(getchar));
    // Device 0 with a non-zero command field is not the syscall device's command 0.
    let other = HtifCommand::from_raw(0x0001_0000_0000_0001);
    assert_eq!(other.request(), HtifRequest::Unsupported(other));
}

#[test]
fn one_doubleword_store_completes_a_command() {
    let (_, mut h) = setup();
    assert!(h.note_store(TOHOST, 8));
}

#[test]
fn two_word_stores_complete_only_with_the_second_in_either_order() {
    let (_, mut h) = setup();
    // riscv-tests' p environment: low half first, high half last.
    assert!(!h.note_store(TOHOST, 4));
    assert!(h.pending());
    assert!(h.note_store(TOHOST + 4, 4));
    let (_, mut h) = setup();
    assert!(!h.note_store(TOHOST + 4, 4));
    assert!(h.note_store(TOHOST, 4));
}

#[test]
fn stores_beside_tohost_are_ignored_and_overlapping_ones_count() {
    let (_, mut h) = setup();
    assert!(!h.note_store(TOHOST - 8, 8));
    assert!(!h.note_store(TOHOST + 8, 8));
    assert!(!h.pending());
    // A doubleword straddling the start covers bytes 0..4 of tohost.
    assert!(!h.note_store(TOHOST - 4, 8));
    assert!(h.note_store(TOHOST + 4, 4));
    // The top of the address space does not wrap into tohost.
    let (_, mut h) = setup();
    assert!(!h.note_store(u64::MAX - 3, 8));
    assert!(!h.pending());
}

#[test]
fn take_clears_tohost_and_the_pending_bytes() {
    let (mut mem, mut h) = setup();
    assert_eq!(h.take(&mut mem).unwrap(), None);
    wr(&mut mem, TOHOST, 0x0101_0000_0000_0041);
    h.note_store(TOHOST, 8);
    assert_eq!(
        h.take(&mut mem).unwrap(),
        Some(HtifCommand::from_raw(0x0101_0000_0000_0041))
    );
    assert_eq!(rd(&mem, TOHOST), 0);
    assert!(!h.pending());
}

#[test]
fn exit_commands_report_their_code() {
    let (mut mem, mut h) = setup();
    let mut c = Buf::default();
    wr(&mut mem, TOHOST, 1);
    assert_eq!(h.serve(&mut mem, &mut c).unwrap(), HtifOutcome::Exit(0));
    // A code whose low byte is zero is still a failure code, not a pass.
    wr(&mut mem, TOHOST, (0x100 << 1) | 1);
    assert_eq!(h.serve(&mut mem, &mut c).unwrap(), HtifOutcome::Exit(0x100));
    assert_eq!(rd(&mem, FROMHOST), 0, "exit has no response");
}

#[test]
fn putchar_prints_and_does_not_respond() {
    let (mut mem, mut h) = setup();
    let mut c = Buf::default();
    wr(&mut mem, TOHOST, 0x0101_0000_0000_0048);
    assert_eq!(h.serve(&mut mem, &mut c).unwrap(), HtifOutcome::Continue);
    assert_eq!(c.text(Stream::Stdout), b"H");
    assert_eq!(rd(&mem, TOHOST), 0);
    assert_eq!(rd(&mem, FROMHOST), 0);
}

#[test]
fn getchar_is_a_clear_error() {
    let (mut mem, mut h) = setup();
    wr(&mut mem, TOHOST, 0x0100_0000_0000_0000);
    let e = h.serve(&mut mem, &mut Buf::default()).unwrap_err();
    assert!(matches!(
        e,
        HtifError::Unsupported {
            device: 1,
            command: 0,
            ..
        }
    ));
}

#[test]
fn syscall_write_prints_returns_count_and_sets_fromhost() {
    let (mut mem, mut h) = setup();
    let mut c = Buf::default();
    mem.write_bytes(a(BUF), b"hello\n").unwrap();
    let b = block(&mut mem, &[SYS_WRITE, 1, BUF, 6]);
    wr(&mut mem, TOHOST, b);
    assert_eq!(h.serve(&mut mem, &mut c).unwrap(), HtifOutcome::Continue);
    assert_eq!(c.text(Stream::Stdout), b"hello\n");
    assert_eq!(rd(&mem, BLOCK), 6);
    assert_eq!(rd(&mem, FROMHOST), 1);
    assert_eq!(rd(&mem, TOHOST), 0);

    let b = block(&mut mem, &[SYS_WRITE, 2, BUF, 2]);
    wr(&mut mem, TOHOST, b);
    h.serve(&mut mem, &mut c).unwrap();
    assert_eq!(c.text(Stream::Stderr), b"he");
}

#[test]
fn syscall_write_longer_than_a_chunk_arrives_whole() {
    let (mut mem, mut h) = setup();
    let mut c = Buf::default();
    let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    mem.write_bytes(a(BUF), &data).unwrap();
    let b = block(&mut mem, &[SYS_WRITE, 1, BUF, data.len() as u64]);
    wr(&mut mem, TOHOST, b);
    h.serve(&mut mem, &mut c).unwrap();
    assert_eq!(c.text(Stream::Stdout), data);
}

#[test]
fn syscall_errors_are_negative_errno() {
    let (mut mem, mut h) = setup();
    let mut c = Buf::default();
    let cases: [(&[u64], i64); 4] = [
        (&[SYS_WRITE, 3, BUF, 1], -EBADF),
        (&[SYS_WRITE, 1, 0x1000, 1], -EFAULT),
        // The buffer runs off the end of RAM.
        (&[SYS_WRITE, 1, RAM + 0xfff0, 0x20], -EFAULT),
        (&[57, 3, 0, 0], -ENOSYS),
    ];
    for (words, want) in cases {
        let b = block(&mut mem, words);
        wr(&mut mem, FROMHOST, 0);
        wr(&mut mem, TOHOST, b);
        h.serve(&mut mem, &mut c).unwrap();
        assert_eq!(rd(&mem, BLOCK) as i64, want, "{words:?}");
        assert_eq!(rd(&mem, FROMHOST), 1);
    }
    assert!(c.out.is_empty());
}

#[test]
fn syscall_exit_ends_the_run_without_response() {
    let (mut mem, mut h) = setup();
    let b = block(&mut mem, &[SYS_EXIT, 3]);
    wr(&mut mem, TOHOST, b);
    let out = h.serve(&mut mem, &mut Buf::default()).unwrap();
    assert_eq!(out, HtifOutcome::Exit(3));
    assert_eq!(rd(&mem, FROMHOST), 0);
}

#[test]
fn syscall_block_outside_ram_is_an_error() {
    let (mut mem, mut h) = setup();
    wr(&mut mem, TOHOST, 0x1000);
    assert_eq!(
        h.serve(&mut mem, &mut Buf::default()),
        Err(HtifError::SyscallBlockNotRam(a(0x1000)))
    );
    // The block's last doubleword past the end of RAM.
    wr(&mut mem, TOHOST, RAM + 0xfff8);
    assert!(h.serve(&mut mem, &mut Buf::default()).is_err());
}

#[test]
fn without_fromhost_syscalls_still_run() {
    let mut mem = PhysMem::new(1 << 20);
    mem.add_ram(a(RAM), 1 << 16).unwrap();
    let mut h = Htif::new(&mem, a(TOHOST), None).unwrap();
    mem.write_bytes(a(BUF), b"x").unwrap();
    let b = block(&mut mem, &[SYS_WRITE, 1, BUF, 1]);
    wr(&mut mem, TOHOST, b);
    let mut c = Buf::default();
    h.serve(&mut mem, &mut c).unwrap();
    assert_eq!(c.text(Stream::Stdout), b"x");
    assert_eq!(rd(&mem, BLOCK), 1);
}

#[test]
fn symbols_must_be_distinct_ram_words() {
    let mut mem = PhysMem::new(1 << 20);
    mem.add_ram(a(RAM), 1 << 16).unwrap();
    assert!(matches!(
        Htif::new(&mem, a(0x1000), None),
        Err(HtifError::NotRam { name: "tohost", .. })
    ));
    assert!(matches!(
        Htif::new(&mem, a(RAM + 0xfffc), None),
        Err(HtifError::NotRam { .. })
    ));
    assert!(matches!(
        Htif::new(&mem, a(TOHOST), Some(a(TOHOST + 4))),
        Err(HtifError::Overlap { .. })
    ));
}

proptest! {
    /// Completion rule of the module doc: a command is complete exactly when every byte of
    /// tohost has been stored, whatever the order and widths of the stores.
    #[test]
    fn complete_exactly_when_every_byte_is_stored(
        stores in proptest::collection::vec((0u64..12, 0u32..4), 1..12)
    ) {
        let (_, mut h) = setup();
        let mut covered = 0u8;
        for (start, log2) in stores {
            let len = 1u64 << log2;
            // Stores start up to 4 bytes before tohost.
            let addr = TOHOST - 4 + start;
            for b in addr..addr + len {
                if (TOHOST..TOHOST + 8).contains(&b) {
                    covered |= 1 << (b - TOHOST);
                }
            }
            prop_assert_eq!(h.note_store(addr, len), covered == 0xff);
        }
    }
}
