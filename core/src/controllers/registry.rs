//! The simulated container registry: which image references pull, how big they are, and how a
//! container built from them behaves when stopped.
//!
//! Well-known images (nginx, busybox, redis, postgres, …) have a release range per major version;
//! a tag outside it (`nginx:1.161`, the Deployment docs' typo) does not exist and fails with
//! ErrImagePull. Images from other repositories pull when their tag looks like a release
//! (`latest`, `v1.2.3`, `2.0`, optionally with a `-suffix`), with majors and minors below 100.

/// What the registry knows of a resolved image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Fully qualified reference (`docker.io/library/nginx:1.14.2`), as containerd prints it.
    pub reference: String,
    pub size_bytes: u64,
    /// Whether the image's usual process exits promptly on SIGTERM (servers do; `sleep` under a
    /// shell does not, so those pods use their whole grace period).
    pub stops_on_sigterm: bool,
}

/// Why a pull fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullError {
    /// `InvalidImageName`: the reference does not parse.
    InvalidName(String),
    /// The tag or repository does not exist (`ErrImagePull`).
    NotFound { reference: String, message: String },
}

struct Known {
    names: &'static [&'static str],
    /// (major, highest minor, highest patch); minor/patch ranges start at 0.
    releases: &'static [(u32, u32, u32)],
    extra_tags: &'static [&'static str],
    size_mb: u64,
    stops_on_sigterm: bool,
}

const KNOWN: &[Known] = &[
    Known {
        names: &["nginx"],
        releases: &[(1, 29, 30)],
        extra_tags: &["stable", "mainline", "alpine", "perl"],
        size_mb: 70,
        stops_on_sigterm: true,
    },
    Known {
        names: &["busybox"],
        releases: &[(1, 37, 10)],
        extra_tags: &["stable", "musl", "glibc", "uclibc"],
        size_mb: 2,
        stops_on_sigterm: false,
    },
    Known {
        names: &["redis"],
        releases: &[
            (2, 8, 30),
            (3, 2, 30),
            (4, 0, 20),
            (5, 0, 20),
            (6, 2, 20),
            (7, 4, 10),
            (8, 2, 10),
        ],
        extra_tags: &["alpine"],
        size_mb: 45,
        stops_on_sigterm: true,
    },
    Known {
        names: &["postgres"],
        releases: &[
            (9, 6, 30),
            (10, 23, 0),
            (11, 22, 0),
            (12, 22, 0),
            (13, 22, 0),
            (14, 19, 0),
            (15, 14, 0),
            (16, 10, 0),
            (17, 6, 0),
            (18, 1, 0),
        ],
        extra_tags: &["alpine"],
        size_mb: 160,
        stops_on_sigterm: true,
    },
    Known {
        names: &["mysql"],
        releases: &[(5, 7, 50), (8, 4, 10), (9, 5, 5)],
        extra_tags: &["lts", "oracle", "debian"],
        size_mb: 200,
        stops_on_sigterm: true,
    },
    Known {
        names: &["httpd"],
        releases: &[(2, 4, 65)],
        extra_tags: &["alpine"],
        size_mb: 55,
        stops_on_sigterm: true,
    },
    Known {
        names: &["alpine"],
        releases: &[(3, 22, 5)],
        extra_tags: &["edge"],
        size_mb: 3,
        stops_on_sigterm: false,
    },
    Known {
        names: &["ubuntu"],
        releases: &[
            (14, 4, 6),
            (16, 4, 0),
            (18, 4, 0),
            (20, 4, 0),
            (22, 4, 0),
            (24, 10, 0),
            (25, 10, 0),
        ],
        extra_tags: &["jammy", "noble", "focal", "rolling"],
        size_mb: 30,
        stops_on_sigterm: false,
    },
    Known {
        names: &["debian"],
        releases: &[(10, 13, 0), (11, 11, 0), (12, 12, 0), (13, 2, 0)],
        extra_tags: &[
            "bookworm",
            "bullseye",
            "trixie",
            "stable",
            "stable-slim",
            "bookworm-slim",
        ],
        size_mb: 50,
        stops_on_sigterm: false,
    },
    Known {
        names: &["mongo"],
        releases: &[(4, 4, 30), (5, 0, 30), (6, 0, 25), (7, 0, 25), (8, 2, 5)],
        extra_tags: &[],
        size_mb: 250,
        stops_on_sigterm: true,
    },
    Known {
        names: &["memcached"],
        releases: &[(1, 6, 40)],
        extra_tags: &["alpine"],
        size_mb: 30,
        stops_on_sigterm: true,
    },
    Known {
        names: &["registry.k8s.io/pause", "k8s.gcr.io/pause"],
        releases: &[(3, 10, 0)],
        extra_tags: &[],
        size_mb: 1,
        stops_on_sigterm: true,
    },
    Known {
        names: &[
            "registry.k8s.io/e2e-test-images/agnhost",
            "registry.k8s.io/e2e-test-images/httpd",
        ],
        releases: &[(2, 60, 0)],
        extra_tags: &["2.4.38-4", "2.4.39-4"],
        size_mb: 50,
        stops_on_sigterm: true,
    },
    Known {
        names: &["quay.io/fluentd_elasticsearch/fluentd"],
        releases: &[(2, 9, 10), (3, 4, 10), (4, 9, 10), (5, 0, 1)],
        extra_tags: &[],
        size_mb: 140,
        stops_on_sigterm: true,
    },
];

/// Splits `registry/repo:tag@digest` into (repository, tag). Missing tag means `latest`.
fn split_reference(image: &str) -> Result<(String, String), PullError> {
    let invalid = || {
        PullError::InvalidName(format!("Failed to apply default image tag {image:?}: couldn't parse image name {image:?}: invalid reference format"))
    };
    if image.is_empty()
        || image.len() > 255
        || image
            .chars()
            .any(|c| c.is_whitespace() || c.is_ascii_uppercase() && !image.contains(':'))
    {
        return Err(invalid());
    }
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (repo, tag) = match without_digest[last_slash..].rfind(':') {
        Some(i) => (
            &without_digest[..last_slash + i],
            &without_digest[last_slash + i + 1..],
        ),
        None => (without_digest, "latest"),
    };
    let repo_ok = !repo.is_empty()
        && repo.split('/').enumerate().all(|(i, part)| {
            !part.is_empty()
                && part.bytes().all(|c| {
                    c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || b"._-".contains(&c)
                        || (i == 0 && (c == b':' || c.is_ascii_uppercase()))
                })
        });
    let tag_ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
        && tag.as_bytes()[0] != b'.'
        && tag.as_bytes()[0] != b'-';
    if !repo_ok || !tag_ok {
        return Err(invalid());
    }
    Ok((repo.to_string(), tag.to_string()))
}

/// `nginx` → `docker.io/library/nginx`; `me/app` → `docker.io/me/app`; registries stay.
fn qualify(repo: &str) -> String {
    format!("{}{repo}", registry_prefix(repo))
}

/// What [`qualify`] puts in front of a repository name.
fn registry_prefix(repo: &str) -> &'static str {
    let first = repo.split('/').next().unwrap_or("");
    if repo.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
        ""
    } else if repo.contains('/') {
        "docker.io/"
    } else {
        "docker.io/library/"
    }
}

/// Whether `repo` qualifies to `qualified`, without building the qualified name: a pull
/// compares it with every known image's names.
fn qualifies_to(repo: &str, qualified: &str) -> bool {
    qualified
        .strip_prefix(registry_prefix(repo))
        .is_some_and(|rest| rest == repo)
}

/// Parses `1`, `1.2`, `1.2.3` with an optional `v` prefix and `-suffix`.
fn parse_release(tag: &str) -> Option<(u32, Option<u32>, Option<u32>)> {
    let core = tag.strip_prefix('v').unwrap_or(tag);
    let core = core.split_once('-').map(|(c, _)| c).unwrap_or(core);
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    let patch = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

fn tag_exists(known: Option<&Known>, tag: &str) -> bool {
    let base = tag.split_once('-').map(|(b, _)| b).unwrap_or(tag);
    if tag == "latest" {
        return true;
    }
    match known {
        Some(k) => {
            if k.extra_tags.contains(&tag) || k.extra_tags.contains(&base) {
                return true;
            }
            match parse_release(tag) {
                Some((major, minor, patch)) => {
                    k.releases.iter().any(|&(m, max_minor, max_patch)| {
                        m == major
                            && minor.is_none_or(|mi| mi <= max_minor)
                            && patch.is_none_or(|p| p <= max_patch.max(40))
                    })
                }
                None => false,
            }
        }
        None => match parse_release(tag) {
            Some((major, minor, patch)) => {
                major < 100 && minor.is_none_or(|m| m < 100) && patch.is_none_or(|p| p < 1000)
            }
            None => ["stable", "alpine", "slim", "main", "edge"].contains(&base),
        },
    }
}

/// Resolves an image reference the way a pull would.
pub fn resolve(image: &str) -> Result<ImageInfo, PullError> {
    let (repo, tag) = split_reference(image)?;
    let qualified = qualify(&repo);
    let known = KNOWN.iter().find(|k| {
        k.names
            .iter()
            .any(|n| *n == repo || qualifies_to(n, &qualified))
    });
    let reference = format!("{qualified}:{tag}");
    if !tag_exists(known, &tag) {
        let message = format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image {reference:?}: failed to resolve reference {reference:?}: {reference}: not found"
        );
        return Err(PullError::NotFound { reference, message });
    }
    let size_mb = known.map_or(80, |k| k.size_mb);
    // A stable per-tag variation so that two tags of one image differ a little in size.
    let wiggle = tag
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
        % 4_000_000;
    Ok(ImageInfo {
        reference,
        size_bytes: size_mb * 1_000_000 + wiggle,
        stops_on_sigterm: known.is_none_or(|k| k.stops_on_sigterm),
    })
}

/// `Always` for `:latest` or untagged images, else `IfNotPresent` (the API server's default).
pub fn default_pull_policy(image: &str) -> &'static str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    match last.rsplit_once(':') {
        None => "Always",
        Some((_, "latest")) => "Always",
        Some(_) => "IfNotPresent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_qualifies_to_its_qualified_form_only() {
        let names = [
            "nginx",
            "bitnami/redis",
            "registry.k8s.io/pause",
            "localhost/app",
            "a:5000/b",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    qualifies_to(a, &qualify(b)),
                    qualify(a) == qualify(b),
                    "{a} / {b}"
                );
            }
        }
        assert!(qualifies_to("library/nginx", "docker.io/library/nginx"));
        assert!(!qualifies_to("nginx", "docker.io/nginx"));
    }

    #[test]
    fn real_releases_pull_and_typos_do_not() {
        assert!(resolve("nginx:1.14.2").is_ok());
        assert!(resolve("nginx:1.16.1").is_ok());
        assert!(resolve("nginx").is_ok());
        assert!(resolve("nginx:1.27-alpine").is_ok());
        assert!(matches!(
            resolve("nginx:1.161"),
            Err(PullError::NotFound { .. })
        ));
        assert!(resolve("busybox:1.36").is_ok());
        assert!(resolve("redis:7.2").is_ok());
        assert!(matches!(
            resolve("redis:99"),
            Err(PullError::NotFound { .. })
        ));
        assert!(resolve("registry.k8s.io/pause:3.9").is_ok());
    }

    #[test]
    fn unknown_repositories_need_release_like_tags() {
        assert!(resolve("ghcr.io/acme/shop:v2.3.1").is_ok());
        assert!(resolve("acme/shop:1.0").is_ok());
        assert!(matches!(
            resolve("webserver:404"),
            Err(PullError::NotFound { .. })
        ));
        assert!(matches!(
            resolve("acme/shop:does-not-exist"),
            Err(PullError::NotFound { .. })
        ));
    }

    #[test]
    fn malformed_references_are_invalid_names() {
        assert!(matches!(resolve("Nginx"), Err(PullError::InvalidName(_))));
        assert!(matches!(resolve("nginx:"), Err(PullError::InvalidName(_))));
        assert!(matches!(resolve("ngi nx"), Err(PullError::InvalidName(_))));
    }

    #[test]
    fn not_found_message_names_the_qualified_reference() {
        let Err(PullError::NotFound { reference, message }) = resolve("nginx:1.161") else {
            panic!("expected not found")
        };
        assert_eq!(reference, "docker.io/library/nginx:1.161");
        assert!(message.contains("docker.io/library/nginx:1.161: not found"));
    }

    #[test]
    fn pull_policy_defaults() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.14.2"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/app"), "Always");
    }
}
