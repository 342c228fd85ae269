//! The Debug Console extension (SBI v2.0 §12) and the legacy console calls (§5.2, §5.3).

use alloc::vec;

use super::sbi::{dbcn, err};
use super::{SbiEnv, fail, ok, ret};
use crate::riscv::hw::SbiRet;

/// Most bytes one console_write/console_read moves. §12.1/12.2 allow a call to transfer
/// fewer bytes than asked (the caller loops on the returned count); the bound keeps one call
/// from making the host copy an arbitrary amount of guest-chosen memory.
pub const DBCN_CHUNK: u64 = 4096;

/// The legacy getchar result when no input is pending.
const LEGACY_NO_CHAR: i64 = -1;

/// The physical address from (base_addr_lo, base_addr_hi): on RV64 the address is
/// base_addr_lo and base_addr_hi holds bits above XLEN, which no RV64 physical address has.
fn phys_range<E: SbiEnv + ?Sized>(env: &E, num: u64, lo: u64, hi: u64) -> Result<u64, i64> {
    if hi != 0 || lo.checked_add(num).is_none() || (num > 0 && !env.is_ram(lo, num)) {
        return Err(err::INVALID_PARAM);
    }
    Ok(lo)
}

pub(crate) fn dbcn<E: SbiEnv + ?Sized>(env: &mut E, fid: u64, a0: u64, a1: u64, a2: u64) -> SbiRet {
    match fid {
        dbcn::CONSOLE_WRITE => {
            let addr = match phys_range(env, a0, a1, a2) {
                Ok(a) => a,
                Err(e) => return fail(e),
            };
            let n = a0.min(DBCN_CHUNK) as usize;
            let mut buf = vec![0u8; n];
            if !env.read_ram(addr, &mut buf) {
                return fail(err::INVALID_PARAM);
            }
            ok(env.console_write(&buf) as u64)
        }
        dbcn::CONSOLE_READ => {
            let addr = match phys_range(env, a0, a1, a2) {
                Ok(a) => a,
                Err(e) => return fail(e),
            };
            let mut buf = vec![0u8; a0.min(DBCN_CHUNK) as usize];
            let got = env.console_read(&mut buf);
            let data = buf.get(..got).unwrap_or(&[]);
            if !env.write_ram(addr, data) {
                return fail(err::INVALID_PARAM);
            }
            ok(got as u64)
        }
        dbcn::CONSOLE_WRITE_BYTE => {
            // "The byte is passed in the lower 8 bits of a0; upper bits are ignored."
            if env.console_write(&[a0 as u8]) == 1 {
                ok(0)
            } else {
                fail(err::FAILED)
            }
        }
        _ => fail(err::NOT_SUPPORTED),
    }
}

/// Legacy sbi_console_putchar(ch): returns 0 in a0 (a1 is left 0).
pub(crate) fn legacy_putchar<E: SbiEnv + ?Sized>(env: &mut E, ch: u64) -> SbiRet {
    env.console_write(&[ch as u8]);
    ret(0, 0)
}

/// Legacy sbi_console_getchar(): the byte in a0, or -1 if there is none.
pub(crate) fn legacy_getchar<E: SbiEnv + ?Sized>(env: &mut E) -> SbiRet {
    let mut b = [0u8; 1];
    if env.console_read(&mut b) == 1 {
        ret(i64::from(b[0]), 0)
    } else {
        ret(LEGACY_NO_CHAR, 0)
    }
}
