//! Files attached to requests: what kinds are accepted, how they are recognised and named.
//!
//! A file is uploaded first (staged, owned by its uploader) and becomes part of a request in
//! the same transaction as the submission or the reply that carries it.

use crate::{error::Problem, kernel::{AttachmentId, MIB, UserId}, text_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod transfer;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod store;

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
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
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

/// Direction overrides, zero-width characters and other invisible formatting: in a file name
/// they only serve to disguise it (`report\u{202E}fdp.csv` displays as `reportvsc.pdf`).
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// The extension of a file name, lower-cased.
pub fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

/// Declared uncompressed content of an accepted ZIP-based document, at most.
pub const ZIP_MAX_UNCOMPRESSED: u64 = 512 * MIB;
/// Declared uncompressed size over file size, at most. Office documents compress about ten
/// to one; a bomb compresses a thousand to one and more.
pub const ZIP_MAX_RATIO: u64 = 100;
const ZIP_MAX_ENTRIES: usize = 10_000;

/// Recognises a file from its bytes: `head` is its start, `tail` its last bytes (where a ZIP
/// keeps its directory) and `size` its length. The name is not consulted; an executable named
/// `.pdf` is not a PDF. A ZIP-based document must declare a plausible uncompressed size.
pub fn sniff(head: &[u8], tail: &[u8], size: u64) -> Result<FileKind, Problem> {
    if head.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Jpeg);
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(FileKind::Png);
    }
    if head.starts_with(b"PK\x03\x04") {
        let directory = ZipDirectory::read(tail, size).ok_or(Problem::FileKindNotAllowed)?;
        let names = &directory.names;
        let kind = if names.iter().any(|n| n == "OFD.xml") {
            FileKind::Ofd
        } else if names.iter().any(|n| n == "[Content_Types].xml") && names.iter().any(|n| n.starts_with("xl/")) {
            FileKind::Xlsx
        } else if names.iter().any(|n| n == "[Content_Types].xml") && names.iter().any(|n| n.starts_with("word/")) {
            FileKind::Docx
        } else {
            return Err(Problem::FileKindNotAllowed);
        };
        if directory.uncompressed > ZIP_MAX_UNCOMPRESSED
            || directory.uncompressed > size.max(1).saturating_mul(ZIP_MAX_RATIO)
        {
            return Err(Problem::SuspiciousArchive);
        }
        return Ok(kind);
    }
    if looks_like_csv(head) {
        Ok(FileKind::Csv)
    } else {
        Err(Problem::FileKindNotAllowed)
    }
}

/// What a ZIP's central directory declares, read without inflating anything.
struct ZipDirectory {
    names: Vec<String>,
    uncompressed: u64,
}

impl ZipDirectory {
    /// Reads the directory from the last bytes of a file of `size` bytes. `None` when it is
    /// not all there, malformed, or ZIP64 (which no accepted document needs).
    fn read(tail: &[u8], size: u64) -> Option<ZipDirectory> {
        const END_LEN: usize = 22;
        const ENTRY_LEN: usize = 46;
        let u16_at = |b: &[u8], i: usize| b.get(i..i + 2).map(|x| u16::from_le_bytes([x[0], x[1]]));
        let u32_at = |b: &[u8], i: usize| b.get(i..i + 4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]));
        if tail.len() < END_LEN {
            return None;
        }
        // The end record is last, followed only by a comment of at most 64 KiB.
        let earliest = tail.len().saturating_sub(END_LEN + u16::MAX as usize);
        let end = (earliest..=tail.len() - END_LEN).rev().find(|&i| &tail[i..i + 4] == b"PK\x05\x06")?;
        let entries = u16_at(tail, end + 10)? as usize;
        let directory_len = u32_at(tail, end + 12)? as u64;
        let directory_offset = u32_at(tail, end + 16)? as u64;
        if entries == 0xFFFF || directory_offset == 0xFFFF_FFFF || entries > ZIP_MAX_ENTRIES {
            return None;
        }
        let tail_offset = size.checked_sub(tail.len() as u64)?;
        let start = usize::try_from(directory_offset.checked_sub(tail_offset)?).ok()?;
        let directory = tail.get(start..start.checked_add(usize::try_from(directory_len).ok()?)?)?;
        let mut names = Vec::with_capacity(entries);
        let mut uncompressed: u64 = 0;
        let mut at = 0;
        for _ in 0..entries {
            if directory.get(at..at + 4)? != b"PK\x01\x02" {
                return None;
            }
            let declared = u32_at(directory, at + 24)?;
            if declared == 0xFFFF_FFFF {
                return None;
            }
            let name_len = u16_at(directory, at + 28)? as usize;
            let extra_len = u16_at(directory, at + 30)? as usize;
            let comment_len = u16_at(directory, at + 32)? as usize;
            let name = directory.get(at + ENTRY_LEN..at + ENTRY_LEN + name_len)?;
            names.push(String::from_utf8_lossy(name).into_owned());
            uncompressed = uncompressed.saturating_add(declared as u64);
            at += ENTRY_LEN + name_len + extra_len + comment_len;
        }
        Some(ZipDirectory { names, uncompressed })
    }
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

/// ZIP files built from what their directory declares, for tests of [`sniff`] here and
/// through the upload endpoint.
#[cfg(feature = "ssr")]
#[doc(hidden)]
pub mod zip_example {
    /// A ZIP as office suites write it: local headers, central directory, end record. Each
    /// entry stores `stored` bytes and declares `declared` uncompressed.
    pub fn zip_declaring(entries: &[(&str, u32)], stored: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut offsets = Vec::new();
        for (name, declared) in entries {
            offsets.push(bytes.len() as u32);
            bytes.extend_from_slice(b"PK\x03\x04");
            bytes.extend_from_slice(&[20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            bytes.extend_from_slice(&(stored as u32).to_le_bytes());
            bytes.extend_from_slice(&declared.to_le_bytes());
            bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
            bytes.extend_from_slice(&[0, 0]);
            bytes.extend_from_slice(name.as_bytes());
            bytes.extend(std::iter::repeat_n(0x55u8, stored));
        }
        let directory_at = bytes.len() as u32;
        for ((name, declared), offset) in entries.iter().zip(&offsets) {
            bytes.extend_from_slice(b"PK\x01\x02");
            bytes.extend_from_slice(&[20, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            bytes.extend_from_slice(&(stored as u32).to_le_bytes());
            bytes.extend_from_slice(&declared.to_le_bytes());
            bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
            bytes.extend_from_slice(&[0; 12]);
            bytes.extend_from_slice(&offset.to_le_bytes());
            bytes.extend_from_slice(name.as_bytes());
        }
        let directory_len = bytes.len() as u32 - directory_at;
        bytes.extend_from_slice(b"PK\x05\x06");
        bytes.extend_from_slice(&[0; 4]);
        bytes.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        bytes.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        bytes.extend_from_slice(&directory_len.to_le_bytes());
        bytes.extend_from_slice(&directory_at.to_le_bytes());
        bytes.extend_from_slice(&[0, 0]);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zip_example::zip_declaring;

    #[test]
    fn names_lose_directories_and_dangerous_characters() {
        assert_eq!(sanitize_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(sanitize_file_name("C:\\fakepath\\发票.pdf").as_deref(), Some("发票.pdf"));
        assert_eq!(sanitize_file_name("..\\..\\boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(sanitize_file_name("a<b>:c\u{0}.pdf").as_deref(), Some("a_b__c.pdf"));
        assert_eq!(sanitize_file_name(".htaccess").as_deref(), Some("htaccess"));
        // Direction overrides and zero-width characters cannot disguise an extension.
        assert_eq!(sanitize_file_name("report\u{202E}fdp.csv").as_deref(), Some("reportfdp.csv"));
        assert_eq!(sanitize_file_name("inv\u{200B}oice\u{2066}.pdf\u{2069}").as_deref(), Some("invoice.pdf"));
        assert_eq!(sanitize_file_name("\u{202E}\u{200F}"), None);
        assert_eq!(sanitize_file_name("../"), None);
        assert_eq!(sanitize_file_name("..."), None);
        let long = format!("{}.pdf", "长".repeat(300));
        let cut = sanitize_file_name(&long).unwrap();
        assert_eq!(cut.chars().count(), FILE_NAME_MAX);
        assert!(cut.ends_with(".pdf"));
    }

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let entries: Vec<(&str, u32)> = names.iter().map(|n| (*n, 400)).collect();
        zip_declaring(&entries, 100)
    }

    fn sniff_whole(bytes: &[u8]) -> Result<FileKind, Problem> {
        sniff(bytes, bytes, bytes.len() as u64)
    }

    #[test]
    fn archives_declaring_too_much_are_refused_without_inflating() {
        // 1 GiB declared in a few hundred bytes: the classic bomb, named as a document.
        let bomb = zip_declaring(&[("[Content_Types].xml", 400), ("word/document.xml", 1 << 30)], 100);
        assert_eq!(sniff_whole(&bomb), Err(Problem::SuspiciousArchive));
        // A ratio over the limit, even well under the size cap.
        let dense = zip_declaring(&[("OFD.xml", 20_000), ("Doc_0/Document.xml", 200_000)], 100);
        assert_eq!(sniff_whole(&dense), Err(Problem::SuspiciousArchive));
        // ZIP64 markers are not followed.
        let zip64 = zip_declaring(&[("[Content_Types].xml", 400), ("xl/workbook.xml", u32::MAX)], 100);
        assert_eq!(sniff_whole(&zip64), Err(Problem::FileKindNotAllowed));
        // Only the tail of a large file is kept; its directory is read at the right offset.
        let docx = zip_declaring(&[("[Content_Types].xml", 4_000), ("word/document.xml", 40_000)], 5_000);
        let tail = &docx[docx.len() - 200..];
        assert_eq!(sniff(&docx[..64], tail, docx.len() as u64), Ok(FileKind::Docx));
        // A tail that does not reach the whole directory is not trusted.
        assert_eq!(sniff(&docx[..64], &docx[docx.len() - 100..], docx.len() as u64), Err(Problem::FileKindNotAllowed));
    }

    #[test]
    fn kinds_come_from_the_bytes() {
        assert_eq!(sniff_whole(b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(sniff_whole(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(FileKind::Jpeg));
        assert_eq!(sniff_whole(b"\x89PNG\r\n\x1a\n...."), Ok(FileKind::Png));
        let ofd = zip_with(&["OFD.xml", "Doc_0/Document.xml"]);
        assert_eq!(sniff_whole(&ofd), Ok(FileKind::Ofd));
        let xlsx = zip_with(&["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"]);
        assert_eq!(sniff_whole(&xlsx), Ok(FileKind::Xlsx));
        let docx = zip_with(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(sniff_whole(&docx), Ok(FileKind::Docx));
        assert_eq!(sniff_whole("日期,金额\n2026-11-01,12.00\n".as_bytes()), Ok(FileKind::Csv));
    }

    #[test]
    fn executables_and_unknown_archives_are_refused() {
        assert_eq!(sniff_whole(b"MZ\x90\x00\x03\x00\x00\x00"), Err(Problem::FileKindNotAllowed));
        assert_eq!(sniff_whole(b"\x7fELF\x02\x01\x01"), Err(Problem::FileKindNotAllowed));
        let jar = zip_with(&["META-INF/MANIFEST.MF", "Main.class"]);
        assert_eq!(sniff_whole(&jar), Err(Problem::FileKindNotAllowed));
        assert_eq!(sniff_whole(b""), Err(Problem::FileKindNotAllowed));
    }
}
