// Shared helpers of the browser tests: build a site with target/debug/annuaire, serve it on
// 127.0.0.1 with the deployed Content-Security-Policy, launch Debian's Chromium (never a
// downloaded one) and open pages that fail on any request to another host, JS error or console
// error. Without /usr/bin/chromium (or playwright-core) the tests say SKIPPED and pass, except
// under CI=true. Screenshots and measurements go to target/browser-artifacts/.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const BIN = path.join(REPO, "target/debug/annuaire");
export const ARTIFACTS = path.join(REPO, "target/browser-artifacts");
export const CI = process.env.CI === "true";
export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 375, height: 812 };
/** Chromium's flags: no sandbox (root in CI), no GPU, no background traffic to Google. */
export const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"];

let pw = null;
try {
  pw = await import("playwright-core");
} catch {
  pw = null;
}
export const playwright = pw;

/** Why the browser tests cannot run here, or null. */
export const missing = !fs.existsSync(CHROMIUM)
  ? `${CHROMIUM} absent (apt-get install chromium)`
  : !playwright
    ? "playwright-core absent (npm ci)"
    : null;
/** The `skip` option of node:test for the browser tests. */
export const skip = missing ? `SKIPPED: ${missing}` : false;

let said = false;
/** Says once per test file why the browser tests are skipped. */
export function sayIfSkipped() {
  if (missing && !said) {
    said = true;
    console.log(`SKIPPED browser tests: ${missing}`);
  }
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** Builds the site of `root` into `out` with target/debug/annuaire (built if absent). */
export function buildSite(root, out, extra = []) {
  if (!fs.existsSync(BIN)) {
    run("cargo", ["build", "--locked"], { cwd: REPO, stdio: "inherit" });
  }
  run(BIN, ["build", "--root", root, "--out", out, "--color", "never", ...extra], {
    cwd: root,
    env: { ...process.env, SOURCE_DATE_EPOCH: "1764320000" },
  });
}

/** A fresh temporary folder; the artifacts folder exists. */
export function tempDir() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return fs.mkdtempSync(path.join(os.tmpdir(), "annuaire-browser-"));
}

/** The Content-Security-Policy deployed with the site (netlify.toml), sent by the test server. */
export function deployedCsp() {
  const toml = fs.readFileSync(path.join(REPO, "netlify.toml"), "utf8");
  const m = /Content-Security-Policy\s*=\s*"([^"]+)"/.exec(toml);
  assert.ok(m, "netlify.toml has no Content-Security-Policy");
  return m[1];
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".geojson": "application/geo+json",
  ".webmanifest": "application/manifest+json",
  ".csv": "text/csv; charset=utf-8",
};

/**
 * Serves `dir` on 127.0.0.1 (free port) like Netlify: the folder's index.html, 404.html with
 * status 404, the deployed CSP. Logs every request with the bytes sent and the file.
 */
export function serve(dir) {
  const csp = deployedCsp();
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let rel;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      rel = "/";
    }
    let file = path.join(dir, path.normalize(rel).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(dir)) file = path.join(dir, "__none__");
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    let status = 200;
    if (!fs.existsSync(file)) {
      status = 404;
      file = path.join(dir, "404.html");
    }
    const body = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.from("introuvable");
    requests.push({ path: url.pathname, status, bytes: body.length, file });
    res.writeHead(status, {
      "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
      "Content-Length": body.length,
      "Content-Security-Policy": csp,
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const base = `http://127.0.0.1:${server.address().port}`;
      resolve({ base, requests, out: dir, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Debian's Chromium, headless, with a fresh temporary profile removed on close. */
export function launch() {
  return playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/**
 * Records in `problems` (and aborts, when `intercept`) every request of `context` that leaves the
 * test server: another host, another port of 127.0.0.1, any scheme but http to it and data:.
 * `intercept: false` only watches requests instead of routing them (routing adds a round trip
 * through this process to each request, which would skew timings).
 */
export async function guardRequests(context, site, problems, { intercept = true } = {}) {
  const port = new URL(site.base).port;
  const offHost = (href) => {
    const u = new URL(href);
    return !(u.protocol === "data:" || (u.protocol === "http:" && u.hostname === "127.0.0.1" && u.port === port));
  };
  const seen = new Set();
  const flag = (href) => {
    if (seen.has(href)) return;
    seen.add(href);
    problems.push(`requête vers un autre hôte : ${href}`);
  };
  if (intercept) {
    await context.route("**/*", (route) => {
      if (offHost(route.request().url())) {
        flag(route.request().url());
        return route.abort();
      }
      return route.continue();
    });
  }
  // Watched too when routed: a request the router does not see still counts.
  context.on("request", (r) => {
    if (offHost(r.url())) flag(r.url());
  });
}

/**
 * A page of `site` in a fresh context of `browser`, failing the test `t` (when it ends) on
 * requests to other hosts, page errors, console errors and warnings (CSP violations among them).
 * `allow` matches console messages a test expects; other options go to the context
 * (`bypassCSP` for instance).
 */
export async function openPage(
  t,
  browser,
  site,
  url,
  { viewport = WIDE, javaScript = true, allow = null, intercept = true, context: extra = {} } = {},
) {
  const context = await browser.newContext({ viewport, javaScriptEnabled: javaScript, locale: "fr-FR", ...extra });
  const problems = [];
  await guardRequests(context, site, problems, { intercept });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`erreur JS : ${e.message}`));
  page.on("console", (m) => {
    if ((m.type() === "error" || m.type() === "warning") && !(allow && allow.test(m.text()))) {
      problems.push(`console ${m.type()} : ${m.text()}`);
    }
  });
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], `problèmes dans la page ${url}`);
  });
  if (url !== null) await page.goto(site.base + url);
  return page;
}

/** Gzip size (level 9) of a file. */
export function gzipSize(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

/** Waits until the search page shows the results for the URL's current state. */
export async function settled(page, q) {
  await page.waitForFunction((want) => {
    const p = new URLSearchParams(window.location.search);
    const box = document.getElementById("resultats");
    return (p.get("q") || "") === want && !box.hasAttribute("aria-busy") && !box.hidden;
  }, q);
}

/** Types `q` in the search page's field like a person (one key at a time); waits for results. */
export async function typeQuery(page, q) {
  const field = page.locator("#q");
  await field.click();
  await field.press("Control+a");
  await field.press("Backspace");
  await field.pressSequentially(q, { delay: 20 });
  await settled(page, q);
}
