//! Unit tests of the ELF image parser. Expected values come from the gABI layouts, the
//! fixture sources and linker scripts (fixtures/<arch>/), and the ISA encodings, never from
//! the parser's own output.

use proptest::prelude::*;

use super::test_elf::{EM_RISCV, PT_NOTE, TestElf, TestSeg};
use super::*;
use crate::image::SegmentProblem;

const RISCV_TINY: &[u8] = include_bytes!("../../../fixtures/riscv64/tiny.elf");
const AARCH64_TINY: &[u8] = include_bytes!("../../../fixtures/aarch64/tiny.elf");
const X86_64_TINY: &[u8] = include_bytes!("../../../fixtures/x86_64/tiny.elf");

const R: u32 = 4;
const W: u32 = 2;
const X: u32 = 1;
const STT_FUNC_GLOBAL: u8 = 0x12;
const STT_OBJECT_LOCAL: u8 = 0x01;
const STT_OBJECT_GLOBAL: u8 = 0x11;

fn parse_err(bytes: &[u8]) -> ImageError {
    match ElfImage::parse(bytes) {
        Ok(img) => panic!("expected an error, parsed {img:?}"),
        Err(e) => e,
    }
}

fn one_segment(seg: TestSeg) -> Vec<u8> {
    let mut elf = TestElf::new(EM_RISCV, 0x8000_0000);
    elf.segments.push(seg);
    elf.build()
}

#[test]
fn riscv64_fixture_matches_its_source_and_linker_script() {
    let img = ElfImage::parse(RISCV_TINY).unwrap();
    assert_eq!(img.arch(), Arch::Riscv64);
    assert_eq!(img.elf_type(), ElfType::Exec);
    // link.ld: `. = 0x80000000`, ENTRY(_start), .text.init first.
    assert_eq!(img.entry(), 0x8000_0000);
    let segs = img.segments();
    assert_eq!(segs.len(), 2);
    let text = segs[0];
    assert_eq!((text.vaddr(), text.paddr()), (0x8000_0000, 0x8000_0000));
    assert_eq!(text.flags().to_string(), "r-x");
    // c.li t0,1 (2) + auipc/addi (8) + sd (4) + c.j (2) = 16 bytes.
    assert_eq!(text.filesz(), 16);
    assert_eq!(text.memsz(), 16);
    // c.li t0, 1: funct3=010 imm[5]=0 rd=5 imm[4:0]=1 op=01 -> 0x4285 (RVC, "C.LI").
    assert_eq!(&text.data()[..2], &[0x85, 0x42]);
    // .tohost at ALIGN(0x1000) after text: tohost (8) padded to 64, then fromhost (8).
    let tohost_seg = segs[1];
    assert_eq!(tohost_seg.vaddr(), 0x8000_1000);
    assert_eq!(tohost_seg.flags().to_string(), "rw-");
    assert_eq!(tohost_seg.filesz(), 0x48);
    assert!(tohost_seg.data().iter().all(|&b| b == 0));

    let tohost = img.symbol("tohost").unwrap();
    assert_eq!((tohost.value(), tohost.size()), (0x8000_1000, 8));
    assert_eq!(tohost.kind(), SymbolKind::Object);
    assert_eq!(tohost.binding(), SymbolBinding::Global);
    assert_eq!(img.symbol("fromhost").unwrap().value(), 0x8000_1040);
    let start = img.symbol("_start").unwrap();
    assert_eq!(
        (start.value(), start.kind()),
        (0x8000_0000, SymbolKind::Func)
    );
    assert!(img.symbol("no_such_symbol").is_none());
    assert_eq!(
        img.segment_at_vaddr(img.entry()).map(|s| s.index()),
        Some(text.index())
    );
}

#[test]
fn aarch64_fixture_matches_its_source() {
    let img = ElfImage::parse(AARCH64_TINY).unwrap();
    assert_eq!(img.arch(), Arch::Aarch64);
    assert_eq!(img.entry(), 0x4008_0000);
    let [text] = img.segments() else {
        panic!("expected one segment, got {:?}", img.segments())
    };
    // movz, movk, hvc, wfi, b: five 4-byte instructions.
    assert_eq!(text.filesz(), 20);
    // MOVZ X0, #8: sf=1 opc=10 100101 hw=00 imm16=8 Rd=0 -> 0xd2800100.
    assert_eq!(&text.data()[..4], &0xd280_0100u32.to_le_bytes());
    assert_eq!(img.symbol("_start").unwrap().size(), 20);
}

#[test]
fn x86_64_fixture_matches_its_source() {
    let img = ElfImage::parse(X86_64_TINY).unwrap();
    assert_eq!(img.arch(), Arch::X86_64);
    assert_eq!(img.entry(), 0x10_0000);
    let [text] = img.segments() else {
        panic!("expected one segment, got {:?}", img.segments())
    };
    // mov $0x3f8, %dx: operand-size prefix 66, B8+rw (BA for DX), imm16.
    assert_eq!(&text.data()[..4], &[0x66, 0xba, 0xf8, 0x03]);
}

#[test]
fn builder_image_round_trips() {
    let mut elf = TestElf::new(EM_RISCV, 0x8000_0004);
    elf.segments.push(TestSeg::load(
        0x8000_0000,
        &[1, 2, 3, 4, 5, 6, 7, 8],
        8,
        R | X,
    ));
    elf.segments
        .push(TestSeg::load(0x8000_2000, &[9; 4], 0x100, R | W));
    elf.symbols.push(("dup", 0x1111, STT_OBJECT_LOCAL, 1));
    elf.symbols.push(("dup", 0x2222, STT_OBJECT_GLOBAL, 1));
    elf.symbols
        .push(("_start", 0x8000_0004, STT_FUNC_GLOBAL, 1));
    let bytes = elf.build();
    let img = ElfImage::parse(&bytes).unwrap();
    assert_eq!(img.entry(), 0x8000_0004);
    assert_eq!(img.program_header_count(), 2);
    assert_eq!(img.section_count(), 3);
    assert_eq!(img.segments()[0].data(), &[1, 2, 3, 4, 5, 6, 7, 8]);
    let bss = img.segments()[1];
    assert_eq!((bss.filesz(), bss.memsz()), (4, 0x100));
    assert!(bss.contains_vaddr(0x8000_20ff));
    assert!(!bss.contains_vaddr(0x8000_2100));
    // A global definition wins over an earlier local one of the same name.
    assert_eq!(img.symbol("dup").unwrap().value(), 0x2222);
    assert_eq!(img.symbols().len(), 3);
}

#[test]
fn identification_errors_are_specific() {
    assert_eq!(parse_err(&[]), ImageError::Empty);
    assert!(
        matches!(parse_err(b"#!/bin/sh\n"), ImageError::NotElf { found } if found == "23 21 2f 62")
    );
    assert!(matches!(
        parse_err(b"\x7fEL"),
        ImageError::Truncated {
            needed: 16,
            len: 3,
            ..
        }
    ));

    let good = RISCV_TINY.to_vec();
    let with = |at: usize, v: u8| {
        let mut b = good.clone();
        b[at] = v;
        b
    };
    assert_eq!(parse_err(&with(4, 1)), ImageError::Elf32);
    assert_eq!(parse_err(&with(5, 2)), ImageError::BigEndian);
    assert!(matches!(
        parse_err(&with(4, 3)),
        ImageError::InvalidField {
            field: "e_ident[EI_CLASS]",
            value: 3,
            ..
        }
    ));
    assert!(matches!(
        parse_err(&with(5, 0)),
        ImageError::InvalidField {
            field: "e_ident[EI_DATA]",
            ..
        }
    ));
    assert!(matches!(
        parse_err(&with(6, 2)),
        ImageError::InvalidField {
            field: "e_ident[EI_VERSION]",
            ..
        }
    ));
    assert!(matches!(
        parse_err(&good[..40]),
        ImageError::Truncated {
            what: "ELF64 file header",
            needed: 64,
            len: 40,
            ..
        }
    ));
}

#[test]
fn unsupported_machine_and_type_are_rejected() {
    let mut elf = TestElf::new(40, 0); // EM_ARM: 32-bit Arm
    let err = parse_err(&elf.build());
    assert!(
        matches!(
            err,
            ImageError::UnsupportedMachine {
                machine: 40,
                name: "ARM"
            }
        ),
        "{err}"
    );
    elf.machine = EM_RISCV;
    elf.e_type = 1; // ET_REL
    assert!(matches!(
        parse_err(&elf.build()),
        ImageError::UnsupportedType {
            e_type: 1,
            name: "REL"
        }
    ));
}

#[test]
fn segment_file_range_must_be_inside_the_file() {
    let mut seg = TestSeg::load(0x8000_0000, &[0; 16], 16, R | X);
    seg.offset = Some(0x10_0000);
    let err = parse_err(&one_segment(seg.clone()));
    assert!(
        matches!(
            err,
            ImageError::BadSegment {
                index: 0,
                problem: SegmentProblem::FileRangeOutOfFile {
                    offset: 0x10_0000,
                    filesz: 16,
                    ..
                }
            }
        ),
        "{err}"
    );
    // p_offset + p_filesz wrapping around must not pass the bounds check.
    seg.offset = Some(u64::MAX - 3);
    assert!(matches!(
        parse_err(&one_segment(seg.clone())),
        ImageError::BadSegment { index: 0, .. }
    ));
    // The segment ends exactly one byte past the end of the file.
    let mut seg = TestSeg::load(0x8000_0000, &[0; 16], 16, R | X);
    seg.filesz = Some(17);
    seg.memsz = 17;
    assert!(matches!(
        parse_err(&one_segment(seg)),
        ImageError::BadSegment { index: 0, .. }
    ));
}

#[test]
fn segment_memsz_must_cover_filesz() {
    let seg = TestSeg::load(0x8000_0000, &[0; 16], 15, R | X);
    assert_eq!(
        parse_err(&one_segment(seg)),
        ImageError::BadSegment {
            index: 0,
            problem: SegmentProblem::MemszBelowFilesz {
                filesz: 16,
                memsz: 15
            }
        }
    );
}

#[test]
fn segment_address_range_must_not_wrap() {
    let seg = TestSeg::load(u64::MAX - 7, &[0; 8], 9, R);
    let err = parse_err(&one_segment(seg));
    assert!(
        matches!(
            err,
            ImageError::BadSegment {
                problem: SegmentProblem::AddressOverflow {
                    field: "p_vaddr",
                    ..
                },
                ..
            }
        ),
        "{err}"
    );
    // Ending exactly at 2^64 - 1 inclusive is fine: end = 2^64 is not representable, so
    // the last valid segment ends one byte earlier.
    let seg = TestSeg::load(u64::MAX - 8, &[0; 8], 8, R);
    assert!(ElfImage::parse(&one_segment(seg)).is_ok());
}

#[test]
fn overlapping_segments_are_rejected() {
    let mut elf = TestElf::new(EM_RISCV, 0x8000_0000);
    elf.segments
        .push(TestSeg::load(0x8000_0000, &[0; 8], 0x1000, R | X));
    elf.segments
        .push(TestSeg::load(0x8000_0800, &[0; 8], 0x10, R | W));
    let err = parse_err(&elf.build());
    assert!(
        matches!(
            err,
            ImageError::SegmentOverlap {
                field: "p_vaddr",
                first: 0,
                second: 1,
                ..
            }
        ),
        "{err}"
    );
    // Adjacent is not overlapping; overlapping only in p_paddr is still an overlap.
    elf.segments[1].vaddr = 0x8000_1000;
    elf.segments[1].paddr = 0x8000_0ff8;
    assert!(matches!(
        parse_err(&elf.build()),
        ImageError::SegmentOverlap {
            field: "p_paddr",
            ..
        }
    ));
    elf.segments[1].paddr = 0x8000_1000;
    assert!(ElfImage::parse(&elf.build()).is_ok());
}

#[test]
fn non_load_segments_are_not_loaded() {
    let mut elf = TestElf::new(EM_RISCV, 0x8000_0000);
    elf.segments
        .push(TestSeg::load(0x8000_0000, &[0; 8], 8, R | X));
    let mut note = TestSeg::load(0, &[0; 4], 4, R);
    note.p_type = PT_NOTE;
    elf.segments.push(note);
    let bytes = elf.build();
    let img = ElfImage::parse(&bytes).unwrap();
    assert_eq!(img.program_header_count(), 2);
    assert_eq!(img.segments().len(), 1);
    assert_eq!(img.segments()[0].index(), 0);
}

#[test]
fn header_tables_must_be_inside_the_file() {
    let mut bytes = RISCV_TINY.to_vec();
    // e_phoff is at offset 32 (Elf64_Ehdr).
    bytes[32..40].copy_from_slice(&0xffff_0000u64.to_le_bytes());
    assert!(matches!(
        parse_err(&bytes),
        ImageError::TableOutOfFile {
            table: "program header table",
            ..
        }
    ));

    let mut bytes = RISCV_TINY.to_vec();
    // e_shoff is at offset 40.
    bytes[40..48].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        parse_err(&bytes),
        ImageError::TableOutOfFile {
            table: "section header table",
            ..
        }
    ));

    let mut bytes = RISCV_TINY.to_vec();
    // e_phentsize is at offset 54.
    bytes[54..56].copy_from_slice(&32u16.to_le_bytes());
    assert!(matches!(
        parse_err(&bytes),
        ImageError::InvalidField {
            field: "e_phentsize",
            value: 32,
            ..
        }
    ));
}

#[test]
fn bad_symbol_names_are_reported() {
    let mut elf = TestElf::new(EM_RISCV, 0x8000_0000);
    elf.symbols.push(("ok", 1, STT_OBJECT_GLOBAL, 1));
    let mut bytes = elf.build();
    // The symbol table is the second-to-last section's data; point symbol 1's st_name far
    // outside the string table. Find it: section header 1 (symtab) sh_offset.
    let shoff = u64::from_le_bytes(bytes[40..48].try_into().unwrap()) as usize;
    let symtab_off =
        u64::from_le_bytes(bytes[shoff + 64 + 24..shoff + 64 + 32].try_into().unwrap()) as usize;
    bytes[symtab_off + 24..symtab_off + 28].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    let err = parse_err(&bytes);
    assert!(
        matches!(&err, ImageError::BadSymbols { section: 1, problem } if problem.contains("st_name")),
        "{err}"
    );
}

#[test]
fn every_truncation_of_a_fixture_is_an_error_not_a_panic() {
    for fixture in [RISCV_TINY, AARCH64_TINY, X86_64_TINY] {
        for len in 0..fixture.len() {
            // Cutting off the trailing section headers must fail; no prefix is a valid image
            // because the section header table is at the end of an lld-linked file.
            assert!(
                ElfImage::parse(&fixture[..len]).is_err(),
                "prefix of {len} bytes parsed"
            );
        }
    }
}

/// Whatever the bytes, parsing returns; an accepted image upholds the gABI PT_LOAD rules
/// (file bytes inside the file, p_memsz >= p_filesz, no wrapping address range).
fn check_invariants(bytes: &[u8]) {
    if let Ok(img) = ElfImage::parse(bytes) {
        for s in img.segments() {
            assert!(s.memsz() >= s.filesz());
            assert!(s.vaddr().checked_add(s.memsz()).is_some());
            assert!(s.paddr().checked_add(s.memsz()).is_some());
            let start = s.offset() as usize;
            assert_eq!(bytes.get(start..start + s.data().len()), Some(s.data()));
        }
    }
}

proptest! {
    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((0usize..256, any::<u8>()), 1..8),
        tail_edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut bytes = [RISCV_TINY, AARCH64_TINY, X86_64_TINY][which].to_vec();
        // Most structure lives in the header and the program headers (first 256 bytes);
        // the rest hits section headers and the symbol table.
        for (at, v) in edits {
            bytes[at] = v;
        }
        for (at, v) in tail_edits {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        check_invariants(&bytes);
    }

    #[test]
    fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..512), elfish in any::<bool>()) {
        if elfish && bytes.len() >= 7 {
            bytes[..7].copy_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1]);
        }
        check_invariants(&bytes);
    }
}
