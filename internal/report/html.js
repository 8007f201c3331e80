// The interaction of the HTML report: drill-down and filters over the
// findings embedded as JSON (see htmlData in html.go). The page is
// complete without it; nothing here fetches anything.
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.className += " j";
  var D = JSON.parse(doc.getElementById("data").textContent);
  var S = D.s, L = D.l, C = D.c, F = D.f;
  // A finding is [account, column, status, severity, region, resource,
  // message, title, remediation, compliance].
  var SEV = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
  // The ranks of htmlStatusRank in html.go: a cell shows its worst finding.
  var RANK = { FAIL: 3, ERROR: 2, PASS: 1, SKIP: 0 };

  function rank(table, key) {
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : -1;
  }
  function status(i) { return S[F[i][2]]; }
  function failing(i) { var s = status(i); return s === "FAIL" || s === "ERROR"; }
  function frameworkOf(ref) { var i = ref.indexOf(":"); return i < 0 ? ref : ref.slice(0, i); }
  function push(m, k, v) { var a = m.get(k); if (!a) { a = []; m.set(k, a); } a.push(v); }

  // The findings of each cell, keyed by account (its string's index) and
  // column, and of each account.
  var NC = C.length, byCell = new Map(), byAccount = new Map(), accounts = new Map();
  F.forEach(function (f, i) {
    push(byCell, f[0] * NC + f[1], i);
    push(byAccount, f[0], i);
  });
  var accountIndex = new Map();
  byAccount.forEach(function (_, a) { accountIndex.set(S[a], a); });
  function cellFindings(account, col) {
    var a = accountIndex.get(account);
    return (a === undefined ? null : byCell.get(a * NC + col)) || [];
  }
  function accountFindings(account) {
    var a = accountIndex.get(account);
    return (a === undefined ? null : byAccount.get(a)) || [];
  }
  D.a.forEach(function (a) { if (!accounts.has(a.id)) accounts.set(a.id, a); });

  // The filters: a finding matches when its severity is at least minSev
  // and, with a framework chosen, it cites that framework.
  var minSev = -1, framework = "", onlyFailing = false;
  function filtering() { return minSev >= 0 || framework !== ""; }
  function matches(i) {
    var f = F[i];
    if (rank(SEV, S[f[3]]) < minSev) return false;
    if (framework === "") return true;
    var refs = L[f[9]];
    for (var j = 0; j < refs.length; j++) {
      if (frameworkOf(refs[j]).toLowerCase() === framework) return true;
    }
    return false;
  }

  // cellClass is htmlWorst in html.go: the class of a cell with findings list.
  function cellClass(list) {
    var st = status(list[0]), best = rank(RANK, st), sev = -1, i;
    for (i = 1; i < list.length; i++) {
      var r = rank(RANK, status(list[i]));
      if (r > best) { best = r; st = status(list[i]); }
    }
    switch (st) {
      case "FAIL":
        for (i = 0; i < list.length; i++) {
          if (status(list[i]) === "FAIL") sev = Math.max(sev, rank(SEV, S[F[list[i]][3]]));
        }
        return "f" + Math.max(sev, 0);
      case "ERROR": return "e";
      case "PASS": return "p";
      case "SKIP": return "s";
    }
    return "u";
  }

  var heat = doc.getElementById("heat");
  var rows = [], rowIndex = new Map(), cells = [];
  Array.prototype.forEach.call(heat.tBodies, function (tb) {
    Array.prototype.forEach.call(tb.rows, function (tr) {
      if (tr.className === "ou") return;
      rowIndex.set(tr, rows.length);
      rows.push(tr);
    });
  });
  rows.forEach(function (tr) {
    var tds = tr.cells, account = accountOf(tr);
    for (var i = 1; i < tds.length; i++) {
      var td = tds[i], k = td.className;
      if (k && k !== "nt") cells.push({ el: td, list: cellFindings(account, i - 1), cls: k, text: td.textContent });
    }
  });
  // The letter of a cell's class (as in html.go: none for a pass).
  function letter(k) {
    switch (k.charAt(0)) {
      case "f": return "F";
      case "e": return "E";
      case "s": return "S";
      case "p": return "";
    }
    return "?";
  }
  function accountOf(tr) { return tr.cells[0].getAttribute("data-account"); }

  // apply shows the filters' effect: cells are recoloured by their
  // matching findings, or dimmed when none matches.
  var statusLine = doc.getElementById("f-status");
  function apply() {
    var on = filtering();
    cells.forEach(function (c) {
      var k = c.cls, text = c.text;
      if (on) {
        var m = c.list.filter(matches);
        if (m.length) {
          k = cellClass(m);
          text = letter(k);
        } else {
          k = c.cls + " x";
        }
      }
      if (c.el.className !== k) c.el.className = k;
      if (c.el.textContent !== text) c.el.textContent = text;
    });
    var n = 0, bad = new Set();
    for (var i = 0; i < F.length; i++) {
      if (failing(i) && matches(i)) { n++; bad.add(S[F[i][0]]); }
    }
    statusLine.textContent = (on ? "Matching the filters: " : "") +
      n + (n === 1 ? " failing finding" : " failing findings") +
      " (FAIL or ERROR) in " + bad.size + (bad.size === 1 ? " account." : " accounts.");
    var shown = new Set();
    rows.forEach(function (tr) {
      var a = accountOf(tr), acc = accounts.get(a);
      tr.hidden = onlyFailing && !bad.has(a) && !(acc && acc.err);
      if (!tr.hidden) shown.add(tr.parentElement);
    });
    Array.prototype.forEach.call(heat.tBodies, function (tb) { tb.hidden = onlyFailing && !shown.has(tb); });
    if (focused && focused.parentElement.hidden) {
      var first = step(-1, 1, 0); // the grid's tab stop moves to a row still shown
      if (first) focus(first, false);
    }
    Array.prototype.forEach.call(doc.querySelectorAll("#compliance li[data-framework]"), function (li) {
      li.classList.toggle("x", framework !== "" && li.getAttribute("data-framework").toLowerCase() !== framework);
    });
    if (current) current();
  }

  var sevSel = doc.getElementById("f-sev"), fwSel = doc.getElementById("f-fw"), badBox = doc.getElementById("f-bad");
  function readFilters() {
    minSev = sevSel.value === "" ? -1 : rank(SEV, sevSel.value);
    framework = fwSel.value.toLowerCase();
    onlyFailing = badBox.checked;
  }
  [sevSel, fwSel, badBox].forEach(function (e) {
    e.addEventListener("change", function () { readFilters(); apply(); });
  });
  doc.getElementById("filters").hidden = false;

  // The details panel.
  var details = doc.getElementById("details"), body = doc.getElementById("details-body"),
    heading = doc.getElementById("details-h"), current = null, marked = null, opener = null;
  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function accountLabel(id) {
    var a = accounts.get(id);
    return a && a.n ? a.n + " (" + id + ")" : id;
  }
  function badge(i) {
    var st = status(i), k = cellClass([i]);
    return el("span", "b " + k, st || "?");
  }
  function field(dl, name, value) {
    if (!value) return;
    dl.appendChild(el("dt", "", name));
    var dd = el("dd");
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    dl.appendChild(dd);
  }
  function refsOf(refs) {
    if (!refs.length) return null;
    var span = el("span");
    refs.forEach(function (ref, j) {
      if (j) span.appendChild(doc.createTextNode(", "));
      span.appendChild(el("span", framework !== "" && frameworkOf(ref).toLowerCase() === framework ? "hit" : "", ref));
    });
    return span;
  }
  function finding(i, withCheck, withAccount) {
    var f = F[i], a = el("article", "fd " + S[f[2]]), h = el("h3");
    h.appendChild(badge(i));
    h.appendChild(doc.createTextNode(" " + (S[f[3]] || "no severity") + " · " + (S[f[4]] || "global")));
    if (withAccount) h.appendChild(doc.createTextNode(" · " + accountLabel(S[f[0]])));
    if (withCheck) h.appendChild(doc.createTextNode(" · " + C[f[1]].id));
    a.appendChild(h);
    var dl = el("dl");
    if (withCheck) field(dl, "Check", S[f[7]] || C[f[1]].t);
    field(dl, "Resource", S[f[5]]);
    field(dl, "Message", S[f[6]]);
    field(dl, "Remediation", S[f[8]]);
    field(dl, "Compliance", refsOf(L[f[9]]));
    a.appendChild(dl);
    return a;
  }
  // list renders findings, those the filters hide counted, at most limit.
  function list(items, withCheck, withAccount, none, limit) {
    var shown = items.filter(matches), hidden = items.length - shown.length;
    if (!shown.length) body.appendChild(el("p", "", none));
    shown.slice(0, limit || shown.length).forEach(function (i) {
      body.appendChild(finding(i, withCheck, withAccount));
    });
    if (limit && shown.length > limit) body.appendChild(el("p", "sub", "… and " + (shown.length - limit) + " more."));
    if (hidden) body.appendChild(el("p", "sub", hidden + (hidden === 1 ? " finding is" : " findings are") + " hidden by the filters."));
  }
  function start(title, sub) {
    heading.textContent = title;
    body.textContent = "";
    if (sub) body.appendChild(el("p", "sub", sub));
  }
  function showCell(account, col) {
    var c = C[col] || { id: "?" };
    start(accountLabel(account) + " · " + c.id, c.t);
    list(cellFindings(account, col), false, false, "No findings.");
  }
  function showAccount(account) {
    var a = accounts.get(account) || {};
    start(accountLabel(account), a.ou ? "OU " + a.ou : "");
    (a.err || []).forEach(function (e) {
      var p = el("p");
      p.appendChild(el("span", "tag te", "error"));
      p.appendChild(doc.createTextNode(" " + e));
      body.appendChild(p);
    });
    if (a.skip) {
      var p = el("p");
      p.appendChild(el("span", "tag ts", "skipped"));
      p.appendChild(doc.createTextNode(" " + a.skip));
      body.appendChild(p);
    }
    list(accountFindings(account).filter(failing), true, false, "No failing findings.");
  }
  function showReference(ref) {
    start(ref, "Failing findings citing " + ref);
    var items = [];
    for (var i = 0; i < F.length; i++) {
      if (failing(i) && L[F[i][9]].indexOf(ref) >= 0) items.push(i);
    }
    list(items, true, true, "No failing findings.", 500);
  }
  // open shows the details that render writes; closing them returns the
  // focus to from.
  function open(render, from) {
    current = render;
    opener = from;
    render();
    details.hidden = false;
    details.scrollTop = 0;
    doc.body.classList.add("dp");
  }
  function close() {
    details.hidden = true;
    doc.body.classList.remove("dp");
    current = null;
    if (marked) { marked.removeAttribute("aria-current"); marked = null; }
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  }
  doc.getElementById("details-close").addEventListener("click", close);
  doc.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !details.hidden) close();
  });
  doc.getElementById("compliance").addEventListener("click", function (e) {
    var b = e.target.closest("button.ref");
    if (b) open(function () { showReference(b.getAttribute("data-ref")); }, b);
  });

  // The heat map is a grid: one tab stop, arrow keys move, Enter or
  // Space opens the details of the cell or account.
  heat.setAttribute("role", "grid");
  var focused = null;
  function gridCell(t) {
    var c = t && t.closest ? t.closest("td, th[scope=row]") : null;
    return c && rowIndex.has(c.parentElement) ? c : null;
  }
  // describe is the accessible name of a cell, given when it gets the
  // focus: its status (which a passing cell shows by colour only).
  var WORDS = { f: "fail", e: "error", p: "pass", s: "skipped", u: "unknown status" };
  var SEVERITIES = ["info", "low", "medium", "high", "critical"];
  function describe(c) {
    if (c.tagName !== "TD" || c.className === "nt") return;
    var k = c.className, d = "no finding";
    if (k) {
      d = WORDS[k.charAt(0)] || k;
      if (k.charAt(0) === "f") d += ", " + SEVERITIES[+k.charAt(1)];
      if (/ x$/.test(k)) d += ", hidden by the filters";
    }
    c.setAttribute("aria-label", d);
  }
  function focus(c, move) {
    if (focused && focused !== c) {
      focused.removeAttribute("tabindex");
      focused.removeAttribute("aria-label");
    }
    focused = c;
    c.tabIndex = 0;
    describe(c);
    if (move) c.focus();
  }
  if (rows.length) focus(rows[0].cells[0], false);
  function activate(c) {
    var tr = c.parentElement, account = accountOf(tr);
    if (marked) marked.removeAttribute("aria-current");
    marked = c;
    c.setAttribute("aria-current", "true");
    if (c.tagName === "TH" || c.className === "nt") {
      open(function () { showAccount(account); }, c);
    } else {
      var col = c.cellIndex - 1;
      open(function () { showCell(account, col); }, c);
    }
  }
  function step(r, n, i) {
    var dir = n > 0 ? 1 : -1, left = Math.abs(n), to = null;
    for (var k = r + dir; k >= 0 && k < rows.length && left > 0; k += dir) {
      if (!rows[k].hidden && !rows[k].parentElement.hidden) { to = rows[k]; left--; }
    }
    return to ? to.cells[Math.min(i, to.cells.length - 1)] : null;
  }
  heat.addEventListener("click", function (e) {
    var c = gridCell(e.target);
    if (!c) return;
    goal = -1;
    focus(c, true);
    activate(c);
  });
  // goal is the column that up and down keep to, through the shorter rows
  // of a skipped account.
  var goal = -1;
  heat.addEventListener("keydown", function (e) {
    var c = gridCell(e.target);
    if (!c) return;
    var tr = c.parentElement, r = rowIndex.get(tr), i = goal >= 0 ? goal : c.cellIndex, to = null, vertical = true;
    switch (e.key) {
      case "ArrowDown": to = step(r, 1, i); break;
      case "ArrowUp": to = step(r, -1, i); break;
      case "PageDown": to = step(r, 20, i); break;
      case "PageUp": to = step(r, -20, i); break;
      default:
        vertical = false;
        switch (e.key) {
          case "ArrowRight": to = c.nextElementSibling; break;
          case "ArrowLeft": to = c.previousElementSibling; break;
          case "Home": to = e.ctrlKey ? step(-1, 1, 0) : tr.cells[0]; break;
          case "End": to = e.ctrlKey ? step(rows.length, -1, c.cellIndex) : tr.cells[tr.cells.length - 1]; break;
          case "Enter": case " ": activate(c); break;
          default: return;
        }
    }
    e.preventDefault();
    if (to) {
      goal = vertical ? i : -1;
      focus(to, true);
    }
  });

  readFilters();
  apply();
}());
