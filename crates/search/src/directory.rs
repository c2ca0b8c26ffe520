//! Where an index's files are read from: mapped into memory, except the stored documents.
//!
//! Postings, positions, term dictionaries and fast fields are read in long runs and
//! often: they are mapped (tantivy's `MmapDirectory`). The stored documents (each hit's
//! place: meeting, item, part; not its text) are read ten small blocks per search, scattered over the
//! largest file of the index: mapped, each read would map in the pages around it too, and
//! after a few thousand searches most of the file would count as the server's memory.
//! They are read with positional reads instead, which copy just the block asked for out of
//! the kernel's file cache.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::HasLen;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};

/// An index folder: mapped files, stored documents read by position.
#[derive(Clone, Debug)]
pub(crate) struct IndexDirectory {
    mapped: MmapDirectory,
    root: PathBuf,
}

impl IndexDirectory {
    pub(crate) fn open(root: &Path) -> Result<Self, OpenDirectoryError> {
        Ok(Self {
            mapped: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }
}

/// A file read with `pread`; long reads (merging segments copies whole stores) from its
/// mapping instead of into the heap.
#[derive(Debug)]
struct ReadAt {
    file: File,
    len: usize,
    mapped: Arc<dyn FileHandle>,
}

/// Reads at least this long come from the mapping.
const LONG_READ: usize = 1 << 20;

impl HasLen for ReadAt {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadAt {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        use std::os::unix::fs::FileExt;
        if range.len() >= LONG_READ {
            return self.mapped.read_bytes(range);
        }
        let end = range.end.min(self.len);
        let mut buffer = vec![0; end.saturating_sub(range.start)];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if path.extension().is_some_and(|e| e == "store") {
            let mapped = self.mapped.get_file_handle(path)?;
            let full = self.root.join(path);
            let open = || -> io::Result<ReadAt> {
                let file = File::open(&full)?;
                let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
                Ok(ReadAt { file, len, mapped })
            };
            return match open() {
                Ok(f) => Ok(Arc::new(f)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    Err(OpenReadError::FileDoesNotExist(path.to_path_buf()))
                }
                Err(io_error) => Err(OpenReadError::IoError {
                    io_error: Arc::new(io_error),
                    filepath: path.to_path_buf(),
                }),
            };
        }
        self.mapped.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn stored_documents_read_by_position_give_the_same_bytes_as_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..3 * LONG_READ).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("seg.store"), &bytes).unwrap();
        std::fs::write(dir.path().join("seg.idx"), &bytes[..1000]).unwrap();
        let d = IndexDirectory::open(dir.path()).unwrap();
        let store = d.get_file_handle(Path::new("seg.store")).unwrap();
        assert_eq!(store.len(), bytes.len());
        for range in [0..0, 5..17, 4096..20_000, 0..LONG_READ, 7..bytes.len()] {
            let read = store.read_bytes(range.clone()).unwrap();
            assert_eq!(read.as_slice(), &bytes[range.clone()], "{range:?}");
        }
        let other = d.get_file_handle(Path::new("seg.idx")).unwrap();
        assert_eq!(other.read_bytes(10..20).unwrap().as_slice(), &bytes[10..20]);
        assert!(matches!(
            d.get_file_handle(Path::new("missing.store")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
