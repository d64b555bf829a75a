//! Simulated time: instants, durations, parsing (`30s`, `5m`) and kubectl's human durations.
//!
//! Nothing in the core reads a wall clock. [`SimTime`] counts milliseconds from the simulation
//! epoch, which maps to a fixed calendar instant so that timestamps in objects look real.

use std::fmt;

/// Milliseconds since the simulation epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

/// The calendar instant of `SimTime(0)`: 2026-01-01T00:00:00Z, in Unix seconds.
pub const EPOCH_UNIX_SECS: i64 = 1_767_225_600;

/// A span of simulated time in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dur(pub u64);

impl Dur {
    pub const ZERO: Dur = Dur(0);
    pub const fn ms(ms: u64) -> Dur {
        Dur(ms)
    }
    pub const fn secs(s: u64) -> Dur {
        Dur(s * 1000)
    }
    pub const fn mins(m: u64) -> Dur {
        Dur(m * 60_000)
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl std::ops::Add<Dur> for SimTime {
    type Output = SimTime;
    fn add(self, d: Dur) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl std::ops::Add for Dur {
    type Output = Dur;
    fn add(self, d: Dur) -> Dur {
        Dur(self.0.saturating_add(d.0))
    }
}

impl SimTime {
    /// Time elapsed from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> Dur {
        Dur(self.0.saturating_sub(earlier.0))
    }

    /// The Kubernetes API representation (`metav1.Time`, second precision on the wire).
    pub fn to_k8s(self) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
        let secs = EPOCH_UNIX_SECS + (self.0 / 1000) as i64;
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            k8s_openapi::jiff::Timestamp::from_second(secs).expect("simulated time stays in range"),
        )
    }

    /// `metav1.MicroTime`, used by events and leases.
    pub fn to_k8s_micro(self) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime {
        let nanos = (EPOCH_UNIX_SECS as i128) * 1_000_000_000 + self.0 as i128 * 1_000_000;
        k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(
            k8s_openapi::jiff::Timestamp::from_nanosecond(nanos)
                .expect("simulated time stays in range"),
        )
    }

    /// Back from an API timestamp (clamped to the epoch).
    pub fn from_k8s(t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> SimTime {
        let ms = t.0.as_millisecond() - EPOCH_UNIX_SECS * 1000;
        SimTime(ms.max(0) as u64)
    }

    /// RFC 3339 (`2026-01-01T00:00:05Z`), as the API prints timestamps.
    pub fn rfc3339(self) -> String {
        self.to_k8s().0.to_string()
    }

    /// RFC 1123 with numeric zone, as `kubectl describe` prints `CreationTimestamp`.
    pub fn rfc1123z(self) -> String {
        self.to_k8s()
            .0
            .strftime("%a, %d %b %Y %H:%M:%S +0000")
            .to_string()
    }

    /// Elapsed simulated time in `h:mm:ss` form for clocks in the UI.
    pub fn clock(self) -> String {
        let s = self.0 / 1000;
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}", human_duration(Dur(self.0)))
    }
}

/// Error from [`parse_duration`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a Go-style duration: `1500ms`, `30s`, `5m`, `1h30m`, `2.5s`. A bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Dur, DurationError> {
    let bad = || {
        DurationError(format!(
            "invalid duration {s:?}: use a number with a unit, e.g. 30s, 5m, 1h30m"
        ))
    };
    let t = s.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(secs) = t.parse::<f64>() {
        return if secs.is_finite() && (0.0..1e9).contains(&secs) {
            Ok(Dur((secs * 1000.0).round() as u64))
        } else {
            Err(bad())
        };
    }
    let mut total: f64 = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return Err(bad()),
        };
        total += value * factor;
        rest = &rest[unit_len..];
    }
    if total > 1e12 {
        return Err(bad());
    }
    Ok(Dur(total.round() as u64))
}

/// kubectl's `duration.HumanDuration` (AGE column, event ages).
pub fn human_duration(d: Dur) -> String {
    let secs = d.0 / 1000;
    let minutes = secs / 60;
    let hours = secs / 3600;
    if secs < 120 {
        format!("{secs}s")
    } else if minutes < 10 {
        let s = secs % 60;
        if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        }
    } else if hours < 3 {
        format!("{minutes}m")
    } else if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{}h", hours / 24, h)
        }
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        let y = hours / 24 / 365;
        let dd = (hours / 24) % 365;
        if dd == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{dd}d")
        }
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

/// Go's `time.Duration.String()` rounded to milliseconds, as kubelet messages print it (`3.512s`).
pub fn go_duration(d: Dur) -> String {
    if d.0 < 1000 {
        return format!("{}ms", d.0);
    }
    let secs = d.0 as f64 / 1000.0;
    if secs < 60.0 {
        let s = format!("{secs:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        return format!("{s}s");
    }
    let m = d.0 / 60_000;
    let rem = Dur(d.0 % 60_000);
    if m < 60 {
        format!("{m}m{}", go_duration_secs(rem))
    } else {
        format!("{}h{}m{}", m / 60, m % 60, go_duration_secs(rem))
    }
}

fn go_duration_secs(d: Dur) -> String {
    let s = format!("{:.3}", d.0 as f64 / 1000.0);
    format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_style_durations() {
        assert_eq!(parse_duration("30s"), Ok(Dur::secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Dur::mins(5)));
        assert_eq!(parse_duration("1h30m"), Ok(Dur::mins(90)));
        assert_eq!(parse_duration("1500ms"), Ok(Dur(1500)));
        assert_eq!(parse_duration("2.5s"), Ok(Dur(2500)));
        assert_eq!(parse_duration("10"), Ok(Dur::secs(10)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn human_duration_matches_kubectl_table() {
        let cases = [
            (0, "0s"),
            (95, "95s"),
            (119, "119s"),
            (120, "2m"),
            (185, "3m5s"),
            (300, "5m"),
            (600, "10m"),
            (125 * 60, "125m"),
            (4 * 3600 + 12 * 60, "4h12m"),
            (5 * 3600, "5h"),
            (26 * 3600, "26h"),
            (3 * 86400 + 4 * 3600, "3d4h"),
            (120 * 86400, "120d"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(Dur::secs(secs)), want, "{secs}s");
        }
    }

    #[test]
    fn timestamps_are_rfc3339_from_the_epoch() {
        assert_eq!(SimTime(5_000).rfc3339(), "2026-01-01T00:00:05Z");
        assert_eq!(SimTime(0).rfc1123z(), "Thu, 01 Jan 2026 00:00:00 +0000");
        assert_eq!(
            SimTime::from_k8s(&SimTime(65_000).to_k8s()),
            SimTime(65_000)
        );
    }

    #[test]
    fn go_durations_print_like_kubelet() {
        assert_eq!(go_duration(Dur(3512)), "3.512s");
        assert_eq!(go_duration(Dur(4000)), "4s");
        assert_eq!(go_duration(Dur(850)), "850ms");
        assert_eq!(go_duration(Dur(61_500)), "1m1.5s");
    }
}
