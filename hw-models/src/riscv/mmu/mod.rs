//! The RISC-V MMU: Sv39/Sv48 first-stage translation, Sv39x4/Sv48x4 G-stage translation
//! (H extension), Svade/Svadu A/D handling, and a tagged software TLB.
//!
//! The hart calls [`Tlb::translate`] (or [`translate`] directly) for every fetch, load,
//! store/AMO and HLV/HLVX/HSV access with a [`TranslateCtx`] built from its CSRs; a [`Fault`]
//! carries everything the trap needs (`cause`, `htval`, `htinst`). Choices and the TLB design
//! are documented in docs/riscv-mmu.md.

pub mod atp;
pub mod ctx;
pub mod fault;
mod perm;
pub mod pte;
pub mod tlb;
pub mod translation;
mod walk;

pub use atp::{AtpMode, Hgatp, Satp, Scheme, mode_supported};
pub use ctx::TranslateCtx;
pub use fault::{AccessType, Fault};
pub use tlb::{Tlb, TlbStats};
pub use translation::{Leaf, Translation};
pub use walk::translate;
