//! The Machine: the VMM harness that turns vCPU exits into device and firmware actions.
//!
//! A [`Machine`] is generic over a [`MachineBackend`]: the architecture vCPU and the board it
//! runs on (physical CPUs and host-physical memory). [`MachineBuilder`] configures it; `build`
//! allocates guest RAM as host frames, maps it with a stage-2 table
//! ([`vcpu::stage2`]), loads the image, writes the device tree to the top of RAM and sets up
//! the vCPUs (a0 = hart id, a1 = device tree). [`Machine::run`] then schedules the vCPUs
//! round-robin and handles their exits with one `match`, until an [`Outcome`].
//!
//! [`mock::MockBackend`] runs the Machine over the scripted mock vCPU, which is how the
//! Machine is tested without an instruction-set model. See `docs/machine.md`.

mod backend;
mod builder;
mod console;
mod devices;
mod error;
mod fdt;
mod handlers;
mod load;
mod memory;
pub mod mock;
mod run;
mod summary;
mod vm;

pub use backend::{
    ArchDefaults, MachineBackend, RISCV64_DEFAULTS, RamMapping, SBI_ERR_ALREADY_AVAILABLE,
    SBI_ERR_INVALID_PARAM, SBI_ERR_NOT_SUPPORTED, VCpuSpec,
};
pub use builder::{DEFAULT_QUANTUM, DEFAULT_RAM_SIZE, MAX_VCPUS, MachineBuilder};
pub use console::{CONSOLE_LIMIT, Console};
pub use devices::UART_WINDOW;
pub use error::{MachineError, RunError};
pub use fdt::UART_CLOCK_HZ;
pub use handlers::{
    HypercallCall, HypercallHandler, MmioAccess, MmioHandler, PortAccess, PortHandler, Reply,
};
pub use load::{GuestImage, LoadedImage};
pub use memory::GuestRam;
pub use run::NO_PROGRESS_LIMIT;
pub use summary::{EXIT_NAMES, ExitCounts, Outcome, RunSummary, ShutdownStatus, StopSource};
pub use vm::{Machine, RunState};
