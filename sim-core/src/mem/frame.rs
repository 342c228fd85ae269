//! (in progress)
/// Placeholder.
#[derive(Debug)]
pub struct FrameAllocator;
