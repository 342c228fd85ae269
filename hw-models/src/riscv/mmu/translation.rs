//! The result of a successful translation.

use sim_core::addr::HostPhysAddr;

/// What the leaf PTE of one stage contributed to a translation.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub struct Leaf {
    /// PTE bits 7:0 (V R W X U G A D) as they are in memory after any A/D update.
    pub flags: u8,
    /// log2 of the size of the page the leaf maps: 12, 21, 30 or 39.
    pub page_shift: u8,
}

impl Leaf {
    /// The flags widened for masking with the `pte` constants.
    #[inline]
    pub const fn bits(self) -> u64 {
        self.flags as u64
    }
}

/// A successful translation: where the access goes and what a TLB needs to cache it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Translation {
    /// The supervisor (host) physical address.
    pub pa: HostPhysAddr,
    /// The output of the first stage: the guest-physical address when two-stage translation
    /// applies, otherwise equal to `pa`.
    pub gpa: u64,
    /// The first-stage (satp/vsatp) leaf, or `None` when that stage is Bare.
    pub s1: Option<Leaf>,
    /// The G-stage leaf, or `None` when V=0 or `hgatp` is Bare.
    pub g: Option<Leaf>,
    /// The first-stage mapping is global: some PTE on its walk had G set.
    pub global: bool,
}

impl Translation {
    /// The untranslated result: `pa` = `gpa` = `addr`, no leaves.
    #[inline]
    pub const fn identity(addr: u64) -> Self {
        Self {
            pa: HostPhysAddr::new(addr),
            gpa: addr,
            s1: None,
            g: None,
            global: false,
        }
    }

    /// log2 of the size of the naturally aligned region around the address that this
    /// translation maps contiguously: the smaller page of the two stages, 64 for none.
    #[inline]
    pub fn page_shift(&self) -> u32 {
        let s1 = self.s1.map_or(64, |l| u32::from(l.page_shift));
        let g = self.g.map_or(64, |l| u32::from(l.page_shift));
        s1.min(g)
    }
}
