//! Files in a container's filesystem, as the State holds them.

use serde::{Deserialize, Serialize};

/// What a file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileContent {
    /// UTF-8 text.
    Text(String),
    /// Any bytes.
    Bytes(Vec<u8>),
}

/// A regular file or a directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A regular file. The default.
    #[default]
    File,
    /// A directory.
    Directory,
}

/// A file (or directory) in a container.
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
    /// The content as text, if it is text.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            FileContent::Text(t) => Some(t),
            FileContent::Bytes(b) => std::str::from_utf8(b).ok(),
        }
    }

    /// The content as bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.content {
            FileContent::Text(t) => t.as_bytes(),
            FileContent::Bytes(b) => b,
        }
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

impl Serialize for ContainerFile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().unwrap_or_default().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ContainerFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(ContainerFile::from)
    }
}
