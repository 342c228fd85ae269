//! PMP configuration CSRs (priv "Physical Memory Protection"), recorded as WARL state only.
//!
//! hvsim does not check accesses against PMP (every access is permitted, as with no matching
//! entry in M-mode). The registers still obey their WARL and lock rules so firmware that
//! programs them reads back what real hardware would return.

/// Number of PMP entries implemented (norm:PMP_ENTRY_COUNT: 0, 16 or 64; hvsim has 64).
pub const ENTRIES: usize = 64;
/// pmpcfg registers on RV64: only the even ones exist (norm:pmp_cfg_rv64_illegal).
pub const CFG_REGS: usize = ENTRIES / 8;

/// R permission.
const R: u8 = 1 << 0;
/// W permission.
const W: u8 = 1 << 1;
/// The A (address-matching mode) field.
const A: u8 = 3 << 3;
/// A = TOR.
const A_TOR: u8 = 1 << 3;
/// Lock.
const L: u8 = 1 << 7;
/// Bits 6:5 are reserved and read 0.
const CFG_MASK: u8 = 0x9f;
/// pmpaddr holds bits 55:2 of a 56-bit physical address (norm:pmp_addr_encoding).
const ADDR_MASK: u64 = (1 << 54) - 1;

/// The PMP register state.
#[derive(Clone, Debug)]
pub struct Pmp {
    cfg: [u8; ENTRIES],
    addr: [u64; ENTRIES],
}

impl Default for Pmp {
    fn default() -> Self {
        // norm:PMP_A_L_RST: A and L reset to 0.
        Self {
            cfg: [0; ENTRIES],
            addr: [0; ENTRIES],
        }
    }
}

impl Pmp {
    /// pmpcfg`2*reg` (reg = 0..8): eight entry bytes.
    pub fn read_cfg(&self, reg: usize) -> u64 {
        let mut v = 0u64;
        for i in (0..8).rev() {
            v = (v << 8) | u64::from(self.cfg.get(reg * 8 + i).copied().unwrap_or(0));
        }
        v
    }

    /// Writes pmpcfg`2*reg`. Locked bytes ignore the write (norm:pmp_l_bit_write_protection);
    /// the reserved R=0/W=1 combination is legalised by clearing W (PMPCFG_WARL).
    pub fn write_cfg(&mut self, reg: usize, value: u64) {
        for i in 0..8 {
            let Some(slot) = self.cfg.get_mut(reg * 8 + i) else {
                return;
            };
            if *slot & L != 0 {
                continue;
            }
            let mut b = ((value >> (8 * i)) as u8) & CFG_MASK;
            if b & (R | W) == W {
                b &= !W;
            }
            *slot = b;
        }
    }

    /// pmpaddr`i`.
    pub fn read_addr(&self, i: usize) -> u64 {
        self.addr.get(i).copied().unwrap_or(0)
    }

    /// Writes pmpaddr`i`, unless entry `i` is locked, or entry `i+1` is a locked TOR entry
    /// (norm:pmp_l_bit_write_protection).
    pub fn write_addr(&mut self, i: usize, value: u64) {
        let locked = self.cfg.get(i).is_some_and(|c| c & L != 0)
            || self
                .cfg
                .get(i + 1)
                .is_some_and(|c| c & L != 0 && c & A == A_TOR);
        if let (false, Some(slot)) = (locked, self.addr.get_mut(i)) {
            *slot = value & ADDR_MASK;
        }
    }
}
