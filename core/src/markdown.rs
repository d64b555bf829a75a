//! Lesson Markdown as plain data, safe to draw.
//!
//! Lessons come from anyone (a teacher's file, a link), so their Markdown is never turned
//! into HTML text. [`parse`] reads CommonMark with pulldown-cmark and keeps a small tree of
//! [`Block`]s and [`Inline`]s that a user interface draws element by element:
//! - raw HTML, in a block or inline, stays visible as its literal text;
//! - a link keeps its target only when [`safe_href`] accepts it (`http:`, `https:`, `mailto:`,
//!   a relative path or a `#fragment`); `javascript:`, `data:` and every other scheme leave
//!   just the link's text;
//! - an image becomes its alternative text, so a lesson cannot make the page load anything.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    /// Level 1 to 6.
    Heading(u8, Vec<Inline>),
    /// A fenced or indented code block with its info string's language, if any.
    Code {
        lang: Option<String>,
        text: String,
    },
    /// A list; `start` is the first number of an ordered list.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    Rule,
}

/// Text within a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    /// A link; `href` is `None` when the target was refused.
    Link {
        href: Option<String>,
        children: Vec<Inline>,
    },
    /// A hard line break.
    Break,
}

/// Whether a link target may be followed: `http:`, `https:` and `mailto:` URLs, paths
/// relative to the page and fragments. Anything with another scheme is refused, including
/// `javascript:` however it is cased or padded.
pub fn safe_href(href: &str) -> bool {
    let trimmed: String = href
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    match trimmed.find(':') {
        None => true,
        Some(colon) => {
            // A colon after the first '/', '?' or '#' is part of a relative path.
            if trimmed[..colon].contains(['/', '?', '#']) {
                return true;
            }
            let scheme = trimmed[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

/// Plain text of inlines (for titles, labels and tests).
pub fn plain(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { children: c, .. } => {
                out.push_str(&plain(c))
            }
            Inline::Break => out.push('\n'),
        }
    }
    out
}

/// What is being built: the open containers, innermost last.
enum Open {
    Blocks(Vec<Block>),
    Inlines(Vec<Inline>),
}

struct Builder {
    /// Each open container with the tag that opened it.
    stack: Vec<(Frame, Open)>,
}

enum Frame {
    Root,
    Paragraph,
    Heading(u8),
    Code(Option<String>),
    List(Option<u64>, Vec<Vec<Block>>),
    Item,
    Quote,
    Emphasis,
    Strong,
    Link(Option<String>),
    /// An image: its alternative text is kept as plain text.
    Image,
    /// Something drawn as its contents only (table parts are not enabled; metadata, footnotes).
    Transparent,
}

impl Builder {
    fn push_inline(&mut self, inline: Inline) {
        match self.stack.last_mut() {
            Some((_, Open::Inlines(v))) => {
                if let (Inline::Text(t), Some(Inline::Text(prev))) = (&inline, v.last_mut()) {
                    prev.push_str(t);
                    return;
                }
                v.push(inline)
            }
            Some((_, Open::Blocks(_))) => {
                // Loose text in a list item or a quote: give it a paragraph.
                self.stack
                    .push((Frame::Paragraph, Open::Inlines(vec![inline])));
            }
            None => {}
        }
    }

    fn push_block(&mut self, block: Block) {
        // A block ends any implicit paragraph opened for loose text.
        if matches!(self.stack.last(), Some((Frame::Paragraph, _))) && self.stack.len() > 1 {
            self.close();
        }
        if let Some((_, Open::Blocks(v))) = self.stack.last_mut() {
            v.push(block);
        }
    }

    fn open(&mut self, frame: Frame) {
        let content = match frame {
            Frame::Root | Frame::Item | Frame::Quote | Frame::List(..) => Open::Blocks(Vec::new()),
            _ => Open::Inlines(Vec::new()),
        };
        if matches!(frame, Frame::Paragraph | Frame::Heading(_) | Frame::Code(_)) {
            // Close an implicit paragraph before a new block.
            if matches!(self.stack.last(), Some((Frame::Paragraph, _))) && self.stack.len() > 1 {
                self.close();
            }
        }
        self.stack.push((frame, content));
    }

    /// Closes the innermost container into its parent.
    fn close(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let (frame, content) = self.stack.pop().expect("checked above");
        let inlines = || match &content {
            Open::Inlines(v) => v.clone(),
            Open::Blocks(_) => Vec::new(),
        };
        let blocks = || match &content {
            Open::Blocks(v) => v.clone(),
            Open::Inlines(_) => Vec::new(),
        };
        match frame {
            Frame::Root => {}
            Frame::Paragraph => {
                let mut v = inlines();
                if let Some(Inline::Text(t)) = v.last_mut() {
                    t.truncate(t.trim_end().len());
                }
                self.push_block(Block::Paragraph(v))
            }
            Frame::Heading(level) => self.push_block(Block::Heading(level, inlines())),
            Frame::Code(lang) => {
                let text = plain(&inlines());
                self.push_block(Block::Code { lang, text })
            }
            Frame::List(start, mut items) => {
                items.extend(blocks().into_iter().map(|b| vec![b]));
                self.push_block(Block::List { start, items })
            }
            Frame::Item => {
                if matches!(self.stack.last(), Some((Frame::Paragraph, _))) {
                    self.close();
                }
                if let Some((Frame::List(_, items), _)) = self.stack.last_mut() {
                    items.push(blocks());
                }
            }
            Frame::Quote => self.push_block(Block::Quote(blocks())),
            Frame::Emphasis => self.push_inline(Inline::Emphasis(inlines())),
            Frame::Strong => self.push_inline(Inline::Strong(inlines())),
            Frame::Link(href) => self.push_inline(Inline::Link {
                href,
                children: inlines(),
            }),
            Frame::Image => self.push_inline(Inline::Text(plain(&inlines()))),
            Frame::Transparent => {
                for i in inlines() {
                    self.push_inline(i);
                }
                for b in blocks() {
                    self.push_block(b);
                }
            }
        }
    }

    /// Closes up to and including the innermost frame that `is_end` recognises.
    fn close_until(&mut self, is_end: impl Fn(&Frame) -> bool) {
        while self.stack.len() > 1 {
            let done = is_end(&self.stack.last().expect("non-empty").0);
            self.close();
            if done {
                break;
            }
        }
    }
}

fn level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Reads CommonMark (with strikethrough off, no tables, no HTML) into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut b = Builder {
        stack: vec![(Frame::Root, Open::Blocks(Vec::new()))],
    };
    for event in Parser::new_ext(text, Options::empty()) {
        match event {
            Event::Start(tag) => {
                let frame = match tag {
                    Tag::Paragraph => Frame::Paragraph,
                    Tag::Heading { level: l, .. } => Frame::Heading(level(l)),
                    Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Frame::Code(
                        info.split_whitespace()
                            .next()
                            .filter(|s| !s.is_empty())
                            .map(String::from),
                    ),
                    Tag::CodeBlock(CodeBlockKind::Indented) => Frame::Code(None),
                    Tag::List(start) => Frame::List(start, Vec::new()),
                    Tag::Item => Frame::Item,
                    Tag::BlockQuote(_) => Frame::Quote,
                    Tag::Emphasis => Frame::Emphasis,
                    Tag::Strong => Frame::Strong,
                    Tag::Link { dest_url, .. } => {
                        Frame::Link(safe_href(&dest_url).then(|| dest_url.to_string()))
                    }
                    Tag::Image { .. } => Frame::Image,
                    // Its raw lines arrive as `Html` text inside.
                    Tag::HtmlBlock => Frame::Paragraph,
                    _ => Frame::Transparent,
                };
                b.open(frame);
            }
            Event::End(end) => {
                let matches_end = move |f: &Frame| match (end, f) {
                    (TagEnd::Paragraph | TagEnd::HtmlBlock, Frame::Paragraph)
                    | (TagEnd::Heading(_), Frame::Heading(_))
                    | (TagEnd::CodeBlock, Frame::Code(_))
                    | (TagEnd::List(_), Frame::List(..))
                    | (TagEnd::Item, Frame::Item)
                    | (TagEnd::BlockQuote(_), Frame::Quote)
                    | (TagEnd::Emphasis, Frame::Emphasis)
                    | (TagEnd::Strong, Frame::Strong)
                    | (TagEnd::Link, Frame::Link(_))
                    | (TagEnd::Image, Frame::Image) => true,
                    (
                        TagEnd::Paragraph
                        | TagEnd::HtmlBlock
                        | TagEnd::Heading(_)
                        | TagEnd::CodeBlock
                        | TagEnd::List(_)
                        | TagEnd::Item
                        | TagEnd::BlockQuote(_)
                        | TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Link
                        | TagEnd::Image,
                        _,
                    ) => false,
                    (_, Frame::Transparent) => true,
                    _ => false,
                };
                b.close_until(matches_end);
            }
            Event::Text(t) => b.push_inline(Inline::Text(t.to_string())),
            Event::Code(t) => b.push_inline(Inline::Code(t.to_string())),
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Html(t) | Event::InlineHtml(t) => {
                if matches!(b.stack.last(), Some((_, Open::Blocks(_)))) {
                    b.push_block(Block::Paragraph(vec![Inline::Text(
                        t.trim_end().to_string(),
                    )]));
                } else {
                    b.push_inline(Inline::Text(t.to_string()))
                }
            }
            Event::SoftBreak => b.push_inline(Inline::Text(" ".into())),
            Event::HardBreak => b.push_inline(Inline::Break),
            Event::Rule => b.push_block(Block::Rule),
            _ => {}
        }
    }
    while b.stack.len() > 1 {
        b.close();
    }
    match b.stack.pop() {
        Some((_, Open::Blocks(v))) => v,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_headings_emphasis_and_code() {
        let doc =
            parse("# Title\n\nSome *soft* and **strong** `code`.\n\n```yaml\nkind: Pod\n```\n");
        assert_eq!(
            doc,
            vec![
                Block::Heading(1, vec![text("Title")]),
                Block::Paragraph(vec![
                    text("Some "),
                    Inline::Emphasis(vec![text("soft")]),
                    text(" and "),
                    Inline::Strong(vec![text("strong")]),
                    text(" "),
                    Inline::Code("code".into()),
                    text("."),
                ]),
                Block::Code {
                    lang: Some("yaml".into()),
                    text: "kind: Pod\n".into()
                },
            ]
        );
    }

    #[test]
    fn lists_keep_their_items_and_numbering() {
        let doc = parse("3. one\n4. two\n   - inner\n");
        let Block::List { start, items } = &doc[0] else {
            panic!("{doc:?}")
        };
        assert_eq!(*start, Some(3));
        assert_eq!(items.len(), 2);
        assert_eq!(items[0], vec![Block::Paragraph(vec![text("one")])]);
        assert!(matches!(&items[1][1], Block::List { start: None, items } if items.len() == 1));
    }

    #[test]
    fn raw_html_stays_text() {
        let doc = parse("<script>alert(1)</script>\n\nhi <b onclick=x>there</b>\n");
        assert_eq!(
            doc[0],
            Block::Paragraph(vec![text("<script>alert(1)</script>")])
        );
        assert_eq!(
            plain(match &doc[1] {
                Block::Paragraph(i) => i,
                other => panic!("{other:?}"),
            }),
            "hi <b onclick=x>there</b>"
        );
    }

    #[test]
    fn links_keep_only_safe_targets() {
        let doc = parse(
            "[a](https://kubernetes.io/docs) [b](javascript:alert(1)) [c](JaVaScRiPt:x) [d](lessons/x.yaml) [e](data:text/html,hi) [f](#top)",
        );
        let Block::Paragraph(inlines) = &doc[0] else {
            panic!("{doc:?}")
        };
        let hrefs: Vec<Option<&str>> = inlines
            .iter()
            .filter_map(|i| match i {
                Inline::Link { href, .. } => Some(href.as_deref()),
                _ => None,
            })
            .collect();
        assert_eq!(
            hrefs,
            vec![
                Some("https://kubernetes.io/docs"),
                None,
                None,
                Some("lessons/x.yaml"),
                None,
                Some("#top")
            ]
        );
    }

    #[test]
    fn scheme_checks_see_through_padding() {
        for bad in [
            " javascript:x",
            "java\tscript:x",
            "vbscript:x",
            "file:///etc/passwd",
        ] {
            assert!(!safe_href(bad), "{bad}");
        }
        for good in [
            "http://x",
            "HTTPS://x",
            "mailto:a@b",
            "a/b:c",
            "?q=a:b",
            "x.html",
        ] {
            assert!(safe_href(good), "{good}");
        }
    }

    #[test]
    fn images_become_their_alternative_text() {
        let doc = parse("![a diagram](https://example.com/x.png)");
        assert_eq!(doc, vec![Block::Paragraph(vec![text("a diagram")])]);
    }

    #[test]
    fn any_input_parses_without_panicking() {
        let mut rng = crate::rng::Rng::new(7);
        let alphabet: Vec<char> = "ab *_`[]()<>!#-1.\n\t>~|:/".chars().collect();
        for _ in 0..3000 {
            let len = (rng.next_u64() % 60) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(rng.next_u64() % alphabet.len() as u64) as usize])
                .collect();
            let _ = parse(&s);
        }
    }
}
