//! Shared helpers for the hart integration tests: a RAM bus, program loading, and a page-table
//! builder for Sv39 / Sv39x4 written from the priv spec's PTE format (not from the MMU code).
#![allow(dead_code)]

use hw_models::riscv::hart::{Hart, HartConfig, RamBus};
use hw_models::riscv::isa::encode::{Assembler, EncResult};
use sim_core::{AccessWidth, HostPhysAddr};

/// Host RAM: 16 MiB at 0x8000_0000.
pub const RAM_BASE: u64 = 0x8000_0000;
pub const RAM_SIZE: u64 = 0x100_0000;

pub const PTE_V: u64 = 1;
pub const PTE_R: u64 = 2;
pub const PTE_W: u64 = 4;
pub const PTE_X: u64 = 8;
pub const PTE_U: u64 = 16;
pub const PTE_G: u64 = 32;
pub const PTE_A: u64 = 64;
pub const PTE_D: u64 = 128;
/// A leaf everyone may use: V R W X A D (+U when asked).
pub const RWXAD: u64 = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;

/// satp/vsatp/hgatp MODE values (RV64).
pub const SV39: u64 = 8;

pub fn atp(mode: u64, id: u64, ppn: u64) -> u64 {
    (mode << 60) | (id << 44) | ppn
}

pub fn ok<T>(r: EncResult<T>) -> T {
    r.unwrap_or_else(|err| panic!("encode: {err}"))
}

pub fn bus() -> RamBus {
    RamBus::new(RAM_BASE, RAM_SIZE).unwrap_or_else(|e| panic!("{e}"))
}

pub fn hart(cfg: HartConfig) -> Hart {
    Hart::new(HartConfig {
        reset_pc: RAM_BASE,
        ..cfg
    })
}

pub fn write_bytes(bus: &mut RamBus, at: u64, bytes: &[u8]) {
    bus.mem
        .write_bytes(HostPhysAddr::new(at), bytes)
        .unwrap_or_else(|e| panic!("{e}"));
}

pub fn write_words(bus: &mut RamBus, at: u64, words: &[u32]) {
    for (i, w) in words.iter().enumerate() {
        write_bytes(bus, at + 4 * i as u64, &w.to_le_bytes());
    }
}

pub fn read64(bus: &RamBus, at: u64) -> u64 {
    bus.mem
        .read(HostPhysAddr::new(at), AccessWidth::Qword)
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn write64(bus: &mut RamBus, at: u64, v: u64) {
    bus.mem
        .write(HostPhysAddr::new(at), AccessWidth::Qword, v)
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Assembles a program at `base` and loads it at host address `load_at`.
pub fn load(bus: &mut RamBus, base: u64, load_at: u64, f: impl FnOnce(&mut Assembler)) {
    let mut a = Assembler::new(base);
    f(&mut a);
    let code = ok(a.finish());
    write_bytes(bus, load_at, &code);
}

pub fn set(h: &mut Hart, csr: u16, v: u64) {
    h.set_csr(csr, v)
        .unwrap_or_else(|e| panic!("set csr {csr:#x}: {e}"));
}

pub fn get(h: &Hart, csr: u16) -> u64 {
    h.csr(csr).unwrap_or_else(|e| panic!("csr {csr:#x}: {e}"))
}

/// Builds Sv39 (or, with `x4`, Sv39x4) page tables in host memory. Table frames come from a
/// bump allocator over host addresses; `host_of` maps a table's own address space (GPA for
/// VS-level tables) to host, so VS tables can be written where the G-stage puts them.
pub struct Tables {
    /// Next free host frame.
    pub next: u64,
}

impl Tables {
    pub fn new(first_free: u64) -> Self {
        Self { next: first_free }
    }

    /// Allocates a zeroed table of `size` bytes aligned to `size`; returns its host address.
    pub fn alloc(&mut self, bus: &mut RamBus, size: u64) -> u64 {
        let at = self.next.next_multiple_of(size);
        self.next = at + size;
        for off in (0..size).step_by(8) {
            write64(bus, at + off, 0);
        }
        at
    }

    /// Maps `va` → `pa` with a leaf at `leaf_level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB) in the
    /// 3-level table rooted at `root` (address in the tables' own space). `x4`: the root
    /// index has 2 more bits (Sv39x4). `space_to_host` converts table addresses to host;
    /// `host_to_space` converts newly allocated host frames back.
    #[allow(clippy::too_many_arguments)]
    pub fn map(
        &mut self,
        bus: &mut RamBus,
        root: u64,
        va: u64,
        pa: u64,
        flags: u64,
        leaf_level: u32,
        x4: bool,
        space_to_host: &dyn Fn(u64) -> u64,
        host_to_space: &dyn Fn(u64) -> u64,
    ) {
        let mut table = root;
        for level in (0..3u32).rev() {
            let bits = if level == 2 && x4 { 11 } else { 9 };
            let idx = (va >> (12 + 9 * level)) & ((1 << bits) - 1);
            let pte_addr = space_to_host(table + idx * 8);
            if level == leaf_level {
                write64(bus, pte_addr, ((pa >> 12) << 10) | flags);
                return;
            }
            let pte = read64(bus, pte_addr);
            if pte & PTE_V != 0 {
                table = (pte >> 10) << 12;
            } else {
                let host = self.alloc(bus, 4096);
                let next = host_to_space(host);
                write64(bus, pte_addr, ((next >> 12) << 10) | PTE_V);
                table = next;
            }
        }
    }
}

/// Identity address conversion.
pub fn ident(a: u64) -> u64 {
    a
}

/// Two-stage layout used by the VS tests.
pub mod guest {
    /// G-stage: GPA [0x8000_0000, +4 MiB) → HPA [0x8040_0000, +4 MiB) with two 2 MiB
    /// megapages (user, RWX, A, D).
    pub const GPA_RAM: u64 = 0x8000_0000;
    pub const HPA_RAM: u64 = 0x8040_0000;
    pub const GUEST_RAM_SIZE: u64 = 0x40_0000;
    /// Host frames for G-stage tables.
    pub const HOST_TABLES: u64 = 0x8010_0000;
    /// Host frames for VS-level tables (inside guest RAM: GPA 0x8010_0000).
    pub const VS_TABLES_HPA: u64 = HPA_RAM + 0x10_0000;
    /// Guest code: GVA 0x1000_0000 → GPA 0x8000_0000.
    pub const GVA_CODE: u64 = 0x1000_0000;
    /// Guest data: GVA 0x2000_0000 → GPA 0x8000_8000 (4 pages).
    pub const GVA_DATA: u64 = 0x2000_0000;
    pub const GPA_DATA: u64 = GPA_RAM + 0x8000;
    /// An unmapped guest-physical page (MMIO): GVA 0x3000_0000 → GPA 0x1000_0000.
    pub const GVA_MMIO: u64 = 0x3000_0000;
    pub const GPA_MMIO: u64 = 0x1000_0000;
    /// VMID used by the tests.
    pub const VMID: u64 = 5;
    /// ASID used by the tests.
    pub const ASID: u64 = 3;

    pub fn gpa_to_hpa(g: u64) -> u64 {
        g - GPA_RAM + HPA_RAM
    }
    pub fn hpa_to_gpa(h: u64) -> u64 {
        h - HPA_RAM + GPA_RAM
    }
}

/// Builds the [`guest`] layout; returns (hgatp, vsatp) values.
pub fn two_stage(bus: &mut RamBus) -> (u64, u64) {
    use guest::*;
    let mut host = Tables::new(HOST_TABLES);
    let g_root = host.alloc(bus, 16 * 1024);
    for k in 0..2 {
        host.map(
            bus,
            g_root,
            GPA_RAM + k * 0x20_0000,
            HPA_RAM + k * 0x20_0000,
            RWXAD | PTE_U,
            1,
            true,
            &ident,
            &ident,
        );
    }
    let mut vs = Tables::new(VS_TABLES_HPA);
    let vs_root_h = vs.alloc(bus, 4096);
    let vs_root = hpa_to_gpa(vs_root_h);
    let s2h = |g: u64| gpa_to_hpa(g);
    let h2s = |h: u64| hpa_to_gpa(h);
    // Code: 4 pages, readable/executable by VS and VU (U set: VS runs it without SUM only for
    // fetch... VS cannot fetch from U pages, so code pages are split: first two S, next two U).
    for k in 0..2 {
        vs.map(
            bus,
            vs_root,
            GVA_CODE + k * 0x1000,
            GPA_RAM + k * 0x1000,
            RWXAD,
            0,
            false,
            &s2h,
            &h2s,
        );
    }
    for k in 2..4 {
        vs.map(
            bus,
            vs_root,
            GVA_CODE + k * 0x1000,
            GPA_RAM + k * 0x1000,
            RWXAD | PTE_U,
            0,
            false,
            &s2h,
            &h2s,
        );
    }
    for k in 0..4 {
        vs.map(
            bus,
            vs_root,
            GVA_DATA + k * 0x1000,
            GPA_DATA + k * 0x1000,
            RWXAD | PTE_U,
            0,
            false,
            &s2h,
            &h2s,
        );
    }
    vs.map(
        bus,
        vs_root,
        GVA_MMIO,
        GPA_MMIO,
        RWXAD | PTE_U,
        0,
        false,
        &s2h,
        &h2s,
    );
    (
        atp(SV39, VMID, g_root >> 12),
        atp(SV39, ASID, vs_root >> 12),
    )
}
