//! The mock physical CPU.

use sim_core::HostPhysAddr;

/// The hardware handle of one mock physical CPU.
///
/// ```
/// use vcpu::mock::MockHardware;
/// let hw = MockHardware::new(1);
/// assert_eq!(hw.cpu_id(), 1);
/// assert!(hw.can_virtualize());
/// assert!(!MockHardware::without_virtualization(1).can_virtualize());
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MockHardware {
    cpu_id: usize,
    can_virtualize: bool,
    pub(super) enabled: bool,
    pub(super) loaded_root: Option<HostPhysAddr>,
    pub(super) entries: u64,
}

impl MockHardware {
    /// A physical CPU with virtualization support.
    pub fn new(cpu_id: usize) -> Self {
        Self {
            cpu_id,
            can_virtualize: true,
            enabled: false,
            loaded_root: None,
            entries: 0,
        }
    }

    /// A physical CPU without virtualization support: `hardware_enable` fails on it.
    pub fn without_virtualization(cpu_id: usize) -> Self {
        Self {
            can_virtualize: false,
            ..Self::new(cpu_id)
        }
    }

    /// The physical CPU's id.
    pub fn cpu_id(&self) -> usize {
        self.cpu_id
    }

    /// Whether the CPU supports virtualization.
    pub fn can_virtualize(&self) -> bool {
        self.can_virtualize
    }

    /// Whether virtualization is switched on in the hardware.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The stage-2 root loaded by the last `bind` (cleared by `unbind`).
    pub fn loaded_root(&self) -> Option<HostPhysAddr> {
        self.loaded_root
    }

    /// How many guest entries this CPU has made.
    pub fn entries(&self) -> u64 {
        self.entries
    }
}
