// Accessibility, lightness and no-JavaScript use of every kind of page, in real headless Chromium:
// axe-core (WCAG 2.1 A and AA rules) with zero violations, keyboard use, visible focus, one h1,
// lang=fr, landmarks, no horizontal scroll at 375 px, pages that work without JavaScript, the
// home page's weight budget and the map. The bundled site and its mediation view are built with
// target/debug/annuaire and served on 127.0.0.1 with the deployed CSP; any request to another
// host fails the test (support.mjs). Screenshots, axe results and page weights go to
// target/browser-artifacts/ (accessibility.json, weights.json, *.png).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import {
  REPO,
  ARTIFACTS,
  CI,
  WIDE,
  NARROW,
  missing,
  skip,
  sayIfSkipped,
  buildSite,
  tempDir,
  serve,
  launch,
  openPage,
  gzipSize,
  typeQuery,
  settled,
} from "./support.mjs";

sayIfSkipped();

const require = createRequire(import.meta.url);
let AXE = null;
try {
  AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
} catch {
  AXE = null;
}
/** Browser tests; those running axe-core also need it. */
const T = { skip, timeout: 120_000 };
const TA = { skip: skip || (AXE ? false : "SKIPPED: axe-core absent (npm ci)"), timeout: 120_000 };
if (!missing && !AXE) console.log("SKIPPED axe-core checks: axe-core absent (npm ci)");

/** The WCAG 2.0 and 2.1 rules of levels A and AA. */
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** Home page: HTML, CSS, JS and everything else it loads, gzip. */
const HOME_BUDGET_GZIP = 50 * 1024;

// Every kind of page. `site`: which build; `search`: a query typed before checking; `status`:
// the HTTP status expected; `optional`: skipped with a note when the build has no such page;
// `shots`: screenshots at 375 and 1280 px; `content`: a selector that must be visible, with
// JavaScript and without.
const PAGES = [
  { kind: "accueil", url: "/", shots: "accueil", content: "ul.families a" },
  { kind: "fiche prestataire", url: "/prestataires/atelier-pixel-causse/", shots: "prestataire", content: "#competences" },
  { kind: "liste des prestataires", url: "/prestataires/", content: "ul.cards a" },
  { kind: "famille de compétences", url: "/competences/web/", content: "main a[href^='/competences/web/']" },
  { kind: "compétence", url: "/competences/web/site-vitrine/", content: "ul.cards a" },
  { kind: "nomenclature", url: "/nomenclature/", content: "main table" },
  { kind: "commune", url: "/communes/mende/", content: "ul.cards a" },
  { kind: "liste des communes", url: "/communes/", content: "ul.communes a" },
  { kind: "recherche avec résultats", url: "/recherche/", search: "site", shots: "recherche", content: "#parcourir" },
  { kind: "charte", url: "/charte/", content: "main h2" },
  { kind: "données", url: "/donnees/", optional: true, content: "main a[href$='.csv']" },
  { kind: "déclaration d'accessibilité", url: "/accessibilite/", content: "main h2" },
  { kind: "page introuvable", url: "/cette-page-n-existe-pas/", status: 404, content: "main a[href='/']" },
  { kind: "carte", url: "/carte/", shots: "carte", content: "svg.carte a" },
  { kind: "carte d'une famille", url: "/carte/web/", content: "svg.carte" },
  { kind: "médiation : accueil", url: "/mediation/", site: "mediation", content: "ul.tools a" },
  { kind: "médiation : compétences par territoire", url: "/mediation/competences/", site: "mediation", content: "table.matrix" },
  { kind: "médiation : orientation (Mende)", url: "/mediation/orientation/mende/", site: "mediation", content: "ul.routed a" },
  { kind: "médiation : fiches à revoir", url: "/mediation/revue/", site: "mediation", content: "#a-verifier" },
  {
    kind: "médiation : fiche avec points à revoir",
    url: "/prestataires/formations-numeriques-du-valdonnez/",
    site: "mediation",
    content: ".notice",
  },
  { kind: "médiation : fiche avec note", url: "/prestataires/atelier-pixel-causse/", site: "mediation", content: ".note" },
];

let tmp;
const sites = {}; // bundled, mediation: { base, requests, out, close }
let browser;
const report = { axe: {}, weights: {} };

before(async () => {
  if (missing) return;
  tmp = tempDir();
  const pub = path.join(tmp, "public");
  buildSite(REPO, pub);
  sites.bundled = await serve(pub);
  const med = path.join(tmp, "mediation");
  buildSite(REPO, med, ["--audience", "mediation"]);
  sites.mediation = await serve(med);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  for (const s of Object.values(sites)) await s.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (Object.keys(report.axe).length) {
    fs.writeFileSync(path.join(ARTIFACTS, "accessibility.json"), JSON.stringify(report.axe, null, 2) + "\n");
    const lines = Object.entries(report.axe).map(([k, v]) =>
      v.skipped
        ? `  ${k}: non testée (${v.skipped})`
        : `  ${k}: ${v.violations.length} violation(s), ${v.passes} règles passées, ${v.needsReview.length} à revoir` +
          (v.bestPractice.length ? ` ; bonnes pratiques : ${v.bestPractice.map((b) => b.id).join(", ")}` : ""),
    );
    console.log(`axe-core ${report.axeVersion} (${AXE_TAGS.join(", ")}):\n${lines.join("\n")}`);
  }
  if (Object.keys(report.weights).length) {
    fs.writeFileSync(path.join(ARTIFACTS, "weights.json"), JSON.stringify(report.weights, null, 2) + "\n");
    const kb = (n) => `${(n / 1024).toFixed(1)} Ko`;
    const lines = Object.entries(report.weights).map(
      ([k, w]) => `  ${k}: HTML ${kb(w.html.raw)} (${kb(w.html.gzip)} gzip), tout ${kb(w.total.raw)} (${kb(w.total.gzip)} gzip), ${w.files.length} fichiers`,
    );
    console.log(`poids des pages (avant toute recherche) :\n${lines.join("\n")}`);
  }
});

const siteOf = (p) => sites[p.site || "bundled"];
const exists = (p) => {
  const file = path.join(siteOf(p).out, p.url, "index.html");
  return p.status === 404 || fs.existsSync(file);
};
/** Console messages a page may show: the 404 page is served with status 404. */
const allowOf = (p) => (p.status === 404 ? /status of 404/ : null);

/**
 * Runs axe-core in the page (injected through the DevTools protocol: the CSP stays on) with the
 * WCAG rules and the best practices; only the WCAG rules must pass, the rest is reported.
 */
async function runAxe(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const r = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: [...tags, "best-practice"] } });
    const brief = (list) =>
      list.map((v) => ({
        id: v.id,
        tags: v.tags.filter((t) => /^wcag|^best/.test(t)),
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(" ")} — ${n.failureSummary || n.any.map((c) => c.message).join(" ")}`),
      }));
    return {
      version: r.testEngine.version,
      passes: r.passes.filter((v) => v.tags.some((t) => tags.includes(t))).length,
      violations: brief(r.violations),
      incomplete: brief(r.incomplete),
    };
  }, AXE_TAGS);
  const wcag = (v) => v.tags.some((t) => AXE_TAGS.includes(t));
  return {
    version: r.version,
    passes: r.passes,
    violations: r.violations.filter(wcag),
    bestPractice: r.violations.filter((v) => !wcag(v)),
    needsReview: r.incomplete.filter(wcag),
  };
}

/** Facts about the page's structure. */
function structure(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.getAttribute("lang"),
    h1: document.querySelectorAll("h1").length,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  }));
}

/** Landmarks in the accessibility tree. */
async function landmarks(page) {
  const n = {};
  for (const role of ["banner", "navigation", "main", "contentinfo"]) n[role] = await page.getByRole(role).count();
  return n;
}

/** Raw and gzip sizes of the files the server sent from `from` on. */
function weigh(site, from) {
  const got = site.requests.slice(from);
  const files = got.map((r) => ({ path: r.path, status: r.status, raw: r.bytes, gzip: gzipSize(r.file) }));
  const html = files[0];
  return {
    html: { raw: html.raw, gzip: html.gzip },
    total: { raw: files.reduce((a, f) => a + f.raw, 0), gzip: files.reduce((a, f) => a + f.gzip, 0) },
    files,
  };
}

const shot = async (page, name, width) => {
  const file = path.join(ARTIFACTS, `${name}-${width}px.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 1000, `capture ${file}`);
};

// ---------------------------------------------------------------------------------------------

test("axe-core is installed (required under CI)", { skip: !AXE && !CI ? "SKIPPED: axe-core absent (npm ci)" : false }, () => {
  assert.ok(AXE, "axe-core absent : npm ci");
});

for (const p of PAGES) {
  test(`${p.kind} (${p.url}): axe WCAG 2.1 AA, structure, 375 and 320 px, weight`, TA, async (t) => {
    if (!exists(p)) {
      assert.ok(p.optional, `${p.url} manque dans le site construit`);
      report.axe[p.kind] = { url: p.url, skipped: "page absente de ce build" };
      t.skip(`${p.url} absente de ce build`);
      return;
    }
    const site = siteOf(p);
    const from = site.requests.length;
    const page = await openPage(t, browser, site, null, { allow: allowOf(p) });
    const response = await page.goto(site.base + p.url);
    assert.equal(response.status(), p.status || 200);
    if (site === sites.bundled) {
      // Everything the page loads, the icon included (it comes after the load event).
      await page.waitForLoadState("networkidle");
      report.weights[p.kind] = { url: p.url, ...weigh(site, from) };
    }
    if (p.search) await typeQuery(page, p.search);
    assert.ok(await page.locator(p.content).first().isVisible(), `${p.content} visible`);

    const axe = await runAxe(page);
    report.axeVersion = axe.version;
    report.axe[p.kind] = { url: p.url, site: p.site || "bundled", ...axe };
    assert.deepEqual(axe.violations, [], `axe : ${p.kind}`);

    const s = await structure(page);
    assert.equal(s.lang, "fr", "html lang=fr");
    assert.equal(s.h1, 1, "exactement un h1");
    const marks = await landmarks(page);
    assert.equal(marks.banner, 1, "en-tête (banner)");
    assert.equal(marks.main, 1, "contenu (main)");
    assert.equal(marks.contentinfo, 1, "pied de page (contentinfo)");
    assert.ok(marks.navigation >= 1, "navigation");
    assert.ok(s.overflow <= 0, `pas de défilement horizontal à 1280 px (${s.overflow})`);
    if (p.shots) await shot(page, p.shots, WIDE.width);

    await page.setViewportSize(NARROW);
    if (p.search) await settled(page, p.search);
    const narrow = await structure(page);
    assert.ok(narrow.overflow <= 0, `pas de défilement horizontal à 375 px (${narrow.overflow} px de trop)`);
    if (p.shots) await shot(page, p.shots, NARROW.width);
    // Reflow (WCAG 1.4.10, RGAA 10.11): 320 CSS px, a 1280 px screen zoomed to 400 %.
    await page.setViewportSize({ width: 320, height: 640 });
    const zoomed = await structure(page);
    assert.ok(zoomed.overflow <= 0, `pas de défilement horizontal à 320 px (${zoomed.overflow} px de trop)`);
  });
}

for (const p of PAGES) {
  test(`${p.kind} (${p.url}) without JavaScript: the content is there`, T, async (t) => {
    if (!exists(p)) {
      assert.ok(p.optional, `${p.url} manque dans le site construit`);
      t.skip(`${p.url} absente de ce build`);
      return;
    }
    const page = await openPage(t, browser, siteOf(p), p.url, { javaScript: false, allow: allowOf(p) });
    assert.ok(await page.locator("h1").isVisible(), "titre visible");
    assert.ok(await page.locator(p.content).first().isVisible(), `${p.content} visible sans JavaScript`);
    assert.ok((await page.locator("main").innerText()).length > 100, "du contenu");
    if (p.search) {
      // The browse lists stand in for the live search; the form still searches.
      assert.ok((await page.locator(".families a").count()) > 10);
      assert.ok((await page.locator(".communes a").count()) > 5);
      assert.ok(await page.locator("#resultats").isHidden());
      await page.fill("#q", "graphisme Mende");
      await Promise.all([page.waitForURL("**/recherche/?q=graphisme+Mende"), page.locator("#q").press("Enter")]);
      assert.ok(await page.locator("#parcourir").isVisible());
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Keyboard

/** The focused element and whether its focus is visible (an outline or a box shadow). */
function focusInfo(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow !== "none";
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: el.getAttribute("class") || "",
      href: el.getAttribute("href"),
      text: (el.textContent || "").trim().slice(0, 40),
      visible: outline || shadow,
      onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.left < innerWidth && r.top < innerHeight,
    };
  });
}

const describe = (f) => `${f.tag}${f.id ? "#" + f.id : ""}${f.href ? ` href=${f.href}` : ""} « ${f.text} »`;

/** Presses Tab until `done(focus)` or the end of the page; checks every stop shows its focus. */
async function tabUntil(page, done, max = 400) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focusInfo(page);
    if (f.tag === "body") break;
    assert.ok(f.visible, `focus visible sur ${describe(f)}`);
    assert.ok(f.onScreen, `élément focalisé à l'écran : ${describe(f)}`);
    seen.push(f);
    if (done(f)) break;
  }
  return seen;
}

test("keyboard: the skip link comes first and leads to main; the header search field is reachable", T, async (t) => {
  const page = await openPage(t, browser, sites.bundled, "/");
  await page.keyboard.press("Tab");
  let f = await focusInfo(page);
  assert.equal(f.cls, "skip", `premier arrêt : le lien d'évitement, pas ${describe(f)}`);
  assert.equal(f.text, "Aller au contenu");
  assert.ok(f.visible && f.onScreen, "le lien d'évitement se montre au focus");
  await page.keyboard.press("Enter");
  f = await focusInfo(page);
  assert.equal(f.tag, "main", `Entrée mène au contenu, pas à ${describe(f)}`);
  assert.equal(f.id, "contenu");
  // The next Tab stays in the content.
  await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => document.querySelector("main").contains(document.activeElement)), "Tab suivant : dans le contenu");

  // From the top again: the header's search field, in a few stops.
  await page.goto(sites.bundled.base + "/");
  const stops = await tabUntil(page, (x) => x.id === "q-header", 5);
  assert.equal(stops.at(-1).id, "q-header", `le champ de recherche de l'en-tête : ${stops.map(describe).join(", ")}`);
  await page.keyboard.type("photo");
  await Promise.all([page.waitForURL("**/recherche/?q=photo"), page.keyboard.press("Enter")]);
  await settled(page, "photo");
});

test("keyboard: every stop of the home page shows its focus, header to footer", T, async (t) => {
  const page = await openPage(t, browser, sites.bundled, "/");
  const stops = await tabUntil(page, () => false);
  const links = await page.evaluate(() => document.querySelectorAll("a[href], input, button").length);
  assert.equal(stops.length, links, "chaque lien et champ est atteint au clavier");
});

test("keyboard: every search result is reached with Tab and with ArrowDown, focus visible", T, async (t) => {
  const page = await openPage(t, browser, sites.bundled, "/recherche/");
  await typeQuery(page, "site");
  const hrefs = await page.$$eval("#liste-resultats > li h3 a", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.length >= 5, `des résultats (${hrefs.length})`);

  // ArrowDown from the field walks the results one by one.
  for (const href of hrefs) {
    await page.keyboard.press("ArrowDown");
    const f = await focusInfo(page);
    assert.equal(f.href, href);
    assert.ok(f.visible && f.onScreen, `focus visible sur ${href}`);
  }

  // Tab from the field reaches each result too (past the filters).
  await page.locator("#q").focus();
  const want = new Set(hrefs);
  const stops = await tabUntil(page, (f) => {
    want.delete(f.href);
    return want.size === 0;
  });
  assert.deepEqual([...want], [], `résultats non atteints avec Tab (${stops.length} arrêts)`);
});

test("keyboard: the map's communes are links reached with Tab, focus visible", T, async (t) => {
  const page = await openPage(t, browser, sites.bundled, "/carte/");
  const n = await page.locator("svg.carte a").count();
  await page.locator("nav.map-filters a").last().focus();
  const stops = await tabUntil(page, (f) => f.tag !== "a" || !f.href?.startsWith("/communes/"), n + 1);
  const inMap = stops.filter((f) => f.href?.startsWith("/communes/"));
  assert.equal(inMap.length, n, "chaque commune de la carte est atteinte");
});

// ---------------------------------------------------------------------------------------------
// Weight and map

test("page weight: the home page loads ≤ 50 KB gzip (HTML, CSS, JS, icons), from 127.0.0.1 only", T, async (t) => {
  const site = sites.bundled;
  const from = site.requests.length;
  const page = await openPage(t, browser, site, "/");
  await page.waitForLoadState("networkidle");
  const w = weigh(site, from);
  const hosts = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).host));
  assert.ok(hosts.every((h) => h === new URL(site.base).host), hosts.join(" "));
  assert.equal(await page.locator("script:not([type='application/ld+json'])").count(), 0, "aucun script");
  assert.ok(w.files.some((f) => f.path.endsWith(".css")), "la feuille de style comptée");
  assert.ok(w.total.gzip <= HOME_BUDGET_GZIP, `accueil : ${w.total.gzip} o gzip > ${HOME_BUDGET_GZIP}`);
  console.log(`accueil : ${w.total.raw} o, ${w.total.gzip} o gzip (${w.files.map((f) => `${f.path} ${f.gzip}`).join(", ")})`);
});

test("the map renders: one shape per commune, each commune with a page is a link, no other host", T, async (t) => {
  const site = sites.bundled;
  const from = site.requests.length;
  const page = await openPage(t, browser, site, "/carte/");
  const svg = page.locator("svg.carte");
  assert.ok(await svg.isVisible(), "la carte est visible");
  const box = await svg.boundingBox();
  assert.ok(box.width > 300 && box.height > 300, `taille ${box.width}×${box.height}`);
  // Each commune <use>s its outline from the shared communes.svg, fetched once.
  await page.waitForLoadState("networkidle");
  const shapes = await page.evaluate(() =>
    [...document.querySelectorAll("svg.carte use")].map((p) => {
      const b = p.getBBox();
      // A linked commune's name is the link's <title> (its accessible name); the others' their own.
      const title = p.querySelector("title") || p.closest("a")?.querySelector(":scope > title");
      return { title: title?.textContent || "", area: b.width * b.height, fill: getComputedStyle(p).fill };
    }),
  );
  // One shared file, whatever the number of fetches: with `Cache-Control: no-store` Chromium may
  // fetch an external <use> document again (seen once in CI under load), which is its choice.
  const outlines = new Set(
    site.requests
      .slice(from)
      .filter((r) => /\/static\/communes\.[0-9a-f]{10}\.svg$/.test(r.path))
      .map((r) => r.path),
  );
  assert.equal(outlines.size, 1, "les contours viennent d'un seul fichier partagé");
  const hrefs = await page.$$eval("svg.carte use", (us) => [...new Set(us.map((u) => new URL(u.href.baseVal, document.baseURI).pathname))]);
  assert.deepEqual(hrefs, [...outlines], "chaque forme reprend ses contours de ce fichier");
  assert.equal(shapes.length, 152, "152 communes en Lozère");
  const data = path.join(site.out, "donnees/communes.json");
  if (fs.existsSync(data)) {
    const communes = JSON.parse(fs.readFileSync(data, "utf8")).communes;
    if (Array.isArray(communes)) assert.equal(shapes.length, communes.length, "une forme par commune des données");
  }
  assert.ok(shapes.every((s) => s.area > 0), "chaque forme est dessinée");
  assert.ok(shapes.every((s) => / : /.test(s.title)), "chaque forme a un titre");
  assert.ok(shapes.every((s) => s.fill && s.fill !== "none" && s.fill !== "rgb(0, 0, 0)"), "chaque forme est colorée par la feuille de style");

  // Each commune page of the build is a link of the map, and each link of the map leads to one.
  const pages = fs
    .readdirSync(path.join(site.out, "communes"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `/communes/${d.name}/`)
    .sort();
  const links = await page.$$eval("svg.carte a", (as) =>
    as.map((a) => ({ href: a.getAttribute("href"), label: a.querySelector(":scope > title")?.textContent, shapes: a.querySelectorAll("use").length })),
  );
  assert.deepEqual(links.map((l) => l.href).sort(), pages);
  assert.ok(links.every((l) => l.label && l.shapes === 1), "chaque lien a un nom et une forme");
  // The <title> is what assistive technologies announce (accessible name computation).
  assert.equal(await page.getByRole("link", { name: /^Mende : \d+ prestataires$/ }).count(), 1, "le lien de Mende est nommé");
  await page.screenshot({ path: path.join(ARTIFACTS, "carte-rendu-1280px.png") });

  // Reached with Tab, a commune is filled with the focus colour.
  await page.locator("nav.map-filters a").last().focus();
  await tabUntil(page, (f) => f.href === "/communes/mende/", 40);
  const mende = page.locator("svg.carte a[href='/communes/mende/'] use");
  assert.equal(await mende.evaluate((p) => getComputedStyle(p).fill), "rgb(255, 191, 71)", "la commune focalisée prend la couleur du focus");
  await page.screenshot({ path: path.join(ARTIFACTS, "carte-focus-mende.png") });
  await page.locator("h1").click();

  // A click inside Mende's shape (the centre of its box may be a neighbour) opens its page.
  await mende.scrollIntoViewIfNeeded();
  const point = await mende.evaluate((p) => {
    const b = p.getBoundingClientRect();
    for (let i = 1; i < 20; i++) {
      for (let j = 1; j < 20; j++) {
        const x = b.x + (b.width * i) / 20;
        const y = b.y + (b.height * j) / 20;
        // Hit testing inside a <use> answers with the <use> itself.
        if (document.elementFromPoint(x, y) === p) return { x, y };
      }
    }
    return null;
  });
  assert.ok(point, "un point de Mende cliquable");
  await Promise.all([page.waitForURL("**/communes/mende/"), page.mouse.click(point.x, point.y)]);
  assert.match(await page.locator("h1").textContent(), /Mende/);

  assert.ok(site.requests.slice(from).every((r) => r.status === 200), "chaque fichier demandé existe");
});

/** Every file of a folder, recursively. */
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/** Attribute `name` of a start tag of minified or plain HTML, or null. */
function attr(tag, name) {
  const m = new RegExp(`\\s${name}=("[^"]*"|'[^']*'|[^\\s>]+)`, "i").exec(tag);
  return m ? m[1].replace(/^["']|["']$/g, "") : null;
}

test("no page of either build loads anything from another host (every file scanned)", T, () => {
  const local = (url) => /^data:/i.test(url) || (!url.startsWith("//") && !/^[a-z][a-z0-9+.-]*:/i.test(url));
  const LOADS = /^(stylesheet|icon|apple-touch-icon|mask-icon|manifest|preload|prefetch|modulepreload|preconnect|dns-prefetch)$/i;
  const SOURCES = {
    img: ["src", "srcset"],
    script: ["src"],
    iframe: ["src"],
    frame: ["src"],
    video: ["src", "poster"],
    audio: ["src"],
    source: ["src", "srcset"],
    track: ["src"],
    embed: ["src"],
    object: ["data"],
    input: ["src"],
    image: ["href", "xlink:href"],
    use: ["href", "xlink:href"],
  };
  const TAGS = new RegExp(`<(${Object.keys(SOURCES).join("|")})\\b[^>]*>`, "gi");
  const found = [];
  let pages = 0;
  for (const site of Object.values(sites)) {
    for (const file of walk(site.out)) {
      if (!/\.(html|css|svg|webmanifest)$/.test(file)) continue;
      const rel = path.relative(site.out, file);
      const text = fs.readFileSync(file, "utf8");
      if (file.endsWith(".html")) pages++;
      const check = (url, what) => {
        if (!local(url)) found.push(`${rel} : ${what.slice(0, 100)}`);
      };
      for (const [tag, name] of text.matchAll(TAGS)) {
        for (const a of SOURCES[name.toLowerCase()]) {
          const v = attr(tag, a);
          if (v) for (const u of v.split(",")) check(u.trim().split(/\s+/)[0], tag);
        }
      }
      for (const [tag] of text.matchAll(/<link\b[^>]*>/gi)) {
        if ((attr(tag, "rel") || "").split(/\s+/).some((r) => LOADS.test(r))) check(attr(tag, "href") || "", tag);
      }
      for (const [m, u] of text.matchAll(/url\(\s*["']?([^"')]+)/gi)) check(u, m);
      for (const [m, u] of text.matchAll(/@import\s+(?:url\()?\s*["']?([^"');\s]+)/gi)) check(u, m);
      if (file.endsWith(".webmanifest")) for (const icon of JSON.parse(text).icons || []) check(icon.src, icon.src);
    }
  }
  assert.ok(pages > 100, `${pages} pages lues`);
  assert.deepEqual(found, [], "ressources chargées depuis un autre hôte");
});
