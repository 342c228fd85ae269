//! The runner's own output: the firmware console (SBI DBCN), which on QEMU virt is the
//! real NS16550A at 0x1000_0000.
//!
//! Text is collected in a line buffer and written with one DBCN write call per line (the
//! buffer's address is physical: HS runs with satp = Bare), so printing the trace costs one
//! firmware call per exit, not one per byte; a guest's timing (a timer armed just before
//! WFI) should not depend on how chatty the runner is. Firmware without DBCN gets the
//! legacy putchar, byte by byte.

use core::fmt;

use hw_models::riscv::hw::RiscvHardware;
use hw_models::riscv::native::NativeHart;

/// SBI debug console extension "DBCN": write (num_bytes, base_lo, base_hi) and write_byte.
const EID_DBCN: u64 = 0x4442_434e;
const FID_WRITE: u64 = 0;
const FID_WRITE_BYTE: u64 = 2;
/// Legacy console putchar (SBI v0.1), for firmware without DBCN.
const EID_LEGACY_PUTCHAR: u64 = 0x01;
/// Line buffer size; longer lines are written in pieces.
const LINE: usize = 256;

/// `fmt::Write` over the firmware console; flushed at each newline and on drop.
pub struct Console<'a> {
    hart: &'a mut NativeHart,
    buf: [u8; LINE],
    len: usize,
}

impl<'a> Console<'a> {
    pub fn new(hart: &'a mut NativeHart) -> Self {
        Self {
            hart,
            buf: [0; LINE],
            len: 0,
        }
    }

    fn flush(&mut self) {
        put_bytes(self.hart, &self.buf[..self.len]);
        self.len = 0;
    }
}

impl Drop for Console<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Bytes out: DBCN write until all are taken, else byte by byte.
pub fn put_bytes(hart: &mut NativeHart, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let addr = bytes.as_ptr() as u64;
        let r = hart.sbi_call(EID_DBCN, FID_WRITE, [bytes.len() as u64, addr, 0, 0, 0, 0]);
        let done = usize::try_from(r.value).unwrap_or(0).min(bytes.len());
        if r.error != 0 || done == 0 {
            for &b in bytes {
                put_byte(hart, b);
            }
            return;
        }
        bytes = &bytes[done..];
    }
}

/// One byte out.
pub fn put_byte(hart: &mut NativeHart, b: u8) {
    let r = hart.sbi_call(EID_DBCN, FID_WRITE_BYTE, [u64::from(b), 0, 0, 0, 0, 0]);
    if r.error != 0 {
        hart.sbi_call(EID_LEGACY_PUTCHAR, 0, [u64::from(b), 0, 0, 0, 0, 0]);
    }
}

impl fmt::Write for Console<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == LINE {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
            if b == b'\n' {
                self.flush();
            }
        }
        Ok(())
    }
}
