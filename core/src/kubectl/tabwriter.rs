//! Go's `text/tabwriter` column algorithm, which kubectl's printers use: `get` tables with
//! padding 3 and minimum width 6, `describe` with padding 2. Cells are tab-terminated; a column
//! is aligned over each block of consecutive lines that have a cell in it.

/// Aligns tab-separated text.
pub fn align(text: &str, minwidth: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::new();
    let mut widths = Vec::new();
    format(
        &lines,
        &mut widths,
        0,
        lines.len(),
        minwidth,
        padding,
        &mut out,
    );
    // `split` yields a final empty line for a trailing newline; drop the newline it added.
    if !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn format(
    lines: &[Vec<&str>],
    widths: &mut Vec<usize>,
    mut line0: usize,
    line1: usize,
    minwidth: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, widths, line0, this, out);
        line0 = this;
        let mut w = minwidth;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(lines[this][column]) + padding);
            this += 1;
        }
        widths.push(w);
        format(lines, widths, line0, this, minwidth, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, widths, line0, line1, out);
}

fn write_lines(
    lines: &[Vec<&str>],
    widths: &[usize],
    line0: usize,
    line1: usize,
    out: &mut String,
) {
    for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                let w = widths.get(j).copied().unwrap_or(0);
                for _ in width(cell)..w {
                    out.push(' ');
                }
            }
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_table_pads_three_with_minimum_six() {
        let t = "NAME\tREADY\tAGE\nnginx-7854ff8877-2jx9k\t1/1\t5s\n";
        assert_eq!(
            align(t, 6, 3),
            "NAME                     READY   AGE\nnginx-7854ff8877-2jx9k   1/1     5s\n"
        );
    }

    #[test]
    fn blocks_align_separately_like_describe() {
        let t = "Name:\tweb\nRollingUpdateStrategy:\t25%\nPod Template:\n  Labels:\tapp=web\n";
        assert_eq!(align(t, 0, 2), "Name:                   web\nRollingUpdateStrategy:  25%\nPod Template:\n  Labels:  app=web\n");
    }
}
