//! The output link checker: every internal `href`, `src`, `srcset`, `poster`, `action`, `data`
//! and `formaction` of every written HTML page must resolve to a written file, and a fragment
//! (`#id`) to an `id` (or `<a name>`) of the target page. External links (any scheme, or `//host`)
//! are left to `annuaire check --links`; absolute links to the site's own base URL are checked
//! like internal ones.
//!
//! Pages are tokenized with html5gum (a WHATWG tokenizer: attribute values come out with their
//! character references decoded, and `<script>`/`<style>` contents are raw text, not tags), in
//! parallel with rayon. Two passes: read every page once for its ids and links, then resolve the
//! links against the set of written files.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::path::Path;

use html5gum::Tokenizer;
use rayon::prelude::*;

/// One link that does not resolve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BrokenLink {
    /// The page, relative to the output folder (`a-propos/index.html`).
    pub page: String,
    /// The link as written in the page (attribute value, references decoded).
    pub link: String,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// No written file at this path (relative to the output folder).
    NoFile { target: String },
    /// The target page has no element with this id.
    NoFragment { target: String, id: String },
    /// The path leaves the site (outside the base URL's path prefix, or `..` above the root).
    OutsideSite,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::NoFile { target } => write!(f, "aucun fichier {target} dans le site"),
            Reason::NoFragment { target, id } => {
                write!(f, "{target} n'a pas d'élément d'identifiant « {id} »")
            }
            Reason::OutsideSite => write!(f, "l'adresse sort du site"),
        }
    }
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} : lien « {} » cassé ({})",
            self.page, self.link, self.reason
        )
    }
}

/// What a page holds: the ids it defines and the links it makes.
#[derive(Debug, Default)]
pub struct Scan {
    pub ids: HashSet<String>,
    pub links: Vec<String>,
}

/// What an attribute holds for the checker.
#[derive(Debug, Clone, Copy)]
pub(super) enum AttributeKind {
    /// `id`, or `name` on `<a>`: a fragment target.
    Id,
    /// A URL (`href`, `src`…).
    Link,
    /// A list of URLs with descriptors.
    Srcset,
}

/// Which attributes the checker reads, by element.
pub(super) fn url_attribute(tag: &[u8], attr: &[u8]) -> Option<AttributeKind> {
    match attr {
        b"id" => Some(AttributeKind::Id),
        b"name" if tag == b"a" => Some(AttributeKind::Id),
        b"srcset" => Some(AttributeKind::Srcset),
        b"href" if tag != b"base" => Some(AttributeKind::Link),
        b"src" | b"poster" => Some(AttributeKind::Link),
        b"action" if tag == b"form" => Some(AttributeKind::Link),
        b"formaction" if tag == b"button" || tag == b"input" => Some(AttributeKind::Link),
        b"data" if tag == b"object" => Some(AttributeKind::Link),
        _ => None,
    }
}

/// The URLs of a `srcset` value (`a.png 1x, b.png 2x`).
pub(super) fn srcset_urls(value: &str, out: &mut Vec<String>) {
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = &rest[..end];
        let trimmed = url.trim_end_matches(',');
        if !trimmed.is_empty() {
            out.push(trimmed.to_string());
        }
        rest = &rest[end..];
        if url.ends_with(',') {
            continue;
        }
        // Skip the descriptors up to the next comma.
        match rest.find(',') {
            Some(i) => rest = &rest[i + 1..],
            None => break,
        }
    }
}

/// What the emitter hands out: an id defined, or a URL used.
enum Found {
    Id(String),
    Link(String),
    Srcset(String),
}

/// An html5gum emitter that keeps only what the checker needs: tag names, and the values of `id`
/// and URL attributes. Text, comments and doctypes are dropped without being copied, which makes
/// it several times faster than the general-purpose emitters on our pages.
#[derive(Default)]
struct LinkEmitter {
    found: std::collections::VecDeque<Found>,
    tag: Vec<u8>,
    start_tag: bool,
    last_start_tag: Vec<u8>,
    in_attribute: bool,
    attr_name: Vec<u8>,
    attr_value: Vec<u8>,
    /// Attribute names of the current tag: a repeated attribute is ignored, as browsers do.
    seen: Vec<Vec<u8>>,
}

impl LinkEmitter {
    fn flush_attribute(&mut self) {
        if !std::mem::take(&mut self.in_attribute) || !self.start_tag {
            return;
        }
        if self.seen.contains(&self.attr_name) {
            return;
        }
        self.seen.push(self.attr_name.clone());
        if self.attr_value.is_empty() {
            return;
        }
        let Some(kind) = url_attribute(&self.tag, &self.attr_name) else {
            return;
        };
        let value = String::from_utf8_lossy(&self.attr_value).into_owned();
        self.found.push_back(match kind {
            AttributeKind::Id => Found::Id(value),
            AttributeKind::Link => Found::Link(value),
            AttributeKind::Srcset => Found::Srcset(value),
        });
    }
}

impl html5gum::Emitter for LinkEmitter {
    type Token = Found;

    fn set_last_start_tag(&mut self, last_start_tag: Option<&[u8]>) {
        self.last_start_tag.clear();
        self.last_start_tag
            .extend_from_slice(last_start_tag.unwrap_or_default());
    }
    fn emit_eof(&mut self) {}
    fn emit_error(&mut self, _error: html5gum::Error) {}
    fn should_emit_errors(&mut self) -> bool {
        false
    }
    fn pop_token(&mut self) -> Option<Found> {
        self.found.pop_front()
    }
    fn emit_string(&mut self, _c: &[u8]) {}
    fn init_start_tag(&mut self) {
        self.tag.clear();
        self.start_tag = true;
        self.in_attribute = false;
        self.seen.clear();
    }
    fn init_end_tag(&mut self) {
        self.tag.clear();
        self.start_tag = false;
        self.in_attribute = false;
    }
    fn init_comment(&mut self) {}
    fn emit_current_tag(&mut self) -> Option<html5gum::State> {
        self.flush_attribute();
        if self.start_tag {
            self.last_start_tag.clear();
            self.last_start_tag.extend_from_slice(&self.tag);
            // `<script>`, `<style>`, `<title>`…: their content is text, not tags.
            html5gum::naive_next_state(&self.tag)
        } else {
            self.last_start_tag.clear();
            None
        }
    }
    fn emit_current_comment(&mut self) {}
    fn emit_current_doctype(&mut self) {}
    fn set_self_closing(&mut self) {}
    fn set_force_quirks(&mut self) {}
    fn push_tag_name(&mut self, s: &[u8]) {
        self.tag.extend_from_slice(s);
    }
    fn push_comment(&mut self, _s: &[u8]) {}
    fn push_doctype_name(&mut self, _s: &[u8]) {}
    fn init_doctype(&mut self) {}
    fn init_attribute(&mut self) {
        self.flush_attribute();
        self.in_attribute = true;
        self.attr_name.clear();
        self.attr_value.clear();
    }
    fn push_attribute_name(&mut self, s: &[u8]) {
        self.attr_name.extend_from_slice(s);
    }
    fn push_attribute_value(&mut self, s: &[u8]) {
        self.attr_value.extend_from_slice(s);
    }
    fn set_doctype_public_identifier(&mut self, _value: &[u8]) {}
    fn set_doctype_system_identifier(&mut self, _value: &[u8]) {}
    fn push_doctype_public_identifier(&mut self, _s: &[u8]) {}
    fn push_doctype_system_identifier(&mut self, _s: &[u8]) {}
    fn current_is_appropriate_end_tag_token(&mut self) -> bool {
        !self.start_tag && !self.last_start_tag.is_empty() && self.tag == self.last_start_tag
    }
}

/// Reads one page's ids and links: with the fast scanner when the page stays within what it
/// handles (every page a build writes, in practice), else with html5gum.
pub fn scan(html: &[u8]) -> Scan {
    super::fast_scan::scan(html).unwrap_or_else(|| tokenize(html))
}

/// The fast scanner alone (`None` where it would hand the page to html5gum): for the tests that
/// check every page a build writes stays on the fast path.
pub fn fast_scan(html: &[u8]) -> Option<Scan> {
    super::fast_scan::scan(html)
}

/// Reads one page with html5gum, the reference the fast scanner is held to.
pub fn tokenize(html: &[u8]) -> Scan {
    let mut out = Scan::default();
    for found in Tokenizer::new_with_emitter(html, LinkEmitter::default()) {
        match found {
            Ok(Found::Id(id)) => {
                out.ids.insert(id);
            }
            Ok(Found::Link(url)) => out.links.push(url),
            Ok(Found::Srcset(v)) => srcset_urls(&v, &mut out.links),
            Err(never) => match never {},
        }
    }
    out
}

/// Where the site lives: its absolute base URL and the path prefix of its internal URLs.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// `https://host/prefix`, no trailing slash.
    pub base_url: &'a str,
    /// `/prefix`, or "" at a domain root.
    pub root: &'a str,
}

/// What a link points to, relative to the output folder.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    External,
    /// Output-relative path (percent-decoded, `.`/`..` resolved; "" or `/`-ended for folders) and
    /// fragment.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    Outside,
}

fn has_scheme(url: &str) -> bool {
    let mut chars = url.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    for c in chars {
        match c {
            ':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {}
            _ => return false,
        }
    }
    false
}

fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return s.into();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned().into()
}

/// A link as browsers read it: without surrounding blanks and control characters.
fn trim_link(link: &str) -> &str {
    link.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control())
}

/// What follows the base URL in an absolute link to the site itself (internal, then).
fn own_site_rest<'a>(link: &'a str, site: &Site) -> Option<&'a str> {
    link.strip_prefix(site.base_url)
        .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

/// Whether `link` leaves the site (`check --links` follows those, not the output check); as
/// [`resolve`] decides.
fn is_external(link: &str, site: &Site) -> bool {
    let link = trim_link(link);
    own_site_rest(link, site).is_none() && (has_scheme(link) || link.starts_with("//"))
}

/// Resolves `link`, found in the page written at `page` (output-relative).
fn resolve(link: &str, page: &str, site: &Site) -> Target {
    let link = trim_link(link);
    let link: std::borrow::Cow<str> = match own_site_rest(link, site) {
        Some(rest) if rest.starts_with('/') => format!("{}{rest}", site.root).into(),
        Some(rest) => format!("{}/{rest}", site.root).into(),
        None if has_scheme(link) || link.starts_with("//") => return Target::External,
        None => link.into(),
    };
    let (before_fragment, fragment) = match link.split_once('#') {
        Some((b, f)) => (b, Some(percent_decode(f).into_owned())),
        None => (&*link, None),
    };
    let path = before_fragment
        .split_once('?')
        .map_or(before_fragment, |x| x.0);
    let (mut segments, rel): (Vec<std::borrow::Cow<str>>, &str) = if path.is_empty() {
        // `?q` or `#id`: the page itself.
        return Target::Internal {
            path: page.to_string(),
            fragment,
        };
    } else if let Some(abs) = path.strip_prefix('/') {
        let inside = if site.root.is_empty() {
            Some(abs)
        } else {
            let prefix = &site.root[1..];
            abs.strip_prefix(prefix)
                .filter(|r| r.is_empty() || r.starts_with('/'))
                .map(|r| r.trim_start_matches('/'))
        };
        match inside {
            Some(r) => (Vec::new(), r),
            None => return Target::Outside,
        }
    } else {
        // From the folder of the page, as output-relative segments.
        let page_dir = page.rsplit_once('/').map_or("", |x| x.0);
        let from = page_dir.split('/').filter(|s| !s.is_empty());
        (from.map(Into::into).collect(), path)
    };
    let folder = rel.is_empty() || rel.ends_with('/');
    for seg in rel.split('/').filter(|s| !s.is_empty()) {
        match seg {
            "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Target::Outside;
                }
            }
            s => segments.push(percent_decode(s)),
        }
    }
    let mut path = segments.join("/");
    if folder && !path.is_empty() {
        path.push('/');
    }
    Target::Internal { path, fragment }
}

/// Why `link`, found in `page`, is broken (`None`: it is fine or external).
fn check_link(
    link: &str,
    page: &str,
    pages: &HashMap<String, Scan>,
    files: &HashSet<String>,
    site: &Site,
) -> Option<Reason> {
    let (path, fragment) = match resolve(link, page, site) {
        Target::External => return None,
        Target::Outside => return Some(Reason::OutsideSite),
        Target::Internal { path, fragment } => (path, fragment),
    };
    let target = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else if files.contains(&path) {
        path
    } else {
        // A folder named without its final slash.
        let index = format!("{path}/index.html");
        if !files.contains(&index) {
            return Some(Reason::NoFile { target: path });
        }
        index
    };
    if !files.contains(&target) {
        return Some(Reason::NoFile { target });
    }
    match (fragment, pages.get(&target)) {
        (Some(id), Some(target_scan))
            if !id.is_empty()
                && !id.eq_ignore_ascii_case("top")
                && !target_scan.ids.contains(&id) =>
        {
            Some(Reason::NoFragment { target, id })
        }
        _ => None,
    }
}

/// The site-absolute links a rendering thread has already kept ([`keep_links_to_check`]), as
/// 128-bit fingerprints rather than strings. At 100,000 entries each thread's set holds some
/// 100,000 links and is asked about 4 million: as a set of strings that was 0.6 s of CPU, most
/// of it cache misses reaching each key's text to compare it, and it grew faster than the
/// entries. Two links with one fingerprint (about 1 chance in 10^28 at that size, with seeds
/// drawn for each build) would have the second left unchecked.
pub struct SeenLinks {
    fingerprints: std::collections::HashSet<u128, BuildHasherDefault<Prehashed>>,
    /// The last fingerprint seen in each slot (by its low bits): the navigation, skill and
    /// commune links most pages repeat are found here, in a table small enough to stay in the
    /// core's cache, and the large set is reached mostly for the providers' links.
    recent: Box<[u128; RECENT_SLOTS]>,
    low: foldhash::quality::RandomState,
    high: foldhash::quality::RandomState,
}

/// Slots of [`SeenLinks::recent`]: 32 KiB.
const RECENT_SLOTS: usize = 2048;

impl Default for SeenLinks {
    fn default() -> SeenLinks {
        SeenLinks {
            fingerprints: Default::default(),
            recent: Box::new([0; RECENT_SLOTS]),
            low: Default::default(),
            high: Default::default(),
        }
    }
}

impl SeenLinks {
    /// Whether `link` was seen before; remembers it.
    fn first_time(&mut self, link: &str) -> bool {
        let fingerprint =
            u128::from(self.low.hash_one(link)) | (u128::from(self.high.hash_one(link)) << 64);
        let slot = &mut self.recent[fingerprint as usize % RECENT_SLOTS];
        if *slot == fingerprint {
            return false;
        }
        *slot = fingerprint;
        self.fingerprints.insert(fingerprint)
    }
}

/// The hasher of [`SeenLinks`]: its keys are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u128` is used; anything else is folded in all the same.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

/// Keeps in `scan` only the links the output check still has to resolve, as a page is written:
/// links out of the site (left to `check --links`) and links to an id the page has (`#contenu`
/// on every page) are settled here; site-absolute links without a fragment already kept from
/// another page (`seen`) resolve the same on every page, so one check is enough, and the
/// navigation, breadcrumbs and skill links repeated on 100,000 pages would otherwise be kept
/// 100,000 times. At 100,000 entries this leaves some 300,000 links to check instead of the
/// 825,000 kept when only site links were. When the check finds a broken link, the build reads
/// the written pages again ([`check_dir`]) to name every page that has it.
pub fn keep_links_to_check(scan: &mut Scan, seen: &mut SeenLinks, site: &Site) {
    let ids = &scan.ids;
    scan.links.retain(|link| {
        if let Some(id) = trim_link(link).strip_prefix('#') {
            return !own_id_is_there(id, ids);
        }
        if is_external(link, site) {
            return false;
        }
        let absolute = (link.starts_with('/') && !link.starts_with("//"))
            || (!site.base_url.is_empty() && link.starts_with(site.base_url));
        !absolute || link.contains('#') || seen.first_time(link)
    });
}

/// Whether the fragment `id` of a link (`#id`, percent-encoded) leads somewhere on a page with
/// these `ids`: an empty fragment or `#top` always does.
fn own_id_is_there(id: &str, ids: &HashSet<String>) -> bool {
    let id = percent_decode(id);
    id.is_empty() || id.eq_ignore_ascii_case("top") || ids.contains(&*id)
}

/// Checks the links of `pages` (output-relative path → scan) against `files` (every written file,
/// output-relative). Returns the broken links, sorted by page then link.
///
/// Site-absolute links (`/…`, or the base URL) mean the same on every page: each thread resolves
/// one once and remembers the verdict, as the navigation repeats the same links on every page.
pub fn check_scans(
    pages: &HashMap<String, Scan>,
    files: &HashSet<String>,
    site: &Site,
) -> Vec<BrokenLink> {
    let mut broken: Vec<BrokenLink> = pages
        .par_iter()
        .map_init(
            HashMap::<&str, Option<Reason>>::new,
            |cache, (page, scan)| {
                let mut out = Vec::new();
                for link in &scan.links {
                    let link = link.as_str();
                    // `#id` (settled as the build writes each page, but kept in the scans of
                    // `check_dir`): the page's own ids, without resolving the link or looking the
                    // page up; as `check_link` would.
                    if let Some(id) = trim_link(link).strip_prefix('#') {
                        if !own_id_is_there(id, &scan.ids) {
                            out.push(BrokenLink {
                                page: page.clone(),
                                link: link.to_string(),
                                reason: Reason::NoFragment {
                                    target: page.clone(),
                                    id: percent_decode(id).into_owned(),
                                },
                            });
                        }
                        continue;
                    }
                    let absolute = (link.starts_with('/') && !link.starts_with("//"))
                        || link.starts_with(site.base_url);
                    let reason = if absolute {
                        cache
                            .entry(link)
                            .or_insert_with(|| check_link(link, page, pages, files, site))
                            .clone()
                    } else {
                        check_link(link, page, pages, files, site)
                    };
                    if let Some(reason) = reason {
                        out.push(BrokenLink {
                            page: page.clone(),
                            link: link.to_string(),
                            reason,
                        });
                    }
                }
                out
            },
        )
        .flatten_iter()
        .collect();
    // A page repeating a broken link reports it once.
    broken.sort();
    broken.dedup();
    broken
}

/// Checks every HTML file written under `dir`.
pub fn check_dir(dir: &Path, site: &Site) -> std::io::Result<Vec<BrokenLink>> {
    let mut files = HashSet::new();
    let mut html = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if rel.ends_with(".html") {
            html.push((rel.clone(), entry.path().to_path_buf()));
        }
        files.insert(rel);
    }
    let pages: HashMap<String, Scan> = html
        .into_par_iter()
        .map(|(rel, path)| Ok((rel, scan(&std::fs::read(&path)?))))
        .collect::<std::io::Result<_>>()?;
    Ok(check_scans(&pages, &files, site))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: Site = Site {
        base_url: "https://x.example",
        root: "",
    };

    fn internal(path: &str, fragment: Option<&str>) -> Target {
        Target::Internal {
            path: path.into(),
            fragment: fragment.map(Into::into),
        }
    }

    #[test]
    fn site_links_are_kept_once() {
        let mut seen = SeenLinks::default();
        let page = br##"<a href="/charte/">c</a><a href="/x/#y">x</a><a href="../z/">z</a><a href="https://x.example/charte/">c</a>"##;
        let mut a = scan(page);
        keep_links_to_check(&mut a, &mut seen, &SITE);
        assert_eq!(a.links.len(), 4);
        let mut b = scan(page);
        keep_links_to_check(&mut b, &mut seen, &SITE);
        assert_eq!(b.links, ["/x/#y", "../z/"]);
    }

    #[test]
    fn links_settled_on_the_page_are_not_kept() {
        let mut c = scan(
            r##"<main id="contenu"><a href="#contenu">skip</a><a href=" #top">top</a><a href="#">x</a>
            <a href="#absent">a</a><a href="#%C3%A9t%C3%A9">e</a><p id="été"></p>
            <a href="https://ailleurs.example/p">out</a><a href="//cdn.example/x.js">cdn</a>
            <a href="mailto:a@b.example">m</a><a href="https://x.example/p/">own</a>"##
                .as_bytes(),
        );
        keep_links_to_check(&mut c, &mut SeenLinks::default(), &SITE);
        assert_eq!(c.links, ["#absent", "https://x.example/p/"]);
    }

    #[test]
    fn seen_links_tell_every_link_apart() {
        let mut seen = SeenLinks::default();
        // The two halves of a fingerprint come from differently seeded hashers.
        assert_ne!(
            seen.low.hash_one("/charte/"),
            seen.high.hash_one("/charte/")
        );
        let links: Vec<String> = (0..200_000)
            .map(|i| format!("/prestataires/p{i}/"))
            .collect();
        assert!(links.iter().all(|l| seen.first_time(l)));
        assert!(links.iter().all(|l| !seen.first_time(l)));
        assert!(seen.first_time("/prestataires/p200000/"));
        // A second set has seeds of its own.
        let other = SeenLinks::default();
        assert_ne!(
            seen.low.hash_one("/charte/"),
            other.low.hash_one("/charte/")
        );
    }

    #[test]
    fn resolves_links() {
        let page = "prestataires/a/index.html";
        assert_eq!(resolve("/charte/", page, &SITE), internal("charte/", None));
        assert_eq!(resolve("/", page, &SITE), internal("", None));
        assert_eq!(
            resolve("../b/#x", page, &SITE),
            internal("prestataires/b/", Some("x"))
        );
        assert_eq!(
            resolve("#contact", page, &SITE),
            internal(page, Some("contact"))
        );
        assert_eq!(
            resolve("/recherche/?q=a#r", page, &SITE),
            internal("recherche/", Some("r"))
        );
        assert_eq!(
            resolve("https://x.example/charte/", page, &SITE),
            internal("charte/", None)
        );
        assert_eq!(
            resolve("https://x.example", page, &SITE),
            internal("", None)
        );
        assert_eq!(
            resolve("https://x.example.org/", page, &SITE),
            Target::External
        );
        assert_eq!(resolve("mailto:a@b.example", page, &SITE), Target::External);
        assert_eq!(resolve("tel:+33466000000", page, &SITE), Target::External);
        assert_eq!(resolve("//cdn.example/x.js", page, &SITE), Target::External);
        assert_eq!(resolve("../../../x", page, &SITE), Target::Outside);
        assert_eq!(
            resolve("/static/a%20b.css", page, &SITE),
            internal("static/a b.css", None)
        );
        let sub = Site {
            base_url: "https://x.example/annuaire",
            root: "/annuaire",
        };
        assert_eq!(
            resolve("/annuaire/charte/", page, &sub),
            internal("charte/", None)
        );
        assert_eq!(resolve("/annuaire", page, &sub), internal("", None));
        assert_eq!(resolve("/charte/", page, &sub), Target::Outside);
        assert_eq!(resolve("/annuairex/", page, &sub), Target::Outside);
        assert_eq!(
            resolve("https://x.example/annuaire/charte/", page, &sub),
            internal("charte/", None)
        );
    }

    #[test]
    fn scans_ids_and_links_but_not_script_text() {
        let html = br##"<!doctype html><html><head><link rel=stylesheet href="/s.css">
<script type="application/ld+json">{"a":"<a href='/nope/'>"}</script></head>
<body><h2 id=contact>C</h2><a name="old"></a><a href="/x/?a=1&amp;b=2#contact">x</a>
<img src=/i.png srcset="/i1.png 1x, /i2.png 2x,/i3.png"><form action="/recherche/"></form>
<p title="/not-a-link/">t</p><a href="/first/" href="/second/">d</a></a href="/end-tag/">
<title><a href="/in-title/"></title><style>a[href="/css/"]{}</style><!-- <a href="/comment/"> -->
</body></html>"##;
        let s = scan(html);
        assert!(s.ids.contains("contact") && s.ids.contains("old"));
        assert_eq!(
            s.links,
            vec![
                "/s.css",
                "/x/?a=1&b=2#contact",
                "/i.png",
                "/i1.png",
                "/i2.png",
                "/i3.png",
                "/recherche/",
                "/first/"
            ]
        );
    }

    #[test]
    fn reports_missing_files_and_fragments() {
        let mut pages = HashMap::new();
        pages.insert(
            "index.html".to_string(),
            scan(br#"<a href="/a/">a</a><a href="/a/#here">h</a><a href="/a/#nowhere">n</a><a href="/b">b</a><a href="/missing/">m</a><a href="/a">no slash</a><a href="/f.json#x">f</a>"#),
        );
        pages.insert("a/index.html".to_string(), scan(br#"<p id="here">"#));
        let files: HashSet<String> = ["index.html", "a/index.html", "b", "f.json"]
            .into_iter()
            .map(String::from)
            .collect();
        let broken = check_scans(&pages, &files, &SITE);
        let links: Vec<(&str, &Reason)> = broken
            .iter()
            .map(|b| (b.link.as_str(), &b.reason))
            .collect();
        assert_eq!(
            links,
            vec![
                (
                    "/a/#nowhere",
                    &Reason::NoFragment {
                        target: "a/index.html".into(),
                        id: "nowhere".into()
                    }
                ),
                (
                    "/missing/",
                    &Reason::NoFile {
                        target: "missing/index.html".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn same_page_fragments_are_checked_against_the_page_itself() {
        let mut pages = HashMap::new();
        pages.insert(
            "p/index.html".to_string(),
            scan(
                r##"<h2 id="été">É</h2><a href="#%C3%A9t%C3%A9">ok</a><a href=" #été ">ok</a><a href="#top">top</a><a href="#">vide</a><a href="#ailleurs">cassé</a><a href="?q=1#ailleurs">aussi</a>"##
                    .as_bytes(),
            ),
        );
        pages.insert("index.html".to_string(), scan(br#"<p id="ailleurs">"#));
        let files: HashSet<String> = pages.keys().cloned().collect();
        let broken = check_scans(&pages, &files, &SITE);
        let found: Vec<(&str, &str, &Reason)> = broken
            .iter()
            .map(|b| (b.page.as_str(), b.link.as_str(), &b.reason))
            .collect();
        let missing = Reason::NoFragment {
            target: "p/index.html".into(),
            id: "ailleurs".into(),
        };
        assert_eq!(
            found,
            vec![
                ("p/index.html", "#ailleurs", &missing),
                ("p/index.html", "?q=1#ailleurs", &missing),
            ]
        );
    }
}

/// Throughput of the checker on a built site: `ANNUAIRE_LINKS_DIR=public cargo test --release
/// --lib -- --ignored links_throughput --nocapture`. Prints wall and CPU times (the CPU time of the
/// process, so the figures mean something on a busy machine).
#[cfg(test)]
#[test]
#[ignore]
fn links_throughput() {
    fn cpu_ms() -> f64 {
        // utime + stime of the process, in clock ticks (100 per second on Linux).
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after = stat.rsplit_once(')').map_or("", |x| x.1);
        let f: Vec<f64> = after
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        f.get(10)
            .zip(f.get(11))
            .map_or(0.0, |(u, s)| (u + s) * 10.0)
    }
    let Some(dir) = std::env::var_os("ANNUAIRE_LINKS_DIR") else {
        return;
    };
    let dir = Path::new(&dir);
    let site = Site {
        base_url: "https://annuaire-numerique-lozere.example",
        root: "",
    };
    let rel = |p: &Path| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
    let entries: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .collect();
    let files: HashSet<String> = entries.iter().map(|e| rel(e.path())).collect();
    let pages: Vec<(String, Vec<u8>)> = entries
        .iter()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| (rel(e.path()), std::fs::read(e.path()).unwrap()))
        .collect();
    let bytes: usize = pages.iter().map(|p| p.1.len()).sum();
    let (t, c) = (std::time::Instant::now(), cpu_ms());
    let slow: Vec<Scan> = pages.iter().map(|(_, p)| tokenize(p)).collect();
    let (slow_wall, slow_cpu) = (t.elapsed().as_secs_f64() * 1e3, cpu_ms() - c);
    let (t, c) = (std::time::Instant::now(), cpu_ms());
    let fast = pages.iter().filter(|(_, p)| fast_scan(p).is_some()).count();
    let scans: HashMap<String, Scan> = pages.iter().map(|(r, p)| (r.clone(), scan(p))).collect();
    let links: usize = scans.values().map(|s| s.links.len()).sum();
    let (scan_wall, scan_cpu) = (t.elapsed().as_secs_f64() * 1e3, cpu_ms() - c);
    drop(slow);
    let (t, c) = (std::time::Instant::now(), cpu_ms());
    let _ = check_scans(&scans, &files, &site);
    let (resolve_wall, resolve_cpu) = (t.elapsed().as_secs_f64() * 1e3, cpu_ms() - c);
    let (t, c) = (std::time::Instant::now(), cpu_ms());
    let broken = check_dir(dir, &site).unwrap();
    let (all_wall, all_cpu) = (t.elapsed().as_secs_f64() * 1e3, cpu_ms() - c);
    eprintln!(
        "{} pages ({fast} on the fast path), {:.1} MB, {links} links, {} broken\n  html5gum, one thread: {slow_wall:.0} ms wall, {slow_cpu:.0} ms CPU\n  fast check then scan, one thread: {scan_wall:.0} ms wall, {scan_cpu:.0} ms CPU ({:.0} MB/s of CPU)\n  resolve (parallel): {resolve_wall:.0} ms wall, {resolve_cpu:.0} ms CPU\n  check_dir (parallel, from disk): {all_wall:.0} ms wall, {all_cpu:.0} ms CPU",
        pages.len(),
        bytes as f64 / 1e6,
        broken.len(),
        bytes as f64 / 1e3 / scan_cpu.max(1.0),
    );
}
