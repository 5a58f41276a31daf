"""The contribution form's widgets, drawn from :data:`geo.contribute.form.FORM_FIELDS`.

Everything typed lives in ``st.session_state``: the widgets' own keys, and a copy in
:data:`ui.keys.DRAFT` written at every run, from which the widgets are filled again when
Streamlit has dropped their state (after a visit to another page). So nothing typed is lost
on an error, a geocoder failure or a rerun. Problems are shown under their field, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from geo.contribute.form import (
    CARRIER_HELP,
    CARRIER_NAME_MAX,
    CARRIERS_MAX,
    FORM_FIELDS,
    LESSON_HELP,
    LESSON_MAX,
    LESSON_PARTS,
    LESSON_SECTION,
    PARTNER_HELP,
    SECTIONS,
    FormField,
    carrier_types,
    empty_values,
    upper_first,
)
from geo.projects.model import FIELD_LABELS, LESSON_LABELS, categories
from geo.text import plain_markdown
from ui import keys

Errors = Mapping[str, list[str]]


def key(name: str) -> str:
    return f"{keys.CONTRIBUTION_PREFIX}{name}"


@dataclass(frozen=True)
class Rows:
    """The session keys of a repeatable list of organisations (carriers, partners)."""

    field: str
    who: str
    count: str
    name: str
    type: str
    siren: str
    help: str


CARRIER_ROWS = Rows("carriers", "porteur", keys.CARRIER_ROWS, keys.CARRIER_NAME,
                    keys.CARRIER_TYPE, keys.CARRIER_SIREN, CARRIER_HELP)  # fmt: skip
PARTNER_ROWS = Rows("partners", "partenaire", keys.PARTNER_ROWS, keys.PARTNER_NAME,
                    keys.PARTNER_TYPE, keys.PARTNER_SIREN, PARTNER_HELP)  # fmt: skip
#: Session keys of the lesson learned the form edits, by part.
LESSON_KEYS = {"worked": keys.LESSON_WORKED, "hard": keys.LESSON_HARD,
               "differently": keys.LESSON_DIFFERENTLY, "date": keys.LESSON_DATE}  # fmt: skip


def _set_rows(rows: Rows, items: list[Mapping[str, Any]], *, blank: bool) -> None:
    items = list(items) or ([{"name": "", "type": None}] if blank else [])
    st.session_state[rows.count] = len(items)
    for index, row in enumerate(items):
        st.session_state[f"{rows.name}{index}"] = str(row.get("name") or "")
        st.session_state[f"{rows.type}{index}"] = row.get("type")
        st.session_state[f"{rows.siren}{index}"] = str(row.get("siren") or "")


def load(values: Mapping[str, Any], carriers: list[Mapping[str, Any]]) -> None:
    """Fill the form (a fresh form, or a project opened by its edit link)."""
    for field in FORM_FIELDS:
        st.session_state[key(field.name)] = values.get(field.name, empty_values()[field.name])
    _set_rows(CARRIER_ROWS, carriers, blank=True)
    _set_rows(PARTNER_ROWS, values.get("partners") or [], blank=False)
    lessons = list(values.get("lessons") or [])
    latest = lessons.pop() if lessons else {}
    st.session_state[keys.LESSONS_KEPT] = lessons
    for part, name in LESSON_KEYS.items():
        st.session_state[name] = str(latest.get(part) or "")
    save_draft()


def restore() -> None:
    """Widgets whose state Streamlit dropped start again from the draft."""
    draft = st.session_state.get(keys.DRAFT)
    if draft is None:
        load(empty_values(), [])
        return
    for name, value in draft.items():
        if name not in st.session_state:
            st.session_state[name] = value


def save_draft() -> None:
    names = [key(f.name) for f in FORM_FIELDS] + [keys.ADDRESS, keys.LESSONS_KEPT]
    names += list(LESSON_KEYS.values())
    for group in (CARRIER_ROWS, PARTNER_ROWS):
        count = int(st.session_state.get(group.count, 1 if group is CARRIER_ROWS else 0))
        names += [group.count]
        names += [f"{prefix}{i}" for prefix in (group.name, group.type, group.siren)
                  for i in range(count)]  # fmt: skip
    st.session_state[keys.DRAFT] = {n: st.session_state[n] for n in names if n in st.session_state}


def values() -> dict[str, Any]:
    """What the fields hold, with the partners and the lessons (older ones, then the one
    edited)."""
    typed = {f.name: st.session_state.get(key(f.name)) for f in FORM_FIELDS}
    lesson = {part: st.session_state.get(name, "") for part, name in LESSON_KEYS.items()}
    typed["partners"] = _rows(PARTNER_ROWS)
    typed["lessons"] = [*st.session_state.get(keys.LESSONS_KEPT, []), lesson]
    return typed


def _rows(group: Rows) -> list[dict[str, Any]]:
    count = int(st.session_state.get(group.count, 1 if group is CARRIER_ROWS else 0))
    return [
        {"name": st.session_state.get(f"{group.name}{i}", ""),
         "type": st.session_state.get(f"{group.type}{i}"),
         "siren": st.session_state.get(f"{group.siren}{i}", "")}
        for i in range(count)
    ]  # fmt: skip


def carriers() -> list[dict[str, Any]]:
    return _rows(CARRIER_ROWS)


def show_errors(name: str, errors: Errors) -> None:
    """The problems of one field, under it: always one element (empty without a problem), so
    that what follows keeps its place (see :func:`slot`)."""
    messages = errors.get(name, [])
    box = slot()
    if messages:
        box.error("\n\n".join(plain_markdown(m) for m in messages))


def slot() -> Any:
    """A place that is always drawn, filled or not. Everything above the placement map is
    drawn in a constant number of elements: when a message appeared above it, Streamlit moved
    the map's frame, which then reloaded and was never drawn again (its messages went to a
    component the page no longer listened to)."""
    return st.empty()


def error_summary(errors: Errors) -> None:
    box = slot()
    if not errors:
        return
    count = sum(len(m) for m in errors.values())
    lines = [
        f"- **{plain_markdown(upper_first(FIELD_LABELS.get(name, name)))}** : "
        f"{plain_markdown(' '.join(messages))}"
        for name, messages in errors.items()
    ]
    problems = "problème" if count == 1 else "problèmes"
    box.error(
        f"Le projet n'a pas été enregistré : {count} {problems} à corriger (rien de ce que "
        "vous avez saisi n'est perdu).\n\n" + "\n".join(lines)
    )


def _category_label(ident: str) -> str:
    row = categories().get(ident)
    if row is None:
        return ident
    themes = " / ".join({"energie": "énergie", "mobilite": "mobilité"}.get(t, t)
                        for t in row["themes"])  # fmt: skip
    return f"{row['label']} ({themes})"


def field_widget(field: FormField, errors: Errors) -> None:
    label, widget_key = field.shown_label, key(field.name)
    options = field.options or {}
    if field.kind == "text" or field.kind == "email":
        st.text_input(label, key=widget_key, max_chars=field.max_chars)
    elif field.kind == "textarea":
        height = 200 if field.name == "description" else 90
        st.text_area(label, key=widget_key, max_chars=field.max_chars, height=height)
    elif field.kind == "links":
        st.text_area(label, key=widget_key, height=90, placeholder="https://…")
    elif field.kind == "choices":
        fmt = _category_label if field.name == "categories" else options.get
        # No "Select all" and no English "No results" from typing (see the Explorer's filters).
        st.multiselect(label, list(options), key=widget_key, format_func=fmt,
                       placeholder="Choisir…", select_all=False, filter_mode=None)  # fmt: skip
    elif field.kind == "choice":
        choices = list(options) if field.name == "stage" else [None, *options]
        st.selectbox(label, choices, key=widget_key, placeholder="Choisir…", filter_mode=None,
                     format_func=lambda v: "—" if v is None else options.get(v, v))  # fmt: skip
    else:
        st.text_input(label, key=widget_key, max_chars=24, placeholder=field.example)
    st.caption(plain_markdown(field.help))
    show_errors(field.name, errors)


def _add_row(group: Rows) -> None:
    count = int(st.session_state.get(group.count, 1 if group is CARRIER_ROWS else 0))
    if count < CARRIERS_MAX:
        st.session_state[f"{group.name}{count}"] = ""
        st.session_state[f"{group.type}{count}"] = None
        st.session_state[f"{group.siren}{count}"] = ""
        st.session_state[group.count] = count + 1


def _remove_row(group: Rows, index: int) -> None:
    rows = _rows(group)
    del rows[index]
    _set_rows(group, rows, blank=group is CARRIER_ROWS)


#: The "Retirer" column takes the width of its button, the others share the rest: with a
#: share of its own, the button read "Ret…" at 1280 px. Its label never ends in "…" (an
#: exact fit could, by a fraction of a pixel).
ROWS_STYLE = """<style>
[class*="st-key-c-organisations-"] [data-testid="stHorizontalBlock"]
  > [data-testid="stColumn"]:last-child {
  flex: 0 0 auto !important; width: auto !important; min-width: max-content;
}
[class*="st-key-c_retirer_"] button [data-testid="stMarkdownContainer"] {
  overflow: visible; text-overflow: clip;
}
</style>"""


def carriers_widget(errors: Errors, group: Rows = CARRIER_ROWS) -> None:
    # One element however many rows (see :func:`slot`).
    with st.container(key=f"c-organisations-{group.field}"):
        if group is CARRIER_ROWS:
            st.html(ROWS_STYLE)
        _organisation_rows(group, errors)


def _organisation_rows(group: Rows, errors: Errors) -> None:
    st.markdown(f"**{upper_first(FIELD_LABELS[group.field])}**")
    st.caption(plain_markdown(group.help))
    types = carrier_types()
    count = int(st.session_state.get(group.count, 1 if group is CARRIER_ROWS else 0))
    for index in range(count):
        name_col, type_col, siren_col, remove_col = st.columns(
            [5, 4, 3, 1], vertical_alignment="bottom"
        )  # the last one as wide as its button (ROWS_STYLE)
        name_col.text_input(f"Nom du {group.who} n°{index + 1}", key=f"{group.name}{index}",
                            max_chars=CARRIER_NAME_MAX)  # fmt: skip
        type_col.selectbox(
            f"Type du {group.who} n°{index + 1}", [None, *types], key=f"{group.type}{index}",
            format_func=lambda v: "—" if v is None else types[v], placeholder="Choisir…",
            filter_mode=None,
        )  # fmt: skip
        siren_col.text_input(f"SIREN (facultatif) n°{index + 1}", key=f"{group.siren}{index}",
                             max_chars=11, placeholder="9 chiffres")  # fmt: skip
        remove_col.button(
            "Retirer", key=f"c_retirer_{group.field}_{index}", on_click=_remove_row,
            args=(group, index), help=f"Retirer ce {group.who}",
        )  # fmt: skip
    st.button(f"Ajouter un {group.who}", key=f"c_ajouter_{group.who}", on_click=_add_row,
              args=(group,), disabled=count >= CARRIERS_MAX)  # fmt: skip
    show_errors(group.field, errors)


def lesson_widget(errors: Errors) -> None:
    """The project's latest lesson learned (older ones are kept as they are)."""
    with st.container():
        kept = st.session_state.get(keys.LESSONS_KEPT, [])
        if kept:
            st.caption(f"{len(kept)} retour(s) plus ancien(s) est conservé(s) tel(s) quel(s).")
        for part in LESSON_PARTS:
            st.text_area(LESSON_LABELS[part], key=LESSON_KEYS[part], max_chars=LESSON_MAX,
                         height=90)  # fmt: skip
        st.text_input("Date du retour (AAAA-MM-JJ)", key=LESSON_KEYS["date"], max_chars=10,
                      placeholder="ex. 2025-06-30")  # fmt: skip
        st.caption(plain_markdown(LESSON_HELP))
        show_errors("lessons", errors)


def sections(errors: Errors, *, before: str, place: Any) -> None:
    """Every section of the form; ``place`` draws the placement step after ``before``."""
    for section in SECTIONS:
        st.subheader(section, anchor=False)
        for field in FORM_FIELDS:
            if field.section == section:
                field_widget(field, errors)
        if section == SECTIONS[0]:
            carriers_widget(errors)
            carriers_widget(errors, PARTNER_ROWS)
        if section == before:
            place()
    st.subheader(LESSON_SECTION, anchor=False)
    lesson_widget(errors)


def honeypot() -> None:
    """A field people never see (moved off screen) and screen readers are told to leave."""
    st.html(
        "<style>.st-key-c_site_verification{position:absolute;left:-10000px;top:auto;"
        "width:1px;height:1px;overflow:hidden}</style>"
    )
    st.text_input("Laissez ce champ vide", key=keys.HONEYPOT)
