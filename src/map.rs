//! The territory map: commune boundaries (content/communes.geojson) projected once per build into
//! SVG paths, then drawn as inline SVG shaded by a count per commune. No tiles, no script, no
//! request to another host; every commune with a page is a link, and every shape has a text
//! alternative (its name and count), so the map is not colour alone.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

/// SVG paths of the communes, in a `0..WIDTH × 0..height` box.
#[derive(Debug, Clone, Default)]
pub struct MapGeometry {
    pub width: f64,
    pub height: f64,
    /// (INSEE code, path data), in the file's order.
    pub communes: Vec<(String, String)>,
    /// [`MapGeometry::shapes_file`], made once (every map page names it).
    shapes: std::sync::OnceLock<(String, Vec<u8>)>,
}

pub const WIDTH: f64 = 800.0;

/// A closed line of (longitude, latitude) points.
type Ring = Vec<(f64, f64)>;
/// Points closer than this (in SVG units, 1/200 of the map's width) to the previous kept point
/// are dropped: the shapes stay recognisable and a map page stays under 60 KB.
const MIN_STEP: f64 = 4.0;

/// Reads a GeoJSON FeatureCollection of (Multi)Polygons with a `code` property.
pub fn decode(text: &str) -> Result<MapGeometry, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("GeoJSON invalide : {e}"))?;
    let features = doc["features"]
        .as_array()
        .ok_or("GeoJSON sans « features »")?;
    let mut shapes: Vec<(String, Vec<Ring>)> = Vec::new();
    for f in features {
        let code = f["properties"]["code"]
            .as_str()
            .ok_or("une commune du GeoJSON n'a pas de « code »")?;
        let coords = &f["geometry"]["coordinates"];
        let polygons: Vec<&Value> = match f["geometry"]["type"].as_str() {
            Some("Polygon") => vec![coords],
            Some("MultiPolygon") => coords
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => return Err(format!("géométrie non prise en charge pour {code}")),
        };
        let mut rings = Vec::new();
        for poly in polygons {
            for ring in poly.as_array().into_iter().flatten() {
                let pts: Vec<(f64, f64)> = ring
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect();
                if pts.len() >= 3 {
                    rings.push(pts);
                }
            }
        }
        shapes.push((code.to_string(), rings));
    }
    let all = shapes.iter().flat_map(|s| s.1.iter().flatten());
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        min_x = min_x.min(x);
        max_x = max_x.max(x);
        min_y = min_y.min(y);
        max_y = max_y.max(y);
    }
    if min_x > max_x {
        return Ok(MapGeometry::default());
    }
    // Equirectangular, longitudes shrunk by cos(mean latitude): right for a département.
    let k = ((min_y + max_y) / 2.0).to_radians().cos();
    let scale = WIDTH / ((max_x - min_x) * k).max(f64::EPSILON);
    let height = ((max_y - min_y) * scale).ceil();
    let project = |(x, y): (f64, f64)| ((x - min_x) * k * scale, (max_y - y) * scale);
    let communes = shapes
        .into_iter()
        .map(|(code, rings)| {
            // Integer coordinates, relative steps: a département fits in ~40 KB of path data.
            let mut d = String::new();
            for ring in rings {
                let mut last: Option<(i64, i64)> = None;
                for (i, p) in ring.iter().enumerate() {
                    let (x, y) = project(*p);
                    let (x, y) = (x.round() as i64, y.round() as i64);
                    match last {
                        None => {
                            let _ = write!(d, "M{x} {y}");
                            last = Some((x, y));
                        }
                        Some((lx, ly)) => {
                            let far =
                                ((x - lx).pow(2) + (y - ly).pow(2)) as f64 >= MIN_STEP * MIN_STEP;
                            if far || (i + 1 == ring.len() && (x, y) != (lx, ly)) {
                                let _ = write!(d, "l{} {}", x - lx, y - ly);
                                last = Some((x, y));
                            }
                        }
                    }
                }
                d.push('z');
            }
            (code, d)
        })
        .collect();
    Ok(MapGeometry {
        width: WIDTH,
        height,
        communes,
        shapes: std::sync::OnceLock::new(),
    })
}

impl MapGeometry {
    /// The outlines file every map page draws from, `static/communes.<hash>.svg`: each commune's
    /// path, `id="c<code>"`, in `<defs>`. Inline, the 152 outlines were two thirds of each of
    /// the eleven map pages; shared, the browser fetches them once and a map page stays small.
    pub fn shapes_file(&self) -> &(String, Vec<u8>) {
        self.shapes.get_or_init(|| self.make_shapes_file())
    }

    fn make_shapes_file(&self) -> (String, Vec<u8>) {
        let mut s = String::with_capacity(self.communes.iter().map(|c| c.1.len() + 40).sum());
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}"><defs>"#,
            self.width, self.height
        );
        for (code, d) in &self.communes {
            let _ = write!(
                s,
                r#"<path id="c{}" d="{d}"/>"#,
                crate::text::escape_html(code)
            );
        }
        s.push_str("</defs></svg>\n");
        let name = crate::output::fingerprinted_name("communes.svg", s.as_bytes());
        (format!("static/{name}"), s.into_bytes())
    }
}

/// How one commune is drawn.
#[derive(Debug, Clone)]
pub struct Shade {
    /// 0 (none) to 4 (most).
    pub class: u8,
    /// Accessible text: "Mende : 5 prestataires".
    pub label: String,
    pub href: Option<String>,
}

/// The smallest count of classes 1 to 4 (class 0 is "none"): each distinct non-zero count gets
/// its own class when there are four or fewer, else the counts are split into quartiles, so the
/// shading shows differences whatever the scale (including when territory-wide providers put a
/// floor under every commune).
pub fn classes(counts: &[usize]) -> [usize; 4] {
    let mut values: Vec<usize> = counts.iter().copied().filter(|&c| c > 0).collect();
    values.sort_unstable();
    let mut distinct = values.clone();
    distinct.dedup();
    match distinct.len() {
        0 => [1, 2, 3, 4],
        n if n <= 4 => {
            let mut b = [usize::MAX; 4];
            // Highest classes for the highest values: [.., .., 5, 8] for two values 5 and 8.
            for (i, v) in distinct.iter().enumerate() {
                b[4 - n + i] = *v;
            }
            for i in (0..4 - n).rev() {
                b[i] = b[i + 1];
            }
            b
        }
        _ => {
            let q = |f: usize| values[(values.len() - 1) * f / 4];
            let mut b = [values[0], q(1).max(values[0] + 1), q(2), q(3)];
            for i in 1..4 {
                b[i] = b[i].max(b[i - 1] + 1);
            }
            b
        }
    }
}

pub fn class_of(count: usize, bounds: &[usize; 4]) -> u8 {
    if count == 0 {
        return 0;
    }
    bounds.iter().filter(|&&b| count >= b).count().max(1) as u8
}

/// The inline SVG. `title` names the map for assistive technologies; `shapes_url` is the URL of
/// [`MapGeometry::shapes_file`], whose outlines each commune `<use>`s.
pub fn svg(
    geom: &MapGeometry,
    shades: &HashMap<String, Shade>,
    title: &str,
    shapes_url: &str,
) -> String {
    let mut s = String::with_capacity(geom.communes.len() * 160);
    let _ = write!(
        s,
        r#"<svg class="carte" viewBox="0 0 {} {}" role="group" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        geom.width,
        geom.height,
        crate::text::escape_html(title)
    );
    let shapes_url = crate::text::escape_html(shapes_url);
    for (code, _) in &geom.communes {
        let shade = shades.get(code);
        let class = shade.map_or(0, |s| s.class);
        let label =
            crate::text::escape_html(&shade.map_or_else(|| code.clone(), |s| s.label.clone()));
        let shape = format!(
            r##"href="{shapes_url}#c{}" class="q{class}""##,
            crate::text::escape_html(code)
        );
        // The label once, as the <title> child that names the link (SVG-AAM) and shows as a
        // tooltip.
        match shade.and_then(|s| s.href.as_deref()) {
            Some(href) => {
                let _ = write!(
                    s,
                    r#"<a href="{}"><title>{label}</title><use {shape}/></a>"#,
                    crate::text::escape_html(href),
                );
            }
            None => {
                let _ = write!(s, r#"<use {shape}><title>{label}</title></use>"#);
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARES: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"code":"1","nom":"A"},"geometry":{"type":"Polygon","coordinates":[[[3.0,44.0],[3.1,44.0],[3.1,44.1],[3.0,44.1],[3.0,44.0]]]}},
      {"type":"Feature","properties":{"code":"2","nom":"B"},"geometry":{"type":"MultiPolygon","coordinates":[[[[3.1,44.0],[3.2,44.0],[3.2,44.1],[3.1,44.1],[3.1,44.0]]]]}}]}"#;

    #[test]
    fn projects_into_the_box() {
        let g = decode(SQUARES).unwrap();
        assert_eq!(g.communes.len(), 2);
        assert_eq!(g.width, WIDTH);
        assert!(g.height > 300.0 && g.height < 600.0, "{}", g.height);
        assert!(g.communes[0].1.starts_with("M0 "), "{}", g.communes[0].1);
        assert!(g.communes[0].1.ends_with('z'));
    }

    #[test]
    fn svg_links_and_labels_each_commune() {
        let g = decode(SQUARES).unwrap();
        let mut shades = HashMap::new();
        shades.insert(
            "1".to_string(),
            Shade {
                class: 2,
                label: "A : 3 prestataires".into(),
                href: Some("/communes/a/".into()),
            },
        );
        let out = svg(&g, &shades, "Carte <test>", "/static/communes.x.svg");
        assert!(
            out.contains(
                r##"<a href="/communes/a/"><title>A : 3 prestataires</title><use href="/static/communes.x.svg#c1" class="q2"/></a>"##
            ),
            "{out}"
        );
        assert!(out.contains(
            r##"<use href="/static/communes.x.svg#c2" class="q0"><title>2</title></use>"##
        ));
        let (path, file) = g.shapes_file();
        let file = String::from_utf8(file.clone()).unwrap();
        assert!(path.starts_with("static/communes.") && path.ends_with(".svg"));
        assert!(file.contains(r#"<path id="c1" d="M0 "#) && file.contains(r#"id="c2""#));
        assert!(out.contains("Carte &lt;test&gt;"));
    }

    #[test]
    fn count_classes() {
        // Few distinct values: one class each, the highest darkest.
        let b = classes(&[0, 5, 5, 8, 6]);
        assert_eq!([0, 5, 6, 8].map(|n| class_of(n, &b)), [0, 2, 3, 4]);
        // Many values: quartiles.
        let counts: Vec<usize> = (0..=40).collect();
        let b = classes(&counts);
        assert_eq!(class_of(0, &b), 0);
        assert_eq!(class_of(1, &b), 1);
        assert_eq!(class_of(40, &b), 4);
        assert!(b.windows(2).all(|w| w[0] < w[1]), "{b:?}");
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode("{").is_err());
        assert!(decode(r#"{"features":[{"properties":{},"geometry":{}}]}"#).is_err());
    }
}
