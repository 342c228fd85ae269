//! The heap: a bump allocator over the linker script's `.heap` region. The runner
//! allocates a little at start-up and per exit (DBCN buffers, device output) and runs one
//! guest, so memory is never returned.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

unsafe extern "C" {
    static __heap_start: u8;
    static __heap_end: u8;
}

/// Bytes handed out so far (an offset from `__heap_start`).
pub struct Bump {
    used: AtomicUsize,
}

impl Bump {
    pub const fn new() -> Self {
        Self {
            used: AtomicUsize::new(0),
        }
    }
}

fn region() -> (usize, usize) {
    // Only the addresses of the linker-defined symbols are taken, never the bytes.
    (
        core::ptr::addr_of!(__heap_start) as usize,
        core::ptr::addr_of!(__heap_end) as usize,
    )
}

// SAFETY: every block returned lies inside `.heap`, is aligned as asked, and is never
// handed out twice (the offset only grows, atomically).
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let (start, end) = region();
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let Some(base) = start.checked_add(used) else {
                return core::ptr::null_mut();
            };
            let aligned = (base + layout.align() - 1) & !(layout.align() - 1);
            let Some(next) = aligned.checked_add(layout.size()) else {
                return core::ptr::null_mut();
            };
            if next > end {
                return core::ptr::null_mut();
            }
            match self.used.compare_exchange(
                used,
                next - start,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return aligned as *mut u8,
                Err(now) => used = now,
            }
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}
