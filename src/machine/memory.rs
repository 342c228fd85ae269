//! Guest RAM: one contiguous run of host frames, mapped by the stage-2 table.

use sim_core::mem::PhysMem;
use sim_core::{GuestPhysAddr, HostPhysAddr};

/// Where guest RAM lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GuestRam {
    /// Guest-physical base.
    pub gpa: GuestPhysAddr,
    /// Host-physical base of the frames behind it.
    pub hpa: HostPhysAddr,
    /// Bytes.
    pub size: u64,
}

impl GuestRam {
    /// One past the last guest-physical byte.
    pub fn end(&self) -> u64 {
        self.gpa.as_u64().saturating_add(self.size)
    }

    /// Whether `[gpa, gpa + len)` is all RAM.
    pub fn contains(&self, gpa: u64, len: u64) -> bool {
        gpa.checked_sub(self.gpa.as_u64())
            .and_then(|off| off.checked_add(len))
            .is_some_and(|end| end <= self.size)
    }

    /// The host-physical address of `gpa` if `[gpa, gpa + len)` is RAM.
    pub fn hpa_of(&self, gpa: u64, len: u64) -> Option<HostPhysAddr> {
        if !self.contains(gpa, len) {
            return None;
        }
        self.hpa.checked_add(gpa - self.gpa.as_u64())
    }

    /// Copies `bytes` to guest-physical `gpa`; `false` (nothing written) unless all of it is
    /// RAM.
    pub(crate) fn write(&self, mem: &mut PhysMem, gpa: u64, bytes: &[u8]) -> bool {
        match self.hpa_of(gpa, bytes.len() as u64) {
            Some(h) => mem.write_bytes(h, bytes).is_ok(),
            None => false,
        }
    }

    /// Copies guest-physical bytes out; `false` (nothing read) unless all of it is RAM.
    pub(crate) fn read(&self, mem: &PhysMem, gpa: u64, out: &mut [u8]) -> bool {
        match self.hpa_of(gpa, out.len() as u64) {
            Some(h) => mem.read_bytes(h, out).is_ok(),
            None => false,
        }
    }
}
