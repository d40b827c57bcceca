//! Files in a container's filesystem, as the State holds them.
//!
//! JSON form, the shortest that says everything:
//! - a string: a text file with Pebble's default metadata (`"port: 80\n"`);
//! - `{"$bytes": "<base64>"}`: a binary file with default metadata (bytes are tagged as in
//!   stored state, see [`StoredValue`](crate::StoredValue));
//! - otherwise an object `{"type": "file" | "directory", "content": <string or {"$bytes"}>,
//!   "permissions": "600", "user": .., "user_id": .., "group": .., "group_id": ..}`, every key
//!   optional (`type` defaults to `file`, `content` to `""`; a directory has no content;
//!   `permissions` is an octal string, as Pebble writes it).

use std::fmt;

use base64::Engine as _;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The keys of `ContainerFile`'s object form, in the order it writes them.
pub(crate) const CONTAINER_FILE_KEYS: [&str; 7] = [
    "type",
    "content",
    "permissions",
    "user",
    "user_id",
    "group",
    "group_id",
];

/// The permissions Pebble gives a file when none are asked for.
pub const DEFAULT_FILE_PERMISSIONS: u32 = 0o644;
/// The permissions Pebble gives a directory when none are asked for.
pub const DEFAULT_DIR_PERMISSIONS: u32 = 0o755;

/// What a file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileContent {
    /// UTF-8 text.
    Text(String),
    /// Any bytes.
    Bytes(Vec<u8>),
}

impl FileContent {
    /// The content as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            FileContent::Text(t) => t.as_bytes(),
            FileContent::Bytes(b) => b,
        }
    }

    /// Text when the bytes are UTF-8 (how the charm most likely wrote them), bytes otherwise.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => FileContent::Text(text),
            Err(e) => FileContent::Bytes(e.into_bytes()),
        }
    }

    /// Whether there is no content.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
}

/// A regular file or a directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A regular file. The default.
    #[default]
    File,
    /// A directory.
    Directory,
}

impl FileKind {
    /// Pebble's name for it (`FileInfo.type`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Directory => "directory",
        }
    }

    /// The permissions Pebble gives this kind when none are asked for.
    pub fn default_permissions(self) -> u32 {
        match self {
            FileKind::File => DEFAULT_FILE_PERMISSIONS,
            FileKind::Directory => DEFAULT_DIR_PERMISSIONS,
        }
    }
}

/// A file (or directory) in a container.
///
/// ```
/// use ops_scenario::{ContainerFile, FileKind};
/// let key = ContainerFile::from(vec![0u8, 1, 2]).permissions(0o600).user("app");
/// assert_eq!(key.effective_permissions(), 0o600);
/// assert_eq!(ContainerFile::directory().kind, FileKind::Directory);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerFile {
    /// File or directory.
    pub kind: FileKind,
    /// The content (empty for a directory).
    pub content: FileContent,
    /// The permission bits. Defaults to Pebble's (0o644 for files, 0o755 for directories).
    pub permissions: Option<u32>,
    /// The owner's name.
    pub user: Option<String>,
    /// The owner's id.
    pub user_id: Option<u32>,
    /// The group's name.
    pub group: Option<String>,
    /// The group's id.
    pub group_id: Option<u32>,
}

impl ContainerFile {
    /// An empty directory with default metadata.
    pub fn directory() -> Self {
        ContainerFile {
            kind: FileKind::Directory,
            ..ContainerFile::from(String::new())
        }
    }

    /// Set the permission bits (`0o600`).
    pub fn permissions(mut self, permissions: u32) -> Self {
        self.permissions = Some(permissions);
        self
    }

    /// Set the owner's name.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Set the owner's id.
    pub fn user_id(mut self, user_id: u32) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Set the group's name.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Set the group's id.
    pub fn group_id(mut self, group_id: u32) -> Self {
        self.group_id = Some(group_id);
        self
    }

    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == FileKind::Directory
    }

    /// The permission bits Pebble reports: the ones set, or the kind's default.
    pub fn effective_permissions(&self) -> u32 {
        self.permissions
            .unwrap_or_else(|| self.kind.default_permissions())
    }

    /// Whether every piece of metadata is the default (so the short JSON forms say it all).
    pub fn has_default_metadata(&self) -> bool {
        self.permissions.is_none()
            && self.user.is_none()
            && self.user_id.is_none()
            && self.group.is_none()
            && self.group_id.is_none()
    }

    /// The content as text, if it is text.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            FileContent::Text(t) => Some(t),
            FileContent::Bytes(b) => std::str::from_utf8(b).ok(),
        }
    }

    /// The content as bytes.
    pub fn bytes(&self) -> &[u8] {
        self.content.as_bytes()
    }
}

impl From<&str> for ContainerFile {
    fn from(text: &str) -> Self {
        ContainerFile::from(text.to_owned())
    }
}

impl From<String> for ContainerFile {
    fn from(text: String) -> Self {
        ContainerFile {
            kind: FileKind::File,
            content: FileContent::Text(text),
            permissions: None,
            user: None,
            user_id: None,
            group: None,
            group_id: None,
        }
    }
}

impl From<Vec<u8>> for ContainerFile {
    fn from(bytes: Vec<u8>) -> Self {
        ContainerFile {
            content: FileContent::Bytes(bytes),
            ..ContainerFile::from(String::new())
        }
    }
}

impl From<&[u8]> for ContainerFile {
    fn from(bytes: &[u8]) -> Self {
        ContainerFile::from(bytes.to_vec())
    }
}

/// `{"$bytes": "<base64>"}`.
struct TaggedBytes<'a>(&'a [u8]);

impl Serialize for TaggedBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(
            "$bytes",
            &base64::engine::general_purpose::STANDARD.encode(self.0),
        )?;
        map.end()
    }
}

/// Text as a string, bytes as `{"$bytes"}`.
struct ContentRef<'a>(&'a FileContent);

impl Serialize for ContentRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            FileContent::Text(t) => s.serialize_str(t),
            FileContent::Bytes(b) => TaggedBytes(b).serialize(s),
        }
    }
}

impl Serialize for ContainerFile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.kind == FileKind::File && self.has_default_metadata() {
            return ContentRef(&self.content).serialize(s);
        }
        let mut map = s.serialize_map(None)?;
        if self.kind == FileKind::Directory {
            map.serialize_entry("type", &self.kind)?;
        }
        if self.kind == FileKind::File && !self.content.is_empty() {
            map.serialize_entry("content", &ContentRef(&self.content))?;
        }
        if let Some(p) = self.permissions {
            map.serialize_entry("permissions", &format!("{p:03o}"))?;
        }
        if let Some(user) = &self.user {
            map.serialize_entry("user", user)?;
        }
        if let Some(id) = self.user_id {
            map.serialize_entry("user_id", &id)?;
        }
        if let Some(group) = &self.group {
            map.serialize_entry("group", group)?;
        }
        if let Some(id) = self.group_id {
            map.serialize_entry("group_id", &id)?;
        }
        map.end()
    }
}

fn decode_base64<E: de::Error>(text: &str) -> Result<Vec<u8>, E> {
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|e| E::custom(format!("$bytes is not base64: {e}")))
}

/// Parse Pebble's octal permission string (`"644"`, `"0600"`).
fn parse_permissions<E: de::Error>(text: &str) -> Result<u32, E> {
    let bad = || {
        E::custom(format!(
            "permissions must be an octal string from \"000\" to \"777\", got {text:?}"
        ))
    };
    if text.is_empty() || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return Err(bad());
    }
    match u32::from_str_radix(text, 8) {
        Ok(p) if p <= 0o777 => Ok(p),
        _ => Err(bad()),
    }
}

/// A file's content in JSON: a string or `{"$bytes": "<base64>"}`.
struct ContentDe(FileContent);

impl<'de> Deserialize<'de> for ContentDe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ContentVisitor;
        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = ContentDe;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a string or {"$bytes": "<base64>"}"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ContentDe, E> {
                Ok(ContentDe(FileContent::Text(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ContentDe, E> {
                Ok(ContentDe(FileContent::Text(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContentDe, A::Error> {
                match map.next_key::<String>()?.as_deref() {
                    Some("$bytes") => {}
                    Some(other) => {
                        return Err(de::Error::custom(format!(
                            r#"unknown key {other:?} in content: expected {{"$bytes": "<base64>"}}"#
                        )))
                    }
                    None => return Err(de::Error::custom(r#"content {} has no "$bytes""#)),
                }
                let text: String = map.next_value()?;
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "unexpected key {extra:?} after \"$bytes\""
                    )));
                }
                Ok(ContentDe(FileContent::Bytes(decode_base64(&text)?)))
            }
        }
        d.deserialize_any(ContentVisitor)
    }
}

impl<'de> Deserialize<'de> for ContainerFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FileVisitor;
        impl<'de> Visitor<'de> for FileVisitor {
            type Value = ContainerFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a string, {"$bytes": "<base64>"} or a file object"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ContainerFile, E> {
                Ok(ContainerFile::from(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ContainerFile, E> {
                Ok(ContainerFile::from(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContainerFile, A::Error> {
                let mut file = ContainerFile::from(String::new());
                let mut content: Option<FileContent> = None;
                let mut first = true;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "$bytes" if first => {
                            let text: String = map.next_value()?;
                            if let Some(extra) = map.next_key::<String>()? {
                                return Err(de::Error::custom(format!(
                                    "unexpected key {extra:?} after \"$bytes\" (use \
                                     {{\"content\": {{\"$bytes\": ..}}, {extra:?}: ..}})"
                                )));
                            }
                            return Ok(ContainerFile::from(decode_base64::<A::Error>(&text)?));
                        }
                        "type" => file.kind = map.next_value()?,
                        "content" => content = Some(map.next_value::<ContentDe>()?.0),
                        "permissions" => {
                            let text: String = map.next_value()?;
                            file.permissions = Some(parse_permissions(&text)?);
                        }
                        "user" => file.user = map.next_value()?,
                        "user_id" => file.user_id = map.next_value()?,
                        "group" => file.group = map.next_value()?,
                        "group_id" => file.group_id = map.next_value()?,
                        _ => return Err(de::Error::unknown_field(&key, &CONTAINER_FILE_KEYS)),
                    }
                    first = false;
                }
                if let Some(content) = content {
                    if file.kind == FileKind::Directory {
                        return Err(de::Error::custom("a directory has no content"));
                    }
                    file.content = content;
                }
                Ok(file)
            }
        }
        d.deserialize_any(FileVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(file: &ContainerFile, expected: serde_json::Value) {
        let value = serde_json::to_value(file).unwrap();
        assert_eq!(value, expected);
        let back: ContainerFile = serde_json::from_value(value).unwrap();
        assert_eq!(&back, file);
    }

    fn parse(value: serde_json::Value) -> Result<ContainerFile, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    // A plain string is a text file with default metadata.
    #[test]
    fn text_file_is_a_string() {
        round_trip(&ContainerFile::from("port: 80\n"), json!("port: 80\n"));
        round_trip(&ContainerFile::from(""), json!(""));
    }

    // Bytes are tagged as in stored state.
    #[test]
    fn binary_file_is_tagged_bytes() {
        let file = ContainerFile::from(vec![0u8, 0xff, b'a']);
        round_trip(&file, json!({"$bytes": "AP9h"}));
    }

    // Anything with metadata, and any directory, is the object form.
    #[test]
    fn metadata_uses_the_object_form() {
        let file = ContainerFile::from("secret")
            .permissions(0o600)
            .user("app")
            .user_id(1000)
            .group("app")
            .group_id(1001);
        round_trip(
            &file,
            json!({"content": "secret", "permissions": "600", "user": "app", "user_id": 1000,
                   "group": "app", "group_id": 1001}),
        );
        round_trip(&ContainerFile::directory(), json!({"type": "directory"}));
        round_trip(
            &ContainerFile::directory().permissions(0o700),
            json!({"type": "directory", "permissions": "700"}),
        );
        round_trip(
            &ContainerFile::from(vec![1u8, 2]).permissions(0o7),
            json!({"content": {"$bytes": "AQI="}, "permissions": "007"}),
        );
        // Empty file content is left out.
        round_trip(
            &ContainerFile::from("").user("root"),
            json!({"user": "root"}),
        );
    }

    // Every key of the object form is optional; `type` defaults to file.
    #[test]
    fn object_form_defaults() {
        assert_eq!(parse(json!({})).unwrap(), ContainerFile::from(""));
        assert_eq!(
            parse(json!({"type": "file", "content": "x"})).unwrap(),
            ContainerFile::from("x")
        );
        assert_eq!(
            parse(json!({"permissions": "0644"})).unwrap(),
            ContainerFile::from("").permissions(0o644)
        );
    }

    // Bad input says what is wrong.
    #[test]
    fn rejects_bad_input() {
        let err = parse(json!({"type": "directory", "content": "x"})).unwrap_err();
        assert!(err.contains("a directory has no content"), "{err}");
        for bad in ["888", "1000", "", "rw-"] {
            let err = parse(json!({"permissions": bad})).unwrap_err();
            assert!(err.contains("permissions must be an octal string"), "{err}");
        }
        let err = parse(json!({"mode": "644"})).unwrap_err();
        assert!(err.contains("unknown field `mode`"), "{err}");
        let err = parse(json!({"$bytes": "AA==", "user": "x"})).unwrap_err();
        assert!(err.contains("unexpected key \"user\""), "{err}");
        let err = parse(json!({"$bytes": "!!"})).unwrap_err();
        assert!(err.contains("$bytes is not base64"), "{err}");
        let err = parse(json!({"type": "symlink"})).unwrap_err();
        assert!(err.contains("unknown variant `symlink`"), "{err}");
        assert!(parse(json!(3)).is_err());
    }

    // Effective permissions fall back to Pebble's defaults per kind.
    #[test]
    fn effective_permissions_defaults() {
        assert_eq!(ContainerFile::from("").effective_permissions(), 0o644);
        assert_eq!(ContainerFile::directory().effective_permissions(), 0o755);
    }

    // Pushed bytes that are UTF-8 are kept as text.
    #[test]
    fn content_from_bytes() {
        assert_eq!(
            FileContent::from_bytes(b"hi".to_vec()),
            FileContent::Text("hi".into())
        );
        assert_eq!(
            FileContent::from_bytes(vec![0xff]),
            FileContent::Bytes(vec![0xff])
        );
    }
}
