// The page's only script: names the operation under the pointer on the timeline. It reads the
// compact data the timeline embedded and writes text nodes only (never HTML), so values from the
// history cannot inject markup.

export const HOVER_SCRIPT = `
(function () {
  var tip = document.getElementById('tip');
  function hide() { tip.style.display = 'none'; }
  function ms(v) {
    if (v < 1) return (v * 1000).toFixed(0) + ' µs';
    if (v < 1000) return v.toFixed(v < 10 ? 1 : 0) + ' ms';
    return (v / 1000).toFixed(v < 10000 ? 2 : 1) + ' s';
  }
  function line(label, text) {
    var row = document.createElement('div');
    var b = document.createElement('b');
    b.textContent = label;
    row.appendChild(b);
    row.appendChild(document.createTextNode(' ' + text));
    tip.appendChild(row);
  }
  function nearest(ops, t, tol) {
    var lo = 0, hi = ops.length - 1, at = -1;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (ops[mid][0] <= t + tol) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    var best = null, bestDist = Infinity;
    for (var i = Math.max(0, at - 3); i <= Math.min(ops.length - 1, at + 1); i++) {
      var op = ops[i], end = op[1] < 0 ? Infinity : op[1];
      var d = t < op[0] ? op[0] - t : t > end ? t - end : 0;
      if (d <= tol && d < bestDist) { best = op; bestDist = d; }
    }
    return best;
  }
  document.querySelectorAll('svg[data-hover]').forEach(function (svg) {
    var source = document.getElementById(svg.getAttribute('data-hover'));
    var hit = svg.querySelector('.hit');
    if (!source || !hit) return;
    var data = JSON.parse(source.textContent);
    var s = data.strings;
    hit.addEventListener('mouseleave', hide);
    hit.addEventListener('mousemove', function (ev) {
      var ctm = svg.getScreenCTM();
      if (!ctm) return hide();
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      var p = pt.matrixTransform(ctm.inverse());
      var lane = Math.floor((p.y - data.top) / data.laneHeight);
      var ops = data.lanes[lane];
      if (!ops) return hide();
      var perPx = (data.t1 - data.t0) / (data.x1 - data.x0);
      var op = nearest(ops, data.t0 + (p.x - data.x0) * perPx, 3 * perPx);
      if (!op) return hide();
      tip.textContent = '';
      line(data.names[lane] + ' · ' + s[op[3]], data.types[op[2]]);
      line('value', op[4] < 0 ? '' : s[op[4]]);
      if (op[5] >= 0) line('node', s[op[5]]);
      if (op[6] >= 0) line('error', s[op[6]]);
      line('invoked', (op[0] / 1000).toFixed(3) + ' s');
      line('latency', op[1] < 0 ? 'never completed' : ms(op[1] - op[0]));
      tip.style.display = 'block';
      var x = ev.clientX + 14, y = ev.clientY + 14;
      if (x + tip.offsetWidth > window.innerWidth - 8) x = ev.clientX - tip.offsetWidth - 14;
      if (y + tip.offsetHeight > window.innerHeight - 8) y = ev.clientY - tip.offsetHeight - 14;
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    });
  });
})();
`;
