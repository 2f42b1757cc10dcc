// Accessibility basics, run in the page: every control has a name, text meets WCAG AA contrast.
() => {
  const problems = [];
  const visible = (el) => el.offsetParent !== null || el.closest("dialog[open]");
  for (const el of document.querySelectorAll("input, textarea, select")) {
    if (!visible(el)) continue;
    const named = el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll("button")) {
    if (visible(el) && !(el.textContent.trim() || el.getAttribute("aria-label") || el.title))
      problems.push(`button without a name: ${el.outerHTML.slice(0, 80)}`);
  }
  const rgb = (s) => s.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0.9) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll("h1, h2, h3, p, span, li, label, button, .value, .label")) {
    if (!visible(el) || !el.textContent.trim() || el.closest(".maplibregl-ctrl")) continue;
    const fg = rgb(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${el.tagName} "${el.textContent.trim().slice(0, 30)}"`);
  }
  return problems;
}
