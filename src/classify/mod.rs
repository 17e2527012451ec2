//! The classify stage: rule matches grouped into findings by (fault, component, host), and ERROR
//! events that no rule matched grouped into templates (`unclassified`), so new failure modes are
//! seen, not dropped. Partial sets from files and chunks merge in any order to the same result,
//! which is what makes parallel scans deterministic.

mod findings;
mod template;
mod unclassified;

pub(crate) use findings::cut_point;
pub use findings::{Evidence, FindingSet, Group, GroupKey, MAX_EVIDENCE_TEXT, Position};
pub use template::{Template, message_start};
pub use unclassified::{MAX_GROUPS, SourceUnclassified, UnclassifiedGroup, UnclassifiedKey, UnclassifiedSet};
