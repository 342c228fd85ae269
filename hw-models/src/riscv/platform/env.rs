//! The firmware's view of the board: [`SbiEnv`] over the hart models and the devices.

use sim_core::HostPhysAddr;

use super::BoardStop;
use super::board::BoardHw;
use crate::dev::MmioDevice;
use crate::riscv::PrivLevel;
use crate::riscv::csr_num;
use crate::riscv::firmware::{Fence, SbiEnv, SystemReset};
use crate::riscv::hart::Hart;
use crate::riscv::privilege::Mode;
use sim_core::AccessWidth;

/// UART registers the firmware's console driver uses (as OpenSBI's uart8250 driver does).
const UART_RBR_THR: u64 = 0;
/// sstatus.SIE / mstatus.SIE.
const STATUS_SIE: u64 = 1 << 1;
/// hgatp.VMID (RV64: bits 57:44).
const HGATP_VMID_SHIFT: u32 = 44;
const HGATP_VMID_MASK: u64 = 0x3fff << HGATP_VMID_SHIFT;

/// The board under the firmware: its harts and hardware, borrowed for one firmware action.
pub(crate) struct FwEnv<'a> {
    pub harts: &'a mut [Hart],
    pub hw: &'a mut BoardHw,
}

impl FwEnv<'_> {
    fn hart(&mut self, h: usize) -> Option<&mut Hart> {
        self.harts.get_mut(h)
    }
}

impl SbiEnv for FwEnv<'_> {
    fn hart_count(&self) -> usize {
        self.harts.len()
    }

    fn csr_read(&mut self, hart: usize, csr: u16) -> u64 {
        self.harts
            .get(hart)
            .and_then(|h| h.csr(csr).ok())
            .unwrap_or(0)
    }

    fn csr_write(&mut self, hart: usize, csr: u16, value: u64) {
        if let Some(h) = self.hart(hart) {
            // M-mode reaches every CSR the hart has; one it lacks is not the firmware's
            // business (the write is dropped, as a WARL/absent CSR would behave).
            let _ = h.set_csr(csr, value);
        }
    }

    fn set_mtimecmp(&mut self, hart: usize, value: u64) {
        self.hw.bus.clint.set_mtimecmp(hart, value);
        self.hw.reschedule(hart);
        self.hw.update_lines(self.harts);
    }

    fn set_msip(&mut self, hart: usize, level: bool) {
        self.hw.bus.clint.set_msip(hart, level);
        self.hw.update_lines(self.harts);
    }

    fn fence(&mut self, hart: usize, fence: Fence) {
        let Some(h) = self.hart(hart) else { return };
        match fence {
            Fence::I => h.flush_icache(),
            // SFENCE.VMA from M fences the V=0 (HS/U) translations. The platform's harts
            // never make one: HS and the firmware are Rust, HLV/HSV and the guest translate
            // at V=1, and `run_guest` refuses hstatus.SPV = 0. With nothing cached at V=0,
            // the fence has nothing to remove.
            Fence::SfenceVma { .. } => {}
            Fence::HfenceGvma { gaddr, vmid } => h.hfence_gvma(gaddr, vmid),
            Fence::HfenceVvma { vmid, vaddr, asid } => {
                // HFENCE.VVMA acts on the VMID in the executing hart's hgatp: run it with the
                // caller's VMID swapped in, as OpenSBI does.
                let saved = h.csr(csr_num::HGATP).unwrap_or(0);
                let with =
                    (saved & !HGATP_VMID_MASK) | ((vmid << HGATP_VMID_SHIFT) & HGATP_VMID_MASK);
                let _ = h.set_csr(csr_num::HGATP, with);
                h.hfence_vvma(vaddr, asid);
                let _ = h.set_csr(csr_num::HGATP, saved);
            }
        }
    }

    fn is_ram(&self, addr: u64, len: u64) -> bool {
        self.hw
            .bus
            .mem
            .check_ram(HostPhysAddr::new(addr), len)
            .is_ok()
    }

    fn read_ram(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.hw
            .bus
            .mem
            .read_bytes(HostPhysAddr::new(addr), buf)
            .is_ok()
    }

    fn write_ram(&mut self, addr: u64, data: &[u8]) -> bool {
        let ok = self
            .hw
            .bus
            .mem
            .write_bytes(HostPhysAddr::new(addr), data)
            .is_ok();
        if ok {
            for h in self.harts.iter_mut() {
                h.invalidate_code(addr, data.len() as u64);
            }
        }
        ok
    }

    fn console_write(&mut self, bytes: &[u8]) -> usize {
        let uart = &mut self.hw.bus.uart;
        bytes
            .iter()
            .take_while(|&&b| {
                uart.write(UART_RBR_THR, AccessWidth::Byte, u64::from(b))
                    .is_ok()
            })
            .count()
    }

    fn console_read(&mut self, buf: &mut [u8]) -> usize {
        let uart = &mut self.hw.bus.uart;
        let mut n = 0;
        for slot in buf.iter_mut() {
            if uart.pending_input() == 0 {
                break;
            }
            match uart.read(UART_RBR_THR, AccessWidth::Byte) {
                Ok(b) => *slot = b as u8,
                Err(_) => break,
            }
            n += 1;
        }
        n
    }

    fn enter_supervisor(&mut self, hart: usize, privilege: PrivLevel, pc: u64, opaque: u64) {
        let Some(h) = self.hart(hart) else { return };
        h.set_mode(Mode {
            privilege,
            virt: false,
        });
        h.set_pc(pc);
        let _ = h.set_reg(10, hart as u64);
        let _ = h.set_reg(11, opaque);
        let _ = h.set_csr(csr_num::SATP, 0);
        let ms = h.csr(csr_num::MSTATUS).unwrap_or(0);
        let _ = h.set_csr(csr_num::MSTATUS, ms & !STATUS_SIE);
    }

    fn park(&mut self, hart: usize) {
        if let Some(h) = self.hart(hart) {
            h.set_mode(Mode::M);
        }
    }

    fn wait_for_interrupt(&mut self, hart: usize) -> bool {
        loop {
            let pending = self.harts.get(hart).is_some_and(|h| h.interrupt_pending());
            if pending {
                return true;
            }
            // WFI wakes on mip & mie, M-level bits included (MTI with MTIE armed by
            // set_timer): the board services that M interrupt once the call returns.
            if !self.hw.skip_to_next_event(self.harts) {
                return false;
            }
        }
    }

    fn system_reset(&mut self, reset: SystemReset) {
        self.hw.stop = Some(BoardStop::Reset(reset));
    }
}
