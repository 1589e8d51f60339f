//! Template minification: the theme's templates lose their layout whitespace once, when they are
//! loaded, so every page comes out of Tera already minified.
//!
//! Why not minify each page: minify-html on every rendered page cost twice the rendering itself
//! (≈0.3 ms a page; 4 s of CPU at 10,000 providers). Nearly all the whitespace it removed came from
//! the templates' indentation, which is the same on every page. What contributors write (Markdown,
//! rendered and sanitised) is a small part of a page and keeps its own whitespace.
//!
//! The rules are conservative, so a page renders exactly as before:
//! - Tera tags (`{{ }}`, `{% %}`, `{# #}`) are copied as they are;
//! - `<pre>`, `<textarea>`, `<script>` and `<style>` contents and HTML comments are copied as they are;
//! - inside a tag, a whitespace run becomes one space (quoted attribute values are left alone);
//! - in text, a whitespace run becomes one space, and disappears when it holds a line break and
//!   sits between two block-level boundaries (a block element's tag, the start or end of the
//!   template), looking through Tera statements (`{% if %}` outputs nothing) — where a browser
//!   would not render it either.
//!
//! `tests/minify.rs` renders pages with and without it and compares what a browser would show.

/// Elements whose tags end a line box, so whitespace beside them on both sides renders nothing.
/// (`li` and the others are laid out as blocks, flex or grid items by the theme's CSS.)
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "circle",
    "col",
    "colgroup",
    "dd",
    "defs",
    "desc",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "g",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "legend",
    "li",
    "line",
    "link",
    "main",
    "meta",
    "nav",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "p",
    "path",
    "polygon",
    "polyline",
    "pre",
    "rect",
    "script",
    "section",
    "style",
    "summary",
    "symbol",
    "table",
    "tbody",
    "td",
    "template",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "ul",
    "use",
];

/// Elements whose content is copied untouched.
const RAW: &[&str] = &["pre", "textarea", "script", "style"];

/// What lies on one side of a whitespace run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    /// Start or end of the template, a block element's tag, or an HTML comment.
    Boundary,
    /// Text, an inline element's tag, or a Tera expression (which outputs text).
    Inline,
}

pub fn minify_template(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    // What the last thing copied was, Tera statements skipped.
    let mut left = Side::Boundary;
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = tera_tag_end(src, i) {
            out.push_str(&src[i..end]);
            if b[i + 1] == b'{' {
                left = Side::Inline;
            }
            i = end;
        } else if src[i..].starts_with("<!--") {
            let end = src[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            out.push_str(&src[i..end]);
            left = Side::Boundary;
            i = end;
        } else if src[i..].starts_with("<!") {
            // <!DOCTYPE html>
            i = copy_tag(src, i, &mut out);
            left = Side::Boundary;
        } else if let Some((name, closing)) = tag_name(src, i) {
            let end = copy_tag(src, i, &mut out);
            left = side_of(name);
            i = end;
            if !closing && RAW.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                let end = raw_end(src, i, name);
                out.push_str(&src[i..end]);
                i = end;
            }
        } else if b[i].is_ascii_whitespace() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let newline = b[i..j].contains(&b'\n');
            let removable =
                newline && left == Side::Boundary && right_side(src, j) == Side::Boundary;
            if !removable {
                out.push(' ');
            }
            i = j;
        } else {
            let next = src[i..]
                .char_indices()
                .nth(1)
                .map_or(b.len(), |(k, _)| i + k);
            out.push_str(&src[i..next]);
            left = Side::Inline;
            i = next;
        }
    }
    out
}

/// The end of the Tera tag starting at `i`, if one does.
fn tera_tag_end(src: &str, i: usize) -> Option<usize> {
    let rest = &src[i..];
    let close = if rest.starts_with("{{") {
        "}}"
    } else if rest.starts_with("{%") {
        "%}"
    } else if rest.starts_with("{#") {
        "#}"
    } else {
        return None;
    };
    Some(rest[2..].find(close).map_or(src.len(), |e| i + 2 + e + 2))
}

/// The element name of the HTML tag starting at `i`, and whether it is a closing tag.
fn tag_name(src: &str, i: usize) -> Option<(&str, bool)> {
    let rest = src[i..].strip_prefix('<')?;
    let (rest, closing) = match rest.strip_prefix('/') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let len = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-')
        .count();
    (len > 0 && rest.as_bytes()[0].is_ascii_alphabetic()).then(|| (&rest[..len], closing))
}

fn side_of(name: &str) -> Side {
    if BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(name)) {
        Side::Boundary
    } else {
        Side::Inline
    }
}

/// Copies the tag starting at `i` (through its `>`), one space for each whitespace run outside
/// quotes and Tera tags; returns where it ended.
fn copy_tag(src: &str, i: usize, out: &mut String) -> usize {
    let b = src.as_bytes();
    let mut j = i;
    let mut quote: Option<u8> = None;
    while j < b.len() {
        if let Some(end) = tera_tag_end(src, j) {
            out.push_str(&src[j..end]);
            j = end;
            continue;
        }
        let c = b[j];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => {
                out.push('>');
                return j + 1;
            }
            None if c.is_ascii_whitespace() => {
                while j + 1 < b.len() && b[j + 1].is_ascii_whitespace() {
                    j += 1;
                }
                out.push(' ');
                j += 1;
                continue;
            }
            None => {}
        }
        let next = src[j..]
            .char_indices()
            .nth(1)
            .map_or(b.len(), |(k, _)| j + k);
        out.push_str(&src[j..next]);
        j = next;
    }
    j
}

/// Where the raw content of `<name>` opened before `i` ends: at its closing tag.
fn raw_end(src: &str, i: usize, name: &str) -> usize {
    let lower = src[i..].to_ascii_lowercase();
    let close = format!("</{}", name.to_ascii_lowercase());
    lower.find(&close).map_or(src.len(), |e| i + e)
}

/// What follows position `j`, looking through Tera statements and whitespace.
fn right_side(src: &str, mut j: usize) -> Side {
    let b = src.as_bytes();
    loop {
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() {
            return Side::Boundary;
        }
        match tera_tag_end(src, j) {
            Some(end) if b[j + 1] != b'{' => j = end,
            Some(_) => return Side::Inline,
            None => {
                if src[j..].starts_with("<!") {
                    return Side::Boundary;
                }
                return match tag_name(src, j) {
                    Some((name, _)) => side_of(name),
                    None => Side::Inline,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::minify_template as m;

    #[test]
    fn layout_whitespace_between_blocks_goes() {
        assert_eq!(
            m("<ul>\n  {% for x in xs %}\n  <li>{{ x }}</li>\n  {% endfor %}\n</ul>\n"),
            "<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>"
        );
    }

    #[test]
    fn whitespace_that_renders_stays_as_one_space() {
        assert_eq!(
            m("<p>\n  Un  <a href=\"x\">lien</a>\n  <a>autre</a>\n</p>"),
            "<p> Un <a href=\"x\">lien</a> <a>autre</a> </p>"
        );
        assert_eq!(m("{{ a }}\n{{ b }}"), "{{ a }} {{ b }}");
        assert_eq!(
            m("</a>{% endif %}\n{% if y %}<a>"),
            "</a>{% endif %} {% if y %}<a>"
        );
    }

    #[test]
    fn tags_keep_quoted_values_and_tera() {
        assert_eq!(
            m("<a\n   href=\"{{ u }}\"  title=\"a  b\"{% if c == \"x>\" %} rel=\"x\"{% endif %}>"),
            "<a href=\"{{ u }}\" title=\"a  b\"{% if c == \"x>\" %} rel=\"x\"{% endif %}>"
        );
    }

    #[test]
    fn raw_elements_and_comments_are_untouched() {
        let src = "<pre>\n  a\n   b</pre>\n<div>\n<script>\n if (a <b) {}\n</script>\n<!-- \n x -->\n</div>";
        assert_eq!(
            m(src),
            "<pre>\n  a\n   b</pre><div><script>\n if (a <b) {}\n</script><!-- \n x --></div>"
        );
        assert_eq!(m("<textarea>\n x</textarea>"), "<textarea>\n x</textarea>");
        assert_eq!(m("<!DOCTYPE html>\n<html>\n"), "<!DOCTYPE html><html>");
    }

    #[test]
    fn unicode_text_is_copied() {
        assert_eq!(
            m("<p>Compétences\n  – énergie</p>"),
            "<p>Compétences – énergie</p>"
        );
    }
}
