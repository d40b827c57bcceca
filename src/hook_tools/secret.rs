//! Filled in by the issue-7 work.

use super::HookTools;

impl HookTools {}
