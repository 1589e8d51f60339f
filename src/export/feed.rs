//! `flux.xml`: an Atom feed (RFC 4287) of new and updated entries, by `mis_a_jour` (or, without
//! one, the charter signature date), newest first, at most [`MAX_ENTRIES`].

use std::fmt::Write as _;

use super::absolute;
use super::sitemap::xml_escape;
use crate::audience::{ProviderView, View};

pub const PATH: &str = "flux.xml";
pub const MAX_ENTRIES: usize = 50;

/// The date an entry counts as updated on.
fn updated(p: &ProviderView) -> &str {
    p.updated.as_deref().unwrap_or(&p.charter_signed)
}

/// `AAAA-MM-JJ` → an RFC 3339 date-time at midnight UTC.
fn rfc3339(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

/// The providers of the feed, newest first (ties by directory order).
pub fn selection(view: &View) -> Vec<&ProviderView> {
    let mut list: Vec<(usize, &ProviderView)> =
        view.providers.iter().map(|p| &**p).enumerate().collect();
    list.sort_by(|a, b| updated(b.1).cmp(updated(a.1)).then(a.0.cmp(&b.0)));
    list.into_iter().take(MAX_ENTRIES).map(|x| x.1).collect()
}

/// The feed's XML.
pub fn atom(view: &View) -> String {
    let site = &view.site;
    let entries = selection(view);
    let home = absolute(site, &format!("{}/", site.root));
    let self_url = absolute(site, &format!("{}/{PATH}", site.root));
    let feed_updated = entries
        .first()
        .map_or_else(|| site.build_date.clone(), |p| updated(p).to_string());
    let author = if site.publisher.is_empty() {
        &site.title
    } else {
        &site.publisher
    };
    let e = xml_escape;
    let mut s = String::with_capacity(1024 + entries.len() * 512);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        e(&site.lang)
    );
    let _ = writeln!(s, "  <id>{}</id>", e(&home));
    let _ = writeln!(
        s,
        "  <title>{} : fiches nouvelles et mises à jour</title>",
        e(&site.title)
    );
    if !site.description.is_empty() {
        let _ = writeln!(s, "  <subtitle>{}</subtitle>", e(&site.description));
    }
    let _ = writeln!(s, "  <updated>{}</updated>", rfc3339(&feed_updated));
    let _ = writeln!(
        s,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        e(&self_url)
    );
    let _ = writeln!(
        s,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        e(&home)
    );
    let _ = writeln!(s, "  <author><name>{}</name></author>", e(author));
    let rights = if view.audience.sees_private() {
        super::PRIVATE_LICENCE_NAME
    } else {
        super::LICENCE_NAME
    };
    let _ = writeln!(s, "  <rights>{}</rights>", e(rights));
    s.push_str("  <generator>annuaire</generator>\n");
    for p in entries {
        let url = absolute(site, &p.url);
        s.push_str("  <entry>\n");
        let _ = writeln!(s, "    <id>{}</id>", e(&url));
        let _ = writeln!(s, "    <title>{}</title>", e(&p.name));
        let _ = writeln!(s, "    <updated>{}</updated>", rfc3339(updated(p)));
        let _ = writeln!(
            s,
            "    <published>{}</published>",
            rfc3339(&p.charter_signed)
        );
        let _ = writeln!(
            s,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            e(&url)
        );
        let _ = writeln!(
            s,
            "    <summary>{} — {}</summary>",
            e(&p.summary),
            e(&p.commune.name)
        );
        for g in &p.groups {
            let _ = writeln!(
                s,
                "    <category term=\"{}\" label=\"{}\"/>",
                e(&g.family),
                e(&g.family_label)
            );
        }
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}
