//! hvsim's bare-metal RISC-V runner: the vCPU layer on a real H-extension hart.
//!
//! Boots in HS-mode under OpenSBI (`qemu-system-riscv64 -M virt -cpu rv64,h=true -m 512M
//! -bios default -kernel <runner>`), loads the guest ELF embedded at build time
//! (`HVSIM_NATIVE_GUEST`), maps it with the shared stage-2 builder (`vcpu::stage2`), runs
//! `RiscvVCpu` over `hw_models::riscv::native::NativeHart`, prints every exit in the
//! Machine's trace format, and ends with SBI SRST. See docs/native.md.
#![no_std]
#![no_main]

extern crate alloc;

mod boot;
mod bus;
mod console;
mod elf;
mod frames;
mod heap;
mod vmm;

use core::fmt::Write;

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;
use hw_models::riscv::native::NativeHart;

use console::Console;
use frames::FramePool;

#[global_allocator]
static HEAP: heap::Bump = heap::Bump::new();

/// The guest, chosen at build time.
static GUEST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/guest.elf"));
const GUEST_NAME: &str = env!("HVSIM_NATIVE_GUEST_NAME");

/// QEMU virt RAM starts here; the runner is started with `-m 512M`.
const HOST_RAM_BASE: u64 = 0x8000_0000;
const HOST_RAM_SIZE: u64 = 512 << 20;

/// SBI SRST: EID, FID, types and reasons (SBI spec, "System Reset Extension").
const EID_SRST: u64 = 0x5352_5354;
const FID_SYSTEM_RESET: u64 = 0;
const RESET_TYPE_SHUTDOWN: u64 = 0;
const RESET_REASON_NONE: u64 = 0;
const RESET_REASON_SYSTEM_FAILURE: u64 = 1;

unsafe extern "C" {
    static __image_end: u8;
}

fn shutdown(hart: &mut NativeHart, passed: bool) -> ! {
    let reason = if passed {
        RESET_REASON_NONE
    } else {
        RESET_REASON_SYSTEM_FAILURE
    };
    hart.sbi_call(
        EID_SRST,
        FID_SYSTEM_RESET,
        [RESET_TYPE_SHUTDOWN, reason, 0, 0, 0, 0],
    );
    loop {
        // SAFETY: WFI only waits.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack)) };
    }
}

/// Called from `_start` with OpenSBI's a0 (hart id) and a1 (device tree).
#[unsafe(no_mangle)]
extern "C" fn runner_main(hart_id: u64, _dtb: u64) -> ! {
    // SAFETY: we are in HS-mode under OpenSBI on the boot hart with SIE = 0 (boot.rs), this
    // is the only handle, and the G-stage tables built in vmm.rs map guest RAM only.
    let mut hart = unsafe { NativeHart::new() };
    // Only the symbol's address is taken.
    let image_end = core::ptr::addr_of!(__image_end) as u64;
    let _ = writeln!(
        Console::new(&mut hart),
        "native: hvsim riscv runner on hart {hart_id}, guest {GUEST_NAME} ({} bytes)",
        GUEST.len()
    );
    let mut pool = FramePool::new(image_end, HOST_RAM_BASE + HOST_RAM_SIZE);
    let outcome = vmm::run(&mut hart, &mut pool, GUEST);
    let passed = outcome.passed();
    let _ = writeln!(
        Console::new(&mut hart),
        "native: outcome {outcome} passed={passed}"
    );
    shutdown(&mut hart, passed)
}

/// A trap in host code outside a guarded instruction (boot.rs's vector).
#[unsafe(no_mangle)]
extern "C" fn runner_fatal_trap() -> ! {
    // SAFETY: the runner is dead; this handle only reports and shuts down.
    let mut hart = unsafe { NativeHart::new() };
    let scause = hart.csr_read(csr_num::SCAUSE).unwrap_or(0);
    let sepc = hart.csr_read(csr_num::SEPC).unwrap_or(0);
    let stval = hart.csr_read(csr_num::STVAL).unwrap_or(0);
    let _ = writeln!(
        Console::new(&mut hart),
        "native: FATAL host trap scause={scause:#x} sepc={sepc:#x} stval={stval:#x}"
    );
    shutdown(&mut hart, false)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: the runner is dead; this handle only reports and shuts down.
    let mut hart = unsafe { NativeHart::new() };
    let _ = writeln!(Console::new(&mut hart), "native: PANIC {info}");
    shutdown(&mut hart, false)
}
