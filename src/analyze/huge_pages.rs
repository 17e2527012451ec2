//! Large vectors of the task analysis backed by huge pages where the system allows it. Pairing
//! half a million task lines writes tens of megabytes of new memory in a few milliseconds; in
//! 4 KiB pages that was one page fault per 4 KiB, a third of the report's time.
//! `madvise(MADV_HUGEPAGE)` asks for 2 MiB pages instead; where transparent huge pages are
//! off, or on other systems, nothing changes.

use std::ops::Range;

/// The size of a huge page (x86-64 and arm64 with 4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

/// Vectors smaller than this are left alone: they would hold no whole huge page, or too few.
const MIN_BYTES: usize = 2 * HUGE_PAGE;

/// An empty vector with room for `len` items, its room advised to be backed by huge pages.
pub(crate) fn with_capacity<T>(len: usize) -> Vec<T> {
    let vec = Vec::with_capacity(len);
    let bytes = vec.capacity().saturating_mul(std::mem::size_of::<T>());
    if let Some(range) = whole_huge_pages(vec.as_ptr() as usize, bytes) {
        advise(range);
    }
    vec
}

/// The whole huge pages inside `bytes` from `start`, when it is large enough to bother.
fn whole_huge_pages(start: usize, bytes: usize) -> Option<Range<usize>> {
    if bytes < MIN_BYTES {
        return None;
    }
    let first = start.checked_next_multiple_of(HUGE_PAGE)?;
    let end = start.checked_add(bytes)? / HUGE_PAGE * HUGE_PAGE;
    (first < end).then_some(first..end)
}

#[cfg(target_os = "linux")]
fn advise(range: Range<usize>) {
    // SAFETY: the range lies inside a live allocation of ours (whole_huge_pages keeps it
    // there), and the advice changes how its pages are backed, not their contents. A refusal
    // (transparent huge pages off) leaves the memory as it was.
    let _ = unsafe { libc::madvise(range.start as *mut libc::c_void, range.len(), libc::MADV_HUGEPAGE) };
}

#[cfg(not(target_os = "linux"))]
fn advise(_range: Range<usize>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_huge_pages_inside_the_buffer_are_advised() {
        let mib = 1 << 20;
        // 10 MiB from 1 MiB past a huge page: the pages from 2 MiB up to 10 MiB.
        assert_eq!(whole_huge_pages(2 * HUGE_PAGE + mib, 10 * mib), Some(3 * HUGE_PAGE..3 * HUGE_PAGE + 8 * mib));
        // Aligned at both ends: all of it.
        assert_eq!(whole_huge_pages(HUGE_PAGE, 3 * HUGE_PAGE), Some(HUGE_PAGE..4 * HUGE_PAGE));
        // Too small to bother, or no whole page inside.
        assert_eq!(whole_huge_pages(HUGE_PAGE, MIN_BYTES - 1), None);
        assert_eq!(whole_huge_pages(HUGE_PAGE + 1, MIN_BYTES), Some(2 * HUGE_PAGE..3 * HUGE_PAGE));
        assert_eq!(whole_huge_pages(usize::MAX - mib, MIN_BYTES), None, "no overflow at the top");
    }

    #[test]
    fn an_advised_vector_holds_what_is_written() {
        let mut vec: Vec<u64> = with_capacity(1 << 20);
        assert!(vec.capacity() >= 1 << 20);
        vec.extend(0..1 << 20);
        assert_eq!(vec.iter().sum::<u64>(), (1u64 << 20) * ((1 << 20) - 1) / 2);
    }
}
