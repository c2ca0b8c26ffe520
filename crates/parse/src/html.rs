//! Reading HTML (fields of a publishing system's JSON, pages saved from a municipal portal)
//! as text under headings.
//!
//! The HTML is parsed by html5ever (through `scraper`), which accepts any input the way a
//! browser does. Text comes out in the form the rest of protokol stores: paragraphs
//! separated by a blank line, list items as "- " lines, whitespace collapsed. Every heading
//! element (`h1`–`h6`) starts a new section, wherever it is nested; scripts and styles are
//! left out.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// Text under one heading (`None` for text before the first heading).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtmlSection {
    pub heading: Option<String>,
    pub text: String,
}

/// The sections of an HTML text, in document order. Sections without text are kept (a
/// heading that only introduces sub-headings), so callers see every heading.
pub fn html_sections(html: &str) -> Vec<HtmlSection> {
    let doc = Html::parse_fragment(html);
    let mut w = Writer::default();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) => w.text(t),
                Node::Element(e) => w.open(e.name()),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    w.close(e.name());
                }
            }
        }
    }
    w.finish()
}

/// All the text of an HTML fragment, headings as paragraphs of their own.
pub fn html_text(html: &str) -> String {
    let mut paras = Vec::new();
    for s in html_sections(html) {
        if let Some(h) = s.heading {
            paras.push(h);
        }
        if !s.text.is_empty() {
            paras.push(s.text);
        }
    }
    paras.join("\n\n")
}

/// A finished paragraph or list item.
struct Block {
    list_item: bool,
    text: String,
}

#[derive(Default)]
struct Writer {
    done: Vec<HtmlSection>,
    heading: Option<String>,
    blocks: Vec<Block>,
    line: String,
    list_item: bool,
    /// Depth inside heading elements; text goes to `heading_text` while above zero.
    in_heading: usize,
    heading_text: String,
    /// Depth inside elements whose text is not content (script, style, template).
    skipping: usize,
    /// Depth inside table cells: paragraphs in a cell stay on their row's line.
    in_cell: usize,
}

/// A heading element holding more than this is a paragraph set in a heading's style.
pub const MAX_HEADING_CHARS: usize = 150;

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "blockquote"
            | "pre"
            | "address"
            | "figure"
            | "figcaption"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "hr"
            | "br"
            | "body"
            | "html"
            | "title"
    )
}

fn is_skipped(name: &str) -> bool {
    matches!(name, "script" | "style" | "template" | "noscript" | "head")
}

/// Appends `text` to `to` with runs of whitespace (non-breaking spaces included) as one
/// space, never starting with one.
fn push_collapsed(to: &mut String, text: &str) {
    for (i, word) in text.split(|c: char| c.is_whitespace()).enumerate() {
        if word.is_empty() {
            if i == 0 && !to.is_empty() && !to.ends_with(' ') {
                to.push(' ');
            }
            continue;
        }
        if !to.is_empty() && !to.ends_with(' ') && i > 0 {
            to.push(' ');
        }
        to.push_str(word);
    }
    if text.ends_with(char::is_whitespace) && !to.is_empty() && !to.ends_with(' ') {
        to.push(' ');
    }
}

impl Writer {
    fn text(&mut self, t: &str) {
        if self.skipping > 0 {
            return;
        }
        if self.in_heading > 0 {
            push_collapsed(&mut self.heading_text, t);
        } else {
            push_collapsed(&mut self.line, t);
        }
    }

    fn open(&mut self, name: &str) {
        if is_skipped(name) {
            self.skipping += 1;
        } else if self.skipping > 0 {
        } else if is_heading(name) {
            if self.in_heading == 0 {
                self.end_block();
                self.heading_text.clear();
            }
            self.in_heading += 1;
        } else if name == "li" {
            self.end_block();
            self.list_item = true;
        } else if matches!(name, "td" | "th") {
            self.in_cell += 1;
            self.space();
        } else if matches!(name, "table" | "tr") {
            // A table inside a cell starts its rows afresh.
            self.in_cell = 0;
            self.end_block();
        } else if self.in_cell > 0 && is_block(name) {
            self.space();
        } else if is_block(name) {
            self.end_block();
        }
    }

    /// A word break on the current line.
    fn space(&mut self) {
        if !self.line.is_empty() && !self.line.ends_with(' ') {
            self.line.push(' ');
        }
    }

    fn close(&mut self, name: &str) {
        if is_skipped(name) {
            self.skipping = self.skipping.saturating_sub(1);
        } else if self.skipping > 0 {
        } else if is_heading(name) && self.in_heading > 0 {
            self.in_heading -= 1;
            if self.in_heading == 0 {
                let heading = self.heading_text.trim().to_string();
                self.heading_text.clear();
                if heading.chars().count() > MAX_HEADING_CHARS {
                    // Text set in a heading's style is text, not a heading.
                    self.line = heading;
                    self.end_block();
                } else if !heading.is_empty() {
                    self.end_section();
                    self.heading = Some(heading);
                }
            }
        } else if matches!(name, "td" | "th") {
            self.in_cell = self.in_cell.saturating_sub(1);
        } else if self.in_cell > 0 && name != "tr" && name != "table" && is_block(name) {
            self.space();
        } else if name == "li" || is_block(name) {
            self.end_block();
        }
    }

    fn end_block(&mut self) {
        let text = self.line.trim();
        if !text.is_empty() {
            self.blocks.push(Block {
                list_item: self.list_item,
                text: text.to_string(),
            });
        }
        self.line.clear();
        self.list_item = false;
    }

    fn end_section(&mut self) {
        self.end_block();
        let mut text = String::new();
        let mut previous_item = false;
        for b in self.blocks.drain(..) {
            if !text.is_empty() {
                text.push_str(if b.list_item && previous_item {
                    "\n"
                } else {
                    "\n\n"
                });
            }
            if b.list_item {
                text.push_str("- ");
            }
            text.push_str(&b.text);
            previous_item = b.list_item;
        }
        let heading = self.heading.take();
        if heading.is_some() || !text.is_empty() {
            self.done.push(HtmlSection { heading, text });
        }
    }

    fn finish(mut self) -> Vec<HtmlSection> {
        if self.in_heading > 0 {
            // An unclosed heading (html5ever closes them, but be safe): its text is text.
            let t = std::mem::take(&mut self.heading_text);
            push_collapsed(&mut self.line, &t);
        }
        self.end_section();
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: Option<&str>, text: &str) -> HtmlSection {
        HtmlSection {
            heading: heading.map(str::to_string),
            text: text.to_string(),
        }
    }

    #[test]
    fn a_table_row_is_one_line_even_with_paragraphs_in_its_cells() {
        let html = "<table><tr><td><p>Anne Hansen</p><p>(A)</p></td><td><div>Formand</div></td></tr>\
                    <tr><td>Bo Berg (V)</td><td>Medlem</td></tr></table><p>Efter tabellen.</p>";
        let text = html_text(html);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(
            lines,
            [
                "Anne Hansen (A) Formand",
                "Bo Berg (V) Medlem",
                "Efter tabellen."
            ]
        );
    }

    #[test]
    fn headings_anywhere_start_sections() {
        let html = "<div><div id='x'><div><h3>Beslutning</h3>\r\n<span><div>Godkendt.</div></span>\
                    </div><h3>Fremstilling</h3><span class='ukendt'><div> <h3><span>Resume</span></h3> </div>\
                    <div>Første   afsnit.</div> <div>&nbsp;</div><div>Andet<br>afsnit.</div></span></div></div>";
        assert_eq!(
            html_sections(html),
            vec![
                section(Some("Beslutning"), "Godkendt."),
                section(Some("Fremstilling"), ""),
                section(Some("Resume"), "Første afsnit.\n\nAndet\n\nafsnit."),
            ]
        );
    }

    #[test]
    fn lists_become_dash_lines_and_inline_markup_is_kept_as_text() {
        let html = "<p>Center for <em>Økonomi</em> indstiller,</p><ol> <li><em>at</em> planen godkendes</li>\
                    <li>at rammen  øges</li></ol><p>Slut.</p>";
        assert_eq!(
            html_sections(html),
            vec![section(
                None,
                "Center for Økonomi indstiller,\n\n- at planen godkendes\n- at rammen øges\n\nSlut."
            )]
        );
    }

    #[test]
    fn scripts_styles_and_broken_markup_are_harmless() {
        let html = "<style>p{}</style><script>alert('x')</script><h2>Punkt <b>1</b></h2><p>Tekst <i>uden slut";
        assert_eq!(
            html_sections(html),
            vec![section(Some("Punkt 1"), "Tekst uden slut")]
        );
        assert_eq!(html_text(""), "");
        assert_eq!(html_text("<h3></h3>"), "");
    }

    #[test]
    fn a_paragraph_set_as_a_heading_stays_text() {
        let long = "Udvalget anbefaler Byrådet at godkende ".repeat(5);
        let html = format!("<h3>Indstilling</h3><div>Godkendes.</div><h3>{long}</h3><p>Mere.</p>");
        assert_eq!(
            html_sections(&html),
            vec![section(
                Some("Indstilling"),
                &format!("Godkendes.\n\n{}\n\nMere.", long.trim())
            )]
        );
    }

    #[test]
    fn table_cells_are_separated() {
        let html = "<table><tr><td>Dato</td><td>1. maj</td></tr><tr><td>Sted</td><td>Rådhuset</td></tr></table>";
        assert_eq!(html_text(html), "Dato 1. maj\n\nSted Rådhuset");
    }
}
