//! The RISC-V hardware interface over real instructions (cargo feature `native`, only for
//! `target_arch = "riscv64"`).
//!
//! [`NativeHart`] implements [`RiscvHardware`] for the hart the code is running on, in
//! HS-mode, under an SBI firmware:
//! - `csr.rs`: CSRR/CSRW/CSRRS/CSRRC, one instruction per CSR number hvsim uses (the CSR
//!   number is an immediate); an unknown number is illegal-instruction without executing.
//! - `fence.rs`: HFENCE.VVMA and HFENCE.GVMA.
//! - `guest_mem.rs`: HLV, HLVX and HSV.
//! - `recover.rs`: how an instruction that traps (CSR access, HLV/HSV) comes back as an
//!   [`HwTrap`] value: a temporary stvec around the one instruction.
//! - `switch.rs`: `run_guest`, the world switch (save host, load guest, SRET; trap: save
//!   guest, restore host).
//! - `sbi.rs`: ECALL to the firmware.
//!
//! Nothing in the vCPU layer changes for native: it is written against the trait. The
//! module is the only place in hw-models with `unsafe`; every block says why it is sound.
//! On any other target the feature compiles to nothing (docs/native.md).
#![allow(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod csr;
mod fence;
mod guest_mem;
mod recover;
mod sbi;
mod switch;

use core::marker::PhantomData;

use sim_core::AccessWidth;

use super::hw::{GuestContext, GuestRunEnd, HwTrap, RiscvHardware, SbiRet};

pub use switch::SwitchContext;

/// The physical hart this code is running on, in HS-mode, driven with real instructions.
///
/// Zero-sized; it cannot be sent to another thread (a handle stands for *this* hart).
#[derive(Debug)]
pub struct NativeHart {
    _this_hart: PhantomData<*mut ()>,
}

impl NativeHart {
    /// A handle for the current hart.
    ///
    /// # Safety
    ///
    /// The caller must guarantee that:
    /// - the code runs in HS-mode (S-mode with the H extension, V=0) on a RISC-V hart, with
    ///   an SBI firmware below it, and with sstatus.SIE = 0 (host interrupts are taken
    ///   only while a guest runs, at the world switch's exit vector);
    /// - no other handle for this hart is used at the same time (the handle changes stvec,
    ///   sscratch and the trap CSRs);
    /// - every G-stage table given to hgatp through this handle maps guest-physical memory
    ///   only onto host memory that the guest may own: `run_guest` lets the guest access
    ///   whatever those tables map.
    pub unsafe fn new() -> Self {
        Self {
            _this_hart: PhantomData,
        }
    }
}

impl RiscvHardware for NativeHart {
    fn csr_read(&mut self, csr: u16) -> Result<u64, HwTrap> {
        csr::read(csr)
    }

    fn csr_write(&mut self, csr: u16, value: u64) -> Result<(), HwTrap> {
        csr::write(csr, value)
    }

    fn csr_set(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap> {
        csr::set(csr, bits)
    }

    fn csr_clear(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap> {
        csr::clear(csr, bits)
    }

    fn hfence_vvma(&mut self, vaddr: Option<u64>, asid: Option<u64>) {
        fence::hfence_vvma(vaddr, asid);
    }

    fn hfence_gvma(&mut self, gaddr: Option<u64>, vmid: Option<u64>) {
        fence::hfence_gvma(gaddr, vmid);
    }

    fn hlv(&mut self, addr: u64, width: AccessWidth, signed: bool) -> Result<u64, HwTrap> {
        guest_mem::hlv(addr, width, signed)
    }

    fn hlvx(&mut self, addr: u64, width: AccessWidth) -> Result<u64, HwTrap> {
        guest_mem::hlvx(addr, width)
    }

    fn hsv(&mut self, addr: u64, width: AccessWidth, value: u64) -> Result<(), HwTrap> {
        guest_mem::hsv(addr, width, value)
    }

    fn run_guest(&mut self, guest: &mut GuestContext) -> GuestRunEnd {
        switch::run_guest(guest)
    }

    fn sbi_call(&mut self, eid: u64, fid: u64, args: [u64; 6]) -> SbiRet {
        sbi::ecall(eid, fid, args)
    }
}
