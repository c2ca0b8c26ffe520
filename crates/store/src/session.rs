//! Import sessions: many files written in one transaction, each file in a savepoint of its
//! own. A file that fails rolls back to its savepoint — nothing of it is stored — while the
//! files before it stay; the commit at the end is shared, which makes bulk imports several
//! times cheaper than one transaction per file.

use protokol_core::Meeting;
use sqlx::Acquire;

use crate::blobs::FileToStore;
use crate::sources::{SourceDocument, import_source_in};
use crate::write::{Commit, Saved, upsert_all};
use crate::{Result, Store};

/// A transaction over several imported files (see the module documentation).
pub struct Session {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    commit: Commit,
}

impl Store {
    /// Starts an import session. With [`Commit::No`] everything is rolled back at the end.
    pub async fn session(&self, commit: Commit) -> Result<Session> {
        Ok(Session {
            tx: self.begin_write().await?,
            commit,
        })
    }
}

impl Session {
    /// [`Store::upsert_meetings`] for one file, inside its own savepoint.
    pub async fn upsert_meetings(
        &mut self,
        meetings: &[Meeting],
        actor: &str,
    ) -> Result<Vec<Saved>> {
        let mut sp = (&mut self.tx).begin().await?;
        match upsert_all(&mut sp, meetings, actor).await {
            Ok(v) => {
                sp.commit().await?;
                Ok(v)
            }
            Err(e) => {
                sp.rollback().await?;
                Err(e)
            }
        }
    }

    /// [`Store::import_source`] for one file, inside its own savepoint.
    pub async fn import_source<F>(
        &mut self,
        source: SourceDocument,
        actor: &str,
        merge: F,
    ) -> Result<(Saved, Meeting)>
    where
        F: FnOnce(&[SourceDocument]) -> Meeting,
    {
        self.import_source_with_files(source, &[], actor, merge)
            .await
    }

    /// [`Session::import_source`] that also stores files (the attachments of an export,
    /// content-addressed) in the same savepoint: the meeting and its files, or neither.
    pub async fn import_source_with_files<F>(
        &mut self,
        source: SourceDocument,
        files: &[FileToStore<'_>],
        actor: &str,
        merge: F,
    ) -> Result<(Saved, Meeting)>
    where
        F: FnOnce(&[SourceDocument]) -> Meeting,
    {
        let mut sp = (&mut self.tx).begin().await?;
        let mut stored = Ok(());
        for f in files {
            if let Err(e) = crate::blobs::put(&mut sp, FileToStore { ..*f }).await {
                stored = Err(e);
                break;
            }
        }
        let result = match stored {
            Ok(()) => import_source_in(&mut sp, source, actor, merge).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(v) => {
                sp.commit().await?;
                Ok(v)
            }
            Err(e) => {
                sp.rollback().await?;
                Err(e)
            }
        }
    }

    /// Commits the session (or rolls it back, for a dry run).
    pub async fn finish(self) -> Result<()> {
        match self.commit {
            Commit::Yes => self.tx.commit().await?,
            Commit::No => self.tx.rollback().await?,
        }
        Ok(())
    }
}
