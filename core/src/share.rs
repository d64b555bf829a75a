//! Share links: everything needed to rebuild what someone sees, in a URL fragment.
//!
//! A [`Shared`] holds the [`Session`] (seed, starting cluster, every input and so the
//! simulated time), the lesson it follows (a built-in one by id, or a teacher's lesson by its
//! whole text) and the progress made. [`encode`] writes it as JSON, compresses it with zlib
//! (whose checksum catches damage) and encodes it as URL-safe base64 behind a version tag:
//! `k1.eJy…`. [`decode`] refuses, with a message saying which, a link that is not one, is
//! truncated or damaged, inflates beyond [`MAX_JSON_BYTES`], or comes from a newer format.
//!
//! Architecture invariant: decoding is pure and bounded; it never runs the session (the
//! caller replays it, as for an autosave).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::lesson::progress::Progress;
use crate::session::{Session, SessionError};

/// The link format this build writes and the newest it reads.
pub const LINK_VERSION: u32 = 1;
/// The tag before the payload; the digit is [`LINK_VERSION`].
const TAG_PREFIX: &str = "k";
/// Longest payload accepted, in characters.
pub const MAX_LINK_CHARS: usize = 256 * 1024;
/// Largest JSON a payload may inflate to.
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// The lesson a shared session follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LessonRef {
    /// A built-in lesson, by id.
    Builtin(String),
    /// A lesson file's text.
    Source(String),
}

/// What a share link carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    pub session: Session,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<LessonRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
}

/// Why a link cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Empty, or not a kubeplay link.
    NotALink,
    /// From a newer kubeplay.
    Newer(u32),
    /// Longer than any link this build writes.
    TooLong(usize),
    /// Cut short or altered: the characters, the compression or the checksum are wrong.
    Damaged(String),
    /// Decompresses beyond [`MAX_JSON_BYTES`].
    TooLarge,
    /// Intact, but what it holds is not a session.
    Unreadable(String),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::NotALink => write!(f, "this is not a kubeplay share link"),
            LinkError::Newer(v) => write!(
                f,
                "this link was made by a newer kubeplay (link format {v}; this one opens up to {LINK_VERSION})"
            ),
            LinkError::TooLong(n) => write!(
                f,
                "this link is too long ({n} characters; at most {MAX_LINK_CHARS})"
            ),
            LinkError::Damaged(why) => write!(
                f,
                "this link is damaged or cut short ({why}); copy the whole link again"
            ),
            LinkError::TooLarge => write!(
                f,
                "this link holds more than {} MiB of session",
                MAX_JSON_BYTES / (1024 * 1024)
            ),
            LinkError::Unreadable(why) => write!(f, "this link does not hold a session: {why}"),
        }
    }
}

/// The link payload for `shared`: `k1.` and URL-safe base64 of zlib-compressed JSON.
pub fn encode(shared: &Shared) -> String {
    let json = serde_json::to_vec(shared).expect("a shared session always serializes");
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 9);
    format!(
        "{TAG_PREFIX}{LINK_VERSION}.{}",
        URL_SAFE_NO_PAD.encode(packed)
    )
}

/// Reads a payload written by [`encode`]. Surrounding whitespace is ignored, as is a leading
/// `#` or `#s=` (a whole fragment).
pub fn decode(payload: &str) -> Result<Shared, LinkError> {
    let p = payload.trim();
    let p = p.strip_prefix('#').unwrap_or(p);
    let p = p.strip_prefix("s=").unwrap_or(p);
    if p.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong(p.len()));
    }
    let Some((tag, body)) = p.split_once('.') else {
        return Err(LinkError::NotALink);
    };
    let version: u32 = tag
        .strip_prefix(TAG_PREFIX)
        .and_then(|v| v.parse().ok())
        .ok_or(LinkError::NotALink)?;
    if version > LINK_VERSION {
        return Err(LinkError::Newer(version));
    }
    if version == 0 {
        return Err(LinkError::NotALink);
    }
    let packed = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|e| LinkError::Damaged(format!("not base64: {e}")))?;
    let json = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_JSON_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            miniz_oxide::inflate::TINFLStatus::FailedCannotMakeProgress => {
                LinkError::Damaged("it ends too soon".into())
            }
            miniz_oxide::inflate::TINFLStatus::Adler32Mismatch => {
                LinkError::Damaged("the checksum does not match".into())
            }
            _ => LinkError::Damaged("it does not decompress".into()),
        })?;
    let text =
        std::str::from_utf8(&json).map_err(|_| LinkError::Unreadable("it is not text".into()))?;
    Shared::from_json(text).map_err(|e| match e {
        SessionError::Newer(v) => LinkError::Newer(v),
        SessionError::Unreadable(e) => LinkError::Unreadable(e),
    })
}

impl Shared {
    /// Reads a shared session's JSON (a link's content, or the page's autosave), refusing
    /// one whose session is in a newer format by name.
    pub fn from_json(text: &str) -> Result<Shared, SessionError> {
        #[derive(Deserialize)]
        struct Versioned {
            session: SessionVersion,
        }
        #[derive(Deserialize)]
        struct SessionVersion {
            version: u32,
        }
        if let Ok(v) = serde_json::from_str::<Versioned>(text) {
            Session::check_version(v.session.version)?;
        }
        serde_json::from_str(text).map_err(|e| SessionError::Unreadable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::progress::StepProgress;
    use crate::rng::Rng;
    use crate::session::{Entry, Input, Start, Timeline};

    /// A random session: inputs drawn from a small vocabulary, including unicode and quotes.
    fn random_shared(rng: &mut Rng) -> Shared {
        let mut session = Session::new(
            rng.next_u64(),
            if rng.below(2) == 0 {
                Start::Default
            } else {
                Start::Empty
            },
        );
        let lines = [
            "create deployment web --image=nginx:1.25 --replicas=3",
            "scale deployment web --replicas=1",
            "get pods -o wide",
            "label node worker-1 disk=ssd",
            "delete pod nope",
            "sim node add w-ünï \"quoted\"",
        ];
        if rng.below(3) == 0 {
            session.setup.push(Input::Apply {
                text: "kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\n".into(),
            });
        }
        for _ in 0..rng.below(12) {
            let input = match rng.below(5) {
                0 => Input::Run {
                    line: lines[rng.below(lines.len() as u64) as usize].to_string(),
                },
                1 => Input::Advance {
                    ms: rng.below(600_000),
                },
                2 => Input::Step,
                3 => Input::Settle {
                    limit_ms: rng.below(900_000),
                },
                _ => Input::Apply {
                    text: format!(
                        "# manifest {}\nkind: Namespace\napiVersion: v1\nmetadata: {{name: n{}}}\n",
                        rng.next_u64(),
                        rng.below(5)
                    ),
                },
            };
            let until = (rng.below(4) == 0).then(|| rng.below(1_000_000));
            session.entries.push(Entry { input, until });
        }
        let lesson = match rng.below(3) {
            0 => None,
            1 => Some(LessonRef::Builtin("deployments".into())),
            _ => Some(LessonRef::Source(format!(
                "lesson: 1\nid: x{}\n",
                rng.next_u64()
            ))),
        };
        let progress = lesson.as_ref().map(|_| Progress {
            steps: (0..rng.below(4))
                .map(|_| StepProgress {
                    done_at: (rng.below(2) == 0).then(|| rng.below(10_000)),
                    checks: vec![None, Some(rng.below(99))],
                    predicted: (rng.below(2) == 0).then(|| rng.below(3) as usize),
                    hints: rng.below(3) as usize,
                })
                .collect(),
        });
        Shared {
            session,
            lesson,
            progress,
        }
    }

    #[test]
    fn random_sessions_round_trip_through_links() {
        let mut rng = Rng::new(2026);
        for _ in 0..500 {
            let shared = random_shared(&mut rng);
            let link = encode(&shared);
            assert!(link.starts_with("k1."));
            assert!(link
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
            assert_eq!(decode(&link), Ok(shared.clone()));
            assert_eq!(decode(&format!("#s={link}\n")), Ok(shared));
        }
    }

    #[test]
    fn a_link_rebuilds_the_same_cluster() {
        let mut t = Timeline::new(9, Start::Default);
        t.record(Input::Run {
            line: "create deployment web --image=nginx:1.25 --replicas=3".into(),
        });
        t.record(Input::Advance { ms: 45_000 });
        let link = encode(&Shared {
            session: t.session().clone(),
            lesson: None,
            progress: None,
        });
        let back = Timeline::replay(decode(&link).expect("opens").session);
        assert_eq!(
            format!("{:?}", back.world()),
            format!("{:?}", t.world()),
            "the same world, byte for byte"
        );
    }

    #[test]
    fn every_truncation_and_many_corruptions_are_refused_cleanly() {
        let mut rng = Rng::new(77);
        let link = encode(&random_shared(&mut rng));
        for cut in 0..link.len() {
            let e = decode(&link[..cut]).expect_err("a cut link is refused");
            assert!(
                matches!(e, LinkError::NotALink | LinkError::Damaged(_)),
                "cut at {cut}: {e:?}"
            );
        }
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut refused = 0;
        for _ in 0..2000 {
            let mut bytes = link.clone().into_bytes();
            let i = 3 + rng.below((bytes.len() - 3) as u64) as usize;
            let c = alphabet[rng.below(64) as usize];
            if bytes[i] == c {
                continue;
            }
            bytes[i] = c;
            let changed = String::from_utf8(bytes).expect("ascii");
            // Never a panic; almost always a refusal (the checksum), and never silently a
            // different session that fails to parse.
            if decode(&changed).is_err() {
                refused += 1;
            }
        }
        assert!(refused > 1900, "{refused} of 2000 corruptions refused");
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(decode(""), Err(LinkError::NotALink));
        assert_eq!(decode("hello"), Err(LinkError::NotALink));
        assert_eq!(decode("k9.eJwDAAAAAAE"), Err(LinkError::Newer(9)));
        assert!(matches!(decode("k1.!!!"), Err(LinkError::Damaged(_))));
        let long = format!("k1.{}", "A".repeat(MAX_LINK_CHARS));
        assert!(matches!(decode(&long), Err(LinkError::TooLong(_))));
        // Intact compression around something that is not a session.
        let not_session = format!(
            "k1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(b"[1,2]", 6))
        );
        assert!(matches!(
            decode(&not_session),
            Err(LinkError::Unreadable(_))
        ));
        // A session from a newer kubeplay inside a current link.
        let newer = format!(
            "k1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
                br#"{"session":{"version":7,"seed":1}}"#,
                6
            ))
        );
        assert_eq!(decode(&newer), Err(LinkError::Newer(7)));
        // A compression bomb stops at the limit.
        let bomb = vec![b' '; MAX_JSON_BYTES + 10];
        let bomb = format!(
            "k1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(&bomb, 9))
        );
        assert_eq!(decode(&bomb), Err(LinkError::TooLarge));
        for e in [
            LinkError::NotALink,
            LinkError::Newer(2),
            LinkError::TooLong(1),
            LinkError::Damaged("x".into()),
            LinkError::TooLarge,
            LinkError::Unreadable("y".into()),
        ] {
            assert!(!e.to_string().is_empty());
        }
    }
}
