// Lists of reasons written once, twin of keneya/core/text.py: the engine's sentences
// ("Convulsions.", "Tirage sous-costal.") or an older stored text ("a.; b.") read as
// "Convulsions ; tirage sous-costal" (no ".;"). Pure functions (tested from node).

const SPLIT = /\s*;\s+|\s*;\s*(?=[A-Za-zÀ-Ýà-ý])/;
const TRAILING = /[\s.;,]+$/;

/** Each reason once, in order, without its final period. */
export function reasonItems(value) {
  if (value === null || value === undefined) return [];
  const texts = Array.isArray(value) ? value.map(String) : [String(value)];
  const items = [];
  for (const text of texts) {
    for (const part of text.split(SPLIT)) {
      const cleaned = part.split(/\s+/).filter(Boolean).join(" ").replace(TRAILING, "");
      if (cleaned && !items.includes(cleaned)) items.push(cleaned);
    }
  }
  return items;
}

function lowerFirst(text) {
  if (text.length > 1 && text[0] !== text[0].toLowerCase() && text[1] === text[1].toLowerCase()) {
    return text[0].toLowerCase() + text.slice(1);
  }
  return text;
}

/** ["Convulsions.", "Tirage sous-costal."] -> "Convulsions ; tirage sous-costal". */
export function formatReasons(value) {
  const items = reasonItems(value);
  return items.map((item, i) => (i === 0 ? item : lowerFirst(item))).join(" ; ");
}
