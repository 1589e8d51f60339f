//! schema.org JSON-LD for `<script type="application/ld+json">`: a `ProfessionalService` on each
//! provider page, a `WebSite` with its `SearchAction` on the home page.
//!
//! The JSON is written by serde_json, then `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`:
//! still the same JSON, but a `</script>` or `<!--` in the data cannot end or alter the script
//! element. Contact fields appear only when the provider made them public, whatever the audience.

use serde_json::{Map, Value, json};

use super::absolute;
use crate::audience::{ProviderView, View};

/// Serialises `value` for inclusion in a `<script>` element (see [`crate::output::safe_json`]).
pub fn script_json(value: &Value) -> String {
    String::from_utf8(crate::output::safe_json(value)).unwrap_or_default()
}

/// The `ProfessionalService` of a provider page.
pub fn provider(view: &View, p: &ProviderView) -> Value {
    let site = &view.site;
    let url = absolute(site, &p.url);
    let mut m = Map::new();
    m.insert("@context".into(), json!("https://schema.org"));
    m.insert("@type".into(), json!("ProfessionalService"));
    m.insert("@id".into(), json!(format!("{url}#prestataire")));
    m.insert("name".into(), json!(p.name));
    m.insert("description".into(), json!(p.summary));
    m.insert("url".into(), json!(url));
    let mut address = Map::new();
    address.insert("@type".into(), json!("PostalAddress"));
    address.insert("addressLocality".into(), json!(p.commune.name));
    if let Some(cp) = p.commune.postal_codes.first() {
        address.insert("postalCode".into(), json!(cp));
    }
    address.insert("addressCountry".into(), json!("FR"));
    m.insert("address".into(), Value::Object(address));
    let city = |name: &str| json!({"@type": "City", "name": name});
    let area = match p.zone_kind {
        "territoire" => json!({"@type": "AdministrativeArea", "name": site.territory}),
        "communes" if !p.zone.is_empty() => {
            Value::Array(p.zone.iter().map(|z| city(&z.name)).collect())
        }
        _ => city(&p.commune.name),
    };
    m.insert("areaServed".into(), area);
    let skills: Vec<&str> = p
        .groups
        .iter()
        .flat_map(|g| g.claims.iter().map(|c| c.label.as_str()))
        .collect();
    if !skills.is_empty() {
        m.insert("knowsAbout".into(), json!(skills));
    }
    let public = || p.contacts.iter().filter(|c| !c.private);
    let same_as: Vec<&str> = public()
        .filter(|c| c.field == "site" || c.field == "reseaux")
        .map(|c| c.value.as_str())
        .collect();
    if !same_as.is_empty() {
        m.insert("sameAs".into(), json!(same_as));
    }
    if let Some(c) = public().find(|c| c.field == "telephone") {
        m.insert("telephone".into(), json!(c.value));
    }
    if let Some(c) = public().find(|c| c.field == "courriel") {
        m.insert("email".into(), json!(c.value));
    }
    if let Some(s) = &p.siret {
        m.insert("taxID".into(), json!(s));
    }
    if !p.language_codes.is_empty() {
        m.insert("knowsLanguage".into(), json!(p.language_codes));
    }
    Value::Object(m)
}

/// The `WebSite` of the home page, with the search box of search engines.
pub fn website(view: &View) -> Value {
    let site = &view.site;
    let home = absolute(site, &format!("{}/", site.root));
    let search = absolute(site, &format!("{}/recherche/", site.root));
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "@id": format!("{home}#site"),
        "name": site.title,
        "description": site.description,
        "url": home,
        "inLanguage": site.lang,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": format!("{search}?q={{search_term_string}}"),
            },
            "query-input": "required name=search_term_string",
        },
    });
    if !site.publisher.is_empty() {
        v["publisher"] = json!({"@type": "Organization", "name": site.publisher});
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = json!({"name": "</script><script>alert(1)</script> & <!-- x -->\u{2028}"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(!s.to_ascii_lowercase().contains("</script"));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
