//! Which bytes the store that just ended a slice wrote.
//!
//! The hart reports a store to a watched address ([`StopReason::WatchedStore`]) with the
//! watched address only, right after the store retired. HTIF needs the store's extent to know
//! which bytes of `tohost` are now written, so the board re-decodes the store: it is the
//! instruction just before the pc, 4 or 2 bytes back (a store never changes control flow).
//!
//! [`StopReason::WatchedStore`]: crate::riscv::hart::StopReason::WatchedStore

use sim_core::mem::PhysMem;
use sim_core::{AccessWidth, HostPhysAddr};

use crate::riscv::hart::Hart;
use crate::riscv::isa::{Op, decode};

/// Bytes written by a store-like operation, or `None` if `op` writes no memory.
fn store_size(op: Op) -> Option<u64> {
    Some(match op {
        Op::Sb | Op::HsvB => 1,
        Op::Sh | Op::HsvH => 2,
        Op::Sw
        | Op::HsvW
        | Op::ScW
        | Op::AmoswapW
        | Op::AmoaddW
        | Op::AmoxorW
        | Op::AmoandW
        | Op::AmoorW
        | Op::AmominW
        | Op::AmomaxW
        | Op::AmominuW
        | Op::AmomaxuW => 4,
        Op::Sd
        | Op::HsvD
        | Op::ScD
        | Op::AmoswapD
        | Op::AmoaddD
        | Op::AmoxorD
        | Op::AmoandD
        | Op::AmoorD
        | Op::AmominD
        | Op::AmomaxD
        | Op::AmominuD
        | Op::AmomaxuD => 8,
        _ => return None,
    })
}

/// The physical range `(start, len)` of the store that just retired on `hart` and wrote the
/// watched physical address `watched`. `None` when the store cannot be reconstructed (its
/// instruction is not readable as physical memory, for example under translation): the
/// caller then assumes the whole watched word was written.
pub fn last_store_extent(hart: &Hart, mem: &PhysMem, watched: u64) -> Option<(u64, u64)> {
    let pc = hart.pc();
    // (virtual address, size) of each candidate that decodes as a store.
    let mut found = [None; 2];
    for (slot, (back, width)) in found
        .iter_mut()
        .zip([(4u64, AccessWidth::Dword), (2, AccessWidth::Word)])
    {
        let Some(at) = pc.checked_sub(back) else {
            continue;
        };
        let Ok(raw) = mem.read(HostPhysAddr::new(at), width) else {
            continue;
        };
        let insn = decode(raw as u32);
        if u64::from(insn.len) != back {
            continue;
        }
        if let Some(size) = store_size(insn.op) {
            let rs1 = hart.reg(usize::from(insn.rs1));
            *slot = Some((rs1.wrapping_add(insn.imm as i64 as u64), size));
        }
    }
    // Identity-mapped (M-mode) and rs1 not overwritten: the exact range.
    let exact = found
        .iter()
        .flatten()
        .find(|&&(va, size)| watched.wrapping_sub(va) < size);
    if let Some(&(va, size)) = exact {
        return Some((va, size));
    }
    // Otherwise (translation, or an AMO whose rd overwrote rs1) place a naturally aligned
    // access of the decoded size around the watched byte.
    found
        .iter()
        .flatten()
        .next()
        .map(|&(_, size)| (watched & !(size - 1), size))
}
