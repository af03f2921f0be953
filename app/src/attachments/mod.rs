//! Files attached to requests: what kinds are accepted, how they are recognised and named.
//!
//! A file is uploaded first (staged, owned by its uploader) and becomes part of a request in
//! the same transaction as the submission or the reply that carries it.

use crate::{auth::UserId, id_type, text_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod http;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod store;

id_type!(
    /// An uploaded file.
    AttachmentId
);

text_enum!(
    pub enum FileKind {
        Pdf => "pdf",
        /// The Chinese e-invoice format (GB/T 33190): a ZIP with `OFD.xml` at its root.
        Ofd => "ofd",
        Jpeg => "jpeg",
        Png => "png",
        Xlsx => "xlsx",
        Docx => "docx",
        Csv => "csv",
    }
);

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Ofd => "application/ofd",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file name endings that may carry this kind.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Ofd => &["ofd"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Docx => &["docx"],
            FileKind::Csv => &["csv"],
        }
    }

    /// Browsers show these themselves, so the request page previews them.
    pub fn previewable(self) -> bool {
        matches!(self, FileKind::Pdf | FileKind::Jpeg | FileKind::Png)
    }

    /// The `accept` attribute of a file picker for these kinds.
    pub fn accept_attribute(kinds: &[FileKind]) -> String {
        kinds
            .iter()
            .flat_map(|k| k.extensions().iter().map(|e| format!(".{e}")))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Limits on uploads; the server's configuration sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_request_bytes: u64,
    pub max_files_per_request: u32,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_file_bytes: 20 * MIB,
            max_request_bytes: 100 * MIB,
            max_files_per_request: 20,
        }
    }
}

pub const MIB: u64 = 1024 * 1024;
pub const FILE_NAME_MAX: usize = 120;

/// A stored file, as lists and the request page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Attachment {
    pub id: AttachmentId,
    pub file_name: String,
    pub kind: FileKind,
    pub size_bytes: i64,
    pub sha256: String,
    pub slot: Option<String>,
    pub event_id: Option<i64>,
    pub uploaded_by: UserId,
    pub uploader_name: String,
    pub created_at: DateTime<Utc>,
}

impl Attachment {
    pub fn download_url(&self) -> String {
        format!("/files/{}", self.id)
    }

    pub fn preview_url(&self) -> String {
        format!("/files/{}?inline=1", self.id)
    }
}

/// What the upload endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub id: AttachmentId,
    pub file_name: String,
    pub kind: FileKind,
    pub size_bytes: i64,
}

/// A file name safe to store and to send back in `Content-Disposition`: no directories, no
/// control or reserved characters, no leading dots, at most [`FILE_NAME_MAX`] characters with
/// the extension kept. `None` when nothing usable is left.
pub fn sanitize_file_name(raw: &str) -> Option<String> {
    // Browsers on Windows send `C:\fakepath\x.pdf`; only the last component is the name.
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.' || c == '_') {
        return None;
    }
    if cleaned.chars().count() <= FILE_NAME_MAX {
        return Some(cleaned.to_string());
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.chars().count() <= 10 => (s, format!(".{e}")),
        _ => (cleaned, String::new()),
    };
    let keep = FILE_NAME_MAX - ext.chars().count();
    Some(format!("{}{ext}", stem.chars().take(keep).collect::<String>()))
}

/// The extension of a file name, lower-cased.
pub fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

/// Recognises a file from its bytes: `head` is its start, `tail` its last bytes (where a ZIP
/// keeps its directory). The name is not consulted; an executable named `.pdf` is not a PDF.
pub fn sniff(head: &[u8], tail: &[u8]) -> Option<FileKind> {
    if head.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(FileKind::Png);
    }
    if head.starts_with(b"PK\x03\x04") {
        let names = zip_entry_names(head, tail);
        if names.iter().any(|n| n == "OFD.xml") {
            return Some(FileKind::Ofd);
        }
        if names.iter().any(|n| n == "[Content_Types].xml") {
            if names.iter().any(|n| n.starts_with("xl/")) {
                return Some(FileKind::Xlsx);
            }
            if names.iter().any(|n| n.starts_with("word/")) {
                return Some(FileKind::Docx);
            }
        }
        return None;
    }
    looks_like_csv(head).then_some(FileKind::Csv)
}

/// Entry names from a ZIP's local headers at its start and central directory at its end.
fn zip_entry_names(head: &[u8], tail: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    // The first local file header: name length at 26, name at 30.
    if head.len() >= 30 {
        let len = u16::from_le_bytes([head[26], head[27]]) as usize;
        if let Some(name) = head.get(30..30 + len) {
            names.push(String::from_utf8_lossy(name).into_owned());
        }
    }
    // Central directory headers: signature PK\x01\x02, name length at 28, name at 46.
    let mut i = 0;
    while i + 46 <= tail.len() {
        if &tail[i..i + 4] == b"PK\x01\x02" {
            let len = u16::from_le_bytes([tail[i + 28], tail[i + 29]]) as usize;
            if let Some(name) = tail.get(i + 46..i + 46 + len) {
                names.push(String::from_utf8_lossy(name).into_owned());
            }
            i += 46 + len;
        } else {
            i += 1;
        }
    }
    names
}

/// CSV has no signature: accept UTF-8 (with or without BOM) text without NUL or other
/// control characters but tabs and line breaks, that has at least one line.
fn looks_like_csv(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The head may end inside a multi-byte character.
    let valid = match std::str::from_utf8(text) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&text[..e.valid_up_to()]) {
            Ok(s) => s,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    !valid.is_empty() && !valid.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_directories_and_dangerous_characters() {
        assert_eq!(sanitize_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(sanitize_file_name("C:\\fakepath\\发票.pdf").as_deref(), Some("发票.pdf"));
        assert_eq!(sanitize_file_name("..\\..\\boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(sanitize_file_name("a<b>:c\u{0}.pdf").as_deref(), Some("a_b__c.pdf"));
        assert_eq!(sanitize_file_name(".htaccess").as_deref(), Some("htaccess"));
        assert_eq!(sanitize_file_name("../"), None);
        assert_eq!(sanitize_file_name("..."), None);
        let long = format!("{}.pdf", "长".repeat(300));
        let cut = sanitize_file_name(&long).unwrap();
        assert_eq!(cut.chars().count(), FILE_NAME_MAX);
        assert!(cut.ends_with(".pdf"));
    }

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for name in names {
            bytes.extend_from_slice(b"PK\x03\x04");
            bytes.extend_from_slice(&[0; 22]);
            bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
            bytes.extend_from_slice(&[0, 0]);
            bytes.extend_from_slice(name.as_bytes());
        }
        for name in names {
            bytes.extend_from_slice(b"PK\x01\x02");
            bytes.extend_from_slice(&[0; 24]);
            bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
            bytes.extend_from_slice(&[0; 16]);
            bytes.extend_from_slice(name.as_bytes());
        }
        bytes
    }

    #[test]
    fn kinds_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...", b""), Some(FileKind::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0], b""), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....", b""), Some(FileKind::Png));
        let ofd = zip_with(&["OFD.xml", "Doc_0/Document.xml"]);
        assert_eq!(sniff(&ofd, &ofd), Some(FileKind::Ofd));
        let xlsx = zip_with(&["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"]);
        assert_eq!(sniff(&xlsx, &xlsx), Some(FileKind::Xlsx));
        let docx = zip_with(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(sniff(&docx, &docx), Some(FileKind::Docx));
        assert_eq!(sniff("日期,金额\n2026-11-01,12.00\n".as_bytes(), b""), Some(FileKind::Csv));
    }

    #[test]
    fn executables_and_unknown_archives_are_refused() {
        assert_eq!(sniff(b"MZ\x90\x00\x03\x00\x00\x00", b""), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01", b""), None);
        let jar = zip_with(&["META-INF/MANIFEST.MF", "Main.class"]);
        assert_eq!(sniff(&jar, &jar), None);
        assert_eq!(sniff(b"", b""), None);
    }
}
