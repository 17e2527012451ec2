//! The progress bar: bytes of the bundle done, on standard error, only when standard error is a
//! terminal and `--quiet` is not given. The library reports progress through a callback; this is
//! the only place that draws.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Bundles smaller than this scan in well under a second: no bar.
const MIN_BYTES_FOR_BAR: u64 = 64 << 20;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar over `total` bytes, or a silent one when `enabled` is false or the bundle is small.
    pub fn new(total: u64, enabled: bool) -> Progress {
        if !enabled || total < MIN_BYTES_FOR_BAR {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{spinner} scanning {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress { bar: Some(bar) }
    }

    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
