//! Image loading (ELF, raw, Linux `Image`), guest RAM and the stage-2 table the Machine
//! builds, walked by a reference walker written from the spec.

mod machine_support;

use hvsim::Arch;
use hvsim::image::RawImageError;
use hvsim::machine::mock::MockBackend;
use hvsim::machine::{GuestImage, MachineBuilder, MachineError};
use machine_support::*;
use sim_core::{AccessWidth, GuestPhysAddr, HostPhysAddr};
use vcpu::mock::MockCall;
use vcpu::stage2::GStageMode;

const TINY_RV: &[u8] = include_bytes!("../fixtures/riscv64/tiny.elf");
const TINY_ARM: &[u8] = include_bytes!("../fixtures/aarch64/tiny.elf");

fn build(image: GuestImage) -> Result<hvsim::Machine<MockBackend>, MachineError> {
    MachineBuilder::new(MockBackend::new(1))
        .ram_size(16 << 20)
        .image(image)
        .build()
}

fn linux(text_offset: u64, image_size: u64, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len];
    for (i, b) in f.iter_mut().enumerate().skip(0x40) {
        *b = i as u8;
    }
    f[0..4].copy_from_slice(&[0x6f, 0x00, 0x00, 0x04]); // j +64 over the header
    f[8..16].copy_from_slice(&text_offset.to_le_bytes());
    f[16..24].copy_from_slice(&image_size.to_le_bytes());
    f[0x30..0x38].copy_from_slice(b"RISCV\0\0\0");
    f[0x38..0x3c].copy_from_slice(b"RSC\x05");
    f
}

fn guest_bytes(m: &mut hvsim::Machine<MockBackend>, gpa: u64, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    assert!(m.read_guest(gpa, &mut v), "{gpa:#x} is RAM");
    v
}

#[test]
fn elf_segments_go_to_their_physical_addresses() {
    let mut m = build(GuestImage::Elf(TINY_RV.to_vec())).unwrap();
    // tiny.elf: .text (0x10 bytes) at file 0x1000 -> 0x8000_0000, .data (0x48) at 0x2000 ->
    // 0x8000_1000; entry 0x8000_0000 (read from the file with readelf when it was built).
    assert_eq!(m.image().entry, 0x8000_0000);
    assert_eq!(
        guest_bytes(&mut m, 0x8000_0000, 0x10),
        TINY_RV[0x1000..0x1010]
    );
    assert_eq!(
        guest_bytes(&mut m, 0x8000_1000, 0x48),
        TINY_RV[0x2000..0x2048]
    );
    assert_eq!((m.image().start, m.image().end), (0x8000_0000, 0x8000_1048));
    let calls = m.vcpus()[0].arch().calls();
    assert_eq!(
        calls[0],
        MockCall::SetEntry(GuestPhysAddr::new(0x8000_0000))
    );
    assert_eq!(calls[1], MockCall::SetEptRoot(m.stage2_root()));
    // Auto-detection picks ELF by its magic.
    let m2 = build(GuestImage::Auto(TINY_RV.to_vec())).unwrap();
    assert_eq!(m2.image(), m.image());
}

#[test]
fn elf_errors() {
    let e = build(GuestImage::Elf(TINY_ARM.to_vec())).unwrap_err();
    assert!(
        matches!(
            e,
            MachineError::WrongArch {
                image: Arch::Aarch64,
                machine: Arch::Riscv64
            }
        ),
        "{e}"
    );
    let e = build(GuestImage::Elf(TINY_RV[..100].to_vec())).unwrap_err();
    assert!(matches!(e, MachineError::Elf(_)), "{e}");
    // RAM placed elsewhere: the segment at 0x8000_0000 is outside.
    let e = MachineBuilder::new(MockBackend::new(1))
        .ram_base(0x4000_0000)
        .ram_size(16 << 20)
        .image(GuestImage::Elf(TINY_RV.to_vec()))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("program header 0 (PT_LOAD)"), "{e}");
    assert!(e.to_string().contains("0x80000000"), "{e}");
}

#[test]
fn raw_images_default_and_explicit_address() {
    let bytes = vec![0x13, 0x05, 0x10, 0x00, 0x73, 0x00, 0x50, 0x10];
    let mut m = build(GuestImage::Raw {
        bytes: bytes.clone(),
        load_addr: None,
    })
    .unwrap();
    assert_eq!(m.image().entry, 0x8020_0000);
    assert_eq!(guest_bytes(&mut m, 0x8020_0000, 8), bytes);
    let mut m = build(GuestImage::Raw {
        bytes: bytes.clone(),
        load_addr: Some(0x8000_0000),
    })
    .unwrap();
    assert_eq!(m.image().entry, 0x8000_0000);
    assert_eq!(guest_bytes(&mut m, 0x8000_0000, 8), bytes);
    let e = build(GuestImage::Raw {
        bytes,
        load_addr: Some(0x80ff_fffc),
    })
    .unwrap_err();
    assert!(matches!(e, MachineError::OutsideRam { .. }), "{e}");
    let e = build(GuestImage::Raw {
        bytes: vec![],
        load_addr: None,
    })
    .unwrap_err();
    assert!(matches!(e, MachineError::Raw(RawImageError::Empty)), "{e}");
}

#[test]
fn linux_image_loads_at_ram_base_plus_text_offset() {
    let file = linux(0x20_0000, 0x3000, 0x1000);
    let mut m = build(GuestImage::Auto(file.clone())).unwrap();
    assert_eq!(m.image().entry, 0x8020_0000);
    assert_eq!(m.image().end, 0x8020_3000, "image_size covers the bss");
    assert_eq!(guest_bytes(&mut m, 0x8020_0000, 0x1000), file);
    let m = build(GuestImage::Raw {
        bytes: linux(0x40_0000, 0, 0x100),
        load_addr: Some(0x8000_0000),
    })
    .unwrap();
    assert_eq!(
        m.image().entry,
        0x8040_0000,
        "the header wins over load_addr"
    );
}

#[test]
fn malformed_linux_headers_are_clear_errors() {
    let e = build(GuestImage::Auto(linux(0x20_0010, 0, 0x100))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "raw image: Linux Image header: text_offset 0x200010 is not 4 KiB aligned"
    );
    let e = build(GuestImage::Auto(linux(0x20_0000, 0x10, 0x100))).unwrap_err();
    assert!(
        matches!(
            e,
            MachineError::Raw(RawImageError::ImageSizeTooSmall {
                image_size: 0x10,
                len: 0x100
            })
        ),
        "{e}"
    );
    let mut short = linux(0, 0, 0x40);
    short.truncate(0x3c);
    let e = build(GuestImage::Auto(short)).unwrap_err();
    assert!(
        matches!(
            e,
            MachineError::Raw(RawImageError::TruncatedHeader { len: 0x3c })
        ),
        "{e}"
    );
    // text_offset beyond RAM.
    let e = build(GuestImage::Auto(linux(0x100_0000, 0, 0x100))).unwrap_err();
    assert!(
        matches!(
            e,
            MachineError::OutsideRam {
                addr: 0x8100_0000,
                ..
            }
        ),
        "{e}"
    );
    // An image reaching the top of RAM leaves no room for the device tree.
    let e = build(GuestImage::Auto(linux(
        0x20_0000,
        (16 << 20) - 0x20_0000,
        0x100,
    )))
    .unwrap_err();
    assert!(matches!(e, MachineError::NoRoomForDtb { .. }), "{e}");
}

#[test]
fn bad_configurations() {
    let e = MachineBuilder::new(MockBackend::new(1))
        .build()
        .unwrap_err();
    assert_eq!(e.to_string(), "bad machine configuration: no image to boot");
    let e = builder(MockBackend::new(1)).vcpus(0).build().unwrap_err();
    assert!(e.to_string().contains("0 vCPUs"), "{e}");
    let e = builder(MockBackend::new(0)).build().unwrap_err();
    assert!(e.to_string().contains("no physical CPUs"), "{e}");
    let e = builder(MockBackend::new(1))
        .ram_size(0x1800)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("4 KiB aligned"), "{e}");
    let e = builder(MockBackend::new(1))
        .ram_base(1 << 41)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("41-bit"), "{e}");
    let e = builder(MockBackend::new(1)).quantum(0).build().unwrap_err();
    assert!(e.to_string().contains("quantum"), "{e}");
    let e = builder(MockBackend::new(1))
        .timebase(0)
        .build()
        .unwrap_err();
    assert!(matches!(e, MachineError::Clock(_)), "{e}");
    // More guest RAM than the board's host RAM.
    let e = MachineBuilder::new(MockBackend::with_host_ram(1, 8 << 20))
        .ram_size(16 << 20)
        .image(tiny_raw())
        .build()
        .unwrap_err();
    assert!(matches!(e, MachineError::Frames(_)), "{e}");
}

/// Reference G-stage walk over the board's memory (priv spec "Two-Stage Address
/// Translation": 16 KiB root indexed by the top 11 GPA bits, 9-bit lower levels).
fn walk(mem: &sim_core::mem::PhysMem, root: u64, levels: u32, gpa: u64) -> Option<u64> {
    let mut table = root;
    for level in (0..levels).rev() {
        let shift = 12 + 9 * level;
        let bits = if level == levels - 1 { 11 } else { 9 };
        let idx = (gpa >> shift) & ((1 << bits) - 1);
        let pte = mem
            .read(HostPhysAddr::new(table + 8 * idx), AccessWidth::Qword)
            .unwrap();
        if pte & 1 == 0 {
            return None;
        }
        let next = (pte >> 10) << 12;
        if pte & 0xe != 0 {
            assert_eq!(pte & 0xff, 0xdf, "V|R|W|X|U|A|D");
            return Some(next + (gpa & ((1 << shift) - 1)));
        }
        table = next;
    }
    None
}

/// norm:hgatp_mode_sv39x4, norm:hgatp_mode_sv48x4: every guest RAM page maps to its host
/// frame, and the device windows stay unmapped (so accesses there exit as MMIO).
#[test]
fn stage2_maps_ram_and_only_ram() {
    for (mode, levels) in [(GStageMode::Sv39x4, 3), (GStageMode::Sv48x4, 4)] {
        let m = MachineBuilder::new(MockBackend::new(1))
            .ram_size(6 << 20)
            .gstage(mode)
            .image(tiny_raw())
            .build()
            .unwrap();
        let ram = m.ram();
        let mem = m.backend().mem();
        let root = m.stage2_root().as_u64();
        assert_eq!(root % 0x4000, 0, "16 KiB aligned root");
        assert_eq!(
            ram.hpa.as_u64() % (2 << 20),
            0,
            "guest RAM backed by a 2 MiB aligned run"
        );
        for page in (0..ram.size).step_by(0x1000) {
            let gpa = ram.gpa.as_u64() + page;
            assert_eq!(
                walk(mem, root, levels, gpa + 8),
                Some(ram.hpa.as_u64() + page + 8)
            );
        }
        for gpa in [0x1000_0000, 0x10_0000, 0x7fff_f000, ram.end(), 0] {
            assert_eq!(walk(mem, root, levels, gpa), None, "{gpa:#x}");
        }
    }
}
