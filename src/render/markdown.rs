//! Markdown from contributors → safe HTML.
//!
//! Two layers, so one mistake is not enough to inject markup: raw HTML in the Markdown is shown as
//! text (never interpreted), links and images are rebuilt here with an allow-list of URL schemes,
//! and the result still goes through ammonia with a strict allow-list of tags and attributes.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The `rel` of every link leaving the site: contributors' links earn no ranking and get no
/// handle on our window.
pub const EXTERNAL_REL: &str = "nofollow ugc noopener";

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "a",
        "em",
        "strong",
        "code",
        "pre",
        "blockquote",
        "img",
        "br",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "del",
        "sup",
        "sub",
    ]
    .into_iter()
    .collect();
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    attrs.insert("a", ["href", "title", "rel"].into_iter().collect());
    attrs.insert(
        "img",
        ["src", "alt", "title", "loading"].into_iter().collect(),
    );
    attrs.insert("th", ["align"].into_iter().collect());
    attrs.insert("td", ["align"].into_iter().collect());
    attrs.insert("ol", ["start"].into_iter().collect());
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .tag_attributes(attrs)
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "rel") if value == EXTERNAL_REL => Some(value.into()),
            ("a", "rel") => None,
            _ => Some(value.into()),
        });
    b
});

/// Renders Markdown to sanitised HTML. `root` prefixes site-absolute links (`/charte/`), `site_host`
/// tells internal absolute links from external ones, and the document's highest heading becomes
/// `top_heading` (2 under a page's `h1`, 3 inside a section), keeping the outline without gaps.
pub fn render(markdown: &str, root: &str, site_host: &str, top_heading: u8) -> String {
    render_with(markdown, root, site_host, top_heading, &|_| true)
}

/// [`render`] for contributors' text: a link into the site is kept only when `known` says its
/// path (`/competences/web/`, without the base path) is a page of the site, and relative links
/// are dropped; the link text stays. A typo in one description can then never fail the build's
/// link check and take every other entry down with it.
pub fn render_untrusted(
    markdown: &str,
    root: &str,
    site_host: &str,
    top_heading: u8,
    known: &dyn Fn(&str) -> bool,
) -> String {
    render_with(markdown, root, site_host, top_heading, &|url| {
        url.starts_with('/') && known(url.split(['#', '?']).next().unwrap_or(url))
    })
}

fn render_with(
    markdown: &str,
    root: &str,
    site_host: &str,
    top_heading: u8,
    keep_site_link: &dyn Fn(&str) -> bool,
) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    // Parsed once; the events are walked twice (the highest heading first).
    let parsed: Vec<Event> = Parser::new_ext(markdown, options).collect();
    let highest = parsed
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as u8),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let shift = |level: HeadingLevel| relevel(level, highest, top_heading);
    let mut link_stack: Vec<bool> = Vec::new();
    let mut image_stack: Vec<ImageKind> = Vec::new();
    let events = parsed.into_iter().filter_map(|event| match event {
        // Raw HTML is displayed, not interpreted.
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: shift(level),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(shift(level)))),
        Event::Start(Tag::Link {
            dest_url, title, ..
        }) => match classify(&dest_url, site_host) {
            LinkKind::Refused => {
                link_stack.push(false);
                None
            }
            LinkKind::SiteAbsolute | LinkKind::Relative if !keep_site_link(&dest_url) => {
                link_stack.push(false);
                None
            }
            kind => {
                link_stack.push(true);
                let href = match kind {
                    LinkKind::SiteAbsolute => format!("{root}{dest_url}"),
                    _ => dest_url.to_string(),
                };
                let rel = if kind == LinkKind::External {
                    format!(" rel=\"{EXTERNAL_REL}\"")
                } else {
                    String::new()
                };
                let title = if title.is_empty() {
                    String::new()
                } else {
                    format!(" title=\"{}\"", crate::text::escape_html(&title))
                };
                Some(Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"{}\"{title}{rel}>",
                    crate::text::escape_html(&href)
                ))))
            }
        },
        Event::End(TagEnd::Link) => match link_stack.pop() {
            Some(true) => Some(Event::InlineHtml(CowStr::from("</a>"))),
            _ => None,
        },
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => match classify(&dest_url, site_host) {
            // Images of the site itself are shown; an image from another host becomes a link to
            // it, so no page ever makes the reader's browser contact a third party.
            LinkKind::SiteAbsolute | LinkKind::Internal => {
                let dest_url = if dest_url.starts_with('/') {
                    CowStr::from(format!("{root}{dest_url}"))
                } else {
                    dest_url
                };
                image_stack.push(ImageKind::Shown);
                Some(Event::Start(Tag::Image {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url,
                    title,
                    id: CowStr::from(""),
                }))
            }
            LinkKind::External if dest_url.starts_with("https://") => {
                image_stack.push(ImageKind::Linked);
                Some(Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"{}\" rel=\"{EXTERNAL_REL}\">Image : ",
                    crate::text::escape_html(&dest_url)
                ))))
            }
            _ => {
                image_stack.push(ImageKind::Dropped);
                None
            }
        },
        Event::End(TagEnd::Image) => match image_stack.pop() {
            Some(ImageKind::Shown) => Some(Event::End(TagEnd::Image)),
            Some(ImageKind::Linked) => Some(Event::InlineHtml(CowStr::from("</a>"))),
            _ => None,
        },
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    SANITIZER.clean(&html).to_string()
}

/// What [`render`] neutralises in contributor Markdown. The renderer does it silently; the check
/// uses [`audit`] to tell the contributor where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Raw HTML (a block or an inline tag), shown as text.
    Html,
    /// A link or image whose address is refused: its text stays, the link or image goes.
    RefusedLink { url: String },
}

/// The findings of `markdown` with their byte ranges, in document order. Uses the same parser
/// options and URL rules as [`render`].
pub fn audit(markdown: &str) -> Vec<(std::ops::Range<usize>, Finding)> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        let refused = match &event {
            Event::Html(_) | Event::InlineHtml(_) => {
                found.push((range, Finding::Html));
                continue;
            }
            Event::Start(Tag::Link { dest_url, .. })
                if classify(dest_url, "") == LinkKind::Refused =>
            {
                dest_url
            }
            // As `render`: site images are shown, https images elsewhere become links, the rest
            // (http, data:, other schemes) is dropped.
            Event::Start(Tag::Image { dest_url, .. }) if image_refused(dest_url) => dest_url,
            _ => continue,
        };
        found.push((
            range,
            Finding::RefusedLink {
                url: refused.to_string(),
            },
        ));
    }
    found
}

/// Plain text of a Markdown document (for descriptions in meta tags and the search index).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The description as plain text, like [`plain_text`], except that an
/// address the site refuses to link (any scheme but http, https, mailto and tel) is not exported
/// even as the text of an autolink (`<javascript:…>`): the page shows no such link, and reusers
/// who linkify text would make one. The open-data export and the search index use it.
pub fn description_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let allowed = |url: &str| {
        let lower = url.trim().to_ascii_lowercase();
        match lower.split_once(':') {
            Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
                matches!(scheme, "http" | "https" | "mailto" | "tel")
            }
            _ => !lower.starts_with("//"),
        }
    };
    let mut out = String::with_capacity(markdown.len());
    // Destinations of the refused links we are inside of.
    let mut refused: Vec<String> = Vec::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if !allowed(&dest_url) => {
                refused.push(dest_url.to_string());
            }
            Event::End(TagEnd::Link) => {
                refused.pop();
            }
            Event::Text(t) | Event::Code(t) => {
                if refused.iter().any(|u| t.contains(u.as_str())) {
                    continue;
                }
                out.push_str(&t);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn relevel(level: HeadingLevel, highest: u8, top: u8) -> HeadingLevel {
    let n = (level as u8).saturating_sub(highest).saturating_add(top);
    match n {
        0..=2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Images `render` drops entirely (not shown, not linked): anything but the site's own images and
/// https images elsewhere (which become links).
fn image_refused(url: &str) -> bool {
    let kind = classify(url, "");
    let shown = matches!(kind, LinkKind::SiteAbsolute | LinkKind::Internal);
    let linked = url.starts_with("https://") && kind == LinkKind::External;
    !shown && !linked
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImageKind {
    Shown,
    Linked,
    Dropped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    /// `/charte/`: gets the site's path prefix.
    SiteAbsolute,
    /// `#section`, `../x/`, `page/`.
    Relative,
    /// On the site's own host.
    Internal,
    External,
    Contact,
    Refused,
}

fn classify(url: &str, site_host: &str) -> LinkKind {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("mailto:") || lower.starts_with("tel:") {
        return if crate::text::has_invisible(url) || url.contains(['"', '<', '>']) {
            LinkKind::Refused
        } else {
            LinkKind::Contact
        };
    }
    if lower.starts_with("https://") || lower.starts_with("http://") {
        if !crate::check::rules::url_is_valid(url, false) {
            return LinkKind::Refused;
        }
        let host = lower
            .split_once("://")
            .map_or("", |x| x.1)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("");
        return if !site_host.is_empty() && host == site_host {
            LinkKind::Internal
        } else {
            LinkKind::External
        };
    }
    if lower.starts_with("//")
        || lower.contains(':')
            && lower.find(':') < lower.find(['/', '?', '#']).or(Some(lower.len()))
    {
        // Any other scheme (javascript:, data:, vbscript:, file:…) or protocol-relative URL.
        return LinkKind::Refused;
    }
    if url.starts_with('/') {
        LinkKind::SiteAbsolute
    } else {
        LinkKind::Relative
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_text_keeps_prose_and_drops_refused_addresses() {
        let md = "# Titre\n\nDu **gras** et [un lien](https://ok.example/).\n\n\
                  [clic](javascript:alert(1)) <javascript:alert(2)> <https://x.example/> \
                  <iframe src=\"javascript:alert(3)\"></iframe>\n";
        assert_eq!(
            description_text(md),
            "Titre Du gras et un lien. clic https://x.example/"
        );
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render(
            "Bonjour <script>alert(1)</script> <b onclick=x>gras</b>",
            "",
            "a.example",
            2,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_links_lose_their_href() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "//evil.example/",
        ] {
            let html = render(&format!("[clic]({url})"), "", "a.example", 2);
            assert!(!html.contains("href"), "{url}: {html}");
            assert!(html.contains("clic"));
        }
    }

    #[test]
    fn external_links_get_rel_internal_do_not() {
        let html = render(
            "[a](https://b.example/x) [b](/charte/) [c](https://a.example/y)",
            "/annuaire",
            "a.example",
            2,
        );
        assert!(
            html.contains(r#"<a href="https://b.example/x" rel="nofollow ugc noopener">a</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="/annuaire/charte/">b</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://a.example/y">c</a>"#),
            "{html}"
        );
    }

    #[test]
    fn headings_are_demoted_below_the_page_title() {
        let html = render("# Titre\n\n## Sous-titre", "", "", 2);
        assert!(
            html.contains("<h2>Titre</h2>") && html.contains("<h3>Sous-titre</h3>"),
            "{html}"
        );
    }

    #[test]
    fn untrusted_text_keeps_only_links_to_known_pages() {
        let md = "[a](/charte/) [b](/nulle-part/) [c](../x/) [d](/charte/#art-2) [e](https://b.example/)";
        let html = render_untrusted(md, "", "a.example", 3, &|p| p == "/charte/");
        assert!(html.contains(r#"<a href="/charte/">a</a>"#), "{html}");
        assert!(html.contains(r#"<a href="/charte/#art-2">d</a>"#), "{html}");
        assert!(
            !html.contains("nulle-part") && !html.contains("../x/"),
            "{html}"
        );
        assert!(
            html.contains(" b ") && html.contains(" c "),
            "link text stays: {html}"
        );
        assert!(html.contains("https://b.example/"));
    }

    #[test]
    fn images_never_load_from_another_host() {
        let html = render(
            "![logo](https://b.example/l.png) ![x](http://b.example/l.png) ![y](data:image/png;base64,AAAA) ![site](/static/i.png) ![abs](https://a.example/j.png)",
            "/sous",
            "a.example",
            2,
        );
        assert_eq!(html.matches("<img").count(), 2, "{html}");
        assert!(
            html.contains(r#"src="/sous/static/i.png""#)
                && html.contains(r#"src="https://a.example/j.png""#),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<a href="https://b.example/l.png" rel="nofollow ugc noopener">Image : logo</a>"#
            ),
            "{html}"
        );
        assert!(
            !html.contains("data:") && !html.contains("http://b.example"),
            "{html}"
        );
    }

    #[test]
    fn audit_finds_what_render_neutralises() {
        let md = "Texte <b>gras</b>\n\n<div>bloc</div>\n\n[a](javascript:alert(1)) [b](https://ok.example/) ![c](http://x.example/i.png) <data:text/html,x>\n";
        let found = audit(md);
        let kinds: Vec<&Finding> = found.iter().map(|(_, f)| f).collect();
        let refused = |url: &str| Finding::RefusedLink { url: url.into() };
        assert_eq!(
            kinds,
            vec![
                &Finding::Html,
                &Finding::Html,
                &Finding::Html,
                &refused("javascript:alert(1)"),
                &refused("http://x.example/i.png"),
                &refused("data:text/html,x"),
            ]
        );
        assert!(md[found[3].0.clone()].starts_with("[a](javascript:"));
        assert!(
            audit("[a](https://ok.example/) ![b](https://ok.example/i.png) [c](/charte/) <https://ok.example/>")
                .is_empty()
        );
    }

    #[test]
    fn plain_text_strips_markup() {
        assert_eq!(
            plain_text("# Titre\n\nUn **beau** [lien](https://x.example).\n\n- a\n- b"),
            "Titre Un beau lien. a b"
        );
    }
}
