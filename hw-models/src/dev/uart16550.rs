//! An NS16550A UART (QEMU `virt` at 0x1000_0000), register shift 0: eight byte-wide registers.
//!
//! | off | DLAB=0 read | DLAB=0 write | DLAB=1 |
//! |-----|-------------|--------------|--------|
//! | 0   | RBR         | THR          | DLL    |
//! | 1   | IER         | IER          | DLM    |
//! | 2   | IIR         | FCR          | (same) |
//! | 3   | LCR         | LCR          |        |
//! | 4   | MCR         | MCR          |        |
//! | 5   | LSR         | (ignored)    |        |
//! | 6   | MSR         | (ignored)    |        |
//! | 7   | SCR         | SCR          |        |
//!
//! Model choices (the datasheet's timing does not exist in zero-time virtual hardware; see
//! `docs/devices.md`):
//! - Any access width is accepted at offsets 0..8; the access reaches only the byte register
//!   at that offset (writes use the low byte, reads are zero-extended), as QEMU's `serial_mm`
//!   does. Offsets 8 and up are [`DevError::BadOffset`].
//! - Transmission is instantaneous: THR is always empty, LSR.THRE and LSR.TEMT always read 1.
//!   Transmitted bytes go to an output buffer the board drains with
//!   [`Uart16550::take_output`].
//! - Receive: the host queues line input with [`Uart16550::push_input`]. It enters the receive
//!   FIFO (16 bytes with FCR.FIFOE set, one byte holding register without) as room becomes
//!   free: host input is flow-controlled and never overruns. In loopback mode the receiver is
//!   disconnected from the line; THR writes go to the receive FIFO instead of the output, and
//!   an overrun there sets LSR.OE, as on hardware.
//! - In FIFO mode, data below the trigger level raises the character-timeout interrupt at once
//!   (no more characters arrive in zero time), so received data is never stranded.
//! - Outside loopback the modem inputs read as CTS, DSR and DCD asserted, RI not (MSR = 0xB0).
//! - The interrupt output ([`Uart16550::irq_pending`]) is IIR bit 0 inverted; it is not gated by
//!   MCR.OUT2 (a PC-board convention, absent on `virt`).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use sim_core::AccessWidth;

use super::{DevError, MmioDevice};

/// Size of the register window (register shift 0).
pub const UART_SIZE: u64 = 8;
/// Most transmitted bytes kept before the board drains them; more are counted and dropped so
/// a chatty guest cannot exhaust host memory.
pub const UART_OUTPUT_LIMIT: usize = 1 << 20;
/// Receive FIFO depth in FIFO mode.
const FIFO_DEPTH: usize = 16;

// Register offsets.
const RBR_THR_DLL: u64 = 0;
const IER_DLM: u64 = 1;
const IIR_FCR: u64 = 2;
const LCR: u64 = 3;
const MCR: u64 = 4;
const LSR: u64 = 5;
const MSR: u64 = 6;
const SCR: u64 = 7;

// IER bits.
const IER_ERBFI: u8 = 1 << 0;
const IER_ETBEI: u8 = 1 << 1;
const IER_ELSI: u8 = 1 << 2;
const IER_EDSSI: u8 = 1 << 3;
const IER_MASK: u8 = 0x0f;

// IIR values (bits 3:0) and FIFO-enabled flags (bits 7:6).
const IIR_NO_INT: u8 = 0x01;
const IIR_RLS: u8 = 0x06;
const IIR_RDA: u8 = 0x04;
const IIR_CTI: u8 = 0x0c;
const IIR_THRE: u8 = 0x02;
const IIR_MSI: u8 = 0x00;
const IIR_FIFO_ENABLED: u8 = 0xc0;

// FCR bits.
const FCR_FIFOE: u8 = 1 << 0;
const FCR_RX_RESET: u8 = 1 << 1;
const FCR_TRIGGER_SHIFT: u32 = 6;
/// Receive trigger levels selected by FCR bits 7:6.
const RX_TRIGGER: [usize; 4] = [1, 4, 8, 14];
/// FCR bits kept for IIR/trigger purposes (FCR itself is write-only).
const FCR_KEEP: u8 = 0xc9;

// LCR bits.
const LCR_DLAB: u8 = 1 << 7;

// MCR bits.
const MCR_DTR: u8 = 1 << 0;
const MCR_RTS: u8 = 1 << 1;
const MCR_OUT1: u8 = 1 << 2;
const MCR_OUT2: u8 = 1 << 3;
const MCR_LOOP: u8 = 1 << 4;
const MCR_MASK: u8 = 0x1f;

// LSR bits.
const LSR_DR: u8 = 1 << 0;
const LSR_OE: u8 = 1 << 1;
const LSR_THRE: u8 = 1 << 5;
const LSR_TEMT: u8 = 1 << 6;

// MSR bits.
const MSR_DCTS: u8 = 1 << 0;
const MSR_DDSR: u8 = 1 << 1;
const MSR_TERI: u8 = 1 << 2;
const MSR_DDCD: u8 = 1 << 3;
const MSR_DELTAS: u8 = 0x0f;
const MSR_CTS: u8 = 1 << 4;
const MSR_DSR: u8 = 1 << 5;
const MSR_RI: u8 = 1 << 6;
const MSR_DCD: u8 = 1 << 7;
/// Modem inputs outside loopback: a connected, ready peer.
const MSR_LINE_INPUTS: u8 = MSR_CTS | MSR_DSR | MSR_DCD;

/// An NS16550A.
///
/// ```
/// use hw_models::dev::{MmioDevice, Uart16550};
/// use sim_core::AccessWidth;
///
/// let mut uart = Uart16550::new();
/// uart.write(0, AccessWidth::Byte, u64::from(b'h')).unwrap();
/// assert_eq!(uart.take_output(), b"h");
/// uart.push_input(b"y");
/// assert_eq!(uart.read(5, AccessWidth::Byte), Ok(0x61)); // LSR: TEMT | THRE | DR
/// assert_eq!(uart.read(0, AccessWidth::Byte), Ok(u64::from(b'y')));
/// ```
#[derive(Clone, Debug)]
pub struct Uart16550 {
    ier: u8,
    fcr: u8,
    lcr: u8,
    mcr: u8,
    lsr_oe: bool,
    /// MSR bits 7:4 as last computed, and the sticky delta bits 3:0.
    msr: u8,
    scr: u8,
    dll: u8,
    dlm: u8,
    /// THRE interrupt source latch: set when THR empties or ETBEI is enabled, cleared by an
    /// IIR read that reports it or by a THR write.
    thr_ipending: bool,
    rx_fifo: VecDeque<u8>,
    host_input: VecDeque<u8>,
    output: Vec<u8>,
    dropped: u64,
}

impl Default for Uart16550 {
    fn default() -> Self {
        Self::new()
    }
}

impl Uart16550 {
    /// A UART in its reset state (all registers 0, LSR = THRE | TEMT, no interrupt).
    pub fn new() -> Self {
        Self {
            ier: 0,
            fcr: 0,
            lcr: 0,
            mcr: 0,
            lsr_oe: false,
            msr: MSR_LINE_INPUTS,
            scr: 0,
            dll: 0,
            dlm: 0,
            thr_ipending: false,
            rx_fifo: VecDeque::new(),
            host_input: VecDeque::new(),
            output: Vec::new(),
            dropped: 0,
        }
    }

    /// Queues bytes arriving on the serial line.
    pub fn push_input(&mut self, bytes: &[u8]) {
        self.host_input.extend(bytes);
        self.refill();
    }

    /// Bytes queued on the line that the guest has not read yet (FIFO + pending input).
    pub fn pending_input(&self) -> usize {
        self.rx_fifo.len() + self.host_input.len()
    }

    /// Removes and returns the transmitted bytes.
    pub fn take_output(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.output)
    }

    /// Transmitted bytes not yet taken.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Transmitted bytes dropped because the output buffer was full.
    pub fn dropped_output(&self) -> u64 {
        self.dropped
    }

    /// The level of the interrupt output.
    pub fn irq_pending(&self) -> bool {
        self.iir() & IIR_NO_INT == 0
    }

    /// The divisor latch (DLM:DLL). Kept for software that reads it back; it has no effect on
    /// the zero-time line.
    pub fn divisor(&self) -> u16 {
        u16::from_le_bytes([self.dll, self.dlm])
    }

    fn fifo_enabled(&self) -> bool {
        self.fcr & FCR_FIFOE != 0
    }

    fn loopback(&self) -> bool {
        self.mcr & MCR_LOOP != 0
    }

    fn dlab(&self) -> bool {
        self.lcr & LCR_DLAB != 0
    }

    fn rx_capacity(&self) -> usize {
        if self.fifo_enabled() { FIFO_DEPTH } else { 1 }
    }

    fn rx_trigger(&self) -> usize {
        RX_TRIGGER[usize::from(self.fcr >> FCR_TRIGGER_SHIFT) & (RX_TRIGGER.len() - 1)]
    }

    /// Moves line input into the receive FIFO while there is room (the receiver is
    /// disconnected from the line in loopback).
    fn refill(&mut self) {
        if self.loopback() {
            return;
        }
        while self.rx_fifo.len() < self.rx_capacity() {
            match self.host_input.pop_front() {
                Some(b) => self.rx_fifo.push_back(b),
                None => break,
            }
        }
    }

    fn lsr(&self) -> u8 {
        let mut lsr = LSR_THRE | LSR_TEMT;
        if !self.rx_fifo.is_empty() {
            lsr |= LSR_DR;
        }
        if self.lsr_oe {
            lsr |= LSR_OE;
        }
        lsr
    }

    /// The interrupt identification, by the datasheet's priority order.
    fn iir(&self) -> u8 {
        let id = if self.ier & IER_ELSI != 0 && self.lsr_oe {
            IIR_RLS
        } else if self.ier & IER_ERBFI != 0 && !self.rx_fifo.is_empty() {
            if self.fifo_enabled() && self.rx_fifo.len() < self.rx_trigger() {
                IIR_CTI
            } else {
                IIR_RDA
            }
        } else if self.ier & IER_ETBEI != 0 && self.thr_ipending {
            IIR_THRE
        } else if self.ier & IER_EDSSI != 0 && self.msr & MSR_DELTAS != 0 {
            IIR_MSI
        } else {
            IIR_NO_INT
        };
        if self.fifo_enabled() {
            id | IIR_FIFO_ENABLED
        } else {
            id
        }
    }

    /// Modem-status inputs implied by MCR in loopback, or by the line otherwise.
    fn modem_inputs(&self) -> u8 {
        if !self.loopback() {
            return MSR_LINE_INPUTS;
        }
        let mut m = 0;
        for (out, input) in [
            (MCR_RTS, MSR_CTS),
            (MCR_DTR, MSR_DSR),
            (MCR_OUT1, MSR_RI),
            (MCR_OUT2, MSR_DCD),
        ] {
            if self.mcr & out != 0 {
                m |= input;
            }
        }
        m
    }

    /// Recomputes MSR inputs after an MCR change, latching the delta bits.
    fn update_msr(&mut self) {
        let old = self.msr;
        let new = self.modem_inputs();
        let changed = old ^ new;
        let mut deltas = old & MSR_DELTAS;
        for (input, delta) in [
            (MSR_CTS, MSR_DCTS),
            (MSR_DSR, MSR_DDSR),
            (MSR_DCD, MSR_DDCD),
        ] {
            if changed & input != 0 {
                deltas |= delta;
            }
        }
        // TERI: trailing edge of RI only.
        if old & MSR_RI != 0 && new & MSR_RI == 0 {
            deltas |= MSR_TERI;
        }
        self.msr = new | deltas;
    }

    fn transmit(&mut self, byte: u8) {
        if self.loopback() {
            if self.rx_fifo.len() < self.rx_capacity() {
                self.rx_fifo.push_back(byte);
            } else {
                self.lsr_oe = true;
            }
        } else if self.output.len() < UART_OUTPUT_LIMIT {
            self.output.push(byte);
        } else {
            self.dropped = self.dropped.saturating_add(1);
        }
        // The byte left THR at once: THR is empty again.
        self.thr_ipending = true;
    }

    fn write_fcr(&mut self, v: u8) {
        // Changing FCR0 clears both FIFOs (datasheet FCR bit 0).
        if (v ^ self.fcr) & FCR_FIFOE != 0 || v & FCR_RX_RESET != 0 {
            self.rx_fifo.clear();
        }
        // FCR bit 2 (transmit FIFO reset) has nothing to clear: transmission is instantaneous.
        self.fcr = v & FCR_KEEP;
        self.refill();
    }

    fn check(offset: u64, width: AccessWidth) -> Result<(), DevError> {
        if offset >= UART_SIZE {
            return Err(DevError::BadOffset { offset, width });
        }
        Ok(())
    }
}

impl MmioDevice for Uart16550 {
    fn read(&mut self, offset: u64, width: AccessWidth) -> Result<u64, DevError> {
        Self::check(offset, width)?;
        let v = match offset {
            RBR_THR_DLL if self.dlab() => self.dll,
            RBR_THR_DLL => {
                let b = self.rx_fifo.pop_front().unwrap_or(0);
                self.refill();
                b
            }
            IER_DLM if self.dlab() => self.dlm,
            IER_DLM => self.ier,
            IIR_FCR => {
                let iir = self.iir();
                // Reading IIR while it reports THRE clears that source (datasheet table of
                // interrupt reset control).
                if iir & 0x0f == IIR_THRE {
                    self.thr_ipending = false;
                }
                iir
            }
            LCR => self.lcr,
            MCR => self.mcr,
            LSR => {
                let lsr = self.lsr();
                self.lsr_oe = false;
                lsr
            }
            MSR => {
                let msr = self.msr;
                self.msr &= !MSR_DELTAS;
                msr
            }
            SCR => self.scr,
            _ => return Err(DevError::BadOffset { offset, width }),
        };
        Ok(u64::from(v))
    }

    fn write(&mut self, offset: u64, width: AccessWidth, value: u64) -> Result<(), DevError> {
        Self::check(offset, width)?;
        let v = value as u8;
        match offset {
            RBR_THR_DLL if self.dlab() => self.dll = v,
            RBR_THR_DLL => {
                self.thr_ipending = false;
                self.transmit(v);
            }
            IER_DLM if self.dlab() => self.dlm = v,
            IER_DLM => {
                let was = self.ier;
                self.ier = v & IER_MASK;
                // Enabling ETBEI while THR is empty (always, here) raises THRE.
                if was & IER_ETBEI == 0 && self.ier & IER_ETBEI != 0 {
                    self.thr_ipending = true;
                }
            }
            IIR_FCR => self.write_fcr(v),
            LCR => self.lcr = v,
            MCR => {
                let was_loop = self.loopback();
                self.mcr = v & MCR_MASK;
                self.update_msr();
                if was_loop && !self.loopback() {
                    self.refill();
                }
            }
            // LSR and MSR are read-only in this model (the datasheet reserves LSR writes for
            // factory test).
            LSR | MSR => {}
            SCR => self.scr = v,
            _ => return Err(DevError::BadOffset { offset, width }),
        }
        Ok(())
    }

    fn size(&self) -> u64 {
        UART_SIZE
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

    const B: AccessWidth = AccessWidth::Byte;

    fn rd(u: &mut Uart16550, off: u64) -> u8 {
        u.read(off, B).unwrap() as u8
    }

    fn wr(u: &mut Uart16550, off: u64, v: u8) {
        u.write(off, B, u64::from(v)).unwrap();
    }

    #[test]
    fn reset_state() {
        let mut u = Uart16550::new();
        assert_eq!(rd(&mut u, IER_DLM), 0);
        assert_eq!(rd(&mut u, IIR_FCR), 0x01);
        assert_eq!(rd(&mut u, LCR), 0);
        assert_eq!(rd(&mut u, MCR), 0);
        assert_eq!(rd(&mut u, LSR), 0x60);
        assert_eq!(rd(&mut u, MSR), 0xb0);
        assert!(!u.irq_pending());
    }

    #[test]
    fn transmit_and_wide_access() {
        let mut u = Uart16550::new();
        for b in b"ok" {
            wr(&mut u, RBR_THR_DLL, *b);
        }
        // A 32-bit store reaches THR with its low byte only.
        u.write(0, AccessWidth::Dword, 0xdead_be21).unwrap();
        assert_eq!(u.output(), b"ok!");
        assert_eq!(u.take_output(), b"ok!");
        assert!(u.output().is_empty());
        assert_eq!(u.read(5, AccessWidth::Qword), Ok(0x60));
        assert_eq!(
            u.read(8, B),
            Err(DevError::BadOffset {
                offset: 8,
                width: B
            })
        );
        assert_eq!(
            u.write(0x100, B, 0),
            Err(DevError::BadOffset {
                offset: 0x100,
                width: B
            })
        );
    }

    #[test]
    fn dlab_selects_divisor_latch() {
        let mut u = Uart16550::new();
        wr(&mut u, IER_DLM, 0x05);
        wr(&mut u, LCR, LCR_DLAB | 0x03);
        wr(&mut u, RBR_THR_DLL, 0x01);
        wr(&mut u, IER_DLM, 0x02);
        assert_eq!(u.divisor(), 0x0201);
        assert_eq!(rd(&mut u, RBR_THR_DLL), 0x01);
        assert_eq!(rd(&mut u, IER_DLM), 0x02);
        // Nothing was transmitted while DLAB was set.
        assert!(u.output().is_empty());
        wr(&mut u, LCR, 0x03);
        assert_eq!(rd(&mut u, IER_DLM), 0x05);
        assert_eq!(rd(&mut u, LCR), 0x03);
    }

    #[test]
    fn receive_non_fifo_holds_one_byte() {
        let mut u = Uart16550::new();
        u.push_input(b"abc");
        assert_eq!(rd(&mut u, LSR) & LSR_DR, LSR_DR);
        assert_eq!(u.pending_input(), 3);
        assert_eq!(rd(&mut u, RBR_THR_DLL), b'a');
        assert_eq!(rd(&mut u, RBR_THR_DLL), b'b');
        assert_eq!(rd(&mut u, RBR_THR_DLL), b'c');
        assert_eq!(rd(&mut u, LSR) & LSR_DR, 0);
        // Reading an empty RBR gives 0 and no error.
        assert_eq!(rd(&mut u, RBR_THR_DLL), 0);
        // Host input never overruns.
        assert_eq!(rd(&mut u, LSR) & LSR_OE, 0);
    }

    #[test]
    fn rx_interrupt_and_fifo_trigger() {
        let mut u = Uart16550::new();
        wr(&mut u, IER_DLM, IER_ERBFI);
        assert!(!u.irq_pending());
        u.push_input(b"x");
        assert!(u.irq_pending());
        assert_eq!(rd(&mut u, IIR_FCR), IIR_RDA);
        rd(&mut u, RBR_THR_DLL);
        assert!(!u.irq_pending());
        // FIFO mode, trigger level 4 (FCR7:6 = 01).
        wr(&mut u, IIR_FCR, FCR_FIFOE | (1 << FCR_TRIGGER_SHIFT));
        u.push_input(b"123");
        assert_eq!(rd(&mut u, IIR_FCR), IIR_FIFO_ENABLED | IIR_CTI);
        u.push_input(b"4");
        assert_eq!(rd(&mut u, IIR_FCR), IIR_FIFO_ENABLED | IIR_RDA);
        // FIFO reset clears received data.
        wr(&mut u, IIR_FCR, FCR_FIFOE | FCR_RX_RESET);
        assert_eq!(rd(&mut u, LSR) & LSR_DR, 0);
        assert_eq!(rd(&mut u, IIR_FCR), IIR_FIFO_ENABLED | IIR_NO_INT);
    }

    #[test]
    fn fifo_holds_sixteen() {
        let mut u = Uart16550::new();
        wr(&mut u, IIR_FCR, FCR_FIFOE);
        u.push_input(&[7u8; 20]);
        assert_eq!(u.rx_fifo.len(), 16);
        for _ in 0..20 {
            assert_eq!(rd(&mut u, RBR_THR_DLL), 7);
        }
        assert_eq!(u.pending_input(), 0);
    }

    #[test]
    fn thre_interrupt_rules() {
        let mut u = Uart16550::new();
        // Enabling ETBEI with THR empty raises THRE at once.
        wr(&mut u, IER_DLM, IER_ETBEI);
        assert!(u.irq_pending());
        assert_eq!(rd(&mut u, IIR_FCR), IIR_THRE);
        // Reading IIR cleared it.
        assert!(!u.irq_pending());
        assert_eq!(rd(&mut u, IIR_FCR), IIR_NO_INT);
        // A THR write empties at once and raises it again.
        wr(&mut u, RBR_THR_DLL, b'z');
        assert!(u.irq_pending());
        // Re-writing IER with ETBEI already set does not re-raise it.
        rd(&mut u, IIR_FCR);
        wr(&mut u, IER_DLM, IER_ETBEI | IER_ERBFI);
        assert!(!u.irq_pending());
    }

    #[test]
    fn rx_has_priority_over_thre() {
        let mut u = Uart16550::new();
        wr(&mut u, IER_DLM, IER_ETBEI | IER_ERBFI);
        u.push_input(b"q");
        assert_eq!(rd(&mut u, IIR_FCR), IIR_RDA);
        // IIR read reporting RDA does not clear THRE.
        rd(&mut u, RBR_THR_DLL);
        assert_eq!(rd(&mut u, IIR_FCR), IIR_THRE);
    }

    #[test]
    fn loopback_routes_tx_to_rx_and_modem_lines() {
        let mut u = Uart16550::new();
        u.push_input(b"L"); // arrives before loopback: already in the holding register
        wr(&mut u, MCR, MCR_LOOP);
        // Loopback: MSR inputs now follow MCR (all low), deltas for CTS/DSR/DCD dropping.
        assert_eq!(rd(&mut u, MSR), MSR_DCTS | MSR_DDSR | MSR_DDCD);
        assert_eq!(rd(&mut u, MSR), 0);
        assert_eq!(rd(&mut u, RBR_THR_DLL), b'L');
        u.push_input(b"H"); // line input is not received in loopback
        wr(&mut u, RBR_THR_DLL, b'a');
        assert!(u.output().is_empty());
        assert_eq!(rd(&mut u, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
        // Non-FIFO holding register full: a second byte overruns.
        wr(&mut u, RBR_THR_DLL, b'b');
        wr(&mut u, IER_DLM, IER_ELSI);
        assert_eq!(rd(&mut u, IIR_FCR), IIR_RLS);
        assert_eq!(rd(&mut u, LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
        // Reading LSR cleared OE.
        assert_eq!(rd(&mut u, LSR) & LSR_OE, 0);
        assert_eq!(rd(&mut u, RBR_THR_DLL), b'a');
        // MCR outputs drive MSR inputs.
        wr(
            &mut u,
            MCR,
            MCR_LOOP | MCR_RTS | MCR_DTR | MCR_OUT1 | MCR_OUT2,
        );
        assert_eq!(
            rd(&mut u, MSR),
            MSR_CTS | MSR_DSR | MSR_RI | MSR_DCD | MSR_DCTS | MSR_DDSR | MSR_DDCD
        );
        // TERI on RI's trailing edge only; modem status interrupt when enabled.
        wr(&mut u, MCR, MCR_LOOP | MCR_RTS | MCR_DTR | MCR_OUT2);
        wr(&mut u, IER_DLM, IER_EDSSI);
        assert_eq!(rd(&mut u, IIR_FCR), IIR_MSI);
        assert_eq!(rd(&mut u, MSR), MSR_CTS | MSR_DSR | MSR_DCD | MSR_TERI);
        assert!(!u.irq_pending());
        // Leaving loopback reconnects the line; pending line input arrives.
        wr(&mut u, MCR, 0);
        assert_eq!(rd(&mut u, RBR_THR_DLL), b'H');
    }

    #[test]
    fn scratch_and_read_only_registers() {
        let mut u = Uart16550::new();
        wr(&mut u, SCR, 0x5a);
        assert_eq!(rd(&mut u, SCR), 0x5a);
        wr(&mut u, LSR, 0);
        wr(&mut u, MSR, 0);
        assert_eq!(rd(&mut u, LSR), 0x60);
        assert_eq!(rd(&mut u, MSR), 0xb0);
        wr(&mut u, IER_DLM, 0xff);
        assert_eq!(rd(&mut u, IER_DLM), 0x0f);
        wr(&mut u, MCR, 0xff);
        assert_eq!(rd(&mut u, MCR), 0x1f);
    }

    #[test]
    fn output_is_bounded() {
        let mut u = Uart16550::new();
        u.output = vec![0; UART_OUTPUT_LIMIT];
        wr(&mut u, RBR_THR_DLL, 1);
        assert_eq!(u.output().len(), UART_OUTPUT_LIMIT);
        assert_eq!(u.dropped_output(), 1);
    }

    #[derive(Clone, Debug)]
    enum Access {
        Read(u64, AccessWidth),
        Write(u64, AccessWidth, u64),
        Input(alloc::vec::Vec<u8>),
    }

    fn access() -> impl proptest::strategy::Strategy<Value = Access> {
        use proptest::prelude::*;
        let width = prop::sample::select(AccessWidth::ALL.to_vec());
        prop_oneof![
            (0u64..10, width.clone()).prop_map(|(o, w)| Access::Read(o, w)),
            (0u64..10, width, any::<u64>()).prop_map(|(o, w, v)| Access::Write(o, w, v)),
            prop::collection::vec(any::<u8>(), 0..20).prop_map(Access::Input),
        ]
    }

    proptest::proptest! {
        /// Any access sequence (guest input is arbitrary): no panic; offsets 0..8 always
        /// succeed and 8.. never do; THRE and TEMT are always set (instant transmit); DR
        /// reflects whether the receiver holds data; the IRQ line equals IIR bit 0 clear;
        /// IER bits 7:4 and MCR bits 7:5 read as zero (16550 datasheet register summary).
        #[test]
        fn prop_register_invariants(ops in proptest::collection::vec(access(), 0..80)) {
            let mut u = Uart16550::new();
            for op in ops {
                match op {
                    Access::Read(o, w) => {
                        proptest::prop_assert_eq!(u.read(o, w).is_ok(), o < UART_SIZE);
                    }
                    Access::Write(o, w, v) => {
                        proptest::prop_assert_eq!(u.write(o, w, v).is_ok(), o < UART_SIZE);
                    }
                    Access::Input(b) => u.push_input(&b),
                }
                let irq = u.irq_pending();
                proptest::prop_assert_eq!(irq, u.iir() & IIR_NO_INT == 0);
                let lsr = u.lsr();
                proptest::prop_assert_eq!(lsr & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
                proptest::prop_assert_eq!(lsr & LSR_DR != 0, !u.rx_fifo.is_empty());
                proptest::prop_assert!(u.rx_fifo.len() <= u.rx_capacity());
                proptest::prop_assert_eq!(u.ier & !IER_MASK, 0);
                proptest::prop_assert_eq!(u.mcr & !MCR_MASK, 0);
            }
        }
    }
}
