//! The guest console: legacy putchar/getchar (EIDs 0x01/0x02) and the debug console
//! extension (EID "DBCN").
//!
//! Output and input are forwarded to the firmware below, byte by byte: output with DBCN
//! write_byte, input with legacy getchar (the firmware's DBCN read would need a buffer in
//! host-physical memory, which the vCPU does not have). DBCN buffers are guest-PHYSICAL
//! (SBI spec, "Shared Memory Physical Address Range Parameter"): they are accessed with
//! HLV/HSV while vsatp is Bare, so only the G-stage applies, then vsatp is restored.

use alloc::vec::Vec;

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;
use sim_core::AccessWidth;

use super::consts::{dbcn, eid, err};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error, success};
use crate::riscv::csr;
use crate::riscv::error::Result;
use crate::riscv::vcpu::RiscvVCpu;

/// The most bytes one DBCN read or write moves; the spec lets a call move fewer than asked
/// and report the count, and the guest loops.
pub const DBCN_CHUNK: u64 = 256;

/// Legacy getchar's "no character" answer.
const LEGACY_NO_CHAR: i64 = -1;

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// Legacy sbi_console_putchar: a0 = 0 on success or the firmware's negative error.
    pub(crate) fn sbi_legacy_putchar(&mut self, hw: &mut H, call: SbiCall) -> SbiOutcome {
        SbiOutcome::Legacy(put_byte(hw, call.args[0] as u8).error)
    }

    /// Legacy sbi_console_getchar: a0 = the byte, or -1 when none is available.
    pub(crate) fn sbi_legacy_getchar(&mut self, hw: &mut H) -> SbiOutcome {
        SbiOutcome::Legacy(get_byte(hw).map_or(LEGACY_NO_CHAR, i64::from))
    }

    pub(crate) fn sbi_dbcn(&mut self, hw: &mut H, call: SbiCall) -> Result<SbiOutcome> {
        let [num_bytes, base_lo, base_hi, ..] = call.args;
        Ok(match call.fid {
            dbcn::WRITE | dbcn::READ => {
                // RV64: a physical address has no bits above XLEN, and the range may not
                // wrap (SBI spec, "Shared Memory Physical Address Range Parameter").
                if base_hi != 0 || base_lo.checked_add(num_bytes).is_none() {
                    return Ok(SbiOutcome::Ret(error(err::INVALID_PARAM)));
                }
                let n = num_bytes.min(DBCN_CHUNK);
                if call.fid == dbcn::WRITE {
                    self.dbcn_write(hw, base_lo, n)?
                } else {
                    self.dbcn_read(hw, base_lo, n)?
                }
            }
            dbcn::WRITE_BYTE => {
                let r = put_byte(hw, call.args[0] as u8);
                SbiOutcome::Ret(if r.error == err::SUCCESS {
                    success(0)
                } else {
                    error(err::FAILED)
                })
            }
            _ => NOT_SUPPORTED,
        })
    }

    /// Copies `n` bytes from guest-physical `base` and writes them out. A buffer that is
    /// not entirely readable is SBI_ERR_INVALID_PARAM with nothing written; an output error
    /// after some bytes reports those bytes, an output error on the first one
    /// SBI_ERR_FAILED.
    fn dbcn_write(&mut self, hw: &mut H, base: u64, n: u64) -> Result<SbiOutcome> {
        let bytes = match with_gpa_view(hw, |hw| {
            let mut bytes = Vec::new();
            for i in 0..n {
                bytes.push(hw.hlv(base.wrapping_add(i), AccessWidth::Byte, false)? as u8);
            }
            Ok(bytes)
        })? {
            Ok(b) => b,
            Err(()) => return Ok(SbiOutcome::Ret(error(err::INVALID_PARAM))),
        };
        let mut written = 0u64;
        for b in bytes {
            if put_byte(hw, b).error != err::SUCCESS {
                if written == 0 {
                    return Ok(SbiOutcome::Ret(error(err::FAILED)));
                }
                break;
            }
            written += 1;
        }
        Ok(SbiOutcome::Ret(success(written)))
    }

    /// Reads up to `n` available bytes into guest-physical `base`. A byte that cannot be
    /// stored makes the call SBI_ERR_INVALID_PARAM (the bytes read so far are lost).
    fn dbcn_read(&mut self, hw: &mut H, base: u64, n: u64) -> Result<SbiOutcome> {
        let mut bytes = Vec::new();
        while (bytes.len() as u64) < n {
            match get_byte(hw) {
                Some(b) => bytes.push(b),
                None => break,
            }
        }
        let stored = with_gpa_view(hw, |hw| {
            for (i, b) in (0u64..).zip(bytes.iter()) {
                hw.hsv(base.wrapping_add(i), AccessWidth::Byte, u64::from(*b))?;
            }
            Ok(())
        })?;
        Ok(SbiOutcome::Ret(match stored {
            Ok(()) => success(bytes.len() as u64),
            Err(()) => error(err::INVALID_PARAM),
        }))
    }
}

/// Runs `f` with vsatp = Bare, so HLV/HSV addresses are guest-physical, and restores vsatp
/// afterwards. `f`'s error is any HLV/HSV trap.
fn with_gpa_view<H: RiscvHardware, T>(
    hw: &mut H,
    f: impl FnOnce(&mut H) -> core::result::Result<T, hw_models::riscv::hw::HwTrap>,
) -> Result<core::result::Result<T, ()>> {
    let vsatp = csr::read(hw, csr_num::VSATP)?;
    csr::write(hw, csr_num::VSATP, 0)?;
    let r = f(hw).map_err(|_| ());
    csr::write(hw, csr_num::VSATP, vsatp)?;
    Ok(r)
}

/// One byte out through the firmware's DBCN write_byte.
fn put_byte<H: RiscvHardware>(hw: &mut H, b: u8) -> hw_models::riscv::hw::SbiRet {
    hw.sbi_call(eid::DBCN, dbcn::WRITE_BYTE, [u64::from(b), 0, 0, 0, 0, 0])
}

/// One byte in through the firmware's legacy getchar (a0 = byte or negative).
fn get_byte<H: RiscvHardware>(hw: &mut H) -> Option<u8> {
    let r = hw.sbi_call(eid::LEGACY_CONSOLE_GETCHAR, 0, [0; 6]);
    u8::try_from(r.error).ok()
}
