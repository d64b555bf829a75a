//! Short human forms of resource quantities for the node boxes (`250m`, `1.5`, `64Mi`, `8Gi`).

/// CPU in millicores as Kubernetes prints it: whole cores bare, otherwise millicores with `m`.
pub fn cpu(millis: i64) -> String {
    if millis % 1000 == 0 {
        format!("{}", millis / 1000)
    } else {
        format!("{millis}m")
    }
}

/// Memory in bytes with the largest binary unit that keeps one decimal of precision.
pub fn memory(bytes: i64) -> String {
    const UNITS: [(&str, i64); 3] = [("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes.abs() >= size {
            let whole = bytes / size;
            let tenths = (bytes % size) * 10 / size;
            return if tenths == 0 {
                format!("{whole}{unit}")
            } else {
                format!("{whole}.{tenths}{unit}")
            };
        }
    }
    format!("{bytes}")
}

/// How full a node is, as a fraction clamped to `0.0..=1.0` for drawing (0 when capacity is 0).
pub fn fraction(used: i64, capacity: i64) -> f64 {
    if capacity <= 0 {
        return 0.0;
    }
    (used as f64 / capacity as f64).clamp(0.0, 1.0)
}

/// `text` cut to at most `max` characters, with an ellipsis when something was cut.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_prints_whole_cores_bare_and_the_rest_in_millicores() {
        for (millis, want) in [
            (0, "0"),
            (250, "250m"),
            (1000, "1"),
            (1500, "1500m"),
            (4000, "4"),
        ] {
            assert_eq!(cpu(millis), want, "cpu({millis})");
        }
    }

    #[test]
    fn memory_uses_the_largest_binary_unit() {
        for (bytes, want) in [
            (512, "512"),
            (64 << 20, "64Mi"),
            (8 << 30, "8Gi"),
            (3 << 29, "1.5Gi"),
            (1536, "1.5Ki"),
        ] {
            assert_eq!(memory(bytes), want, "memory({bytes})");
        }
    }

    #[test]
    fn fraction_is_clamped_and_safe_for_zero_capacity() {
        assert_eq!(fraction(5, 0), 0.0);
        assert_eq!(fraction(500, 1000), 0.5);
        assert_eq!(fraction(3000, 1000), 1.0);
        assert_eq!(fraction(-1, 1000), 0.0);
    }

    #[test]
    fn ellipsize_keeps_short_text_and_marks_cuts() {
        assert_eq!(ellipsize("nginx", 8), "nginx");
        assert_eq!(ellipsize("nginx-7c5ddbdf54", 8), "nginx-7…");
        assert_eq!(ellipsize("nginx-7c5ddbdf54", 8).chars().count(), 8);
    }
}
