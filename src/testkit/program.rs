//! Guest programs for tests: code at an entry address, data blocks, and the MMIO windows the
//! program expects to be left unmapped (so its accesses there exit to the test).

use hw_models::riscv::isa::encode::{Assembler, EncodeError};

use super::TestkitError;

/// A guest program: byte blocks at guest-physical addresses, an entry point, and the MMIO
/// windows (base, size) the machine must leave unmapped.
///
/// ```
/// use hvsim::testkit::Program;
/// use hw_models::riscv::isa::encode::{self, Reg};
///
/// let prog = Program::riscv(0x8000_0000, |a| {
///     a.li(Reg::A0, 42);
///     a.put(encode::wfi());
///     Ok(())
/// })
/// .unwrap()
/// .data(0x8010_0000, vec![1, 2, 3])
/// .mmio_window(0x4000_0000, 0x1000);
/// assert_eq!(prog.entry(), 0x8000_0000);
/// assert_eq!(prog.blocks().len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    entry: u64,
    blocks: Vec<(u64, Vec<u8>)>,
    mmio: Vec<(u64, u64)>,
    elf: Option<Vec<u8>>,
}

impl Program {
    /// Code assembled at `entry` by `f` with the ISA encoder (no cross toolchain needed).
    pub fn riscv(
        entry: u64,
        f: impl FnOnce(&mut Assembler) -> Result<(), EncodeError>,
    ) -> Result<Self, TestkitError> {
        let mut a = Assembler::new(entry);
        f(&mut a)?;
        Ok(Self::from_bytes(entry, a.finish()?))
    }

    /// Raw code bytes placed at `entry`, which is also where execution starts.
    pub fn from_bytes(entry: u64, code: Vec<u8>) -> Self {
        Self {
            entry,
            blocks: vec![(entry, code)],
            mmio: Vec::new(),
            elf: None,
        }
    }

    /// An ELF image (read from disk by the caller): its PT_LOAD segments go to their
    /// physical addresses and execution starts at `e_entry` (see docs/machine.md, "Images").
    pub fn from_elf(bytes: Vec<u8>) -> Self {
        Self {
            entry: 0,
            blocks: Vec::new(),
            mmio: Vec::new(),
            elf: Some(bytes),
        }
    }

    /// Reads an ELF file.
    ///
    /// ```
    /// use hvsim::testkit::{Program, TestMachine};
    /// use vcpu::ExitReason;
    /// let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/riscv64/hello.elf");
    /// let mut m = TestMachine::riscv().program(Program::load_elf(elf)?).build()?;
    /// let exits = m.run_to_completion(1000, |_, _| 0)?;
    /// assert!(matches!(exits.last(), Some(ExitReason::SystemDown { .. })));
    /// assert!(String::from_utf8_lossy(&m.firmware_console()).starts_with("hello: DBCN write"));
    /// # Ok::<(), hvsim::testkit::TestkitError>(())
    /// ```
    pub fn load_elf(path: impl AsRef<std::path::Path>) -> Result<Self, TestkitError> {
        let p = path.as_ref();
        let bytes = std::fs::read(p).map_err(|e| TestkitError::Io {
            path: p.display().to_string(),
            msg: e.to_string(),
        })?;
        Ok(Self::from_elf(bytes))
    }

    /// Adds a data block at guest-physical `gpa` (must lie in RAM).
    pub fn data(mut self, gpa: u64, bytes: Vec<u8>) -> Self {
        self.blocks.push((gpa, bytes));
        self
    }

    /// Declares an MMIO window the program accesses: it stays unmapped in stage 2, so every
    /// access exits as `MmioRead`/`MmioWrite`. (Any address outside RAM already exits; the
    /// window is checked not to overlap RAM.)
    pub fn mmio_window(mut self, base: u64, size: u64) -> Self {
        self.mmio.push((base, size));
        self
    }

    /// Where execution starts (for an ELF: known only once loaded).
    pub fn entry(&self) -> u64 {
        self.entry
    }

    /// The byte blocks.
    pub fn blocks(&self) -> &[(u64, Vec<u8>)] {
        &self.blocks
    }

    /// The MMIO windows.
    pub fn mmio_windows(&self) -> &[(u64, u64)] {
        &self.mmio
    }

    /// The ELF image, if the program is one.
    pub fn elf(&self) -> Option<&[u8]> {
        self.elf.as_deref()
    }
}
