//! Running commands inside a container (`kubectl exec`): the container's view of the
//! filesystems ([`Proc`]: its writable layer with the image's files, and its volume mounts), the
//! images' initial files and tool flavours ([`images`]), and a small shell ([`shell`]).
//!
//! Which messages a command prints depends on the image: Debian-based images (nginx, redis,
//! postgres, httpd…) have GNU coreutils and `dash` as `/bin/sh` (and `bash`); busybox and alpine
//! images have BusyBox applets and `ash`. See [`images::Flavour`].

pub mod images;
pub mod shell;

use crate::files::{base_name, normalize, parent, Entry, Files, Fs, FsError, FsId};
use crate::time::SimTime;
use images::Flavour;

/// A volume mounted into a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Absolute, normalised mount path.
    pub path: String,
    pub fs: FsId,
    /// The directory of `fs` mounted (`/`, a hostPath, or a subPath).
    pub sub: String,
    pub read_only: bool,
}

/// What a listing shows for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub dir: bool,
    pub size: usize,
    pub mtime: SimTime,
}

/// One process's view: the container's root filesystem and mounts, with what the shell needs
/// to know about its pod.
#[derive(Debug)]
pub struct Proc<'a> {
    pub files: &'a mut Files,
    /// The container's writable layer, and the files it starts with.
    pub root: FsId,
    pub base: Fs,
    /// Longest mount path first.
    pub mounts: Vec<Mount>,
    pub flavour: Flavour,
    pub hostname: String,
    pub pod_ip: String,
    /// Whether nginx serves on localhost:80 in this container, and its version for error pages.
    pub nginx: Option<String>,
    pub now: SimTime,
    /// Whether anything was written (the world folds writes into its trace).
    pub wrote: bool,
}

impl Proc<'_> {
    /// Which filesystem holds an absolute path: (fs, path inside it, read-only).
    fn locate(&self, abs: &str) -> (FsId, String, bool) {
        for m in &self.mounts {
            if abs == m.path || abs.starts_with(&format!("{}/", m.path)) || m.path == "/" {
                let rest = &abs[m.path.len().min(abs.len())..];
                return (
                    m.fs.clone(),
                    normalize(&m.sub, &format!(".{rest}")),
                    m.read_only,
                );
            }
        }
        (self.root.clone(), abs.to_string(), false)
    }

    fn fs(&self, id: &FsId) -> Option<&Fs> {
        if *id == self.root {
            return Some(self.files.get(id).unwrap_or(&self.base));
        }
        self.files.get(id)
    }

    fn fs_mut(&mut self, id: &FsId) -> &mut Fs {
        self.wrote = true;
        if *id == self.root {
            let base = self.base.clone();
            return self.files.get_or_init(id, || base);
        }
        let sub: Vec<String> = self
            .mounts
            .iter()
            .filter(|m| m.fs == *id && m.sub != "/")
            .map(|m| m.sub.clone())
            .collect();
        let now = self.now;
        let fs = self.files.get_or_init(id, Fs::default);
        for s in sub {
            let _ = fs.mkdir(&s, true, now);
        }
        fs
    }

    fn is_mount_point(&self, abs: &str) -> bool {
        self.mounts.iter().any(|m| m.path == abs)
    }

    pub fn is_dir(&self, abs: &str) -> bool {
        if self.is_mount_point(abs) {
            return true;
        }
        let (id, inner, _) = self.locate(abs);
        self.fs(&id).is_some_and(|f| f.is_dir(&inner)) || (inner == "/")
    }

    pub fn exists(&self, abs: &str) -> bool {
        if self.is_mount_point(abs) {
            return true;
        }
        let (id, inner, _) = self.locate(abs);
        inner == "/" || self.fs(&id).is_some_and(|f| f.exists(&inner))
    }

    pub fn read(&self, abs: &str) -> Result<String, FsError> {
        if self.is_mount_point(abs) {
            return Err(FsError::IsDir);
        }
        let (id, inner, _) = self.locate(abs);
        match self.fs(&id) {
            Some(f) => f.read(&inner).map(String::from),
            None if inner == "/" => Err(FsError::IsDir),
            None => Err(FsError::NotFound),
        }
    }

    pub fn size(&self, abs: &str) -> usize {
        let (id, inner, _) = self.locate(abs);
        self.fs(&id)
            .and_then(|f| f.get(&inner))
            .map_or(0, Entry::size)
    }

    pub fn write(&mut self, abs: &str, data: &str, append: bool) -> Result<(), FsError> {
        if self.is_mount_point(abs) {
            return Err(FsError::IsDir);
        }
        let (id, inner, ro) = self.locate(abs);
        if ro {
            return Err(FsError::ReadOnly);
        }
        let now = self.now;
        self.fs_mut(&id).write(&inner, data, append, now)
    }

    pub fn touch(&mut self, abs: &str) -> Result<(), FsError> {
        let (id, inner, ro) = self.locate(abs);
        if ro {
            return Err(FsError::ReadOnly);
        }
        let now = self.now;
        self.fs_mut(&id).touch(&inner, now)
    }

    pub fn mkdir(&mut self, abs: &str, parents: bool) -> Result<(), FsError> {
        if self.is_mount_point(abs) || abs == "/" {
            return if parents {
                Ok(())
            } else {
                Err(FsError::Exists)
            };
        }
        let (id, inner, ro) = self.locate(abs);
        if ro {
            return Err(FsError::ReadOnly);
        }
        if parents && !self.exists(parent(abs)) {
            self.mkdir(parent(abs), true)?;
        }
        let now = self.now;
        self.fs_mut(&id).mkdir(&inner, parents, now)
    }

    pub fn remove(&mut self, abs: &str, recursive: bool) -> Result<(), FsError> {
        if self.is_mount_point(abs) || abs == "/" {
            return Err(if recursive {
                FsError::Busy
            } else {
                FsError::IsDir
            });
        }
        let (id, inner, ro) = self.locate(abs);
        if !self.exists(abs) {
            return Err(FsError::NotFound);
        }
        if ro {
            return Err(FsError::ReadOnly);
        }
        self.fs_mut(&id).remove(&inner, recursive)
    }

    /// A directory's entries with the mount points in it, sorted by name.
    pub fn list(&self, abs: &str) -> Result<Vec<Listed>, FsError> {
        if !self.exists(abs) {
            return Err(FsError::NotFound);
        }
        if !self.is_dir(abs) {
            return Err(FsError::NotDir);
        }
        let (id, inner, _) = self.locate(abs);
        let mut out: Vec<Listed> = self
            .fs(&id)
            .map(|f| {
                f.children(&inner)
                    .map(|(n, e)| Listed {
                        name: n.to_string(),
                        dir: e.is_dir(),
                        size: e.size(),
                        mtime: e.mtime(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        for m in &self.mounts {
            if m.path != "/" && parent(&m.path) == abs {
                let name = base_name(&m.path).to_string();
                out.retain(|l| l.name != name);
                out.push(Listed {
                    name,
                    dir: true,
                    size: 4096,
                    mtime: self.now,
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The time of an entry (for `ls -l` of one file).
    pub fn mtime(&self, abs: &str) -> SimTime {
        let (id, inner, _) = self.locate(abs);
        self.fs(&id)
            .and_then(|f| f.get(&inner))
            .map_or(SimTime(0), Entry::mtime)
    }
}
