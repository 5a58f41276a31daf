"""A visible "Copier" button for a text the app made (Streamlit's own copy icon on a code block
shows only on hover, which a phone does not have).

The text is the app's own (an edit link built by the server), never a visitor's; it is still
passed to the script as a JSON string with ``<``, ``>`` and ``&`` escaped, so that nothing in it
can close the script or become markup. The clipboard API needs a secure context (HTTPS or the
local machine); elsewhere the old ``execCommand("copy")`` is tried, and when both fail the
button says to select the link by hand.
"""

from __future__ import annotations

import json
import re

import streamlit as st

_TEMPLATE = """<div class="copie-texte">
<button type="button" id="{ident}" class="copie-bouton">{label}</button>
<span id="{ident}-etat" class="copie-etat" role="status" aria-live="polite"></span>
</div>
<style>
.copie-bouton {{
  font: inherit; font-size: 0.95rem; line-height: 1.6; cursor: pointer;
  padding: 0.25rem 0.75rem; border-radius: 0.5rem; min-height: 2.5rem;
  border: 1px solid rgba(49, 51, 63, 0.2); background: #ffffff; color: inherit;
}}
.copie-bouton:hover {{ border-color: #b42318; color: #b42318; }}
.copie-etat {{ margin-left: 0.75rem; font-size: 0.9rem; }}
</style>
<script>
(function () {{
  var text = {text};
  var button = document.getElementById("{ident}");
  var state = document.getElementById("{ident}-etat");
  if (!button || button.dataset.ready) {{ return; }}
  button.dataset.ready = "1";
  function done(ok) {{
    state.textContent = ok ? "{copied}" : "{failed}";
  }}
  function fallback() {{
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {{ ok = document.execCommand("copy"); }} catch (error) {{ ok = false; }}
    document.body.removeChild(area);
    done(ok);
  }}
  button.addEventListener("click", function () {{
    if (navigator.clipboard && window.isSecureContext) {{
      navigator.clipboard.writeText(text).then(function () {{ done(true); }}, fallback);
    }} else {{
      fallback();
    }}
  }});
}})();
</script>"""

COPIED = "Lien copié."
FAILED = "Copie impossible ici : sélectionnez le lien et copiez-le."


def _script_string(text: str) -> str:
    """``text`` as a JavaScript string literal safe inside an HTML ``<script>``."""
    return (
        json.dumps(text)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def copy_button(text: str, *, key: str, label: str = "Copier le lien") -> None:
    """A button copying ``text`` (made by the app) to the clipboard, and a line saying it did."""
    ident = "copie-" + re.sub(r"[^a-z0-9-]", "-", key.lower())
    html = _TEMPLATE.format(ident=ident, label=label, text=_script_string(text),
                            copied=COPIED, failed=FAILED)  # fmt: skip
    st.html(html, unsafe_allow_javascript=True)
