//! The simulated Pebble of each workload container: layers and plan, services, checks,
//! notices, an in-memory filesystem with mounts, and exec results. Plain Rust on the run's
//! [`Container`](crate::state::Container), unit-tested without Python; `runtime::pebble`
//! converts arguments and results and maps a [`PebbleError`] to the exception ops expects.

mod checks;
mod exec;
mod fs;
mod notices;
mod services;
mod time;

use std::fmt;

pub(crate) use checks::{check_info_problems, check_to_api, get_checks, start_checks, stop_checks};
pub(crate) use exec::{run as run_exec, ExecRequest, ExecStdin};
pub(crate) use fs::{Filesystem, MakeDirOptions, PushOptions};
pub(crate) use notices::{get_notice, get_notices, notice_to_api, notify, NoticeFilter};
pub(crate) use services::{
    add_layer, autostart, get_services, replan, restart, send_signal, service_to_api, start, stop,
};

/// Why Pebble refused a call, as its API reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PebbleError {
    /// An API error: `pebble.APIError(body, code, status, message)`.
    Api {
        /// The HTTP status code (400, 404, 500, ...).
        code: u16,
        /// The HTTP status text ("Bad Request", "Not Found", ...).
        status: &'static str,
        /// Pebble's message.
        message: String,
    },
    /// A file operation failed: `pebble.PathError(kind, message)`, kind `not-found`,
    /// `permission-denied` or `generic-file-error`.
    Path {
        /// Pebble's error kind.
        kind: &'static str,
        /// Pebble's message.
        message: String,
    },
    /// Pebble cannot be reached: `pebble.ConnectionError(message)`.
    Connection(String),
}

impl PebbleError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        PebbleError::Api {
            code: 400,
            status: "Bad Request",
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        PebbleError::Api {
            code: 404,
            status: "Not Found",
            message: message.into(),
        }
    }

    pub(crate) fn path(kind: &'static str, message: impl Into<String>) -> Self {
        PebbleError::Path {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for PebbleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PebbleError::Api { message, .. } => f.write_str(message),
            PebbleError::Path { kind, message } => write!(f, "{kind} - {message}"),
            PebbleError::Connection(message) => f.write_str(message),
        }
    }
}

/// A Pebble change id: Pebble numbers changes from 1 in each container.
pub(crate) type ChangeId = String;
