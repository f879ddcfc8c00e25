//! Channels: one small pointer object per channel under
//! `<prefix>/channels/<name>.json`, naming the version servers on that channel load
//! and the versions promoted before it.
//!
//! A pointer is only ever replaced by a conditional write against the ETag it was
//! read with, so two promotions racing on one channel both land, one after the other.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::objects::{self, Condition, Written, url};
use crate::registry::{ModelStore, check_name};
use crate::source::Selector;

/// How often a promotion or rollback re-reads a pointer that changed under it.
const MOVE_ATTEMPTS: u32 = 20;

/// The object `channels/<name>.json`: where a channel points and where it pointed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelPointer {
    /// The channel's name.
    pub channel: String,
    /// The version servers on this channel load.
    pub version: String,
    /// Versions promoted to this channel, oldest first; the last is `version`.
    /// Rollback drops the last one.
    pub history: Vec<String>,
    /// When the pointer was written, RFC 3339.
    pub updated: String,
}

impl ChannelPointer {
    /// The pointer after promoting `version` onto `previous` (or onto nothing).
    pub fn promoted(previous: Option<&Self>, channel: &str, version: &str) -> Self {
        let mut history = previous.map(|p| p.history.clone()).unwrap_or_default();
        history.push(version.to_string());
        Self {
            channel: channel.to_string(),
            version: version.to_string(),
            history,
            updated: now(),
        }
    }

    /// The pointer after a rollback, or `None` when there is nothing to go back to.
    pub fn rolled_back(&self) -> Option<Self> {
        let mut history = self.history.clone();
        history.pop();
        let version = history.last()?.clone();
        Some(Self {
            channel: self.channel.clone(),
            version,
            history,
            updated: now(),
        })
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The result of a promotion or rollback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The pointer as written (or as found, when it already pointed there).
    pub pointer: ChannelPointer,
    /// The version the channel pointed to before, if any.
    pub previous: Option<String>,
    /// Conditional writes tried; more than one means another writer got in between.
    pub attempts: u32,
}

impl ModelStore {
    /// The channel's pointer and its ETag, or `None` when never promoted.
    pub(crate) async fn pointer(
        &self,
        channel: &str,
    ) -> Result<Option<(ChannelPointer, String)>, StoreError> {
        let key = self.channel_key(channel);
        let Some(object) = objects::get(&self.client, self.bucket(), &key).await? else {
            return Ok(None);
        };
        let pointer: ChannelPointer =
            serde_json::from_slice(&object.bytes).map_err(|source| StoreError::Json {
                object: url(self.bucket(), &key),
                what: "channel pointer",
                source,
            })?;
        let etag = object.etag.ok_or_else(|| StoreError::S3 {
            operation: "GetObject",
            object: url(self.bucket(), &key),
            message: "the store sent no ETag, so the pointer cannot be updated safely".into(),
        })?;
        Ok(Some((pointer, etag)))
    }

    /// Where `channel` points now, or `None` when it was never promoted.
    pub async fn channel(&self, channel: &str) -> Result<Option<ChannelPointer>, StoreError> {
        check_name(channel, "channel")?;
        Ok(self.pointer(channel).await?.map(|(pointer, _)| pointer))
    }

    /// The version `selector` names now.
    pub async fn resolve(&self, selector: &Selector) -> Result<String, StoreError> {
        match selector {
            Selector::Version(version) => Ok(version.clone()),
            Selector::Channel(channel) => self
                .channel(channel)
                .await?
                .map(|p| p.version)
                .ok_or_else(|| StoreError::UnknownChannel(channel.clone())),
        }
    }

    /// Points `channel` at `version`, after checking every file of the version.
    /// Concurrent promotions and rollbacks of the same channel are serialised by
    /// conditional writes: none is lost.
    pub async fn promote(&self, version: &str, channel: &str) -> Result<Moved, StoreError> {
        check_name(channel, "channel")?;
        self.verify(version).await?;
        self.move_channel(channel, Move::Promote(version)).await
    }

    /// Points `channel` back at the version promoted before the current one, after
    /// checking every file of that version.
    pub async fn rollback(&self, channel: &str) -> Result<Moved, StoreError> {
        check_name(channel, "channel")?;
        self.move_channel(channel, Move::Rollback).await
    }

    /// Reads the channel's pointer, works out its replacement and writes that only if
    /// the pointer is unchanged since the read (ETag), starting again from a fresh
    /// read when it changed. A rollback's target is verified before it is written.
    async fn move_channel(&self, channel: &str, action: Move<'_>) -> Result<Moved, StoreError> {
        let key = self.channel_key(channel);
        let mut verified = match action {
            Move::Promote(version) => Some(version.to_string()),
            Move::Rollback => None,
        };
        for attempt in 1..=MOVE_ATTEMPTS {
            let current = self.pointer(channel).await?;
            let pointer = current.as_ref().map(|(p, _)| p);
            let previous = pointer.map(|p| p.version.clone());
            let next = match (action, pointer) {
                (Move::Promote(version), Some(p)) if p.version == version => None,
                (Move::Promote(version), _) => {
                    Some(ChannelPointer::promoted(pointer, channel, version))
                }
                (Move::Rollback, None) => {
                    return Err(StoreError::UnknownChannel(channel.to_string()));
                }
                (Move::Rollback, Some(p)) => Some(
                    p.rolled_back()
                        .ok_or_else(|| StoreError::NoPrevious(channel.to_string()))?,
                ),
            };
            let Some(next) = next else {
                let (pointer, _) =
                    current.ok_or_else(|| StoreError::UnknownChannel(channel.to_string()))?;
                return Ok(Moved {
                    pointer,
                    previous,
                    attempts: attempt,
                });
            };
            if verified.as_deref() != Some(next.version.as_str()) {
                self.verify(&next.version).await?;
                verified = Some(next.version.clone());
            }
            let body = serde_json::to_vec_pretty(&next).map_err(|source| StoreError::Json {
                object: url(self.bucket(), &key),
                what: "channel pointer",
                source,
            })?;
            let condition = match &current {
                Some((_, etag)) => Condition::Matches(etag),
                None => Condition::Absent,
            };
            match objects::put(
                &self.client,
                self.bucket(),
                &key,
                body,
                "application/json",
                condition,
            )
            .await?
            {
                Written::Done => {
                    tracing::info!(%channel, version = %next.version, ?previous, attempt, "channel moved");
                    return Ok(Moved {
                        pointer: next,
                        previous,
                        attempts: attempt,
                    });
                }
                Written::PreconditionFailed => {
                    tracing::info!(%channel, attempt, "channel changed meanwhile; reading it again");
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
        Err(StoreError::Contended {
            channel: channel.to_string(),
            attempts: MOVE_ATTEMPTS,
        })
    }
}

/// What [`ModelStore::move_channel`] does to a pointer.
#[derive(Debug, Clone, Copy)]
enum Move<'a> {
    /// Push this version.
    Promote(&'a str),
    /// Drop the current version.
    Rollback,
}

/// Wait before the next attempt: grows with the attempt, with a little jitter so two
/// writers that collided do not collide again in lock-step.
fn backoff(attempt: u32) -> Duration {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos() % 20))
        .unwrap_or_default();
    Duration::from_millis(10 * u64::from(attempt.min(10)) + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotions_stack_up_and_rollback_unstacks() {
        let first = ChannelPointer::promoted(None, "prod", "v1");
        assert_eq!(first.history, ["v1"]);
        assert!(first.rolled_back().is_none());
        let second = ChannelPointer::promoted(Some(&first), "prod", "v2");
        assert_eq!(second.version, "v2");
        assert_eq!(second.history, ["v1", "v2"]);
        let back = second.rolled_back().expect("v1 is earlier");
        assert_eq!(back.version, "v1");
        assert_eq!(back.history, ["v1"]);
    }
}
