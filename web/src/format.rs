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

/// Word-wraps `text` into at most `max_lines` lines of at most `width` characters; the last
/// line ends with an ellipsis when text was left over. Words longer than a line are cut.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.peek() {
        let len = current.chars().count();
        let needed = if current.is_empty() {
            word.chars().count()
        } else {
            len + 1 + word.chars().count()
        };
        if needed <= width {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
            words.next();
        } else if current.is_empty() {
            // A word longer than a whole line: cut it.
            current = ellipsize(word, width);
            lines.push(std::mem::take(&mut current));
            words.next();
        } else {
            lines.push(std::mem::take(&mut current));
        }
        if lines.len() == max_lines {
            break;
        }
    }
    if !current.is_empty() && lines.len() < max_lines {
        lines.push(current);
    }
    let rest = words.peek().is_some();
    if rest {
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(&format!("{last} …"), width);
            if !last.ends_with('…') {
                last.push('…');
            }
        }
    }
    lines
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
    fn wrap_breaks_at_words_and_marks_leftovers() {
        assert_eq!(wrap("one two three", 8, 2), ["one two", "three"]);
        assert_eq!(wrap("short", 20, 2), ["short"]);
        assert_eq!(wrap("", 20, 2), Vec::<String>::new());
        let cut = wrap("aa bb cc dd ee ff", 5, 2);
        assert_eq!(cut.len(), 2);
        assert!(
            cut[1].ends_with('…') && cut[1].chars().count() <= 5,
            "{cut:?}"
        );
        assert_eq!(wrap("abcdefghij", 4, 3), ["abc…"]);
    }

    #[test]
    fn ellipsize_keeps_short_text_and_marks_cuts() {
        assert_eq!(ellipsize("nginx", 8), "nginx");
        assert_eq!(ellipsize("nginx-7c5ddbdf54", 8), "nginx-7…");
        assert_eq!(ellipsize("nginx-7c5ddbdf54", 8).chars().count(), 8);
    }
}
