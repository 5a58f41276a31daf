// Streamlit's own texts in French (ui/french_chrome.py holds the table and says why).
// Run by st.html in the page itself; the Python side puts the table in place of TABLE below.
// No "<" directly followed by a letter or "/" in this file: Streamlit's sanitiser would drop
// the whole script.
(() => {
  const table = /*TABLE*/ null;
  const root = window;
  // One observer per browser tab: every page of the app runs this script again.
  if (!table || root.__frenchChrome) {
    return;
  }
  const texts = new Map(Object.entries(table.texts));
  const patterns = table.patterns.map(([source, french]) => [new RegExp(source), french]);
  const followUps = table.followUps.map(([source, french]) => [new RegExp(source, "g"), french]);
  const ATTRIBUTES = ["aria-label", "title", "placeholder", "alt"];
  // What the app's authors and users wrote is never rewritten, even when it is English;
  // a tooltip is Streamlit's (its content is also Markdown).
  const AUTHORED =
    '[data-testid="stMarkdownContainer"], [data-testid="stCode"], [data-testid="stTable"], ' +
    '[data-testid="stText"], [data-testid="stJson"], textarea, script, style';
  const TOOLTIP = '[data-testid="stTooltipContent"]';

  function french(value) {
    const text = value.trim();
    if (!text) {
      return null;
    }
    const whole = texts.get(text);
    if (whole !== undefined) {
      return value.replace(text, whole);
    }
    // "Fullscreen: Chart title", as a toolbar button is labelled for a screen reader.
    const colon = text.indexOf(": ");
    if (colon > 0) {
      const label = texts.get(text.slice(0, colon));
      if (label !== undefined) {
        return label + text.slice(colon);
      }
    }
    for (const [pattern, replacement] of patterns) {
      if (pattern.test(text)) {
        let done = text.replace(pattern, replacement);
        for (const [piece, frenchPiece] of followUps) {
          done = done.replace(piece, frenchPiece);
        }
        return done;
      }
    }
    return null;
  }

  function authored(node) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!element) {
      return false;
    }
    const inside = element.closest(AUTHORED);
    return inside !== null && !inside.closest(TOOLTIP);
  }

  function translateText(node) {
    const done = french(node.nodeValue || "");
    if (done !== null && done !== node.nodeValue && !authored(node)) {
      node.nodeValue = done;
    }
  }

  function translateAttributes(element) {
    for (const name of ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value) {
        const done = french(value);
        if (done !== null && done !== value) {
          element.setAttribute(name, done);
        }
      }
    }
  }

  function translateTree(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      translateText(node);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    translateAttributes(node);
    const walker = document.createTreeWalker(
      node,
      NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT,
    );
    for (let current = walker.nextNode(); current; current = walker.nextNode()) {
      if (current.nodeType === Node.TEXT_NODE) {
        translateText(current);
      } else {
        translateAttributes(current);
      }
    }
  }

  // Streamlit's page says it is English; a screen reader would read French with an English voice.
  document.documentElement.lang = "fr";
  // Callbacks run before the browser paints the change: the English text is never seen.
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "childList") {
        record.addedNodes.forEach(translateTree);
      } else if (record.type === "characterData") {
        translateText(record.target);
      } else if (record.type === "attributes") {
        translateAttributes(record.target);
      }
    }
  });
  observer.observe(document.documentElement, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
  translateTree(document.documentElement);
  root.__frenchChrome = observer;
})();
