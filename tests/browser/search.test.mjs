// Browser tests of the search page (themes/default/static/search.js) in real headless Chromium.
//
// Run with `node --test tests/browser/` after `cargo build` (scripts/test.sh does). The bundled
// site is built with target/debug/annuaire into a temporary folder and served by a tiny static
// server on 127.0.0.1; every request to another host is blocked and fails the test. Without
// /usr/bin/chromium (or playwright-core) the tests say SKIPPED and pass, except under CI=true.
// Screenshots and the measured sizes and timings go to target/browser-artifacts/.
// The shared helpers (build, serve, launch, request guard) are in support.mjs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
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
  settled,
  typeQuery,
} from "./support.mjs";

sayIfSkipped();

// ---------------------------------------------------------------------------------------------
// Site, server and browser

let tmp;
let bundled; // { base, requests, out, close }
let large; // same, with 45 providers
let browser;

/** A copy of the bundled site with `extra` more providers named "Essai numérique N". */
function largeSiteRoot(extra) {
  const root = path.join(tmp, "large");
  fs.cpSync(path.join(REPO, "content"), path.join(root, "content"), { recursive: true });
  fs.cpSync(path.join(REPO, "themes"), path.join(root, "themes"), { recursive: true });
  for (let i = 1; i <= extra; i++) {
    const siret = luhnComplete(`1234567800${String(i).padStart(3, "0")}`);
    fs.writeFileSync(
      path.join(root, "content/prestataires", `essai-numerique-${i}.md`),
      `---
nom: Essai numérique ${i}
forme: independant
siret: "${siret}"
commune: "48095"
resume: Prestataire d'essai ${i} pour les tests de la recherche.
contact:
  site: https://essai-${i}.example
  courriel: contact@essai-${i}.example
  publics: [site, courriel]
competences:
  - id: web/site-vitrine
    justificatifs:
      - type: portfolio
        titre: Sites réalisés
        url: https://essai-${i}.example/sites
charte:
  version: "2025-1"
  signee_le: 2025-07-15
langues: [fr]
mis_a_jour: 2025-07-15
---
Fiche d'essai.
`,
    );
  }
  return root;
}

/** Appends the Luhn check digit to 13 digits. */
function luhnComplete(digits13) {
  for (let d = 0; d <= 9; d++) {
    const s = digits13 + d;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let v = Number(s[s.length - 1 - i]);
      if (i % 2 === 1) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error("unreachable");
}

before(async () => {
  if (missing) return;
  tmp = tempDir();
  const out = path.join(tmp, "public");
  buildSite(REPO, out);
  bundled = await serve(out);
  const largeOut = path.join(tmp, "large-public");
  buildSite(largeSiteRoot(45), largeOut, ["--strict"]);
  large = await serve(largeOut);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (bundled) await bundled.close();
  if (large) await large.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * A page in a fresh context, failing on requests to other hosts, page errors, console errors and
 * warnings (CSP violations among them). `allow` matches console messages a test expects;
 * `intercept: false` only watches requests instead of routing them (routing adds a round trip
 * through this process to each request, which would skew timings).
 */
function open(t, url, { site = bundled, ...opts } = {}) {
  return openPage(t, browser, site, url, opts);
}

async function results(page) {
  return page.$$eval("#liste-resultats > li", (items) =>
    items.map((li) => ({
      href: li.querySelector("h3 a").getAttribute("href"),
      name: li.querySelector("h3 a").textContent,
      verified: /Vérifié/.test(li.querySelector("h3").textContent),
      commune: li.querySelector(".card-place").textContent,
      text: li.textContent,
    })),
  );
}

const slugs = (list) => list.map((r) => r.href.replace(/^\/prestataires\/|\/$/g, ""));
const heading = (page) => page.locator("#resultats-titre").textContent();

/** Provider slugs whose source file contains `needle` (case-insensitive). */
function providersContaining(needle) {
  const dir = path.join(REPO, "content/prestataires");
  return fs
    .readdirSync(dir)
    .filter((f) => fs.readFileSync(path.join(dir, f), "utf8").toLowerCase().includes(needle.toLowerCase()))
    .map((f) => f.replace(/\.md$/, ""));
}

/** Provider slugs listed on a page of the built site. */
function providersOnPage(urlPath) {
  const html = fs.readFileSync(path.join(bundled.out, urlPath, "index.html"), "utf8");
  return [...new Set([...html.matchAll(/href="?\/prestataires\/([a-z0-9-]+)\/"?/g)].map((m) => m[1]))];
}

const T = { skip, timeout: 90_000 };

// ---------------------------------------------------------------------------------------------

test("Chromium and playwright-core are installed (required under CI)", { skip: missing && !CI ? skip : false }, () => {
  assert.equal(missing, null, missing || "");
});

test("a provider's name finds it, with its summary, commune, skills and verified mark", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "Atelier Pixel");
  const list = await results(page);
  assert.equal(slugs(list)[0], "atelier-pixel-causse");
  assert.equal(list[0].name, "Atelier Pixel Causse");
  assert.equal(list[0].commune, "Mende");
  assert.ok(list[0].verified, "marque « Vérifié » en texte");
  assert.match(list[0].text, /Identité visuelle/);
  assert.match(list[0].text, /sites vitrines pour les artisans/);
  assert.match(await heading(page), /^1 prestataire trouvé$/);
  assert.equal(new URL(page.url()).search, "?q=Atelier+Pixel");
});

test("a query without accents finds words with accents (developpeur → développeur)", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "developpeur");
  const found = slugs(await results(page));
  const expected = providersContaining("développeur");
  assert.ok(expected.length > 0, "le contenu groupé a des « développeur »");
  for (const s of expected) assert.ok(found.includes(s), `${s} manque dans ${found}`);
});

test("elisions: « l'entreprise » and « l’entreprise » find sud-lozere-digital", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "l'entreprise");
  const straight = slugs(await results(page));
  assert.ok(straight.includes("sud-lozere-digital"), straight.join(" "));
  await typeQuery(page, "l’entreprise");
  const curly = slugs(await results(page));
  assert.deepEqual(curly, straight);
});

test("a postcode (48000) finds providers of its communes and says so", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "48000");
  const list = await results(page);
  assert.ok(slugs(list).includes("atelier-pixel-causse"), "Mende est au 48000");
  assert.match(await heading(page), /prestataires trouvés dans les communes du 48000 et alentour/);
});

test("a former commune name (Sainte-Enimie) finds providers of Gorges du Tarn Causses", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "Sainte-Enimie");
  const list = await results(page);
  assert.equal(slugs(list)[0], "tarn-images-drone", "installé sur place : en premier");
  assert.match(await heading(page), /trouvés à Gorges du Tarn Causses et alentour$/);
});

test("words and a commune (informatique Marvejols)", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "informatique Marvejols");
  const list = await results(page);
  assert.ok(list.length > 0);
  assert.equal(list[0].commune, "Marvejols");
  assert.ok(slugs(list).includes("reseaux-et-serveurs-du-gevaudan"), slugs(list).join(" "));
  assert.match(await heading(page), /à Marvejols et alentour$/);
  // The place named in the query is the commune filter: no commune facet then.
  assert.equal(await page.locator("fieldset:has(legend:text-is('Commune'))").isVisible(), false);
});

test("prefix typing: « graph » finds the graphic design providers", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "graph");
  const found = slugs(await results(page));
  const expected = providersOnPage("competences/graphisme");
  assert.ok(expected.length > 0);
  for (const s of expected) assert.ok(found.includes(s), `${s} manque dans ${found}`);
});

test("a family facet narrows the results, shows counts, goes in the URL; back restores", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "site");
  const before = await results(page);
  const facet = page.locator("fieldset:has(legend:text-is('Compétence'))");
  await assert.doesNotReject(facet.waitFor({ state: "visible" }));
  const label = facet.locator("label", { hasText: "Développement web" });
  const count = Number((await label.textContent()).match(/\((\d+)\)/)[1]);
  assert.ok(count > 0 && count < before.length, `compte ${count} sur ${before.length}`);
  await facet.getByLabel(/Développement web/).check();
  await settled(page, "site");
  assert.match(page.url(), /\?q=site&famille=web$/);
  const narrowed = await results(page);
  assert.equal(narrowed.length, count);
  assert.ok(slugs(narrowed).every((s) => slugs(before).includes(s)));
  assert.match(await heading(page), new RegExp(`^${count} prestataires? trouvés?$`));

  await page.goBack();
  await settled(page, "site");
  assert.match(page.url(), /\?q=site$/);
  assert.deepEqual(slugs(await results(page)), slugs(before));
  assert.ok(await facet.getByLabel("Toutes les compétences").isChecked());

  await page.goForward();
  await settled(page, "site");
  assert.equal((await results(page)).length, count);
  assert.ok(await facet.getByLabel(/Développement web/).isChecked());
});

test("facet radios work with the keyboard alone", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "site");
  await page.locator("#famille-toutes").focus();
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction(() => /famille=/.test(window.location.search));
  await settled(page, "site");
  const checked = await page.locator("input[name=famille]:checked").getAttribute("value");
  assert.ok(checked, "une famille choisie au clavier");
  assert.equal(await page.evaluate(() => document.activeElement.name), "famille", "le focus reste sur le groupe");
});

test("« vérifiés seulement » keeps verified providers only", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "site");
  const all = await results(page);
  const label = page.locator("label[for=filtre-verifie]");
  const count = Number((await label.textContent()).match(/\((\d+)\)/)[1]);
  assert.equal(count, all.filter((r) => r.verified).length);
  await page.locator("#filtre-verifie").check();
  await settled(page, "site");
  assert.match(page.url(), /verifie=1/);
  const kept = await results(page);
  assert.equal(kept.length, count);
  assert.ok(kept.every((r) => r.verified));
});

test("a commune facet keeps the providers serving it, with the count it announced", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "site");
  const facet = page.locator("fieldset:has(legend:text-is('Commune'))");
  const label = facet.locator("label", { hasText: "Mende" }).first();
  const count = Number((await label.textContent()).match(/\((\d+)\)/)[1]);
  await label.click();
  await settled(page, "site");
  assert.match(page.url(), /commune=48095/);
  assert.equal((await results(page)).length, count);
  assert.match(await heading(page), /à Mende et alentour$/);
});

test("the URL's query and filters are searched on page load", T, async (t) => {
  const page = await open(t, "/recherche/?q=site&famille=web&verifie=1");
  await settled(page, "site");
  assert.equal(await page.inputValue("#q"), "site");
  assert.ok(await page.locator("#filtre-verifie").isChecked());
  assert.ok(await page.getByLabel(/Développement web/).isChecked());
  const list = await results(page);
  assert.ok(list.length > 0 && list.every((r) => r.verified));
});

test("keyboard: ArrowDown/ArrowUp move between results, Escape returns, Enter follows", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "formation");
  const list = await results(page);
  assert.ok(list.length >= 2);
  const focused = () => page.evaluate(() => document.activeElement.id || document.activeElement.getAttribute("href"));
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), list[0].href);
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), list[1].href);
  await page.keyboard.press("ArrowUp");
  assert.equal(await focused(), list[0].href);
  await page.keyboard.press("ArrowUp");
  assert.equal(await focused(), "q");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Escape");
  assert.equal(await focused(), "q", "Échap revient au champ");
  assert.equal(await page.inputValue("#q"), "formation", "sans effacer la requête");
  await page.keyboard.press("Escape");
  assert.equal(await page.inputValue("#q"), "", "Échap dans le champ efface");
  await page.waitForFunction(() => document.getElementById("resultats").hidden && window.location.search === "");

  await typeQuery(page, "formation");
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL(`**${list[0].href}`), page.keyboard.press("Enter")]);
});

test("the result count is announced in a polite live region", T, async (t) => {
  const page = await open(t, "/recherche/");
  const region = page.locator("#recherche-statut");
  assert.equal(await region.getAttribute("aria-live"), "polite");
  assert.equal(await region.getAttribute("role"), "status");
  assert.equal(await region.textContent(), "", "vide au chargement");
  await typeQuery(page, "formation");
  const n = (await results(page)).length;
  await page.waitForFunction(
    (want) => document.getElementById("recherche-statut").textContent.trim() === want,
    `${n} prestataires trouvés.`,
  );
  await page.locator("#q").press("Enter");
  await typeQuery(page, "zzyzx");
  await page.waitForFunction(() =>
    /^Aucun prestataire ne correspond à « zzyzx »\.$/.test(document.getElementById("recherche-statut").textContent.trim()),
  );
  // The results themselves are not in a live region (they would be read at every key).
  assert.equal(await page.locator("#resultats").getAttribute("aria-live"), null);
});

test("zero results: a helpful message with spelling, filter and browsing hints", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "xylophone");
  assert.equal(await heading(page), "Aucun prestataire ne correspond à « xylophone »");
  const help = page.locator(".search-empty");
  assert.match(await help.textContent(), /Vérifiez l'orthographe/);
  assert.ok(await help.locator("a[href='#par-competence']").isVisible());
  assert.ok(await help.locator("a[href='#par-commune']").isVisible());
  assert.ok(await help.locator("a[href='/prestataires/']").isVisible());

  // With a filter: a button removes it.
  await page.goto(bundled.base + "/recherche/?q=xylophone&famille=web");
  await settled(page, "xylophone");
  const button = help.getByRole("button", { name: "Retirer le filtre « Développement web »" });
  assert.ok(await button.isVisible());
  assert.match(await heading(page), /avec les filtres choisis$/);
  await button.click();
  await page.waitForFunction(() => !/famille=/.test(window.location.search));
  await settled(page, "xylophone");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
});

test("function words alone show nothing yet (no « aucun résultat » while typing « de »)", T, async (t) => {
  const page = await open(t, "/recherche/");
  await page.locator("#q").pressSequentially("de ", { delay: 20 });
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get("q") === "de ");
  await page.waitForTimeout(300);
  assert.ok(await page.locator("#resultats").isHidden());
});

test("a place in a query with no match offers to search everywhere", T, async (t) => {
  const page = await open(t, "/recherche/");
  await typeQuery(page, "xylophone Mende");
  const link = page.locator(".search-without-place");
  assert.equal(await link.getAttribute("href"), "?q=xylophone");
});

test("results come 20 at a time with « Voir plus »", T, async (t) => {
  const page = await open(t, "/recherche/", { site: large });
  await typeQuery(page, "essai");
  assert.match(await heading(page), /^45 prestataires trouvés$/);
  assert.equal((await results(page)).length, 20);
  const more = page.getByRole("button", { name: "Voir plus" });
  assert.match(await page.locator("#resultats-affiches").textContent(), /20 sur 45 affichés/);
  await more.click();
  await page.waitForFunction(() => document.querySelectorAll("#liste-resultats > li").length === 40);
  const list = await results(page);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("href")), list[20].href, "focus sur le 21e");
  await more.click();
  await page.waitForFunction(() => document.querySelectorAll("#liste-resultats > li").length === 45);
  assert.ok(await more.isHidden());
  assert.equal(new Set(slugs(await results(page))).size, 45, "sans doublon");
});

test("an index that cannot be downloaded says so, and the next query tries again", T, async (t) => {
  const page = await open(t, "/recherche/", { allow: /Failed to load resource|TypeError|Error: / });
  let fail = true;
  await page.route("**/recherche/index.*.json", (route) => (fail ? route.abort() : route.continue()));
  await page.locator("#q").fill("photo");
  await page.waitForFunction(() => document.getElementById("resultats-titre")?.textContent === "La recherche est indisponible pour le moment");
  assert.match(await page.locator(".search-empty").textContent(), /Vérifiez votre connexion/);
  await page.waitForFunction(() => /indisponible/.test(document.getElementById("recherche-statut").textContent));
  fail = false;
  await page.locator("#q").press("Enter");
  await settled(page, "photo");
  assert.ok((await results(page)).length > 0);
});

test("the index loads lazily: nothing before the field is used", T, async (t) => {
  const page = await open(t, "/recherche/");
  const seen = () => bundled.requests.filter((r) => r.path.startsWith("/recherche/") && r.path.endsWith(".json")).length;
  const start = seen();
  await page.waitForLoadState("networkidle");
  assert.equal(seen(), start, "aucun fichier d'index avant usage");
  assert.ok(await page.locator("#resultats").isHidden());
  await page.locator("#q").focus();
  await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /\/recherche\/index\.[0-9a-f]+\.json$/.test(e.name)));
  assert.equal(seen(), start + 1, "le manifeste seul, au focus");
});

test("without JavaScript, the form submits and the page lists what to browse", T, async (t) => {
  const page = await open(t, "/", { javaScript: false });
  await page.fill("#q-header", "web");
  await Promise.all([page.waitForURL("**/recherche/?q=web"), page.locator("#q-header").press("Enter")]);
  assert.ok(await page.locator("#resultats").isHidden());
  assert.ok(await page.locator("#parcourir").isVisible());
  assert.ok((await page.locator(".families a").count()) > 10);
  assert.ok((await page.locator(".communes a").count()) > 5);
  // Playwright turns scripts off without telling the HTML parser, so <noscript> stays raw text.
  assert.match(await page.content(), /<noscript>.*La recherche instantanée a besoin de JavaScript/s);
  await page.fill("#q", "photo");
  await Promise.all([page.waitForURL("**/recherche/?q=photo"), page.locator("#q").press("Enter")]);
});

test("other pages load no script", T, async (t) => {
  // Data blocks (JSON-LD) are not scripts.
  const RUNS = "script:not([type='application/ld+json'])";
  const page = await open(t, "/");
  assert.equal(await page.locator(RUNS).count(), 0);
  const search = await open(t, "/recherche/");
  const scripts = await search.$$eval(RUNS, (s) => s.map((e) => [e.getAttribute("src"), e.defer, e.textContent]));
  assert.equal(scripts.length, 4);
  for (const [src, defer, body] of scripts) {
    assert.match(src, /^\/static\/[a-z.-]+\.[0-9a-f]{10}\.js$/);
    assert.ok(defer);
    assert.equal(body, "");
  }
});

test("screenshots of the results at 375 px and 1280 px", T, async (t) => {
  for (const [name, viewport] of [["375", NARROW], ["1280", WIDE]]) {
    const page = await open(t, "/recherche/?q=site", { viewport });
    await settled(page, "site");
    const file = path.join(ARTIFACTS, `recherche-site-${name}px.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 1000);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `pas de défilement horizontal à ${name} px (${overflow})`);
  }
});

/** Milliseconds from the input event to the results on screen, for `q` typed at once. */
async function timeQuery(page, q) {
  await page.evaluate(() => {
    if (!window.__t) {
      document.getElementById("q").addEventListener("input", () => { window.__t.input = window.__t.input || performance.now(); }, true);
      document.addEventListener("annuaire:resultats", () => { window.__t.shown = window.__t.shown || performance.now(); });
    }
    window.__t = {};
  });
  await page.locator("#q").fill(q);
  await settled(page, q);
  return page.evaluate(() => window.__t.shown - window.__t.input);
}

const median = (xs) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

test("measure: bytes of a first query and time from typing to results", T, async (t) => {
  const QUERY = "formation Mende";
  const NEXT = "site vitrine";
  const RUNS = 5;
  const sum = (list, f) => list.reduce((a, r) => a + f(r), 0);
  const gz = gzipSize;

  // Bytes: everything the search page fetched for its scripts and the first query.
  const from = bundled.requests.length;
  const page = await open(t, "/recherche/", { intercept: false });
  await page.waitForLoadState("networkidle");
  await timeQuery(page, QUERY);
  const got = bundled.requests.slice(from);
  const scripts = got.filter((r) => /^\/static\/.+\.js$/.test(r.path));
  const json = got.filter((r) => /^\/recherche\/.+\.json$/.test(r.path));
  const htmlFile = got.find((r) => r.path === "/recherche/").file;
  assert.equal(scripts.length, 4);
  const report = {
    query: QUERY,
    files: [...scripts, ...json].map((r) => ({ path: r.path, raw: r.bytes, gzip: gz(r.file) })),
    scripts: { raw: sum(scripts, (r) => r.bytes), gzip: sum(scripts, (r) => gz(r.file)) },
    index: { raw: sum(json, (r) => r.bytes), gzip: sum(json, (r) => gz(r.file)) },
    page: { raw: fs.statSync(htmlFile).size, gzip: gz(htmlFile) },
  };
  report.total = { raw: report.scripts.raw + report.index.raw, gzip: report.scripts.gzip + report.index.gzip };

  // Time from typing to results: a first query (index not loaded yet), then a next one.
  const cold = [];
  const warm = [];
  const slow = [];
  for (let run = 0; run < RUNS; run++) {
    const p = await open(t, "/recherche/", { intercept: false });
    await p.waitForLoadState("networkidle");
    cold.push(await timeQuery(p, QUERY));
    warm.push(await timeQuery(p, NEXT));
  }
  // The same first query on a slow mobile line (Chrome's "Slow 4G": 150 ms, 1.6 Mbit/s).
  for (let run = 0; run < 3; run++) {
    const p = await open(t, "/recherche/", { intercept: false });
    await p.waitForLoadState("networkidle");
    const cdp = await p.context().newCDPSession(p);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6e6 / 8) * 0.9,
      uploadThroughput: (750e3 / 8) * 0.9,
    });
    slow.push(await timeQuery(p, QUERY));
  }
  report.typingToResultsMs = {
    debounce: 150,
    firstQuery: { median: median(cold), runs: cold.map(Math.round) },
    nextQuery: { query: NEXT, median: median(warm), runs: warm.map(Math.round) },
    firstQuerySlow4G: { median: median(slow), runs: slow.map(Math.round) },
  };
  fs.writeFileSync(path.join(ARTIFACTS, "search-metrics.json"), JSON.stringify(report, null, 2) + "\n");
  const ms = report.typingToResultsMs;
  console.log(
    `first query « ${QUERY} »: ${report.total.raw} B raw, ${report.total.gzip} B gzip ` +
      `(index ${report.index.raw}/${report.index.gzip}, scripts ${report.scripts.raw}/${report.scripts.gzip}); ` +
      `typing → results, 150 ms debounce included: first ${ms.firstQuery.median} ms, next ${ms.nextQuery.median} ms, ` +
      `first on slow 4G ${ms.firstQuerySlow4G.median} ms`,
  );
  assert.ok(report.total.gzip < 100_000, "une première recherche reste légère");
});
