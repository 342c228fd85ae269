//! Stage-2 (G-stage) page tables the VMM builds for a guest: RISC-V Sv39x4 and Sv48x4.
//!
//! The builder writes the tables through a small physical-memory trait ([`TableMemory`]),
//! so the simulator (over `sim_core` memory, [`SimTableMemory`]) and a bare-metal native
//! runner (over its own frame allocator) share one implementation.
//!
//! Format: RISC-V privileged spec, "Two-Stage Address Translation" (norm:hgatp_mode_x4,
//! norm:hgatp_mode_sv39x4, norm:hgatp_mode_sv48x4): Sv39/Sv48 tables whose root is widened
//! by two bits, so it is 16 KiB (2048 entries) and 16 KiB-aligned. Leaves are
//! `V|R|W|X|U|A|D` by default: U because every G-stage access is checked as a U-mode access,
//! A and D preset so no hardware A/D update (or Svade fault) ever happens on guest RAM.
//! Addresses that are not mapped (device windows) stay invalid, so a guest access there
//! takes a guest-page fault that the vCPU decodes into an MMIO exit.
//!
//! ```
//! use sim_core::mem::{FrameAllocator, PhysMem};
//! use sim_core::{GuestPhysAddr, HostPhysAddr};
//! use vcpu::AccessFlags;
//! use vcpu::stage2::{GStageMode, GStageTable, SimTableMemory};
//!
//! let mut mem = PhysMem::new(64 << 20);
//! mem.add_ram(HostPhysAddr::new(0x1_0000_0000), 64 << 20).unwrap();
//! let mut frames = FrameAllocator::new(&mem, HostPhysAddr::new(0x1_0000_0000), 64 << 20).unwrap();
//! let mut tm = SimTableMemory::new(&mut mem, &mut frames);
//! let mut gt = GStageTable::new(&mut tm, GStageMode::Sv39x4)?;
//! let gpa = GuestPhysAddr::new(0x8000_0000);
//! let hpa = HostPhysAddr::new(0x1_0200_0000);
//! gt.map(&mut tm, gpa, hpa, 4 << 20, AccessFlags::ALL)?;
//! let t = gt.translate(&tm, GuestPhysAddr::new(0x8012_3456))?.unwrap();
//! assert_eq!(t.hpa, HostPhysAddr::new(0x1_0212_3456));
//! assert_eq!(t.page_size, 2 << 20); // 2 MiB megapages: both sides are aligned
//! assert_eq!(gt.translate(&tm, GuestPhysAddr::new(0x1000_0000))?, None); // MMIO stays unmapped
//! # Ok::<(), vcpu::stage2::Stage2Error>(())
//! ```

mod error;
mod memory;
mod mode;
mod pte;
mod table;

pub use error::Stage2Error;
pub use memory::{SimTableMemory, TableMemError, TableMemory};
pub use mode::GStageMode;
pub use pte::Pte;
pub use table::{GStageTable, Translation};

#[cfg(test)]
mod tests;
