// Accessibility checks run in the page by tests/browser/conftest.py (labels, names, alt, lang, ids, contrast).
(() => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== "hidden" && style.display !== "none" && (box.width > 0 || box.height > 0);
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const nameOf = (el) => {
    const labelledby = el.getAttribute("aria-labelledby");
    if (labelledby) {
      return labelledby.split(/\s+/).map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
    }
    return (el.getAttribute("aria-label") || el.textContent || el.getAttribute("title") || "").trim() ||
      Array.from(el.querySelectorAll("img[alt]")).map((img) => img.alt).join(" ").trim();
  };

  if (!document.documentElement.lang) problems.push("html has no lang attribute");
  if (!document.title.trim()) problems.push("the page has no title");

  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(el.type)) continue;
    const labelled = (el.labels && el.labels.length > 0 && Array.from(el.labels).some((l) => l.textContent.trim())) ||
      el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.getAttribute("title");
    if (!labelled) problems.push("form control without a label: " + describe(el));
  }
  for (const el of document.querySelectorAll("button, a[href], [role=button]")) {
    if (!nameOf(el)) problems.push("control without an accessible name: " + describe(el));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("image without alt: " + describe(img));
  }
  for (const svg of document.querySelectorAll("svg[role=img]")) {
    if (!nameOf(svg)) problems.push("svg image without a name: " + describe(svg));
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) {
    if (ids[el.id]) problems.push("duplicate id: " + el.id);
    ids[el.id] = true;
  }
  for (const el of document.querySelectorAll("[tabindex]")) {
    if (Number(el.getAttribute("tabindex")) > 0) problems.push("positive tabindex breaks the focus order: " + describe(el));
  }

  // Contrast of every visible text against the background it is drawn on (WCAG 2.x: 4.5:1, 3:1 for large text).
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const parts = m[1].split(",").map((p) => parseFloat(p));
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage && style.backgroundImage !== "none") return null; // cannot judge
      const c = rgba(style.backgroundColor);
      if (c && c.a >= 0.99) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const pairs = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || seen.has(el) || !visible(el) || el.closest("[aria-hidden=true], .visually-hidden, script, style, template")) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (parseFloat(style.opacity) < 1) continue;
    const fg = rgba(style.color);
    const bg = background(el);
    if (!fg || !bg) continue;
    const l1 = luminance(fg), l2 = luminance(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize);
    const bold = parseInt(style.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const needed = el.closest(":disabled, .is-disabled") ? 0 : (large ? 3 : 4.5);
    pairs.push(ratio);
    if (ratio < needed) {
      problems.push("contrast " + ratio.toFixed(2) + " < " + needed + " for \"" + node.textContent.trim().slice(0, 30) +
        "\" in " + describe(el) + " (" + style.color + " on rgb(" + [bg.r, bg.g, bg.b].join(",") + "))");
    }
  }
  return { problems, textsChecked: pairs.length };
})
