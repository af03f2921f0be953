//! Limits the server is configured with and the browser shows before anything is sent.

use serde::{Deserialize, Serialize};

/// Limits on uploads; the server's configuration sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_request_bytes: u64,
    pub max_files_per_request: u32,
    /// Files one user may upload per day (in their time zone), staged or not.
    pub daily_files: u32,
    /// Bytes one user may upload per day.
    pub daily_bytes: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_file_bytes: 20 * MIB,
            max_request_bytes: 100 * MIB,
            max_files_per_request: 20,
            daily_files: 200,
            daily_bytes: 2048 * MIB,
        }
    }
}

pub const MIB: u64 = 1024 * 1024;
