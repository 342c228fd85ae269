//! hvsim: run hypervisor vCPU code against software models of virtualization hardware.
