//! [`PlatformCpu`]: the platform board plus "which hart this code runs on", as one owned
//! [`RiscvHardware`] the Machine can lend out.
//!
//! The platform's own handle, `HartHandle<'a>`, borrows the board for one call; the
//! Machine's backend trait hands out `&mut Hardware` from the backend, so the hardware type
//! has to be owned. `PlatformCpu` owns the board and a selected hart and builds the borrowed
//! handle per instruction. Selecting a hart (`select`) is what the Machine does before it
//! calls the vCPU layer, the software analogue of code running on that core.

use hw_models::riscv::firmware::HsmState;
use hw_models::riscv::hw::{GuestContext, GuestRunEnd, HwTrap, RiscvHardware, SbiRet};
use hw_models::riscv::platform::{HartHandle, Platform};
use sim_core::AccessWidth;

/// scause of an illegal-instruction exception (priv spec, "Supervisor Cause Register"):
/// what an instruction on a non-existent hart would be, should one ever be selected.
const CAUSE_ILLEGAL_INSTRUCTION: u64 = 2;
/// SBI_ERR_FAILED.
const SBI_ERR_FAILED: i64 = -1;

/// The board and the selected physical hart.
#[derive(Debug)]
pub struct PlatformCpu {
    platform: Platform,
    current: usize,
}

impl PlatformCpu {
    /// Wraps a board; hart 0 is selected.
    pub fn new(platform: Platform) -> Self {
        Self {
            platform,
            current: 0,
        }
    }

    /// Selects physical hart `n` (ignored if the board has no such hart): completes a
    /// pending start of that hart and services the board's M-level interrupts, once; the
    /// instructions that follow use the cheap handle.
    pub fn select(&mut self, n: usize) {
        // Re-selecting the running hart has nothing to complete: `run_guest` and every CSR
        // access service that hart's M-level interrupts themselves.
        if n == self.current && self.platform.hsm_state(n) == Some(HsmState::Started) {
            return;
        }
        if self.platform.hart_handle(n).is_some() {
            self.current = n;
        }
    }

    /// The selected hart.
    pub fn current(&self) -> usize {
        self.current
    }

    /// The board.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The board, mutably.
    pub fn platform_mut(&mut self) -> &mut Platform {
        &mut self.platform
    }

    fn handle(&mut self) -> Option<HartHandle<'_>> {
        self.platform.hart_handle_selected(self.current)
    }
}

fn no_hart() -> HwTrap {
    HwTrap {
        cause: CAUSE_ILLEGAL_INSTRUCTION,
        tval: 0,
        htval: 0,
        htinst: 0,
    }
}

impl RiscvHardware for PlatformCpu {
    fn csr_read(&mut self, csr: u16) -> Result<u64, HwTrap> {
        self.handle().ok_or_else(no_hart)?.csr_read(csr)
    }

    fn csr_write(&mut self, csr: u16, value: u64) -> Result<(), HwTrap> {
        self.handle().ok_or_else(no_hart)?.csr_write(csr, value)
    }

    fn csr_set(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap> {
        self.handle().ok_or_else(no_hart)?.csr_set(csr, bits)
    }

    fn csr_clear(&mut self, csr: u16, bits: u64) -> Result<u64, HwTrap> {
        self.handle().ok_or_else(no_hart)?.csr_clear(csr, bits)
    }

    fn hfence_vvma(&mut self, vaddr: Option<u64>, asid: Option<u64>) {
        if let Some(mut h) = self.handle() {
            h.hfence_vvma(vaddr, asid);
        }
    }

    fn hfence_gvma(&mut self, gaddr: Option<u64>, vmid: Option<u64>) {
        if let Some(mut h) = self.handle() {
            h.hfence_gvma(gaddr, vmid);
        }
    }

    fn hlv(&mut self, addr: u64, width: AccessWidth, signed: bool) -> Result<u64, HwTrap> {
        self.handle().ok_or_else(no_hart)?.hlv(addr, width, signed)
    }

    fn hlvx(&mut self, addr: u64, width: AccessWidth) -> Result<u64, HwTrap> {
        self.handle().ok_or_else(no_hart)?.hlvx(addr, width)
    }

    fn hsv(&mut self, addr: u64, width: AccessWidth, value: u64) -> Result<(), HwTrap> {
        self.handle().ok_or_else(no_hart)?.hsv(addr, width, value)
    }

    fn run_guest(&mut self, guest: &mut GuestContext) -> GuestRunEnd {
        match self.handle() {
            Some(mut h) => h.run_guest(guest),
            None => GuestRunEnd::SliceEnd,
        }
    }

    fn sbi_call(&mut self, eid: u64, fid: u64, args: [u64; 6]) -> SbiRet {
        match self.handle() {
            Some(mut h) => h.sbi_call(eid, fid, args),
            None => SbiRet {
                error: SBI_ERR_FAILED,
                value: 0,
            },
        }
    }
}
