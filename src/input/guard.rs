//! The guard of memory-mapped files against truncation. A file that another process truncates
//! while it is mapped (a log rotated with `copytruncate` during collection) makes every access
//! to a page past its new end raise SIGBUS, which would kill the scan. While a file is mapped,
//! its address range is registered here; a SIGBUS inside a registered range puts a page of
//! zeros in place of the missing one and lets the read go on, and the map is marked as cut short
//! so that the scan can say so. A SIGBUS anywhere else goes to the handler that was there before
//! (the default one ends the process, as it would have).
//!
//! The handler only reads atomics and calls `mmap`, which is async-signal-safe.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

/// Maps registered at once at most; past this a file is read rather than mapped.
const SLOTS: usize = 1024;

/// One registered map: its address range (`start` 0 when the slot is free) and whether a page of
/// it was found missing.
struct Slot {
    start: AtomicUsize,
    end: AtomicUsize,
    cut_short: AtomicBool,
}

static REGISTERED: [Slot; SLOTS] =
    [const { Slot { start: AtomicUsize::new(0), end: AtomicUsize::new(0), cut_short: AtomicBool::new(false) } }; SLOTS];

static INSTALL: Once = Once::new();
static INSTALLED: AtomicBool = AtomicBool::new(false);
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(4096);
/// The SIGBUS action before ours, for faults that are not in a registered map.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();

/// A registered address range; unregistered when dropped, which must happen before the range is
/// unmapped.
#[derive(Debug)]
pub struct Registration {
    slot: usize,
}

impl Registration {
    /// Registers `len` bytes at `start` (a mapping's address): `None` when the guard could not be
    /// installed or every slot is taken, and the file should then be read rather than mapped.
    pub fn new(start: *const u8, len: usize) -> Option<Registration> {
        install();
        if !INSTALLED.load(Ordering::Acquire) || len == 0 {
            return None;
        }
        let start = start as usize;
        for (index, slot) in REGISTERED.iter().enumerate() {
            if slot.start.compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                // Claimed (`usize::MAX` matches no address until the range is in place).
                slot.cut_short.store(false, Ordering::Relaxed);
                slot.end.store(start + len, Ordering::Release);
                slot.start.store(start, Ordering::Release);
                return Some(Registration { slot: index });
            }
        }
        None
    }

    /// Whether a page of the range was missing when read (the file was cut short).
    pub fn cut_short(&self) -> bool {
        REGISTERED[self.slot].cut_short.load(Ordering::Acquire)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let slot = &REGISTERED[self.slot];
        slot.end.store(0, Ordering::Release);
        slot.start.store(0, Ordering::Release);
    }
}

fn install() {
    INSTALL.call_once(|| {
        // SAFETY: plain libc calls with valid arguments.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page > 0 {
                PAGE_SIZE.store(page as usize, Ordering::Relaxed);
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, &action, &mut previous) == 0 {
                let _ = PREVIOUS.set(previous);
                INSTALLED.store(true, Ordering::Release);
            }
        }
    });
}

extern "C" fn on_sigbus(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for a handler installed with SA_SIGINFO.
    let address = unsafe { (*info).si_addr() } as usize;
    for slot in &REGISTERED {
        let start = slot.start.load(Ordering::Acquire);
        if start == 0 || start == usize::MAX || address < start || address >= slot.end.load(Ordering::Acquire) {
            continue;
        }
        let page = address & !(PAGE_SIZE.load(Ordering::Relaxed) - 1);
        // SAFETY: the page lies in a registered, read-only private file mapping that is still
        // mapped (a range is unregistered before it is unmapped); a private anonymous page of
        // zeros replaces the one the file no longer has, and nothing else lives there.
        let mapped = unsafe {
            libc::mmap(
                page as *mut libc::c_void,
                PAGE_SIZE.load(Ordering::Relaxed),
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if mapped != libc::MAP_FAILED {
            slot.cut_short.store(true, Ordering::Release);
            return;
        }
        break;
    }
    pass_on(signal, info, context);
}

/// Hands a fault that is not ours to the action that was there before ours.
fn pass_on(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: calling the previous handler with the arguments the kernel gave ours is what it
    // expects; resetting to the default action and returning makes the faulting access fault
    // again, with the default outcome. (In the instant between installing ours and recording
    // the previous action, the default is used.)
    unsafe {
        let Some(previous) = PREVIOUS.get() else {
            libc::signal(signal, libc::SIG_DFL);
            return;
        };
        let handler = previous.sa_sigaction;
        if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
            libc::signal(signal, libc::SIG_DFL);
        } else if previous.sa_flags & libc::SA_SIGINFO != 0 {
            let call: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(handler);
            call(signal, info, context);
        } else {
            let call: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
            call(signal);
        }
    }
}
