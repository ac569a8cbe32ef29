// byzsim view: steps through one trial. Vanilla JavaScript and SVG; no network, no library.
// The state at step s is the state after the first s events of the page's data (see
// src/view/data.rs); going back replays from the start, so forward and back always agree.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var M = D.meta, E = D.ev, N = M.nodes, STEPS = E.t.length;
  var K = { SEND: 0, LOST: 1, DELIVER: 2, SEEN: 3, REDUNDANT: 4, WITHHELD: 5, TIMER: 6, DECIDE: 7, REVERT: 8 };
  var VALUE = ['attack', 'retreat'];
  var SVGNS = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  var selected = -1, flash = [], playing = null, lastRendered = -1;

  function el(tag, attrs, parent, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function h(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function ms(us) { return (us / 1000).toFixed(3); }
  function valueClass(code) { return code === 0 ? 'attack' : code === 1 ? 'retreat' : 'none'; }
  function msgValue(m) { return m >= 0 && D.messages[m] ? D.messages[m][1] : -1; }
  function words(m) { return m >= 0 && D.messages[m] ? D.messages[m][0] : '?'; }
  function who(v) { return 'general ' + v + (D.traitors[v] ? ' (traitor)' : ''); }
  function roundOf(us) { return M.round_us ? Math.floor(us / M.round_us) + 1 : null; }
  function timeAt(step) { return step > 0 ? E.t[step - 1] : 0; }

  // ---- state ---------------------------------------------------------------------------
  var st = null;
  function fresh() {
    var s = { step: 0, decision: [], decidedAt: [], reverted: [], heard: [], sent: [], tip: [], tipPtr: 0 };
    for (var v = 0; v < N; v++) {
      s.decision.push(-1); s.decidedAt.push(-1); s.reverted.push(-1); s.heard.push([]); s.sent.push(0); s.tip.push(-1);
    }
    return s;
  }
  function apply(s, i) {
    var k = E.k[i], a = E.a[i], b = E.b[i];
    if (k === K.DECIDE) { s.decision[a] = E.c[i]; s.decidedAt[a] = i; }
    else if (k === K.REVERT) { s.reverted[a] = i; }
    else if (k === K.DELIVER && b >= 0 && b < N) { s.heard[b].push(i); }
    else if (k === K.SEND || k === K.LOST) { if (a < N) s.sent[a]++; }
  }
  function seek(target) {
    target = Math.max(0, Math.min(STEPS, target | 0));
    if (!st || target < st.step) st = fresh();
    while (st.step < target) { apply(st, st.step); st.step++; }
    if (D.blocks) {
      var T = D.blocks.tips;
      if (st.tipPtr > 0 && T.step[st.tipPtr - 1] > st.step) {
        st.tipPtr = 0; for (var v = 0; v < N; v++) st.tip[v] = -1;
      }
      while (st.tipPtr < T.step.length && T.step[st.tipPtr] <= st.step) {
        st.tip[T.node[st.tipPtr]] = T.block[st.tipPtr]; st.tipPtr++;
      }
    }
    render();
  }

  // ---- words for events ------------------------------------------------------------------
  function describe(i) {
    var k = E.k[i], a = E.a[i], b = E.b[i], c = E.c[i];
    var t = ms(E.t[i]) + ' ms';
    switch (k) {
      case K.SEND: return t + ' · ' + who(a) + ' sends "' + words(c) + '" to general ' + b;
      case K.LOST: return t + ' · the link loses "' + words(c) + '" from general ' + a + ' to general ' + b;
      case K.DELIVER: return t + ' · ' + who(b) + ' hears "' + words(c) + '" from general ' + a;
      case K.SEEN: return t + ' · general ' + b + ' gets a copy of "' + words(c) + '" from general ' + a + ' (already seen)';
      case K.REDUNDANT: return t + ' · general ' + a + ' passes a copy of "' + words(c) + '" to general ' + b + ', who has it already';
      case K.WITHHELD: return t + ' · traitor ' + a + ' withholds "' + words(c) + '" from general ' + b;
      case K.TIMER: return t + ' · general ' + a + ': ' + (D.names[c] || 'timer');
      case K.DECIDE: return t + ' · general ' + a + ' decides ' + VALUE[c];
      case K.REVERT: return t + ' · general ' + a + '\'s decision is reverted: ' + (D.names[c] || '');
    }
    return t;
  }

  // ---- the header, verdict, explanation --------------------------------------------------
  $('description').textContent = M.description;
  $('chosen').textContent = 'Showing ' + M.chosen + '. ' + M.protocol + ', n = ' + M.n + ', t = ' + M.t +
    ' (' + M.behaviour + '), ' + M.topology + ' / ' + M.transport + ', seed ' + M.seed +
    (M.round_us ? ', rounds of ' + ms(M.round_us) + ' ms' : '') + '. ' + M.messages_sent + ' messages sent; ' +
    M.trace_events + ' trace events' + (M.full ? ', every one a step.' :
      ', summarised into ' + STEPS + ' steps (decisions, reversions, withheld and lost messages, each message\'s first send); counts and tips use every recorded event.') +
    (M.cut ? ' The ' + M.cut + '.' : '');
  $('replay').textContent = M.replay;
  $('command').textContent = M.command;
  (function verdict() {
    var box = $('verdict');
    ['agreement', 'validity', 'termination'].forEach(function (p) {
      var v = D.verdict[p];
      box.setAttribute('data-' + p, v.holds ? 'true' : 'false');
      var line = h('div', {}, box);
      h('span', { 'class': v.holds ? 'holds' : 'violated' }, line, p + ' ' + (v.holds ? 'holds' : 'violated'));
      line.appendChild(document.createTextNode(' — ' + v.reason + (v.at_us !== null ? ' (at ' + ms(v.at_us) + ' ms)' : '')));
    });
    var b = h('div', { 'class': 'small' }, box, 'Decision (CSV): ' + M.decision + '. Bound: ' + (M.bound || 'none') +
      (M.bound_rule ? ' (' + M.bound_rule + ')' : '') + '. Stopped: ' + M.stop + '.');
    box.appendChild(b);
  })();
  if (D.explanation) {
    $('explanation').hidden = false;
    $('explanation-text').textContent = D.explanation;
    var jump = $('jump');
    if (D.first_difference) {
      jump.setAttribute('data-first-difference-step', D.first_difference.step);
      jump.setAttribute('data-first-difference-generals', D.first_difference.a + ' ' + D.first_difference.b);
      jump.addEventListener('click', function () {
        stop(); flash = [D.first_difference.a, D.first_difference.b];
        seek(D.first_difference.step); writeHash();
      });
    } else {
      jump.hidden = true;
    }
  }

  // ---- the network -----------------------------------------------------------------------
  var graph = $('graph');
  var R = N <= 6 ? 52 : N <= 12 ? 34 : N <= 40 ? 22 : N <= 150 ? 12 : 7;
  var P = D.layout;
  var gEdges = el('g', {}, graph);
  D.edges.forEach(function (e) {
    el('line', { 'class': 'edge', x1: P[e[0]][0], y1: P[e[0]][1], x2: P[e[1]][0], y2: P[e[1]][1] }, gEdges);
  });
  var gArrows = el('g', {}, graph);
  var gMsgs = el('g', {}, graph);
  var gNodes = el('g', {}, graph);
  var nodeEls = [];
  for (var v = 0; v < N; v++) {
    var g = el('g', { 'class': 'general', 'data-general': v, 'data-traitor': D.traitors[v] ? 'true' : 'false', 'data-decision': '' }, gNodes);
    el('circle', { 'class': 'ring', cx: P[v][0], cy: P[v][1], r: R + 9 }, g);
    el('circle', { 'class': 'body', cx: P[v][0], cy: P[v][1], r: R }, g);
    if (N <= 40) el('text', { 'class': 'id', x: P[v][0], y: P[v][1] }, g, String(v));
    if (D.traitors[v] && N <= 150) el('text', { 'class': 'badge', x: P[v][0] + R + 4, y: P[v][1] - R - 4 }, g, 'T');
    if (N <= 40) el('text', { 'class': 'reverted', x: P[v][0], y: P[v][1] + R + 16 }, g, 'reverted');
    var title = el('title', {}, g);
    g.addEventListener('click', (function (v) { return function () { selected = selected === v ? -1 : v; lastRendered = -1; render(); }; })(v));
    nodeEls.push({ g: g, title: title });
  }
  $('legend').innerHTML = '';
  $('legend').appendChild(document.createTextNode(
    (M.complete ? 'Complete graph: generals on a circle. ' : 'Peer-to-peer graph (force-directed layout). ') +
    'Fill: decision (red attack, blue retreat, white undecided; pale: reverted since); dashed black ring and T: traitor. ' +
    (M.full ? 'Dots: messages in flight at this time, coloured by the value they carry (grey: none); hover for their content. ' +
      'Thick arrow: this step\'s delivery (dashed: lost or withheld). ' : 'Messages in flight are not drawn on a summarised page. ') +
    'Click a general to select it.'));

  // Transmissions in flight (full pages only): sent before this step, delivered at or after it.
  var TX = D.tx, maxFlight = 0;
  if (TX) {
    for (var k = 0; k < TX.send.length; k++) {
      if (TX.deliver[k] >= 0) maxFlight = Math.max(maxFlight, E.t[TX.deliver[k]] - E.t[TX.send[k]]);
    }
  }
  var MAX_DOTS = 400;
  function drawMessages(step, now) {
    gMsgs.textContent = ''; gArrows.textContent = '';
    var shown = 0, total = 0;
    if (TX) {
      // Transmissions are in send order: the last one sent before this step, then backwards.
      var lo = 0, hi = TX.send.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (TX.send[mid] < step) lo = mid + 1; else hi = mid; }
      for (var k = lo - 1; k >= 0; k--) {
        var s = TX.send[k], d = TX.deliver[k];
        if (now - E.t[s] > maxFlight && d >= 0) break;
        if (E.k[s] === K.LOST) continue;
        if (d >= 0 && d < step) continue;
        total++;
        if (shown >= MAX_DOTS) continue;
        var from = E.a[s], to = E.b[s];
        var f = d >= 0 && E.t[d] > E.t[s] ? (now - E.t[s]) / (E.t[d] - E.t[s]) : 0.5;
        // Between the two circles' edges.
        var dx = P[to][0] - P[from][0], dy = P[to][1] - P[from][1], len = Math.hypot(dx, dy) || 1;
        var off = Math.min(0.45, (R + 8) / len);
        f = off + Math.max(0, Math.min(1, f)) * (1 - 2 * off);
        var x = P[from][0] + dx * f, y = P[from][1] + dy * f;
        var dot = el('circle', { 'class': 'msg ' + valueClass(msgValue(TX.msg[k])), cx: x.toFixed(1), cy: y.toFixed(1), r: Math.max(5, R / 3) }, gMsgs);
        el('title', {}, dot, '"' + words(TX.msg[k]) + '" from general ' + from + ' to general ' + to +
          ', sent at ' + ms(E.t[s]) + ' ms' + (d >= 0 ? ', arrives at ' + ms(E.t[d]) + ' ms' : ', never arrived'));
        shown++;
      }
    }
    // This step's event as an arrow.
    if (step > 0) {
      var i = step - 1, kk = E.k[i];
      if (kk === K.DELIVER || kk === K.SEEN || kk === K.LOST || kk === K.WITHHELD || kk === K.SEND) {
        var a = E.a[i], b = E.b[i];
        if (a >= 0 && b >= 0 && a < N && b < N) {
          var cls = 'arrow ' + valueClass(msgValue(E.c[i])) + (kk === K.LOST ? ' lost' : kk === K.WITHHELD ? ' withheld' : '');
          var ax = P[a][0], ay = P[a][1], bx = P[b][0], by = P[b][1];
          var len = Math.hypot(bx - ax, by - ay) || 1, ux = (bx - ax) / len, uy = (by - ay) / len;
          var ex = bx - ux * (R + 6), ey = by - uy * (R + 6);
          el('line', { 'class': cls, x1: ax + ux * R, y1: ay + uy * R, x2: ex, y2: ey }, gArrows);
          el('polygon', { 'class': 'msg ' + valueClass(msgValue(E.c[i])), points: [ex + ux * 4, ey + uy * 4, ex - ux * 18 - uy * 10, ey - uy * 18 + ux * 10, ex - ux * 18 + uy * 10, ey - uy * 18 - ux * 10].map(function (z) { return z.toFixed(1); }).join(' ') }, gArrows);
        }
      }
    }
    return { shown: shown, total: total };
  }

  // ---- the timeline ----------------------------------------------------------------------
  var tl = $('timeline'), T_END = Math.max(1, STEPS ? E.t[STEPS - 1] : 1);
  function tx(us) { return 4 + 992 * us / T_END; }
  (function timeline() {
    if (M.round_us) {
      for (var r = 1; r * M.round_us <= T_END && r < 200; r++) {
        el('line', { 'class': 'round', x1: tx(r * M.round_us), x2: tx(r * M.round_us), y1: 0, y2: 46 }, tl);
        el('text', { x: tx((r - 0.5) * M.round_us), y: 44, 'text-anchor': 'middle' }, tl, 'round ' + r);
      }
    }
    var seenMsg = {};
    var ticks = 0;
    for (var i = 0; i < STEPS && ticks < 5000; i++) {
      var k = E.k[i], cls = null, y1 = 4, y2 = 30;
      if (k === K.DECIDE) cls = 'tick-' + VALUE[E.c[i]];
      else if (k === K.REVERT) cls = 'tick-revert';
      else if (k === K.WITHHELD) { cls = 'tick-withheld'; y1 = 18; }
      else if (k === K.LOST) { cls = 'tick-lost'; y1 = 18; }
      else if (k === K.SEND && D.blocks && !seenMsg[E.c[i]] && /^block /.test(words(E.c[i]))) { seenMsg[E.c[i]] = 1; cls = 'tick-block'; y1 = 22; }
      if (cls) { el('line', { 'class': cls, x1: tx(E.t[i]), x2: tx(E.t[i]), y1: y1, y2: y2 }, tl); ticks++; }
    }
    if (D.first_difference) {
      var fd = D.first_difference.step;
      el('line', { 'class': 'tick-diff', x1: tx(timeAt(fd)), x2: tx(timeAt(fd)), y1: 0, y2: 12 }, tl);
    }
    $('timeline-legend').textContent = 'Timeline, 0 to ' + ms(T_END) + ' ms: decisions (red/blue), reversions (black), withheld (orange), lost (grey)' +
      (D.blocks ? ', blocks mined (dark grey)' : '') + (D.first_difference ? ', where views first differed (purple, top)' : '') +
      (M.round_us ? '; lines at round ends' : '') + '. Click to go there.';
  })();
  var cursor = el('line', { 'class': 'cursor', x1: 0, x2: 0, y1: 0, y2: 46 }, tl);
  tl.addEventListener('click', function (ev) {
    var box = tl.getBoundingClientRect();
    var us = (((ev.clientX - box.left) / box.width) * 1000 - 4) / 992 * T_END;
    stop(); seek(stepAtTime(us)); writeHash();
  });
  // The state at time us: every event at or before it.
  function stepAtTime(us) {
    var lo = 0, hi = STEPS;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (E.t[mid] <= us) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // ---- the block tree --------------------------------------------------------------------
  var B = D.blocks, blockEls = [], tipCountEls = [];
  var BW = 16, BH = 14, GAP = 10;
  if (B) {
    if (B.height.length && Math.max.apply(null, B.height) <= 30) { BW = 30; BH = 22; GAP = 14; }
    $('tree-section').hidden = false;
    $('tree-legend').textContent = B.height.length + ' blocks (as far as the trace records them). Dark: main chain (the highest block and its ancestors); orange: stale; red outline: mined by a traitor; faded: not mined yet at this time. ' +
      'Numbers above a block: nodes whose tip it is now; yellow: the selected general\'s tip. A node\'s tip is read from the trace: the highest block it holds with all its ancestors, the first one it got on a tie.';
    var lane = [], laneEnd = [], maxH = 0;
    for (var i = 0; i < B.height.length; i++) maxH = Math.max(maxH, B.height[i]);
    // The main chain on lane 0; each stale block on the first free lane at its height.
    var order = B.height.map(function (_, i) { return i; }).sort(function (a, b) { return B.height[a] - B.height[b] || B.mined_us[a] - B.mined_us[b] || a - b; });
    var used = {};
    order.forEach(function (i) {
      var l = 0;
      if (!B.main[i]) {
        var p = B.parent[i];
        l = p >= 0 && !B.main[p] ? lane[p] : 1;
        while (used[l + ':' + B.height[i]]) l++;
      }
      used[l + ':' + B.height[i]] = 1; lane[i] = l; laneEnd[l] = 1;
    });
    var lanes = laneEnd.length || 1;
    var tree = $('tree');
    var W = (maxH + 2) * (BW + GAP) + 8, HH = 24 + lanes * (BH + GAP) + 8;
    tree.setAttribute('width', W); tree.setAttribute('height', HH); tree.setAttribute('viewBox', '0 0 ' + W + ' ' + HH);
    var bx = function (i) { return (B.height[i] + 1) * (BW + GAP) + 4; }, by = function (i) { return 24 + lane[i] * (BH + GAP); };
    el('title', {}, el('rect', { 'class': 'blk main', x: 4, y: 24, width: BW, height: BH }, tree), 'the genesis block');
    for (var j = 0; j < B.height.length; j++) {
      var p = B.parent[j];
      var px = p >= 0 ? bx(p) + BW : 4 + BW, py = p >= 0 ? by(p) + BH / 2 : 24 + BH / 2;
      if (p >= 0 || B.height[j] === 1) el('line', { 'class': 'link', x1: px, y1: py, x2: bx(j), y2: by(j) + BH / 2 }, tree);
    }
    for (var j2 = 0; j2 < B.height.length; j2++) {
      var traitor = D.traitors[B.miner[j2]];
      var r = el('rect', { 'class': 'blk ' + (B.main[j2] ? 'main' : 'stale') + (traitor ? ' traitor' : ''), x: bx(j2), y: by(j2), width: BW, height: BH }, tree);
      el('title', {}, r, words(B.msg[j2]) + ', mined at ' + ms(B.mined_us[j2]) + ' ms; ' + (B.main[j2] ? 'main chain' : 'stale'));
      blockEls.push(r);
      tipCountEls.push(el('text', { x: bx(j2) + BW / 2, y: by(j2) - 3 }, tree, ''));
    }
    if (maxH > 0) for (var hgt = 0; hgt <= maxH; hgt += Math.max(1, Math.ceil(maxH / 50))) {
      if (hgt === 0) el('text', { x: 2, y: 10, style: 'text-anchor: start' }, tree, 'genesis');
      else el('text', { x: (hgt + 1) * (BW + GAP) + 4 + BW / 2, y: 10 }, tree, String(hgt));
    }
  }
  function drawTree(now) {
    if (!B) return;
    var counts = {};
    for (var v = 0; v < N; v++) if (st.tip[v] >= 0) counts[st.tip[v]] = (counts[st.tip[v]] || 0) + 1;
    var selTip = selected >= 0 ? st.tip[selected] : -1, last = -1;
    for (var i = 0; i < blockEls.length; i++) {
      var future = B.mined_us[i] > now;
      var cls = 'blk ' + (B.main[i] ? 'main' : 'stale') + (D.traitors[B.miner[i]] ? ' traitor' : '') + (future ? ' future' : '') + (i === selTip ? ' sel' : '');
      if (blockEls[i].getAttribute('class') !== cls) blockEls[i].setAttribute('class', cls);
      var c = counts[i] ? String(counts[i]) : '';
      if (tipCountEls[i].textContent !== c) tipCountEls[i].textContent = c;
      if (!future && B.height[i] > (last >= 0 ? B.height[last] : -1)) last = i;
    }
    if (last >= 0 && lastRendered !== st.step) {
      var wrap = $('tree-wrap'), x = (B.height[last] + 1) * (BW + GAP);
      if (x > wrap.scrollLeft + wrap.clientWidth - 60 || x < wrap.scrollLeft) wrap.scrollLeft = Math.max(0, x - wrap.clientWidth / 2);
    }
  }

  // ---- the generals' panel -----------------------------------------------------------------
  function decisionText(v) {
    if (st.decision[v] < 0) return 'undecided';
    var s = VALUE[st.decision[v]] + ' at ' + ms(E.t[st.decidedAt[v]]) + ' ms';
    if (st.reverted[v] >= 0) s += ', reverted at ' + ms(E.t[st.reverted[v]]) + ' ms';
    return s;
  }
  function card(v, parent, step) {
    var c = h('div', { 'class': 'card' + (v === selected ? ' selected' : ''), 'data-card': v }, parent);
    h('h3', {}, c, 'General ' + v + (D.traitors[v] ? ' — traitor' : ''));
    var p = h('p', {}, c);
    h('span', { 'class': 'v-' + (st.decision[v] >= 0 ? VALUE[st.decision[v]] : 'none') }, p, decisionText(v));
    var now = timeAt(step);
    var extra = [];
    if (M.round_us) extra.push('round ' + roundOf(now));
    if (B && st.tip[v] >= 0) extra.push('tip: block ' + B.height[st.tip[v]] + ' by general ' + B.miner[st.tip[v]]);
    else if (B) extra.push('tip: genesis');
    if (M.full) extra.push(st.sent[v] + ' sent');
    h('p', { 'class': 'small' }, c, extra.join(' · '));
    if (!M.full) { h('p', { 'class': 'small' }, c, 'Deliveries are not listed on a summarised page.'); return; }
    var heard = st.heard[v];
    h('p', { 'class': 'small' }, c, 'Heard ' + heard.length + ' message' + (heard.length === 1 ? '' : 's') + (heard.length ? ', newest first:' : '.'));
    if (!heard.length) return;
    // Newest first.
    var ul = h('ul', {}, c), from = Math.max(0, heard.length - 40);
    for (var j = heard.length - 1; j >= from; j--) {
      var i = heard[j];
      h('li', { 'class': i === step - 1 ? 'new' : '' }, ul, ms(E.t[i]) + ' ms from ' + E.a[i] + ': ' + words(E.c[i]));
    }
    if (from > 0) h('li', {}, ul, '… and ' + from + ' earlier');
  }
  function panel(step) {
    var box = $('panel');
    box.textContent = '';
    var counts = [0, 0, 0], reverted = 0;
    for (var v = 0; v < N; v++) if (!D.traitors[v]) {
      counts[st.decision[v] < 0 ? 2 : st.decision[v]]++;
      if (st.reverted[v] >= 0) reverted++;
    }
    h('p', {}, box, 'Honest generals: ' + counts[0] + ' decided attack, ' + counts[1] + ' retreat, ' + counts[2] + ' undecided' +
      (reverted ? '; ' + reverted + ' of the decisions reverted since.' : '.'));
    if (N <= 8) {
      var grid = h('div', { 'class': 'cards' }, box);
      for (var v2 = 0; v2 < N; v2++) card(v2, grid, step);
      return;
    }
    if (selected >= 0) card(selected, box, step);
    else h('p', { 'class': 'small' }, box, 'Click a general (in the graph or the table) to see what it has heard.');
    if (N > 80) return;
    var tab = h('table', {}, box), head = h('tr', {}, tab);
    var third = B ? 'tip height' : M.full ? 'heard' : null;
    ['general', 'decision', third].forEach(function (x) { if (x) h('th', {}, head, x); });
    for (var v3 = 0; v3 < N; v3++) {
      var tr = h('tr', { 'class': v3 === selected ? 'selected' : '', 'data-row': v3 }, tab);
      h('td', {}, tr, v3 + (D.traitors[v3] ? ' (traitor)' : ''));
      h('td', { 'class': 'v-' + (st.decision[v3] >= 0 ? VALUE[st.decision[v3]] : 'none') }, tr, decisionText(v3));
      if (third) h('td', {}, tr, B ? (st.tip[v3] >= 0 ? String(B.height[st.tip[v3]]) : '0') : String(st.heard[v3].length));
      tr.addEventListener('click', (function (v) { return function () { selected = selected === v ? -1 : v; lastRendered = -1; render(); }; })(v3));
    }
  }

  // ---- the event log -----------------------------------------------------------------------
  function log(step) {
    var ol = $('log');
    ol.textContent = '';
    var from = Math.max(0, step - 8), to = Math.min(STEPS, step + 6);
    ol.setAttribute('start', from + 1);
    for (var i = from; i < to; i++) h('li', { 'class': i === step - 1 ? 'current' : '' }, ol, describe(i));
  }

  // ---- rendering -------------------------------------------------------------------------
  function render() {
    var step = st.step, now = timeAt(step);
    var status = $('status');
    status.setAttribute('data-step', step);
    status.setAttribute('data-steps', STEPS);
    status.setAttribute('data-time-ms', ms(now));
    status.textContent = 'step ' + step + ' / ' + STEPS + ' · ' + ms(now) + ' ms' + (M.round_us ? ' · round ' + roundOf(now) : '');
    $('scrub').max = STEPS; $('scrub').value = step;
    for (var v = 0; v < N; v++) {
      var d = st.decision[v] >= 0 ? VALUE[st.decision[v]] : '';
      var n = nodeEls[v];
      n.g.setAttribute('data-decision', d);
      n.g.setAttribute('data-reverted', st.reverted[v] >= 0 ? 'true' : 'false');
      n.g.setAttribute('class', 'general' + (v === selected ? ' selected' : '') + (flash.indexOf(v) >= 0 ? ' flash' : ''));
      n.title.textContent = who(v) + ': ' + decisionText(v) + (B ? (st.tip[v] >= 0 ? '; tip block ' + B.height[st.tip[v]] : '; tip genesis') : '');
    }
    var drawn = drawMessages(step, now);
    $('event').textContent = step > 0 ? 'This step: ' + describe(step - 1) : 'Step 0: nothing has happened yet.';
    if (TX) h('div', { 'class': 'small' }, $('event'), drawn.total + ' message' + (drawn.total === 1 ? '' : 's') + ' in flight' + (drawn.total > drawn.shown ? ' (' + drawn.shown + ' drawn)' : '') + '.');
    cursor.setAttribute('x1', tx(now)); cursor.setAttribute('x2', tx(now));
    drawTree(now);
    panel(step); log(step);
    $('play').textContent = playing ? 'pause' : 'play';
    lastRendered = step;
  }

  // ---- controls --------------------------------------------------------------------------
  function writeHash() {
    if (playing) return;
    try { history.replaceState(null, '', '#step=' + (st.step === STEPS ? 'end' : st.step)); } catch (e) { /* file:// may refuse */ }
  }
  function stop() { if (playing) { clearInterval(playing); playing = null; render(); writeHash(); } }
  function play() {
    if (playing) { stop(); return; }
    if (st.step >= STEPS) seek(0);
    flash = [];
    var rate = +$('speed').value, per = Math.max(1, Math.round(rate / 25)), every = Math.max(40, 1000 * per / rate);
    playing = setInterval(function () {
      if (st.step >= STEPS) { stop(); return; }
      seek(st.step + per);
    }, every);
    render();
  }
  // Key events: decisions, reversions, withheld messages and each block's first send.
  var keyStep = (function () {
    var key = [], seen = {};
    for (var i = 0; i < STEPS; i++) {
      var k = E.k[i];
      key.push(k === K.DECIDE || k === K.REVERT || k === K.WITHHELD ||
        (k === K.SEND && !!B && !seen[E.c[i]] && /^block /.test(words(E.c[i]))));
      if (k === K.SEND) seen[E.c[i]] = 1;
    }
    return key;
  })();
  function isKey(i) { return keyStep[i]; }
  // The next (or previous) round end; protocols without rounds go to the next key event.
  function roundStep(dir) {
    var s = st.step, b, t;
    if (M.round_us) {
      var R0 = M.round_us, r = Math.floor(timeAt(s) / R0);
      if (dir > 0) {
        for (b = r + 1; ; b++) {
          if ((b - 1) * R0 > T_END) return STEPS;
          t = stepAtTime(b * R0 - 1);
          if (t > s) return t;
        }
      }
      for (b = r + 1; b > 0; b--) { t = stepAtTime(b * R0 - 1); if (t < s) return t; }
      return 0;
    }
    if (dir > 0) { for (var i = s; i < STEPS; i++) if (isKey(i)) return i + 1; return STEPS; }
    for (var j = s - 2; j >= 0; j--) if (isKey(j)) return j + 1;
    return 0;
  }
  if (!M.round_us) {
    $('back-round').title = 'previous decision, reversion, withheld message or block (Shift+Left)'; $('back-round').textContent = '\u25C0\u25C0 key event';
    $('fwd-round').title = 'next decision, reversion, withheld message or block (Shift+Right)'; $('fwd-round').textContent = 'key event \u25B6\u25B6';
  }
  $('first').onclick = function () { stop(); flash = []; seek(0); writeHash(); };
  $('last').onclick = function () { stop(); flash = []; seek(STEPS); writeHash(); };
  $('back').onclick = function () { stop(); seek(st.step - 1); writeHash(); };
  $('fwd').onclick = function () { stop(); seek(st.step + 1); writeHash(); };
  $('back-round').onclick = function () { stop(); seek(roundStep(-1)); writeHash(); };
  $('fwd-round').onclick = function () { stop(); seek(roundStep(1)); writeHash(); };
  $('play').onclick = play;
  $('speed').onchange = function () { if (playing) { stop(); play(); } };
  $('scrub').oninput = function () { stop(); seek(+this.value); };
  $('scrub').onchange = writeHash;
  document.addEventListener('keydown', function (ev) {
    if (ev.target && (ev.target.tagName === 'SELECT' || ev.target.tagName === 'INPUT' && ev.target.type !== 'range')) return;
    var used = true;
    if (ev.key === ' ') play();
    else if (ev.key === 'ArrowRight') $(ev.shiftKey ? 'fwd-round' : 'fwd').onclick();
    else if (ev.key === 'ArrowLeft') $(ev.shiftKey ? 'back-round' : 'back').onclick();
    else if (ev.key === 'Home') $('first').onclick();
    else if (ev.key === 'End') $('last').onclick();
    else used = false;
    if (used) ev.preventDefault();
  });
  // #step=N, #step=end, #t=MS
  function fromHash() {
    var m, hsh = location.hash || '';
    if ((m = /step=(end|\d+)/.exec(hsh))) return m[1] === 'end' ? STEPS : +m[1];
    if ((m = /t=([0-9.]+)/.exec(hsh))) return stepAtTime(parseFloat(m[1]) * 1000);
    return null;
  }
  // ...then, for scripts and tests, `&back=K` steps back K events as the step-back button does,
  // and `&keys=...` presses keys in order: r/l (right, left), R/L (with Shift: a round), h/e
  // (Home, End), j (the jump button).
  var KEYS = { r: ['ArrowRight', false], l: ['ArrowLeft', false], R: ['ArrowRight', true], L: ['ArrowLeft', true], h: ['Home', false], e: ['End', false] };
  function openHash() {
    var s = fromHash(), hsh = location.hash || '';
    stop();
    seek(s === null ? 0 : s);
    var m = /back=(\d+)/.exec(hsh);
    for (var i = 0; m && i < +m[1]; i++) seek(st.step - 1);
    var keys = /keys=([a-zA-Z]+)/.exec(hsh);
    (keys ? keys[1].split('') : []).forEach(function (c) {
      if (c === 'j') { $('jump').click(); return; }
      if (KEYS[c]) document.dispatchEvent(new KeyboardEvent('keydown', { key: KEYS[c][0], shiftKey: KEYS[c][1], bubbles: true }));
    });
  }
  window.addEventListener('hashchange', openHash);
  openHash();
})();
