//! What this build of hvsim contains: per architecture, which hardware models and vCPU parts
//! exist, and which cargo features are on. `hvsim info` prints it.
//!
//! The table is written by hand and must stay honest: a component is [`Status::Built`] only
//! when it runs guest code end to end and is tested. Update it in the change that finishes
//! the component.

use crate::Arch;

/// How far a component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Implemented and tested.
    Built,
    /// Being built now; parts may exist but it does not run guests yet.
    InProgress,
    /// Planned, nothing usable yet.
    NotBuilt,
}

impl Status {
    /// A short label for listings.
    pub const fn label(self) -> &'static str {
        match self {
            Status::Built => "built",
            Status::InProgress => "in progress",
            Status::NotBuilt => "not built yet",
        }
    }
}

/// One part of the simulator for one architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Component {
    /// What it is, in spec vocabulary.
    pub name: &'static str,
    /// How far it is.
    pub status: Status,
}

/// One guest architecture and its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchInfo {
    /// The architecture.
    pub arch: Arch,
    /// The virtualization extension it models.
    pub virtualization: &'static str,
    /// Its parts, bottom-up.
    pub components: &'static [Component],
}

const fn c(name: &'static str, status: Status) -> Component {
    Component { name, status }
}

const RISCV64: &[Component] = &[
    c(
        "hart model RV64IMAC + Zicsr + Zifencei + Zicntr (interpreter)",
        Status::Built,
    ),
    c(
        "H extension: hstatus, hedeleg/hideleg, hvip, hgatp, VS CSRs, HLV/HSV, HFENCE",
        Status::Built,
    ),
    c(
        "MMU: Sv39/Sv48 and G-stage Sv39x4/Sv48x4 two-stage translation",
        Status::Built,
    ),
    c(
        "vCPU: ArchVCpu, ExitReason (MMIO via htinst, SBI, timer)",
        Status::Built,
    ),
    c(
        "Machine: guest loading, stage-2 tables, devices, run loop (`hvsim run`)",
        Status::Built,
    ),
    c(
        "native backend (feature `native`, riscv64gc-unknown-none-elf; checked on QEMU by scripts/native-diff.sh)",
        Status::Built,
    ),
];

const AARCH64: &[Component] = &[
    c(
        "PE model with EL2 (HCR_EL2, VTTBR_EL2 stage 2, generic timer)",
        Status::NotBuilt,
    ),
    c("vCPU", Status::NotBuilt),
];

const X86_64: &[Component] = &[
    c(
        "VMX model (VMXON, VMCS, VM entry/exit, EPT)",
        Status::NotBuilt,
    ),
    c("vCPU", Status::NotBuilt),
];

/// Every architecture, in [`Arch::ALL`] order.
pub const ARCHES: [ArchInfo; 3] = [
    ArchInfo {
        arch: Arch::Riscv64,
        virtualization: "H extension",
        components: RISCV64,
    },
    ArchInfo {
        arch: Arch::Aarch64,
        virtualization: "EL2",
        components: AARCH64,
    },
    ArchInfo {
        arch: Arch::X86_64,
        virtualization: "Intel VMX",
        components: X86_64,
    },
];

/// The package version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Whether the `native` feature (real instructions instead of models) is compiled in.
pub const NATIVE: bool = cfg!(feature = "native");

/// Whether this is a build with debug assertions (a dev/test profile build).
pub const DEBUG_ASSERTIONS: bool = cfg!(debug_assertions);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_arch_listed_once_in_order() {
        let listed: Vec<Arch> = ARCHES.iter().map(|a| a.arch).collect();
        assert_eq!(listed, Arch::ALL);
        assert!(ARCHES.iter().all(|a| !a.components.is_empty()));
    }
}
