//! Why a Machine could not be built, and why a run failed.

use hw_models::dev::DevError;
use sim_core::clock::ClockError;
use sim_core::mem::{FrameError, MemError};
use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::stage2::Stage2Error;
use vcpu::{AccessFlags, VCpuError};

use crate::Arch;
use crate::image::{ImageError, RawImageError};

/// A Machine configuration or image that cannot be used. One line each, naming the value at
/// fault.
#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    /// A configuration value is impossible; the text says which.
    #[error("bad machine configuration: {0}")]
    Config(String),
    /// The ELF image is malformed.
    #[error("ELF image: {0}")]
    Elf(#[from] ImageError),
    /// The raw image is malformed.
    #[error("raw image: {0}")]
    Raw(#[from] RawImageError),
    /// The ELF image is for another architecture.
    #[error("ELF image is for {image}, the machine is {machine}")]
    WrongArch {
        /// The image's architecture.
        image: Arch,
        /// The machine's.
        machine: Arch,
    },
    /// Part of the image would land outside guest RAM.
    #[error(
        "{what} at guest-physical {addr:#x} ({size:#x} bytes) does not fit in guest RAM {ram_base:#x}..{ram_end:#x}"
    )]
    OutsideRam {
        /// Which part (a program header, the raw image).
        what: String,
        /// Where it starts.
        addr: u64,
        /// Its size.
        size: u64,
        /// RAM base.
        ram_base: u64,
        /// RAM end (exclusive).
        ram_end: u64,
    },
    /// The device tree does not fit above the image.
    #[error(
        "no room for the device tree ({size:#x} bytes) at the top of guest RAM: it would overlap the image ending at {image_end:#x}"
    )]
    NoRoomForDtb {
        /// DTB size.
        size: u64,
        /// End of the loaded image.
        image_end: u64,
    },
    /// The device-tree writer failed.
    #[error("device tree: {0}")]
    Fdt(String),
    /// Two device windows, or a device window and RAM, overlap.
    #[error("device window {name} at {base:#x} ({size:#x} bytes) overlaps {other}")]
    Overlap {
        /// The new window.
        name: String,
        /// Its base.
        base: u64,
        /// Its size.
        size: u64,
        /// What it overlaps.
        other: String,
    },
    /// Host memory could not hold guest RAM or tables.
    #[error("host memory: {0}")]
    Frames(#[from] FrameError),
    /// Host memory access failed.
    #[error("host memory: {0}")]
    Mem(#[from] MemError),
    /// Building the stage-2 table failed.
    #[error("stage-2 table: {0}")]
    Stage2(#[from] Stage2Error),
    /// The clock configuration is invalid.
    #[error("clock: {0}")]
    Clock(#[from] ClockError),
    /// Creating or setting up a vCPU or physical CPU failed.
    #[error("vCPU {id}: {err}")]
    VCpu {
        /// The vCPU (or physical CPU) index.
        id: usize,
        /// What failed.
        err: VCpuError,
    },
}

/// Why a run stopped with an error.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum RunError {
    /// A vCPU operation failed.
    #[error("vCPU {vcpu}: {err}")]
    VCpu {
        /// The vCPU.
        vcpu: usize,
        /// What failed.
        err: VCpuError,
    },
    /// A stage-2 fault that is not MMIO and that no one handles.
    #[error("vCPU {vcpu}: unhandled nested page fault at guest-physical {addr} ({})", access.as_str())]
    NestedPageFault {
        /// The vCPU.
        vcpu: usize,
        /// The faulting address.
        addr: GuestPhysAddr,
        /// The access.
        access: AccessFlags,
    },
    /// An MMIO access to an address with no device.
    #[error("vCPU {vcpu}: MMIO {} of {width} bits at {addr} hits no device", if *write { "write" } else { "read" })]
    UnhandledMmio {
        /// The vCPU.
        vcpu: usize,
        /// The address.
        addr: GuestPhysAddr,
        /// The width.
        width: AccessWidth,
        /// Whether it was a write.
        write: bool,
    },
    /// An I/O-port access no handler took.
    #[error("vCPU {vcpu}: port {} of {width} bits at {port:#x} hits no device", if *write { "write" } else { "read" })]
    UnhandledPort {
        /// The vCPU.
        vcpu: usize,
        /// The port.
        port: u16,
        /// The width.
        width: AccessWidth,
        /// Whether it was a write.
        write: bool,
    },
    /// A device model rejected an access.
    #[error("vCPU {vcpu}: device {device} rejected the access at {addr}: {err}")]
    Device {
        /// The vCPU.
        vcpu: usize,
        /// Which device.
        device: &'static str,
        /// The address.
        addr: GuestPhysAddr,
        /// The device's reason.
        err: DevError,
    },
    /// An exit the Machine has no action for.
    #[error("vCPU {vcpu}: unhandled exit {exit}")]
    UnhandledExit {
        /// The vCPU.
        vcpu: usize,
        /// The exit's trace text.
        exit: String,
    },
    /// Too many exits in a row retired no instruction (see
    /// [`crate::machine::NO_PROGRESS_LIMIT`]).
    #[error("no progress: {exits} exits in a row retired no instruction")]
    NoProgress {
        /// The consecutive exits.
        exits: u64,
    },
    /// Guest entry failed.
    #[error("vCPU {vcpu}: guest entry failed (hardware reason {reason:#x})")]
    FailEntry {
        /// The vCPU.
        vcpu: usize,
        /// The hardware's reason.
        reason: u64,
    },
}
