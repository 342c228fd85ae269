//! [`MockEnv`]: a plain-data [`SbiEnv`] for testing the firmware without hart models (the
//! firmware's counterpart of the hart's `RamBus`). CSRs are stored verbatim, except that
//! mip.MTIP and mip.MSIP are computed from the mock's ACLINT state, as on the board.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use super::env::{Fence, SbiEnv, SystemReset};
use crate::riscv::PrivLevel;
use crate::riscv::cause::irq;
use crate::riscv::csr_num;

const MIP_MTIP: u64 = 1 << irq::MTI;
const MIP_MSIP: u64 = 1 << irq::MSI;

/// Where a mock hart was sent by [`SbiEnv::enter_supervisor`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Entry {
    /// Privilege.
    pub privilege: PrivLevel,
    /// pc.
    pub pc: u64,
    /// a1.
    pub opaque: u64,
}

/// A recording [`SbiEnv`]. See the module documentation.
#[derive(Clone, Debug)]
pub struct MockEnv {
    /// CSRs per hart.
    pub csrs: Vec<BTreeMap<u16, u64>>,
    /// ACLINT mtimecmp per hart.
    pub mtimecmp: Vec<u64>,
    /// ACLINT msip per hart.
    pub msip: Vec<bool>,
    /// Current mtime.
    pub mtime: u64,
    /// Every fence executed: (hart, fence).
    pub fences: Vec<(usize, Fence)>,
    /// RAM base.
    pub ram_base: u64,
    /// RAM contents.
    pub ram: Vec<u8>,
    /// Console output.
    pub out: Vec<u8>,
    /// Console input, consumed from the front.
    pub input: Vec<u8>,
    /// Where each hart last entered S-mode.
    pub entries: Vec<Option<Entry>>,
    /// Parked harts.
    pub parked: Vec<bool>,
    /// What `wait_for_interrupt` answers: the mtime a wake-up happens at, or `None` for
    /// "never".
    pub wake_at: Option<u64>,
    /// The reset performed.
    pub reset: Option<SystemReset>,
}

impl MockEnv {
    /// `harts` harts, 64 KiB of RAM at 0x8000_0000, mtime 0.
    pub fn new(harts: usize) -> Self {
        Self {
            csrs: vec![BTreeMap::new(); harts],
            mtimecmp: vec![u64::MAX; harts],
            msip: vec![false; harts],
            mtime: 0,
            fences: Vec::new(),
            ram_base: 0x8000_0000,
            ram: vec![0; 0x1_0000],
            out: Vec::new(),
            input: Vec::new(),
            entries: vec![None; harts],
            parked: vec![false; harts],
            wake_at: None,
            reset: None,
        }
    }

    fn ram_slice(&self, addr: u64, len: usize) -> Option<core::ops::Range<usize>> {
        let off = usize::try_from(addr.checked_sub(self.ram_base)?).ok()?;
        let end = off.checked_add(len)?;
        (end <= self.ram.len()).then_some(off..end)
    }
}

impl SbiEnv for MockEnv {
    fn hart_count(&self) -> usize {
        self.csrs.len()
    }

    fn csr_read(&mut self, hart: usize, csr: u16) -> u64 {
        let v = self
            .csrs
            .get(hart)
            .and_then(|c| c.get(&csr))
            .copied()
            .unwrap_or(0);
        if csr != csr_num::MIP {
            return v;
        }
        let mtip = self.mtimecmp.get(hart).is_some_and(|&c| self.mtime >= c);
        let msip = self.msip.get(hart).copied().unwrap_or(false);
        (v & !(MIP_MTIP | MIP_MSIP))
            | if mtip { MIP_MTIP } else { 0 }
            | if msip { MIP_MSIP } else { 0 }
    }

    fn csr_write(&mut self, hart: usize, csr: u16, value: u64) {
        if let Some(c) = self.csrs.get_mut(hart) {
            c.insert(csr, value);
        }
    }

    fn set_mtimecmp(&mut self, hart: usize, value: u64) {
        if let Some(c) = self.mtimecmp.get_mut(hart) {
            *c = value;
        }
    }

    fn set_msip(&mut self, hart: usize, level: bool) {
        if let Some(m) = self.msip.get_mut(hart) {
            *m = level;
        }
    }

    fn fence(&mut self, hart: usize, fence: Fence) {
        self.fences.push((hart, fence));
    }

    fn is_ram(&self, addr: u64, len: u64) -> bool {
        usize::try_from(len)
            .ok()
            .and_then(|l| self.ram_slice(addr, l))
            .is_some()
    }

    fn read_ram(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        match self
            .ram_slice(addr, buf.len())
            .and_then(|r| self.ram.get(r))
        {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    }

    fn write_ram(&mut self, addr: u64, data: &[u8]) -> bool {
        let Some(r) = self.ram_slice(addr, data.len()) else {
            return false;
        };
        match self.ram.get_mut(r) {
            Some(dst) => {
                dst.copy_from_slice(data);
                true
            }
            None => false,
        }
    }

    fn console_write(&mut self, bytes: &[u8]) -> usize {
        self.out.extend_from_slice(bytes);
        bytes.len()
    }

    fn console_read(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.input.len());
        for (d, s) in buf.iter_mut().zip(self.input.drain(..n)) {
            *d = s;
        }
        n
    }

    fn enter_supervisor(&mut self, hart: usize, privilege: PrivLevel, pc: u64, opaque: u64) {
        if let Some(e) = self.entries.get_mut(hart) {
            *e = Some(Entry {
                privilege,
                pc,
                opaque,
            });
        }
        if let Some(p) = self.parked.get_mut(hart) {
            *p = false;
        }
    }

    fn park(&mut self, hart: usize) {
        if let Some(p) = self.parked.get_mut(hart) {
            *p = true;
        }
    }

    fn wait_for_interrupt(&mut self, _hart: usize) -> bool {
        match self.wake_at {
            Some(t) => {
                self.mtime = self.mtime.max(t);
                true
            }
            None => false,
        }
    }

    fn system_reset(&mut self, reset: SystemReset) {
        self.reset = Some(reset);
    }
}
