//! The mock per-CPU state.

use super::MockHardware;
use crate::error::{ArchError, VCpuError};
use crate::percpu::ArchPerCpu;

/// Per-CPU state of the mock architecture.
///
/// ```
/// use vcpu::ArchPerCpu;
/// use vcpu::mock::{MockHardware, MockPerCpu};
/// let mut hw = MockHardware::without_virtualization(0);
/// let mut p = MockPerCpu::new(0, &mut hw)?;
/// assert!(p.hardware_enable(&mut hw).is_err());
/// # Ok::<(), vcpu::VCpuError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MockPerCpu {
    cpu_id: usize,
    enabled: bool,
}

impl MockPerCpu {
    fn check_hw(&self, hw: &MockHardware) -> Result<(), VCpuError> {
        if hw.cpu_id() == self.cpu_id {
            Ok(())
        } else {
            Err(
                ArchError::new("mock", "hardware handle of another physical CPU")
                    .with_value(hw.cpu_id() as u64)
                    .into(),
            )
        }
    }
}

impl ArchPerCpu for MockPerCpu {
    type Hardware = MockHardware;

    fn new(cpu_id: usize, hw: &mut MockHardware) -> Result<Self, VCpuError> {
        if hw.cpu_id() != cpu_id {
            return Err(VCpuError::BadConfig(
                "per-CPU state created with another CPU's hardware handle",
            ));
        }
        Ok(Self {
            cpu_id,
            enabled: false,
        })
    }

    fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn hardware_enable(&mut self, hw: &mut MockHardware) -> Result<(), VCpuError> {
        self.check_hw(hw)?;
        if !hw.can_virtualize() {
            return Err(VCpuError::Unsupported(
                "mock hardware without virtualization",
            ));
        }
        hw.enabled = true;
        self.enabled = true;
        Ok(())
    }

    fn hardware_disable(&mut self, hw: &mut MockHardware) -> Result<(), VCpuError> {
        self.check_hw(hw)?;
        hw.enabled = false;
        self.enabled = false;
        Ok(())
    }
}
