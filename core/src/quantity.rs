//! Resource quantities (`100m`, `0.5`, `128Mi`, `1G`, `1e3`), as `resource.Quantity` parses them.
//!
//! The simulator needs two numbers from a quantity: CPU in millicores and memory in bytes. Both
//! are computed in thousandths of a unit (`milli_value`) so that `100m` and `0.1` agree exactly.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError(pub String);

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The value of a quantity in thousandths of its unit (CPU: millicores; memory: milli-bytes),
/// rounded up as `Quantity.MilliValue` does. Values beyond ±2^63 thousandths are refused.
pub fn milli_value(s: &str) -> Result<i128, QuantityError> {
    let bad = || {
        QuantityError(format!(
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got {s:?})"
        ))
    };
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    // An exponent such as `1e3` starts with `e` followed by digits.
    let (num_str, exp10, mult): (&str, i32, i128) =
        if let Some(exp) = suffix.strip_prefix(['e', 'E']) {
            let e: i32 = exp.parse().map_err(|_| bad())?;
            (num, e, 1)
        } else {
            let (e, m) = match suffix {
                "" => (0, 1),
                "n" => (-9, 1),
                "u" => (-6, 1),
                "m" => (-3, 1),
                "k" => (3, 1),
                "M" => (6, 1),
                "G" => (9, 1),
                "T" => (12, 1),
                "P" => (15, 1),
                "E" => (18, 1),
                "Ki" => (0, 1 << 10),
                "Mi" => (0, 1 << 20),
                "Gi" => (0, 1 << 30),
                "Ti" => (0, 1 << 40),
                "Pi" => (0, 1 << 50),
                "Ei" => (0, 1 << 60),
                _ => return Err(bad()),
            };
            (num, e, m)
        };
    if num_str.is_empty() || !(-30..=30).contains(&exp10) {
        return Err(bad());
    }
    let (negative, digits) = match num_str.as_bytes()[0] {
        b'-' => (true, &num_str[1..]),
        b'+' => (false, &num_str[1..]),
        _ => (false, num_str),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|c| c.is_ascii_digit())
        || !frac_part.bytes().all(|c| c.is_ascii_digit())
        || int_part.len() + frac_part.len() > 30
    {
        return Err(bad());
    }
    // mantissa * 10^(exp10 + 3 - frac_len) * mult, rounded up.
    let mantissa: i128 = format!("{int_part}{frac_part}").parse().unwrap_or(0);
    let scale = exp10 + 3 - frac_part.len() as i32;
    let mut value = mantissa.checked_mul(mult).ok_or_else(bad)?;
    if scale >= 0 {
        for _ in 0..scale {
            value = value.checked_mul(10).ok_or_else(bad)?;
        }
    } else {
        let div = 10i128.checked_pow((-scale) as u32).ok_or_else(bad)?;
        value = (value + div - 1) / div;
    }
    if value > i64::MAX as i128 {
        return Err(bad());
    }
    Ok(if negative { -value } else { value })
}

/// CPU in millicores (`500m` → 500, `2` → 2000).
pub fn cpu_millis(s: &str) -> Result<i64, QuantityError> {
    milli_value(s).map(|v| v as i64)
}

/// Memory in bytes (`128Mi` → 134217728), rounded up.
pub fn bytes(s: &str) -> Result<i64, QuantityError> {
    milli_value(s).map(|v| ((v + 999).div_euclid(1000)) as i64)
}

/// Millicores for display: `1500m`, `2`.
pub fn format_cpu(millis: i64) -> String {
    if millis % 1000 == 0 {
        format!("{}", millis / 1000)
    } else {
        format!("{millis}m")
    }
}

/// Bytes for display in the largest binary unit that divides them (`16Gi`, `200Mi`), as kubectl
/// shows canonical quantities.
pub fn format_bytes(b: i64) -> String {
    for (unit, size) in [
        ("Ti", 1i64 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if b != 0 && b % size == 0 {
            return format!("{}{unit}", b / size);
        }
    }
    format!("{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_forms_agree() {
        assert_eq!(cpu_millis("100m"), Ok(100));
        assert_eq!(cpu_millis("0.1"), Ok(100));
        assert_eq!(cpu_millis("2"), Ok(2000));
        assert_eq!(cpu_millis("1.5"), Ok(1500));
        assert_eq!(cpu_millis("1e3"), Ok(1_000_000));
        assert_eq!(cpu_millis("0.0001"), Ok(1), "rounds up like MilliValue");
    }

    #[test]
    fn memory_forms() {
        assert_eq!(bytes("128Mi"), Ok(128 << 20));
        assert_eq!(bytes("1G"), Ok(1_000_000_000));
        assert_eq!(bytes("16Gi"), Ok(16 << 30));
        assert_eq!(bytes("512"), Ok(512));
        assert_eq!(bytes("1.5Gi"), Ok(3 << 29));
    }

    #[test]
    fn malformed_quantities_are_refused() {
        for bad in [
            "",
            "abc",
            "1.2.3",
            "10 Mi",
            "1Mb",
            "--1",
            "1e",
            "9999999999999999999999999999999",
        ] {
            assert!(milli_value(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_cpu(4000), "4");
        assert_eq!(format_cpu(250), "250m");
        assert_eq!(format_bytes(16 << 30), "16Gi");
        assert_eq!(format_bytes(200 << 20), "200Mi");
        assert_eq!(format_bytes(1000), "1000");
    }
}
