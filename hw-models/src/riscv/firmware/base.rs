//! The Base extension (SBI v2.0 §4): every function returns SBI_SUCCESS.

use super::sbi::{self, base, eid, err};
use super::{SbiEnv, fail, ok};
use crate::riscv::csr_num;
use crate::riscv::hw::SbiRet;

/// Extensions this firmware implements (what probe_extension reports as available).
const IMPLEMENTED: [u64; 9] = [
    eid::BASE,
    eid::TIME,
    eid::IPI,
    eid::RFENCE,
    eid::HSM,
    eid::SRST,
    eid::DBCN,
    eid::LEGACY_PUTCHAR,
    eid::LEGACY_GETCHAR,
];

/// Whether `id` is an extension this firmware implements.
pub(crate) fn implemented(id: u64) -> bool {
    IMPLEMENTED.contains(&id)
}

pub(crate) fn call<E: SbiEnv + ?Sized>(env: &mut E, hart: usize, fid: u64, a0: u64) -> SbiRet {
    match fid {
        base::GET_SPEC_VERSION => ok(sbi::SPEC_VERSION),
        base::GET_IMPL_ID => ok(sbi::IMPL_ID),
        base::GET_IMPL_VERSION => ok(sbi::IMPL_VERSION),
        // §4.4: 0 if the extension is not available, 1 (or an extension-specific non-zero
        // value) if it is.
        base::PROBE_EXTENSION => ok(u64::from(implemented(a0))),
        // §4.5-4.7: "the value returned ... is the same as the mvendorid/marchid/mimpid CSR".
        base::GET_MVENDORID => ok(env.csr_read(hart, csr_num::MVENDORID)),
        base::GET_MARCHID => ok(env.csr_read(hart, csr_num::MARCHID)),
        base::GET_MIMPID => ok(env.csr_read(hart, csr_num::MIMPID)),
        _ => fail(err::NOT_SUPPORTED),
    }
}
