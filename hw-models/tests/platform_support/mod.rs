//! Shared helpers of the platform integration tests: a board with Sv39x4 G-stage tables
//! mapping a small guest RAM, and program loading.

#![allow(dead_code)]

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::{GuestContext, GuestGprs, GuestRunEnd, RiscvHardware};
use hw_models::riscv::isa::encode::Assembler;
use hw_models::riscv::platform::{HartHandle, Platform, PlatformConfig};
use sim_core::AccessWidth;

/// Guest-physical RAM: 64 KiB at GPA 0x8000_0000, backed by HPA 0x8100_0000.
pub const GPA_BASE: u64 = 0x8000_0000;
pub const HPA_BASE: u64 = 0x8100_0000;
pub const GUEST_PAGES: u64 = 16;
/// G-stage tables: the 16 KiB Sv39x4 root (16 KiB aligned), then one level-1 and one
/// level-0 table.
pub const G_ROOT: u64 = 0x8080_0000;
pub const G_L1: u64 = 0x8080_4000;
pub const G_L0: u64 = 0x8080_5000;
/// An unmapped guest-physical address, as an emulated device would be.
pub const MMIO_GPA: u64 = 0x1000_0000;
pub const VMID: u64 = 5;

// PTE bits (priv "Sv39": V R W X U G A D).
pub const V: u64 = 1;
pub const R: u64 = 1 << 1;
pub const W: u64 = 1 << 2;
pub const X: u64 = 1 << 3;
pub const U: u64 = 1 << 4;
pub const A: u64 = 1 << 6;
pub const D: u64 = 1 << 7;
/// hgatp.MODE = Sv39x4.
pub const HGATP_SV39X4: u64 = 8 << 60;

pub const HSTATUS_GVA: u64 = 1 << 6;
pub const HSTATUS_SPV: u64 = 1 << 7;
pub const HSTATUS_SPVP: u64 = 1 << 8;
pub const SSTATUS_SPP: u64 = 1 << 8;

pub fn pte(pa: u64, flags: u64) -> u64 {
    ((pa >> 12) << 10) | flags
}

pub fn write64(p: &mut Platform, addr: u64, v: u64) {
    p.write_mem(addr, &v.to_le_bytes()).unwrap();
}

pub fn read32(p: &Platform, addr: u64) -> u32 {
    p.mem()
        .read(sim_core::HostPhysAddr::new(addr), AccessWidth::Dword)
        .unwrap() as u32
}

/// Maps guest page `i` (GPA_BASE + i*4K) to host page `hpa`.
pub fn map_guest_page(p: &mut Platform, i: u64, hpa: u64) {
    write64(p, G_L0 + i * 8, pte(hpa, V | R | W | X | U | A | D));
}

/// A board whose G-stage maps GUEST_PAGES pages of guest RAM; hart 0 prepared for run_guest
/// into VS at `GPA_BASE + entry_off`.
pub fn board(harts: usize, slice: u64) -> Platform {
    let mut p = Platform::new(PlatformConfig {
        harts,
        ram_size: 32 << 20,
        slice,
        ..PlatformConfig::default()
    })
    .unwrap();
    build_g_stage(&mut p);
    p
}

/// Loads a program at guest page `page` and points sepc at it, in VS (SPV = 1, SPP = S).
pub fn enter_at(cpu: &mut HartHandle<'_>, page: u64) {
    cpu.csr_write(csr_num::HGATP, HGATP_SV39X4 | (VMID << 44) | (G_ROOT >> 12))
        .unwrap();
    cpu.csr_write(csr_num::VSATP, 0).unwrap();
    cpu.csr_set(csr_num::HSTATUS, HSTATUS_SPV).unwrap();
    cpu.csr_set(csr_num::SSTATUS, SSTATUS_SPP).unwrap();
    cpu.csr_write(csr_num::SEPC, GPA_BASE + page * 4096)
        .unwrap();
}

pub fn load(p: &mut Platform, page: u64, build: impl FnOnce(&mut Assembler)) {
    let mut a = Assembler::new(GPA_BASE + page * 4096);
    build(&mut a);
    let code = a.finish().unwrap();
    p.write_mem(HPA_BASE + page * 4096, &code).unwrap();
}

/// Writes the G-stage tables mapping GUEST_PAGES pages of guest RAM.
pub fn build_g_stage(p: &mut Platform) {
    // Sv39x4 root index = GPA[40:30]; GPA 0x8000_0000 -> index 2.
    write64(p, G_ROOT + 2 * 8, pte(G_L1, V));
    write64(p, G_L1, pte(G_L0, V));
    for i in 0..GUEST_PAGES {
        map_guest_page(p, i, HPA_BASE + i * 4096);
    }
}

/// `run_guest` with the guest's sstatus, hstatus and sepc taken from, and put back into,
/// the hart's CSRs: the tests set up an entry with CSR writes and inspect the trap with CSR
/// reads, as HS code without a world-switch context would. (The swap itself is checked in
/// platform_guest.rs, `world_switch_swaps_guest_csrs_and_restores_the_hypervisors`.)
pub trait RunWithCsrs: RiscvHardware {
    fn run_guest_csrs(&mut self, gprs: &mut GuestGprs) -> GuestRunEnd {
        let mut ctx = GuestContext {
            gprs: *gprs,
            sstatus: self.csr_read(csr_num::SSTATUS).unwrap(),
            hstatus: self.csr_read(csr_num::HSTATUS).unwrap(),
            sepc: self.csr_read(csr_num::SEPC).unwrap(),
            ..GuestContext::default()
        };
        let end = self.run_guest(&mut ctx);
        *gprs = ctx.gprs;
        self.csr_write(csr_num::SSTATUS, ctx.sstatus).unwrap();
        self.csr_write(csr_num::HSTATUS, ctx.hstatus).unwrap();
        self.csr_write(csr_num::SEPC, ctx.sepc).unwrap();
        end
    }
}

impl<T: RiscvHardware + ?Sized> RunWithCsrs for T {}
