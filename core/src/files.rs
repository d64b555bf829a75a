//! What volumes and containers hold: small in-memory filesystems, simulation state owned by the
//! [`crate::sim::World`].
//!
//! Where a file lives decides how long it lasts ([`FsId`]):
//! - under a mount of a PersistentVolumeClaim: in the **PersistentVolume** (by name), for as long
//!   as that volume exists, whichever pod or node uses it (a Retain volume keeps its data after
//!   its claim is gone);
//! - under an `emptyDir`: with the pod (by uid), gone when the pod is;
//! - under a `hostPath`: on the node;
//! - anywhere else: in the container's writable layer, which starts as the image's files and is
//!   lost when the container restarts or the pod is replaced.
//!
//! A mount hides what is beneath it. Limits keep the state small: [`MAX_FILE_BYTES`] per file,
//! [`MAX_FS_BYTES`] and [`MAX_FS_ENTRIES`] per filesystem; beyond them writes fail with
//! `File too large` or `No space left on device`.
//!
//! Architecture invariant: plain ordered data, no I/O; every change is made through the world,
//! which folds it into the trace hash.

use crate::time::SimTime;
use std::collections::BTreeMap;

/// Largest file.
pub const MAX_FILE_BYTES: usize = 64 * 1024;
/// Largest total of file bytes in one filesystem.
pub const MAX_FS_BYTES: usize = 1024 * 1024;
/// Most files and directories in one filesystem.
pub const MAX_FS_ENTRIES: usize = 2048;

/// Which filesystem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FsId {
    /// A PersistentVolume's contents, by volume name.
    Volume(String),
    /// A pod's `emptyDir` (pod uid, volume name).
    EmptyDir(String, String),
    /// A node's own disk (`hostPath` volumes), by node name.
    Host(String),
    /// A container's writable layer (pod uid, container name, container instance).
    Layer(String, String, u64),
}

impl FsId {
    /// The pod uid a filesystem dies with, if any.
    pub fn pod_uid(&self) -> Option<&str> {
        match self {
            FsId::EmptyDir(uid, _) | FsId::Layer(uid, _, _) => Some(uid),
            _ => None,
        }
    }
}

/// A file or a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir { mtime: SimTime },
    File { data: String, mtime: SimTime },
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        matches!(self, Entry::Dir { .. })
    }
    pub fn mtime(&self) -> SimTime {
        match self {
            Entry::Dir { mtime } | Entry::File { mtime, .. } => *mtime,
        }
    }
    pub fn size(&self) -> usize {
        match self {
            Entry::Dir { .. } => 4096,
            Entry::File { data, .. } => data.len(),
        }
    }
}

/// Why a filesystem operation failed (errno).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    NotDir,
    IsDir,
    Exists,
    NotEmpty,
    ReadOnly,
    NoSpace,
    TooLarge,
    Busy,
}

impl FsError {
    /// `strerror`.
    pub fn text(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::NotDir => "Not a directory",
            FsError::IsDir => "Is a directory",
            FsError::Exists => "File exists",
            FsError::NotEmpty => "Directory not empty",
            FsError::ReadOnly => "Read-only file system",
            FsError::NoSpace => "No space left on device",
            FsError::TooLarge => "File too large",
            FsError::Busy => "Device or resource busy",
        }
    }
}

/// One filesystem: absolute paths inside it (`/a/b`; the root `/` always exists) to entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fs {
    entries: BTreeMap<String, Entry>,
    bytes: usize,
}

/// `/a/b` → `/a`; `/a` → `/`.
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last component of a path.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Joins and normalises (`.`, `..`, repeated slashes) a path against a working directory.
pub fn normalize(cwd: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    for p in full.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            x => parts.push(x),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Fs {
    /// A filesystem from `(path, contents)` pairs; a path ending in `/` is a directory. Parents
    /// are created as needed.
    pub fn from_files(files: &[(&str, &str)], mtime: SimTime) -> Fs {
        let mut fs = Fs::default();
        for (path, data) in files {
            let p = normalize("/", path);
            fs.mkdir_all(parent(&p), mtime);
            if path.ends_with('/') {
                fs.mkdir_all(&p, mtime);
            } else {
                fs.bytes += data.len();
                fs.entries.insert(
                    p,
                    Entry::File {
                        data: data.to_string(),
                        mtime,
                    },
                );
            }
        }
        fs
    }

    fn mkdir_all(&mut self, path: &str, mtime: SimTime) {
        if path == "/" || self.entries.contains_key(path) {
            return;
        }
        self.mkdir_all(parent(path), mtime);
        self.entries.insert(path.to_string(), Entry::Dir { mtime });
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    pub fn is_dir(&self, path: &str) -> bool {
        path == "/" || self.entries.get(path).is_some_and(Entry::is_dir)
    }

    pub fn exists(&self, path: &str) -> bool {
        path == "/" || self.entries.contains_key(path)
    }

    /// Total bytes of files.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every file and directory with its absolute path, in path order (the root excluded).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), e))
    }

    /// The entries directly in a directory, by name.
    pub fn children<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a Entry)> + 'a {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        let n = prefix.len();
        let p2 = prefix.clone();
        self.entries
            .range(prefix..)
            .take_while(move |(k, _)| k.starts_with(&p2))
            .filter(move |(k, _)| !k[n..].contains('/'))
            .map(move |(k, e)| (&k[k.rfind('/').map_or(0, |i| i + 1)..], e))
    }

    fn check_parent(&self, path: &str) -> Result<(), FsError> {
        let p = parent(path);
        if self.is_dir(p) {
            Ok(())
        } else if self.exists(p) {
            Err(FsError::NotDir)
        } else {
            Err(FsError::NotFound)
        }
    }

    pub fn read(&self, path: &str) -> Result<&str, FsError> {
        match self.entries.get(path) {
            Some(Entry::File { data, .. }) => Ok(data),
            Some(Entry::Dir { .. }) => Err(FsError::IsDir),
            None if path == "/" => Err(FsError::IsDir),
            None => Err(FsError::NotFound),
        }
    }

    /// Writes (or appends to) a file, creating it in an existing directory.
    pub fn write(
        &mut self,
        path: &str,
        data: &str,
        append: bool,
        now: SimTime,
    ) -> Result<(), FsError> {
        if path == "/" {
            return Err(FsError::IsDir);
        }
        self.check_parent(path)?;
        let old = match self.entries.get(path) {
            Some(Entry::Dir { .. }) => return Err(FsError::IsDir),
            Some(Entry::File { data, .. }) => Some(data.clone()),
            None => None,
        };
        let new = match (&old, append) {
            (Some(o), true) => format!("{o}{data}"),
            _ => data.to_string(),
        };
        if new.len() > MAX_FILE_BYTES {
            return Err(FsError::TooLarge);
        }
        let old_len = old.as_ref().map_or(0, String::len);
        if self.bytes - old_len + new.len() > MAX_FS_BYTES
            || (old.is_none() && self.entries.len() >= MAX_FS_ENTRIES)
        {
            return Err(FsError::NoSpace);
        }
        self.bytes = self.bytes - old_len + new.len();
        self.entries.insert(
            path.to_string(),
            Entry::File {
                data: new,
                mtime: now,
            },
        );
        Ok(())
    }

    /// `touch`: creates an empty file or updates the time of an existing entry.
    pub fn touch(&mut self, path: &str, now: SimTime) -> Result<(), FsError> {
        match self.entries.get_mut(path) {
            Some(Entry::File { mtime, .. }) | Some(Entry::Dir { mtime }) => {
                *mtime = now;
                Ok(())
            }
            None if path == "/" => Ok(()),
            None => self.write(path, "", true, now),
        }
    }

    /// `mkdir` (with `parents`, `mkdir -p`).
    pub fn mkdir(&mut self, path: &str, parents: bool, now: SimTime) -> Result<(), FsError> {
        if self.exists(path) {
            return if parents && self.is_dir(path) {
                Ok(())
            } else {
                Err(FsError::Exists)
            };
        }
        if parents {
            let mut missing = Vec::new();
            let mut p = path.to_string();
            while !self.exists(&p) {
                missing.push(p.clone());
                p = parent(&p).to_string();
            }
            if !self.is_dir(&p) {
                return Err(FsError::NotDir);
            }
            if self.entries.len() + missing.len() > MAX_FS_ENTRIES {
                return Err(FsError::NoSpace);
            }
            for m in missing {
                self.entries.insert(m, Entry::Dir { mtime: now });
            }
            return Ok(());
        }
        self.check_parent(path)?;
        if self.entries.len() >= MAX_FS_ENTRIES {
            return Err(FsError::NoSpace);
        }
        self.entries
            .insert(path.to_string(), Entry::Dir { mtime: now });
        Ok(())
    }

    /// `rm` (with `recursive` for directories).
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        match self.entries.get(path) {
            None => Err(FsError::NotFound),
            Some(Entry::Dir { .. }) if !recursive => Err(FsError::IsDir),
            Some(_) => {
                let prefix = format!("{path}/");
                let doomed: Vec<String> = self
                    .entries
                    .range(path.to_string()..)
                    .take_while(|(k, _)| *k == path || k.starts_with(&prefix))
                    .filter(|(k, _)| *k == path || k.starts_with(&prefix))
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in doomed {
                    if let Some(Entry::File { data, .. }) = self.entries.remove(&k) {
                        self.bytes -= data.len();
                    }
                }
                Ok(())
            }
        }
    }
}

/// Every filesystem in the cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    fs: BTreeMap<FsId, Fs>,
}

impl Files {
    pub fn get(&self, id: &FsId) -> Option<&Fs> {
        self.fs.get(id)
    }

    /// The filesystem, created empty (or from `init`) on first use.
    pub fn get_or_init(&mut self, id: &FsId, init: impl FnOnce() -> Fs) -> &mut Fs {
        if let FsId::Layer(uid, name, seq) = id {
            // A new container instance starts from the image again.
            self.fs.retain(
                |k, _| !matches!(k, FsId::Layer(u, n, s) if u == uid && n == name && s != seq),
            );
        }
        self.fs.entry(id.clone()).or_insert_with(init)
    }

    pub fn ids(&self) -> impl Iterator<Item = &FsId> {
        self.fs.keys()
    }

    /// Drops what dies with a pod (its emptyDirs and container layers).
    pub fn forget_pod(&mut self, uid: &str) {
        self.fs.retain(|k, _| k.pod_uid() != Some(uid));
    }

    /// Drops a volume's contents (the volume was deleted).
    pub fn forget_volume(&mut self, pv: &str) {
        self.fs.remove(&FsId::Volume(pv.to_string()));
    }

    /// Drops a node's disk (the node was deleted).
    pub fn forget_node(&mut self, node: &str) {
        self.fs.remove(&FsId::Host(node.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_against_the_working_directory() {
        assert_eq!(normalize("/", "a//b/./c/.."), "/a/b");
        assert_eq!(normalize("/x/y", "../z"), "/x/z");
        assert_eq!(normalize("/", "../.."), "/");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
    }

    #[test]
    fn writes_need_a_directory_and_respect_the_limits() {
        let t = SimTime(0);
        let mut fs = Fs::default();
        assert_eq!(fs.write("/a/b", "x", false, t), Err(FsError::NotFound));
        fs.mkdir("/a", false, t).unwrap();
        fs.write("/a/b", "x", false, t).unwrap();
        fs.write("/a/b", "y", true, t).unwrap();
        assert_eq!(fs.read("/a/b"), Ok("xy"));
        assert_eq!(fs.write("/a/b/c", "x", false, t), Err(FsError::NotDir));
        let big = "x".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(fs.write("/a/big", &big, false, t), Err(FsError::TooLarge));
        let chunk = "x".repeat(MAX_FILE_BYTES);
        let mut full = false;
        for i in 0..(MAX_FS_BYTES / MAX_FILE_BYTES + 2) {
            if fs.write(&format!("/a/{i}"), &chunk, false, t) == Err(FsError::NoSpace) {
                full = true;
            }
        }
        assert!(full);
        assert_eq!(fs.remove("/a", false), Err(FsError::IsDir));
        fs.remove("/a", true).unwrap();
        assert_eq!(fs.bytes(), 0);
        assert!(fs.is_empty());
    }

    #[test]
    fn children_lists_one_level() {
        let fs = Fs::from_files(&[("/a/b", "1"), ("/a/c/d", "2"), ("/ab", "3")], SimTime(0));
        let names: Vec<&str> = fs.children("/a").map(|(n, _)| n).collect();
        assert_eq!(names, vec!["b", "c"]);
        let root: Vec<&str> = fs.children("/").map(|(n, _)| n).collect();
        assert_eq!(root, vec!["a", "ab"]);
    }
}
