//! Lesson Markdown, drawn element by element from the core's safe tree: no text is ever
//! inserted as HTML, and links the core refused are plain text.

use kubeplay_core::markdown::{self, Block, Inline};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MarkdownProps {
    pub text: AttrValue,
}

#[component]
pub fn Markdown(props: &MarkdownProps) -> Html {
    let blocks = use_memo(props.text.clone(), |text| markdown::parse(text));
    html! { <div class="markdown">{ for blocks.iter().map(block) }</div> }
}

fn block(b: &Block) -> Html {
    match b {
        Block::Paragraph(i) => html! { <p>{ inlines(i) }</p> },
        Block::Heading(level, i) => {
            // Lesson headings sit below the panel's own heading.
            let tag = match level {
                1 | 2 => "h3",
                3 => "h4",
                _ => "h5",
            };
            html! { <@{tag}>{ inlines(i) }</@> }
        }
        Block::Code { text, .. } => {
            html! { <pre class="md-code"><code>{ text.clone() }</code></pre> }
        }
        Block::List {
            start: Some(n),
            items,
        } => html! {
            <ol start={n.to_string()}>{ for items.iter().map(item) }</ol>
        },
        Block::List { start: None, items } => html! { <ul>{ for items.iter().map(item) }</ul> },
        Block::Quote(blocks) => html! { <blockquote>{ for blocks.iter().map(block) }</blockquote> },
        Block::Rule => html! { <hr /> },
    }
}

fn item(blocks: &Vec<Block>) -> Html {
    // A tight item's single paragraph reads better without its margins.
    match blocks.as_slice() {
        [Block::Paragraph(i)] => html! { <li>{ inlines(i) }</li> },
        _ => html! { <li>{ for blocks.iter().map(block) }</li> },
    }
}

fn inlines(items: &[Inline]) -> Html {
    html! { { for items.iter().map(inline) } }
}

fn inline(i: &Inline) -> Html {
    match i {
        Inline::Text(t) => html! { { t.clone() } },
        Inline::Code(t) => html! { <code>{ t.clone() }</code> },
        Inline::Emphasis(c) => html! { <em>{ inlines(c) }</em> },
        Inline::Strong(c) => html! { <strong>{ inlines(c) }</strong> },
        Inline::Link {
            href: Some(href),
            children,
        } => html! {
            <a href={href.clone()} target="_blank" rel="noopener noreferrer">{ inlines(children) }</a>
        },
        Inline::Link {
            href: None,
            children,
        } => html! { <span class="md-refused-link">{ inlines(children) }</span> },
        Inline::Break => html! { <br /> },
    }
}
