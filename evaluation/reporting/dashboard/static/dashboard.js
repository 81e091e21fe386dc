/* Dashboard of the contact points (evaluation.reporting.dashboard). Hand-written, no library,
   no network: it reads the published cells embedded in the page and draws inline SVG.
   A cell is [number or null, Czech text, English text]; a hidden cell has no number and its
   text is the symbol the reports print ("<5", "x"). Nothing here computes a figure the
   published tables hide: sums are made only where every part is published. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("dashboard-data").textContent);
  var UI = JSON.parse(document.getElementById("dashboard-ui").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f5f8b", "#d9822b", "#3a8d5c", "#b23a48", "#7a5c99", "#5b6770", "#c6a700", "#2a9d8f"];
  var MANY = 8;
  /* The address keeps the choice (#lang=en&region=...&place=...), so a link opens the same view;
     a bare #en or #cs chooses only the language. */
  var asked = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var kv = part.split("=");
    if (kv.length === 1 && (kv[0] === "en" || kv[0] === "cs")) asked.lang = kv[0];
    else if (kv.length === 2) asked[kv[0]] = decodeURIComponent(kv[1]);
  });
  var state = {
    lang: asked.lang === "en" || asked.lang === "cs" ? asked.lang : D.lang,
    scope: D.scopes.some(function (s) { return s.id === asked.scope; }) ? asked.scope : (D.scopes.length ? D.scopes[0].id : ""),
    region: D.regions.indexOf(asked.region) >= 0 ? asked.region : "",
    place: D.places.some(function (p) { return p.id === asked.place; }) ? asked.place : ""
  };
  function remember() {
    var parts = ["lang=" + state.lang];
    if (state.scope !== (D.scopes.length ? D.scopes[0].id : "")) parts.push("scope=" + encodeURIComponent(state.scope));
    if (state.region) parts.push("region=" + encodeURIComponent(state.region));
    if (state.place) parts.push("place=" + encodeURIComponent(state.place));
    try { history.replaceState(null, "", "#" + parts.join("&")); } catch (e) { /* a browser that refuses it keeps the view */ }
  }

  function t(key) { return UI[state.lang][key] || key; }
  function pick(pair) { return pair[state.lang === "en" ? 1 : 0]; }
  function cellText(cell) { return cell[state.lang === "en" ? 2 : 1]; }
  function fmt(n) { return new Intl.NumberFormat(state.lang === "en" ? "en-GB" : "cs-CZ").format(n); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    set(node, attrs);
    append(node, children);
    return node;
  }
  function sv(tag, attrs, children) {
    var node = document.createElementNS(SVGNS, tag);
    set(node, attrs);
    append(node, children);
    return node;
  }
  function set(node, attrs) {
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    });
  }
  function append(node, children) {
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
  }
  function tip(text) { return sv("title", {}, [text]); }

  /* ---------------------------------------------------------------- selection */
  function scope() {
    for (var i = 0; i < D.scopes.length; i++) if (D.scopes[i].id === state.scope) return D.scopes[i];
    return D.scopes[0];
  }
  function chosenPlaces() {
    return D.places.filter(function (p) {
      return (!state.region || p.region === state.region) && (!state.place || p.id === state.place);
    });
  }
  function everything() { return !state.region && !state.place; }
  function placeOf(key) {
    for (var i = 0; i < D.places.length; i++) if (D.places[i].keys.indexOf(key) >= 0) return D.places[i];
    return null;
  }
  function column(table, id) {
    for (var i = 0; i < table.columns.length; i++) if (table.columns[i].id === id) return i;
    return -1;
  }
  function placeRows(table) {
    var keys = {};
    chosenPlaces().forEach(function (p) { p.keys.forEach(function (k) { keys[k] = true; }); });
    return table.rows.filter(function (r) { return !r.total && keys[r.k]; });
  }
  function totalRow(table) {
    for (var i = 0; i < table.rows.length; i++) if (table.rows[i].total) return table.rows[i];
    return null;
  }
  function placeName(row) { var p = placeOf(row.k); return p ? p.name : row.k; }

  /* A figure for the selection: the published total row when everything is chosen, the one
     row of a single place, else a sum of published counts (only when no part is hidden). */
  function figure(table, id) {
    var i = column(table, id);
    if (!table || i < 0) return null;
    var total = totalRow(table);
    if (everything() && total) return { text: cellText(total.c[i]), note: "" };
    var rows = table.key === "contact_point" || table.key === "district" ? placeRows(table) : [];
    if (rows.length === 1) return { text: cellText(rows[0].c[i]), note: "" };
    if (!rows.length) return { text: "–", note: t("no_rows") };
    if (!table.columns[i].count) return { text: "–", note: t("choose_one") };
    var sum = 0, hidden = false;
    rows.forEach(function (r) { if (r.c[i][0] === null) hidden = true; else sum += r.c[i][0]; });
    if (hidden) return { text: "x", note: t("sum_hidden") };
    return { text: fmt(sum), note: t("sum_of").replace("{n}", rows.length), sum: true };
  }

  /* ---------------------------------------------------------------- pieces of a panel */
  function panel(id, title, children) {
    return el("section", { "class": "panel", id: "panel-" + id, "data-panel": id },
              [el("h2", {}, [title])].concat(children));
  }
  function missing(id, title) {
    return panel(id, title, [el("p", { "class": "muted" }, [t("not_published")])]);
  }
  function tableView(table, rows, open) {
    var head = el("tr", {}, table.columns.map(function (c) {
      return el("th", { "class": c.num ? "num" : "" }, [pick(c.label)]);
    }));
    var body = rows.map(function (r) {
      return el("tr", { "class": r.total ? "total" : "" }, r.c.map(function (cell, i) {
        var hidden = cell[0] === null && /^(<\d+|x)$/.test(cellText(cell));
        return el("td", { "class": (table.columns[i].num ? "num" : "") + (hidden ? " hidden" : ""),
                          title: hidden ? t("hidden_" + (cellText(cell) === "x" ? "x" : "small")) : null },
                  [cellText(cell)]);
      }));
    });
    var notes = (table.notes[state.lang] || []).map(function (n) { return el("li", {}, [n]); });
    var details = el("details", open ? { open: "" } : {}, [
      el("summary", {}, [t("table") + ": " + pick(table.title)]),
      el("div", { "class": "scroll" }, [el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)])]),
      notes.length ? el("ul", { "class": "notes" }, notes) : null
    ]);
    return details;
  }
  function rowsShown(table) {
    if (table.key !== "contact_point" && table.key !== "district") return table.rows;
    var rows = placeRows(table);
    var total = totalRow(table);
    return everything() && total ? rows.concat([total]) : rows;
  }
  function axisScale(max) {
    if (!(max > 0)) return 1;
    var step = Math.pow(10, Math.floor(Math.log10(max)));
    var top = Math.ceil(max / step) * step;
    return top;
  }

  /* Horizontal bars, one per row: bars = [{label, parts: [{value, color, text}], whisker, mark}] */
  function hbars(rows, opts) {
    var longest = Math.max.apply(null, rows.map(function (r) { return r.label.length; }).concat([4]));
    var width = 640, left = Math.min(300, Math.max(90, longest * 6.4 + 10)), right = 70, bar = 18, gap = 8;
    var height = rows.length * (bar + gap) + 30;
    var max = opts.max || axisScale(Math.max.apply(null, rows.map(function (r) {
      return Math.max(r.total || 0, r.whisker ? r.whisker[1] : 0, r.mark || 0);
    }).concat([0])));
    var scale = function (v) { return left + (width - left - right) * v / max; };
    var nodes = [];
    rows.forEach(function (r, i) {
      var y = 10 + i * (bar + gap);
      var room = Math.floor((left - 10) / 6.4), short = r.label.length > room ? r.label.slice(0, room - 1) + "…" : r.label;
      nodes.push(sv("text", { x: left - 6, y: y + bar * 0.72, "text-anchor": "end", "class": "label" },
                    [short, short !== r.label ? tip(r.label) : null]));
      var x = left;
      (r.parts || []).forEach(function (p) {
        if (!(p.value > 0)) return;
        var w = scale(p.value) - left;
        nodes.push(sv("rect", { x: x, y: y, width: Math.max(w, 0.5), height: bar, fill: p.color,
                                "class": p.hidden ? "hatched" : "" }, [tip(p.tip)]));
        x += w;
      });
      if (r.box) nodes.push(sv("rect", { x: scale(r.box[0]), y: y + 3, width: Math.max(scale(r.box[1]) - scale(r.box[0]), 1),
                                        height: bar - 6, fill: "#c9d9e6" }, [tip(r.boxTip)]));
      if (r.whisker) {
        nodes.push(sv("line", { x1: scale(r.whisker[0]), x2: scale(r.whisker[1]), y1: y + bar / 2, y2: y + bar / 2,
                                stroke: "#222", "stroke-width": 1.5 }, [tip(r.whiskerTip)]));
        [0, 1].forEach(function (j) {
          nodes.push(sv("line", { x1: scale(r.whisker[j]), x2: scale(r.whisker[j]), y1: y + 4, y2: y + bar - 4,
                                  stroke: "#222", "stroke-width": 1.5 }));
        });
      }
      if (r.mark !== undefined && r.mark !== null) {
        nodes.push(sv("circle", { cx: scale(r.mark), cy: y + bar / 2, r: 5, fill: PALETTE[0] }, [tip(r.text)]));
      }
      var end = Math.max(x, r.whisker ? scale(r.whisker[1]) : 0, r.mark !== undefined && r.mark !== null ? scale(r.mark) + 6 : 0);
      nodes.push(sv("text", { x: end + 6, y: y + bar * 0.72, "class": "value" }, [r.text]));
    });
    nodes.push(sv("line", { x1: left, x2: left, y1: 4, y2: height - 22, stroke: "#888" }));
    nodes.push(sv("text", { x: left, y: height - 6, "class": "axis" }, ["0"]));
    nodes.push(sv("text", { x: width - right, y: height - 6, "class": "axis", "text-anchor": "end" },
                  [opts.maxText ? fmt(max) + " " + opts.unit : ""]));
    var chart = sv("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
                            "aria-label": opts.label }, nodes);
    return rows.length > 16 ? el("div", { "class": "chart-scroll" }, [chart]) : chart;
  }

  function legend(items) {
    return el("div", { "class": "legend" }, items.map(function (it) {
      return el("span", {}, [el("i", { style: "background:" + it.color, "class": it.hidden ? "hatched-key" : "" }), it.label]);
    }));
  }

  /* ---------------------------------------------------------------- panels */
  function tiles(tables) {
    var spec = [
      ["applications_received", "total", "tile_applications"],
      ["processing_time", "decided", "tile_decided"],
      ["processing_time", "undecided", "tile_undecided"],
      ["lost_applications", "lost", "tile_lost"],
      ["lost_applications", "share_lost", "tile_share_lost"],
      ["processing_time", "median_days", "tile_median"]
    ];
    var out = spec.map(function (s) {
      var table = tables[s[0]];
      var f = table ? figure(table, s[1]) : null;
      if (!f) return null;
      return el("div", { "class": "tile", "data-tile": s[0] + "." + s[1] }, [
        el("div", { "class": "tile-value" }, [f.text]),
        el("div", { "class": "tile-label" }, [t(s[2])]),
        f.note ? el("div", { "class": "tile-note" }, [f.note]) : null
      ]);
    });
    return el("div", { "class": "tiles" }, out);
  }

  function applicationsPanel(tables) {
    var quarterly = tables.applications_quarterly, yearly = tables.applications_received;
    var title = t("panel_applications");
    if (!quarterly && !yearly) return missing("applications", title);
    var children = [];
    if (quarterly) {
      var ip = column(quarterly, "period"), ia = column(quarterly, "applications");
      var rows = placeRows(quarterly);
      var periods = [], labels = {};
      quarterly.rows.forEach(function (r) {
        var p = r.c[ip][1];
        if (periods.indexOf(p) < 0) { periods.push(p); labels[p] = cellText(r.c[ip]); }
      });
      var byPlace = {};
      rows.forEach(function (r) {
        var name = placeName(r);
        (byPlace[name] = byPlace[name] || {})[r.c[ip][1]] = r.c[ia];
      });
      var names = Object.keys(byPlace).sort();
      var size = function (n) {
        return periods.reduce(function (sum, p) { var c = byPlace[n][p]; return sum + (c && c[0] !== null ? c[0] : 0); }, 0);
      };
      // many places: the lines of the busiest ones (a sum over places would break at every hidden count)
      var shown = names.length > MANY ? names.slice().sort(function (a, b) { return size(b) - size(a); }).slice(0, MANY).sort() : names;
      var series = shown.map(function (n) {
        return { name: n, points: periods.map(function (p) { var c = byPlace[n][p]; return c ? c[0] : null; }) };
      });
      children.push(lineChart(periods.map(function (p) { return labels[p]; }), series, title));
      children.push(legend(series.map(function (s, i) { return { label: s.name, color: PALETTE[i % PALETTE.length] }; })));
      if (shown.length < names.length) {
        children.push(el("p", { "class": "muted" }, [t("busiest").replace("{n}", shown.length).replace("{of}", names.length)]));
      }
      children.push(el("p", { "class": "muted" }, [t("gaps")]));
    }
    if (yearly) children.push(tableView(yearly, rowsShown(yearly), !quarterly));
    if (quarterly) children.push(tableView(quarterly, rowsShown(quarterly), false));
    return panel("applications", title, children);
  }

  function lineChart(xLabels, series, label) {
    var width = 640, height = 240, left = 48, right = 12, top = 10, bottom = 34;
    var max = axisScale(Math.max.apply(null, [0].concat.apply([0], series.map(function (s) {
      return s.points.filter(function (v) { return v !== null; });
    }))));
    var x = function (i) { return left + (width - left - right) * (xLabels.length > 1 ? i / (xLabels.length - 1) : 0.5); };
    var y = function (v) { return top + (height - top - bottom) * (1 - v / max); };
    var nodes = [
      sv("line", { x1: left, x2: width - right, y1: y(0), y2: y(0), stroke: "#888" }),
      sv("line", { x1: left, x2: left, y1: top, y2: y(0), stroke: "#888" }),
      sv("text", { x: left - 6, y: y(0) + 4, "text-anchor": "end", "class": "axis" }, ["0"]),
      sv("text", { x: left - 6, y: y(max) + 4, "text-anchor": "end", "class": "axis" }, [fmt(max)])
    ];
    var every = Math.max(1, Math.ceil(xLabels.length / 8));
    xLabels.forEach(function (l, i) {
      if (i % every === 0) nodes.push(sv("text", { x: x(i), y: height - 12, "text-anchor": "middle", "class": "axis" }, [l]));
    });
    series.forEach(function (s, k) {
      var color = PALETTE[k % PALETTE.length], path = "", open = false;
      s.points.forEach(function (v, i) {
        if (v === null) { open = false; return; }
        path += (open ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1);
        open = true;
      });
      nodes.push(sv("path", { d: path, fill: "none", stroke: color, "stroke-width": 2, "class": "series" }));
      s.points.forEach(function (v, i) {
        if (v === null) {
          nodes.push(sv("circle", { cx: x(i), cy: y(0), r: 3, fill: "#fff", stroke: color, "class": "gap" },
                        [tip(s.name + ", " + xLabels[i] + ": " + t("hidden_point"))]));
        } else {
          nodes.push(sv("circle", { cx: x(i), cy: y(v), r: 2.5, fill: color }, [tip(s.name + ", " + xLabels[i] + ": " + fmt(v))]));
        }
      });
    });
    return sv("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "aria-label": label }, nodes);
  }

  function decisionsPanel(tables) {
    var table = tables.decisions, title = t("panel_decisions");
    if (!table) return missing("decisions", title);
    var itotal = column(table, "total");
    var parts = table.columns.map(function (c, i) { return i; }).filter(function (i) {
      return table.columns[i].num && i !== itotal && table.columns[i].id !== table.key;
    });
    var rows = rowsShown(table).map(function (r) {
      var total = itotal >= 0 ? r.c[itotal][0] : null;
      var known = 0, segments = parts.map(function (i, k) {
        known += r.c[i][0] || 0;
        return { value: r.c[i][0], color: PALETTE[k % PALETTE.length],
                 tip: pick(table.columns[i].label) + ": " + cellText(r.c[i]) };
      });
      if (total !== null && total - known > 0 && parts.some(function (i) { return r.c[i][0] === null; })) {
        segments.push({ value: total - known, color: "#bbb", hidden: true, tip: t("hidden_part") });
      }
      return { label: r.total ? cellText(r.c[0]) : placeName(r), parts: total !== null ? segments : [], total: total,
               text: itotal >= 0 ? cellText(r.c[itotal]) : "" };
    });
    var items = parts.map(function (i, k) { return { label: pick(table.columns[i].label), color: PALETTE[k % PALETTE.length] }; });
    items.push({ label: t("hidden_part"), color: "#bbb", hidden: true });
    return panel("decisions", title, [hbars(rows, { label: title }), legend(items), tableView(table, rowsShown(table), false)]);
  }

  function processingPanel(tables) {
    var table = tables.processing_time, title = t("panel_processing");
    if (!table) return missing("processing", title);
    var im = column(table, "median_days"), il = column(table, "median_conf_low"), ih = column(table, "median_conf_high");
    var i1 = column(table, "q1_days"), i3 = column(table, "q3_days");
    var v = function (r, i) { return i >= 0 ? r.c[i][0] : null; };
    var rows = rowsShown(table).map(function (r) {
      var lo = v(r, il), hi = v(r, ih), q1 = v(r, i1), q3 = v(r, i3);
      return { label: r.total ? cellText(r.c[0]) : placeName(r), mark: v(r, im),
               whisker: lo !== null && hi !== null ? [lo, hi] : null,
               whiskerTip: t("ci") + ": " + (il >= 0 ? cellText(r.c[il]) + "–" + cellText(r.c[ih]) : ""),
               box: q1 !== null && q3 !== null ? [q1, q3] : null,
               boxTip: t("iqr") + ": " + (i1 >= 0 ? cellText(r.c[i1]) + "–" + cellText(r.c[i3]) : ""),
               total: q3 || 0,
               text: im >= 0 ? cellText(r.c[im]) + " " + t("days") : "" };
    });
    return panel("processing", title, [hbars(rows, { label: title, maxText: true, unit: t("days") }),
      el("p", { "class": "muted" }, [t("processing_reading")]), tableView(table, rowsShown(table), false)]);
  }

  function lostPanel(tables) {
    var table = tables.lost_applications, title = t("panel_lost");
    if (!table) return missing("lost", title);
    var is = column(table, "share_lost"), il = column(table, "conf_low"), ih = column(table, "conf_high");
    var rows = rowsShown(table).map(function (r) {
      var share = is >= 0 ? r.c[is][0] : null;
      var lo = il >= 0 ? r.c[il][0] : null, hi = ih >= 0 ? r.c[ih][0] : null;
      return { label: r.total ? cellText(r.c[0]) : placeName(r),
               parts: share !== null ? [{ value: share, color: r.total ? PALETTE[5] : PALETTE[3], tip: cellText(r.c[is]) }] : [],
               total: share || 0, whisker: lo !== null && hi !== null ? [lo, hi] : null,
               whiskerTip: t("ci") + ": " + (il >= 0 ? cellText(r.c[il]) + "–" + cellText(r.c[ih]) : ""),
               text: is >= 0 ? cellText(r.c[is]) : "" };
    });
    return panel("lost", title, [hbars(rows, { label: title }), el("p", { "class": "muted" }, [t("lost_reading")]),
                                 tableView(table, rowsShown(table), false)]);
  }

  function toolsPanel(tables) {
    var table = tables.tools_used, title = t("panel_tools");
    if (!table) return missing("tools", title);
    return panel("tools", title, [tableView(table, rowsShown(table), true)]);
  }

  function equalityPanel(tables) {
    var table = tables.equality_of_care, title = t("panel_equality");
    if (!table) return missing("equality", title);
    var ip = column(table, "p_value"), it = column(table, "term");
    var items = table.rows.map(function (r) {
      var p = ip >= 0 ? r.c[ip][0] : null;
      var verdict = p === null ? t("eq_unknown") : p < 0.05 ? t("eq_differs") : t("eq_same");
      return el("li", {}, [el("b", {}, [it >= 0 ? cellText(r.c[it]) : ""]), ": " + verdict +
                           (ip >= 0 ? " (p " + (/^</.test(cellText(r.c[ip])) ? "< " + cellText(r.c[ip]).slice(1) : "= " + cellText(r.c[ip])) + ")" : "")]);
    });
    return panel("equality", title, [el("p", { "class": "muted" }, [t("equality_scope")]), el("ul", {}, items),
                                     tableView(table, table.rows, true)]);
  }

  function needPanel(tables) {
    var table = tables.ethos_counts, title = t("panel_need");
    if (!table) return missing("need", title);
    var ie = column(table, "stock_end"), ik = column(table, table.key || "ethos_category");
    var rows = table.rows.filter(function (r) { return !r.total && r.k !== "all"; }).map(function (r) {
      var value = ie >= 0 ? r.c[ie][0] : null;
      return { label: cellText(r.c[ik]), parts: value !== null ? [{ value: value, color: PALETTE[2], tip: cellText(r.c[ie]) }] : [],
               total: value || 0, text: ie >= 0 ? cellText(r.c[ie]) : "" };
    });
    var children = [el("p", { "class": "muted" }, [t("need_scope")]), hbars(rows, { label: title }),
                    el("p", { "class": "muted" }, [ie >= 0 ? t("need_reading").replace("{column}", pick(table.columns[ie].label)) : ""]),
                    tableView(table, table.rows, false)];
    var quarterly = tables.ethos_counts_quarterly;
    if (quarterly) {
      // the dynamics of need: stock at the end of each quarter, inflow and outflow, over all categories
      var totals = quarterly.rows.filter(function (r) { return r.total; });
      var ip = column(quarterly, "period");
      var measures = ["stock_end", "inflow", "outflow"].map(function (id) { return column(quarterly, id); })
        .filter(function (i) { return i >= 0; });
      if (totals.length > 1 && ip >= 0 && measures.length) {
        var series = measures.map(function (i) {
          return { name: pick(quarterly.columns[i].label), points: totals.map(function (r) { return r.c[i][0]; }) };
        });
        children.push(el("h3", {}, [pick(quarterly.title)]));
        children.push(lineChart(totals.map(function (r) { return cellText(r.c[ip]); }), series, pick(quarterly.title)));
        children.push(legend(series.map(function (s, k) { return { label: s.name, color: PALETTE[k % PALETTE.length] }; })));
      }
      children.push(tableView(quarterly, quarterly.rows, false));
    }
    return panel("need", title, children);
  }

  /* ---------------------------------------------------------------- page */
  function options(select, items, value) {
    select.textContent = "";
    items.forEach(function (it) {
      var o = el("option", { value: it[0] }, [it[1]]);
      if (it[0] === value) o.selected = true;
      select.appendChild(o);
    });
  }

  function controls() {
    var scopeSelect = document.getElementById("f-scope");
    options(scopeSelect, D.scopes.map(function (s) { return [s.id, pick(s.name)]; }), state.scope);
    var regionSelect = document.getElementById("f-region");
    options(regionSelect, [["", t("all_regions")]].concat(D.regions.map(function (r) { return [r, r]; })), state.region);
    regionSelect.disabled = !D.regions.length;
    regionSelect.title = D.regions.length ? "" : t("no_regions");
    var placeSelect = document.getElementById("f-place");
    var shown = D.places.filter(function (p) { return !state.region || p.region === state.region; });
    options(placeSelect, [["", t("all_places")]].concat(shown.map(function (p) { return [p.id, p.name]; })), state.place);
    document.querySelectorAll("[data-ui]").forEach(function (node) { node.textContent = t(node.getAttribute("data-ui")); });
    document.querySelectorAll("button[data-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-lang") === state.lang ? "true" : "false");
    });
    document.documentElement.lang = state.lang;
    document.title = t("title");
  }

  function render() {
    controls();
    var main = document.getElementById("dashboard");
    main.textContent = "";
    var s = scope();
    if (!s) { main.appendChild(el("p", {}, [t("nothing")])); return; }
    var tables = s.tables;
    var chosen = chosenPlaces();
    main.appendChild(el("p", { "class": "selection", id: "selection" }, [
      pick(s.name) + " · " + (state.place ? chosen.map(function (p) { return p.name; }).join(", ")
        : state.region ? state.region + " (" + chosen.length + ")" : t("all_places"))]));
    [tiles(tables), applicationsPanel(tables), decisionsPanel(tables), processingPanel(tables), lostPanel(tables),
     toolsPanel(tables), equalityPanel(tables), needPanel(tables)].forEach(function (p) { main.appendChild(p); });
    remember();
    document.body.setAttribute("data-rendered", [state.lang, state.scope, state.region, state.place].join("|"));
  }

  document.getElementById("f-scope").addEventListener("change", function (e) { state.scope = e.target.value; render(); });
  document.getElementById("f-region").addEventListener("change", function (e) {
    state.region = e.target.value; state.place = ""; render();
  });
  document.getElementById("f-place").addEventListener("change", function (e) { state.place = e.target.value; render(); });
  document.querySelectorAll("button[data-lang]").forEach(function (b) {
    b.addEventListener("click", function () { state.lang = b.getAttribute("data-lang"); render(); });
  });
  render();
})();
