//! The runner's own output: the firmware console (SBI DBCN write_byte, falling back to the
//! legacy putchar), which on QEMU virt is the real NS16550A at 0x1000_0000.

use core::fmt;

use hw_models::riscv::hw::RiscvHardware;
use hw_models::riscv::native::NativeHart;

/// SBI debug console extension "DBCN" and its write_byte function.
const EID_DBCN: u64 = 0x4442_434e;
const FID_WRITE_BYTE: u64 = 2;
/// Legacy console putchar (SBI v0.1), for firmware without DBCN.
const EID_LEGACY_PUTCHAR: u64 = 0x01;

/// `fmt::Write` over the firmware console.
pub struct Console<'a> {
    hart: &'a mut NativeHart,
}

impl<'a> Console<'a> {
    pub fn new(hart: &'a mut NativeHart) -> Self {
        Self { hart }
    }

    pub fn put_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            put_byte(self.hart, b);
        }
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
        self.put_bytes(s.as_bytes());
        Ok(())
    }
}
