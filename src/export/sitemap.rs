//! `sitemap.xml` and `robots.txt`.
//!
//! The sitemap is derived from the page plan and [`output_path`], never from a list of its own:
//! every planned page but the 404 page, with its absolute URL. Beyond 50,000 URLs (the protocol's
//! limit per file) `sitemap.xml` becomes an index of `sitemap-N.xml` files.

use std::fmt::Write as _;

use super::OutFile;
use crate::audience::View;
use crate::render::pages::{Job, output_path};

/// Most URLs in one sitemap file (sitemaps.org).
pub const MAX_URLS: usize = 50_000;

/// The sitemap's own path.
pub const PATH: &str = "sitemap.xml";

/// The absolute URL of the page written at `path` (`a/index.html` → `https://host/a/`).
pub fn page_url(view: &View, path: &str) -> String {
    let dir = path.strip_suffix("index.html").unwrap_or(path);
    format!("{}/{dir}", view.site.base_url)
}

/// Pages of the sitemap: URL and last modification date, in plan order.
pub fn entries(view: &View, jobs: &[Job]) -> Vec<(String, Option<String>)> {
    jobs.iter()
        .filter(|j| **j != Job::NotFound)
        .map(|&job| {
            let lastmod = match job {
                Job::Provider(i) => view.providers[i].updated.clone(),
                _ => None,
            };
            (page_url(view, &output_path(view, job)), lastmod)
        })
        .collect()
}

/// `sitemap.xml` (and `sitemap-N.xml` for very large sites).
pub fn files(view: &View, jobs: &[Job]) -> Vec<OutFile> {
    let entries = entries(view, jobs);
    if entries.len() <= MAX_URLS {
        return vec![OutFile {
            path: PATH.into(),
            bytes: urlset(&entries).into_bytes(),
        }];
    }
    let mut out = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, chunk) in entries.chunks(MAX_URLS).enumerate() {
        let path = format!("sitemap-{}.xml", n + 1);
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            xml_escape(&format!("{}/{path}", view.site.base_url))
        );
        out.push(OutFile {
            path,
            bytes: urlset(chunk).into_bytes(),
        });
    }
    index.push_str("</sitemapindex>\n");
    out.push(OutFile {
        path: PATH.into(),
        bytes: index.into_bytes(),
    });
    out
}

fn urlset(entries: &[(String, Option<String>)]) -> String {
    let mut s = String::with_capacity(entries.len() * 80 + 200);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (loc, lastmod) in entries {
        let _ = write!(s, "<url><loc>{}</loc>", xml_escape(loc));
        if let Some(d) = lastmod {
            let _ = write!(s, "<lastmod>{}</lastmod>", xml_escape(d));
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

/// `robots.txt`: everything allowed and the sitemap named for the public site; everything
/// disallowed for the mediators' site.
pub fn robots(view: &View) -> String {
    if view.audience.sees_private() {
        return "# Vue médiation : données privées, à ne pas indexer.\nUser-agent: *\nDisallow: /\n"
            .into();
    }
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/{PATH}\n",
        view.site.base_url
    )
}

/// Escapes text for XML content and attribute values, dropping the characters XML 1.0 cannot
/// hold at all (C0 controls but tab and line ends, U+FFFE, U+FFFF).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml_escape("a&b<c>\"d'\u{1}\u{FFFF}é"),
            "a&amp;b&lt;c&gt;&quot;d&apos;é"
        );
    }
}
