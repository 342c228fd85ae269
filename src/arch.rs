//! The guest instruction-set architectures hvsim knows about.

use core::fmt;
use core::str::FromStr;

/// A guest instruction-set architecture.
///
/// Every architecture hvsim will model is listed, whether or not its hardware model is built
/// yet; [`crate::build_info`] says which ones are.
///
/// ```
/// use hvsim::Arch;
/// assert_eq!("riscv64".parse::<Arch>(), Ok(Arch::Riscv64));
/// assert_eq!(Arch::X86_64.to_string(), "x86_64");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    /// RV64 with the hypervisor (H) extension.
    Riscv64,
    /// AArch64 with EL2.
    Aarch64,
    /// x86-64 with Intel VMX.
    X86_64,
}

impl Arch {
    /// All architectures, in a fixed order (for listings).
    pub const ALL: [Arch; 3] = [Arch::Riscv64, Arch::Aarch64, Arch::X86_64];

    /// The canonical lower-case name, as used on the command line and in `fixtures/<arch>/`.
    pub const fn name(self) -> &'static str {
        match self {
            Arch::Riscv64 => "riscv64",
            Arch::Aarch64 => "aarch64",
            Arch::X86_64 => "x86_64",
        }
    }

    /// The ELF `e_machine` value of 64-bit images for this architecture (System V gABI).
    pub const fn elf_machine(self) -> u16 {
        match self {
            Arch::Riscv64 => goblin::elf::header::EM_RISCV,
            Arch::Aarch64 => goblin::elf::header::EM_AARCH64,
            Arch::X86_64 => goblin::elf::header::EM_X86_64,
        }
    }

    /// The architecture whose 64-bit ELF images carry `e_machine`, if hvsim knows it.
    pub fn from_elf_machine(machine: u16) -> Option<Arch> {
        Arch::ALL.into_iter().find(|a| a.elf_machine() == machine)
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an [`Arch`] from a name that is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown architecture '{0}' (expected riscv64, aarch64 or x86_64)")]
pub struct UnknownArch(pub String);

impl FromStr for Arch {
    type Err = UnknownArch;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Arch::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| UnknownArch(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Arch::ALL {
            assert_eq!(a.name().parse::<Arch>(), Ok(a));
        }
        assert!("rv64".parse::<Arch>().is_err());
    }

    /// e_machine numbers from the System V gABI registry (EM_X86_64 = 62, EM_AARCH64 = 183,
    /// EM_RISCV = 243), written out here rather than taken from goblin.
    #[test]
    fn elf_machine_numbers_match_gabi() {
        assert_eq!(Arch::from_elf_machine(62), Some(Arch::X86_64));
        assert_eq!(Arch::from_elf_machine(183), Some(Arch::Aarch64));
        assert_eq!(Arch::from_elf_machine(243), Some(Arch::Riscv64));
        assert_eq!(Arch::from_elf_machine(40), None); // EM_ARM (32-bit)
    }
}
