/* annuaire — the search page: results as you type, facets, state in the URL, keyboard use.
 *
 * Progressive enhancement: without this script (or when it cannot run) the search form is a plain
 * GET form and the page lists families and communes to browse. With it, the index is fetched only
 * when needed (a query or filter in the URL, or the first focus of the field), results follow the
 * typing, and the query and filters live in the URL (?q=…&famille=…&commune=…&verifie=1).
 * Plain ES2017, no inline handler (the site's CSP forbids them), DOM built with textContent only. */
(function () {
  "use strict";

  var doc = document;
  var form = doc.querySelector("form[data-index]");
  var input = form && form.querySelector("input[name=q]");
  var status = doc.getElementById("recherche-statut");
  var box = doc.getElementById("resultats");
  if (!form || !input || !status || !box || !window.fetch || !window.Promise || !window.URLSearchParams ||
      !window.history || !window.history.pushState || !window.annuaireSearch || !window.elasticlunr ||
      !window.annuairePipeline) {
    return;
  }

  var PAGE = 20;
  var DEBOUNCE_MS = 150;
  /* Screen readers hear the count once typing pauses, not at every key. */
  var ANNOUNCE_TYPING_MS = 900;
  var FEW_COMMUNES = 8;
  var WIDE = "(min-width: 60rem)";

  var manifestUrl = form.getAttribute("data-index");
  var baseTitle = doc.title;
  var state = readUrl();
  var enginePromise = null;
  var engine = null;
  var seq = 0;
  var result = null;
  var shown = 0;
  var typingTimer = 0;
  var announceTimer = 0;
  var busyTimer = 0;
  var lastCommit = { kind: "", at: 0 };
  var communesExpanded = false;

  /* ---- DOM helpers ---- */

  function el(tag, attrs, children) {
    var node = doc.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") { node.textContent = attrs[k]; }
        else if (k === "className") { node.className = attrs[k]; }
        else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) { node.setAttribute(k, attrs[k] === true ? "" : attrs[k]); }
      });
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) { node.appendChild(typeof c === "string" ? doc.createTextNode(c) : c); }
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function fmt(n) {
    return Number(n).toLocaleString("fr-FR");
  }

  function prestataires(n) {
    return n === 1 ? "1 prestataire" : fmt(n) + " prestataires";
  }

  /* "A", "A et B", "A, B et C". */
  function joinFr(items) {
    if (items.length < 2) { return items.join(""); }
    return items.slice(0, -1).join(", ") + " et " + items[items.length - 1];
  }

  /* "à Mende", "au Malzieu-Ville", "aux Bondons". */
  function aPlace(name) {
    if (/^Le /.test(name)) { return "au " + name.slice(3); }
    if (/^Les /.test(name)) { return "aux " + name.slice(4); }
    return "à " + name;
  }

  /* ---- Page skeleton (built once) ---- */

  var hint = doc.getElementById("aide-recherche");
  if (hint) {
    hint.hidden = false;
    input.setAttribute("aria-describedby", "aide-recherche");
  }

  var heading = el("h2", { className: "search-summary", id: "resultats-titre" });
  var filtersCount = el("span", { className: "search-filters-count" });
  var details = el("details", { className: "search-filters" }, [
    el("summary", null, ["Affiner les résultats", filtersCount])
  ]);
  details.open = !window.matchMedia || window.matchMedia(WIDE).matches;

  var familyList = el("ul");
  var familyFieldset = el("fieldset", { className: "facet" }, [el("legend", { text: "Compétence" }), familyList]);

  var communeList = el("ul");
  var communeToggle = el("button", { type: "button", className: "link-button facet-more", "aria-expanded": "false" });
  var communeFieldset = el("fieldset", { className: "facet", "aria-describedby": "aide-commune" }, [
    el("legend", { text: "Commune" }),
    el("p", { className: "facet-hint", id: "aide-commune", text: "Prestataires installés dans la commune, qui s'y déplacent ou qui couvrent tout le territoire." }),
    communeList,
    communeToggle
  ]);

  var verifiedInput = el("input", { type: "checkbox", id: "filtre-verifie", name: "verifie", value: "1" });
  var verifiedCount = el("span", { className: "count" });
  var verifiedFieldset = el("fieldset", { className: "facet" }, [
    el("legend", { text: "Vérification" }),
    el("label", { "for": "filtre-verifie" }, [verifiedInput, el("span", null, ["Vérifiés seulement ", verifiedCount])]),
    el("p", { className: "facet-hint", text: "Au moins une compétence vérifiée par un médiateur." })
  ]);

  var resetButton = el("button", { type: "button", className: "link-button facet-reset", text: "Retirer tous les filtres" });
  details.appendChild(el("div", { className: "facets" }, [familyFieldset, communeFieldset, verifiedFieldset, resetButton]));

  var emptyHelp = el("div", { className: "search-empty", hidden: true });
  var list = el("ol", { className: "cards results", id: "liste-resultats", "aria-labelledby": "resultats-titre" });
  var moreNote = el("span", { className: "muted", id: "resultats-affiches" });
  var moreButton = el("button", { type: "button", className: "button search-more", "aria-describedby": "resultats-affiches", text: "Voir plus" });
  var more = el("p", { className: "search-more-wrap", hidden: true }, [moreButton, " ", moreNote]);
  var layout = el("div", { className: "search-layout" }, [details, el("div", { className: "search-list" }, [emptyHelp, list, more])]);
  clear(box);
  box.appendChild(heading);
  box.appendChild(layout);

  /* ---- Families (fixed set, built when the manifest arrives) ---- */

  var familyItems = {};
  var familyLabels = {};

  function radio(name, value, label, id) {
    var inputEl = el("input", { type: "radio", name: name, value: value, id: id });
    var count = el("span", { className: "count" });
    var item = el("li", null, [el("label", { "for": id }, [inputEl, el("span", null, [label + " ", count])])]);
    return { item: item, input: inputEl, count: count };
  }

  function buildFamilies(manifest) {
    var all = radio("famille", "", "Toutes les compétences", "famille-toutes");
    familyItems[""] = all;
    familyList.appendChild(all.item);
    manifest.families.forEach(function (f, i) {
      familyLabels[f[0]] = f[1];
      var r = radio("famille", f[0], f[1], "famille-" + i);
      familyItems[f[0]] = r;
      familyList.appendChild(r.item);
    });
  }

  /* ---- Engine ---- */

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) { throw new Error(url + " : " + res.status); }
      return res.json();
    });
  }

  function loadEngine() {
    if (!enginePromise) {
      enginePromise = fetchJson(manifestUrl).then(function (manifest) {
        engine = new window.annuaireSearch.Engine(manifest, fetchJson, window.elasticlunr, window.annuairePipeline);
        buildFamilies(manifest);
        return engine;
      });
      enginePromise.catch(function () { enginePromise = null; });
    }
    return enginePromise;
  }

  /* ---- State and URL ---- */

  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    return {
      q: p.get("q") || "",
      famille: p.get("famille") || null,
      commune: p.get("commune") || null,
      verifie: p.get("verifie") === "1"
    };
  }

  function query() {
    var p = new URLSearchParams();
    if (state.q) { p.set("q", state.q); }
    if (state.famille) { p.set("famille", state.famille); }
    if (state.commune) { p.set("commune", state.commune); }
    if (state.verifie) { p.set("verifie", "1"); }
    var s = p.toString();
    return window.location.pathname + (s ? "?" + s : "");
  }

  function activeFilters() {
    return (state.famille ? 1 : 0) + (state.commune ? 1 : 0) + (state.verifie ? 1 : 0);
  }

  function sameState(a, b) {
    return a.q === b.q && a.famille === b.famille && a.commune === b.commune && a.verifie === b.verifie;
  }

  /* mode: "push" (a committed change), "replace" (typing), or "none" (back/forward, page load). */
  function writeHistory(mode, kind) {
    var q = state.q.trim();
    doc.title = q ? "« " + q + " » – " + baseTitle : baseTitle;
    if (mode === "none") { return; }
    var url = query();
    var now = Date.now();
    var here = window.location.pathname + window.location.search;
    // Arrowing through a radio group changes it at each key: one history entry, not ten.
    var coalesce = kind && lastCommit.kind === kind && now - lastCommit.at < 1000;
    if (mode === "push") { lastCommit = { kind: kind || "", at: now }; }
    if (mode === "push" && url !== here && !coalesce) {
      window.history.pushState({ annuaire: 1 }, "", url);
    } else if (url !== here || mode === "replace") {
      window.history.replaceState({ annuaire: 1 }, "", url);
    }
  }

  /* ---- Announcements ---- */

  function announce(text, delay) {
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () {
      // The same words again must still be spoken: vary them invisibly.
      status.textContent = status.textContent === text ? text + "\u00a0" : text;
    }, delay);
  }

  /* ---- Searching ---- */

  function filters() {
    return { famille: state.famille, commune: state.commune, verifie: state.verifie };
  }

  function hideResults() {
    seq += 1;
    result = null;
    box.hidden = true;
    box.removeAttribute("aria-busy");
    clearTimeout(busyTimer);
  }

  /* how: {history: "push"|"replace"|"none", kind, announce: ms} */
  function run(how) {
    writeHistory(how.history, how.kind);
    if (!state.q.trim() && !activeFilters()) {
      hideResults();
      if (how.announce !== undefined) { announce("Recherche effacée.", how.announce); }
      return Promise.resolve();
    }
    var my = ++seq;
    box.setAttribute("aria-busy", "true");
    clearTimeout(busyTimer);
    busyTimer = setTimeout(function () {
      if (my !== seq) { return; }
      if (box.hidden || !engine) {
        box.hidden = false;
        heading.textContent = engine ? "Recherche en cours…" : "Chargement de l'index de recherche…";
      }
    }, 400);
    return loadEngine()
      .then(function (e) { return e.search(state.q, filters()); })
      .then(function (r) {
        if (my !== seq) { return null; }
        if (r.empty) {
          // Only stop words so far ("de ", "l'"): nothing to show yet.
          hideResults();
          return null;
        }
        return engine.cards(r.ids.slice(0, PAGE)).then(function (cards) {
          if (my !== seq) { return; }
          render(r, cards, how);
        });
      })
      .catch(function (err) {
        if (my !== seq) { return; }
        if (window.console) { window.console.error(err); }
        showError(how);
      });
  }

  function showError(how) {
    clearTimeout(busyTimer);
    box.removeAttribute("aria-busy");
    box.hidden = false;
    details.hidden = true;
    clear(list);
    more.hidden = true;
    heading.textContent = "La recherche est indisponible pour le moment";
    clear(emptyHelp);
    emptyHelp.hidden = false;
    emptyHelp.appendChild(el("p", null, [
      "Vérifiez votre connexion puis réessayez, ou ",
      el("a", { href: "#parcourir", text: "parcourez l'annuaire" }),
      " par compétence ou par commune."
    ]));
    announce("La recherche est indisponible pour le moment.", how.announce === undefined ? 0 : how.announce);
  }

  function placePhrase(r) {
    var names = r.place || [];
    if (!names.length) { return ""; }
    var postcode = !state.commune && /(?:^|\D)(\d{5})(?!\d)/.exec(state.q);
    if (postcode && names.length > 1) { return " dans les communes du " + postcode[1] + " et alentour"; }
    if (names.length <= 3) { return " " + aPlace(joinFr(names)) + " et alentour"; }
    return " " + aPlace(names[0]) + ", " + names[1] + " et " + fmt(names.length - 2) + " autres communes, et alentour";
  }

  function summary(r) {
    if (r.total === 0) {
      var withFilters = activeFilters() ? " avec les filtres choisis" : "";
      if (!state.q.trim()) { return "Aucun prestataire ne correspond aux filtres choisis"; }
      return "Aucun prestataire ne correspond à « " + state.q.trim() + " »" + placePhrase(r) + withFilters;
    }
    return prestataires(r.total) + (r.total === 1 ? " trouvé" : " trouvés") + placePhrase(r);
  }

  function render(r, cards, how) {
    clearTimeout(busyTimer);
    result = r;
    var active = doc.activeElement;
    box.hidden = false;
    box.removeAttribute("aria-busy");
    heading.textContent = summary(r);
    renderFacets(r);
    clear(list);
    shown = 0;
    appendCards(cards);
    renderEmpty(r);
    updateMore();
    if (active && active !== doc.activeElement && doc.body.contains(active)) { active.focus(); }
    var text = heading.textContent + ".";
    if (how.announce !== undefined) { announce(text, how.announce); }
    box.dispatchEvent(new CustomEvent("annuaire:resultats", { bubbles: true, detail: { total: r.total } }));
  }

  function card(c) {
    var title = el("h3", null, [el("a", { href: c.u, text: c.n })]);
    if (c.v) { title.appendChild(doc.createTextNode(" ")); title.appendChild(el("span", { className: "badge badge-verified", text: "Vérifié" })); }
    var item = el("li", { className: "card" }, [title, el("p", { className: "card-place", text: c.c }), el("p", { text: c.r })]);
    if (c.s && c.s.length) {
      item.appendChild(el("p", { className: "card-skills" }, [el("span", { className: "visually-hidden", text: "Compétences : " }), c.s.join(" · ")]));
    }
    return item;
  }

  function appendCards(cards) {
    cards.forEach(function (c) { if (c) { list.appendChild(card(c)); } });
    shown += cards.length;
  }

  function updateMore() {
    var total = result ? result.total : 0;
    more.hidden = shown >= total;
    moreNote.textContent = "(" + fmt(shown) + " sur " + fmt(total) + " affichés)";
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll(".card h3 a"));
  }

  function showMore() {
    if (!result || !engine) { return; }
    var my = seq;
    var start = shown;
    moreButton.disabled = true;
    engine.cards(result.ids.slice(start, start + PAGE)).then(function (cards) {
      moreButton.disabled = false;
      if (my !== seq) { return; }
      appendCards(cards);
      updateMore();
      var l = links()[start];
      if (l) { l.focus(); }
    }, function () { moreButton.disabled = false; });
  }

  /* ---- Facets ---- */

  function setCount(span, n) {
    span.textContent = "(" + fmt(n) + ")";
  }

  function renderFacets(r) {
    var show = r.total > 0 || activeFilters() > 0;
    details.hidden = !show;
    var n = activeFilters();
    filtersCount.textContent = n ? " (" + (n === 1 ? "1 filtre actif" : n + " filtres actifs") + ")" : "";
    resetButton.hidden = n === 0;

    // Families: those with matches, and the one chosen.
    var allFamilies = 0;
    Object.keys(familyItems).forEach(function (id) {
      var it = familyItems[id];
      if (id === "") { return; }
      var c = r.counts.familles[id] || 0;
      allFamilies += c;
      setCount(it.count, c);
      it.item.hidden = c === 0 && state.famille !== id;
      it.input.checked = state.famille === id;
    });
    familyItems[""].input.checked = !state.famille || !(state.famille in familyItems);
    clear(familyItems[""].count);
    familyFieldset.hidden = allFamilies === 0 && !state.famille;

    // Communes: hidden when the query itself names the place.
    var fromQuery = r.place && r.place.length > 0 && !state.commune;
    renderCommunes(r);
    communeFieldset.hidden = fromQuery || (Object.keys(r.counts.communes).length === 0 && !state.commune);

    verifiedInput.checked = state.verifie;
    setCount(verifiedCount, r.counts.verifies);
  }

  function renderCommunes(r) {
    var names = {};
    engine.m.communes.forEach(function (c) { names[c[0]] = c[1]; });
    var codes = Object.keys(r.counts.communes).filter(function (code) { return code in names; });
    codes.sort(function (a, b) {
      return (r.counts.communes[b] - r.counts.communes[a]) || names[a].localeCompare(names[b], "fr");
    });
    var extra = codes.length > FEW_COMMUNES + 2;
    var visible = extra && !communesExpanded ? codes.slice(0, FEW_COMMUNES) : codes;
    if (state.commune && visible.indexOf(state.commune) < 0 && state.commune in names) { visible = visible.concat([state.commune]); }
    var focused = doc.activeElement;
    var focusValue = focused && focused.name === "commune" ? focused.value : null;
    clear(communeList);
    var all = radio("commune", "", "Toutes les communes", "commune-toutes");
    all.input.checked = !state.commune;
    communeList.appendChild(all.item);
    visible.forEach(function (code) {
      var it = radio("commune", code, names[code], "commune-" + code);
      setCount(it.count, r.counts.communes[code] || 0);
      it.input.checked = state.commune === code;
      communeList.appendChild(it.item);
    });
    if (focusValue !== null) {
      var again = communeList.querySelector("input[value=\"" + focusValue.replace(/[^0-9A-Za-z-]/g, "") + "\"]");
      if (again) { again.focus(); }
    }
    communeToggle.hidden = !extra;
    communeToggle.setAttribute("aria-expanded", communesExpanded ? "true" : "false");
    communeToggle.textContent = communesExpanded ? "Afficher moins de communes" : "Afficher les " + fmt(codes.length) + " communes";
  }

  /* ---- Zero results ---- */

  function renderEmpty(r) {
    clear(emptyHelp);
    emptyHelp.hidden = r.total > 0;
    if (r.total > 0) { return; }
    var tips = el("ul");
    if (state.q.trim()) {
      tips.appendChild(el("li", { text: "Vérifiez l'orthographe, ou essayez un mot plus court ou plus courant (par exemple « site », « formation » ou « photo »)." }));
    }
    if (state.famille) {
      tips.appendChild(el("li", null, [removeButton("Retirer le filtre « " + (familyLabels[state.famille] || state.famille) + " »", "famille")]));
    }
    if (state.commune) {
      var name = state.commune;
      engine.m.communes.forEach(function (c) { if (c[0] === state.commune) { name = c[1]; } });
      tips.appendChild(el("li", null, [removeButton("Retirer le filtre « " + name + " »", "commune")]));
    }
    if (state.verifie) {
      tips.appendChild(el("li", null, [removeButton("Afficher aussi les prestataires non vérifiés", "verifie")]));
    }
    var words = (r.terms || []).map(function (t) { return t.word; }).join(" ");
    if (r.place && r.place.length && !state.commune && words) {
      tips.appendChild(el("li", null, ["Cherchez sans le lieu : ", el("a", { href: "?q=" + encodeURIComponent(words), className: "search-without-place", text: "« " + words + " » partout" }), "."]));
    }
    var all = doc.getElementById("tous-les-prestataires");
    tips.appendChild(el("li", null, [
      "Parcourez l'annuaire ",
      el("a", { href: "#par-competence", text: "par compétence" }),
      ", ",
      el("a", { href: "#par-commune", text: "par commune" }),
      all ? " ou " : "",
      all ? el("a", { href: all.getAttribute("href"), text: "de A à Z" }) : null,
      "."
    ]));
    emptyHelp.appendChild(el("p", { text: "Quelques pistes :" }));
    emptyHelp.appendChild(tips);
  }

  function removeButton(label, which) {
    var b = el("button", { type: "button", className: "link-button", text: label });
    b.addEventListener("click", function () {
      if (which === "verifie") { state.verifie = false; } else { state[which] = null; }
      run({ history: "push", announce: 50 });
      input.focus();
    });
    return b;
  }

  /* ---- Events ---- */

  input.addEventListener("focus", function () { loadEngine().catch(function () {}); });

  input.addEventListener("input", function (e) {
    if (e.isComposing) { return; }
    loadEngine().catch(function () {});
    state.q = input.value;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { run({ history: "replace", announce: ANNOUNCE_TYPING_MS }); }, DEBOUNCE_MS);
  });
  input.addEventListener("compositionend", function () {
    state.q = input.value;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { run({ history: "replace", announce: ANNOUNCE_TYPING_MS }); }, DEBOUNCE_MS);
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(typingTimer);
    state.q = input.value;
    run({ history: "push", announce: 50 });
  });

  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "Down") {
      var l = links();
      if (l.length && !box.hidden) { e.preventDefault(); l[0].focus(); }
    } else if (e.key === "Escape" || e.key === "Esc") {
      if (input.value) {
        e.preventDefault();
        clearTimeout(typingTimer);
        input.value = "";
        state.q = "";
        run({ history: "replace", announce: 50 });
      }
    }
  });

  list.addEventListener("keydown", function (e) {
    var l = links();
    var i = l.indexOf(e.target);
    if (i < 0) { return; }
    if (e.key === "ArrowDown" || e.key === "Down") {
      e.preventDefault();
      if (i + 1 < l.length) { l[i + 1].focus(); } else if (!more.hidden) { moreButton.focus(); }
    } else if (e.key === "ArrowUp" || e.key === "Up") {
      e.preventDefault();
      if (i > 0) { l[i - 1].focus(); } else { input.focus(); }
    } else if (e.key === "Escape" || e.key === "Esc") {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });

  moreButton.addEventListener("keydown", function (e) {
    if (e.key === "ArrowUp" || e.key === "Up") {
      var l = links();
      if (l.length) { e.preventDefault(); l[l.length - 1].focus(); }
    } else if (e.key === "Escape" || e.key === "Esc") {
      e.preventDefault();
      input.focus();
    }
  });
  moreButton.addEventListener("click", showMore);

  details.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name === "famille") { state.famille = t.value || null; }
    else if (t.name === "commune") { state.commune = t.value || null; }
    else if (t.name === "verifie") { state.verifie = t.checked; }
    else { return; }
    clearTimeout(typingTimer);
    state.q = input.value;
    run({ history: "push", kind: t.name, announce: 50 });
  });

  communeToggle.addEventListener("click", function () {
    communesExpanded = !communesExpanded;
    if (result) { renderCommunes(result); }
    communeToggle.focus();
  });

  resetButton.addEventListener("click", function () {
    state.famille = null;
    state.commune = null;
    state.verifie = false;
    run({ history: "push", announce: 50 });
    input.focus();
  });

  window.addEventListener("popstate", function () {
    var next = readUrl();
    if (sameState(next, state)) { return; }
    state = next;
    clearTimeout(typingTimer);
    input.value = state.q;
    run({ history: "none", announce: 50 });
  });

  /* ---- Start ---- */

  input.value = state.q;
  if (state.q.trim() || activeFilters()) {
    run({ history: "none", announce: 50 });
  } else {
    box.hidden = true;
  }
}());
