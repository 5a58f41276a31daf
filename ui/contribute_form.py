"""The contribution form's widgets, drawn from :data:`geo.contribute.form.FORM_FIELDS`.

Everything typed lives in ``st.session_state``: the widgets' own keys, and a copy in
:data:`ui.keys.DRAFT` written at every run, from which the widgets are filled again when
Streamlit has dropped their state (after a visit to another page). So nothing typed is lost
on an error, a geocoder failure or a rerun. Problems are shown under their field, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo.contribute.form import (
    CARRIER_HELP,
    CARRIER_NAME_MAX,
    CARRIERS_MAX,
    FORM_FIELDS,
    SECTIONS,
    FormField,
    carrier_types,
    empty_values,
    upper_first,
)
from geo.projects.model import FIELD_LABELS, categories
from geo.text import plain_markdown
from ui import keys

Errors = Mapping[str, list[str]]


def key(name: str) -> str:
    return f"{keys.CONTRIBUTION_PREFIX}{name}"


def load(values: Mapping[str, Any], carriers: list[Mapping[str, Any]]) -> None:
    """Fill the form (a fresh form, or a project opened by its edit link)."""
    for field in FORM_FIELDS:
        st.session_state[key(field.name)] = values.get(field.name, empty_values()[field.name])
    rows = list(carriers) or [{"name": "", "type": None}]
    st.session_state[keys.CARRIER_ROWS] = len(rows)
    for index, row in enumerate(rows):
        st.session_state[f"{keys.CARRIER_NAME}{index}"] = str(row.get("name") or "")
        st.session_state[f"{keys.CARRIER_TYPE}{index}"] = row.get("type")
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
    names = [key(f.name) for f in FORM_FIELDS] + [keys.CARRIER_ROWS, keys.ADDRESS]
    rows = int(st.session_state.get(keys.CARRIER_ROWS, 1))
    names += [f"{keys.CARRIER_NAME}{i}" for i in range(rows)]
    names += [f"{keys.CARRIER_TYPE}{i}" for i in range(rows)]
    st.session_state[keys.DRAFT] = {n: st.session_state[n] for n in names if n in st.session_state}


def values() -> dict[str, Any]:
    return {f.name: st.session_state.get(key(f.name)) for f in FORM_FIELDS}


def carriers() -> list[dict[str, Any]]:
    rows = int(st.session_state.get(keys.CARRIER_ROWS, 1))
    return [
        {"name": st.session_state.get(f"{keys.CARRIER_NAME}{i}", ""),
         "type": st.session_state.get(f"{keys.CARRIER_TYPE}{i}")}
        for i in range(rows)
    ]  # fmt: skip


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


def _add_carrier() -> None:
    rows = int(st.session_state.get(keys.CARRIER_ROWS, 1))
    if rows < CARRIERS_MAX:
        st.session_state[f"{keys.CARRIER_NAME}{rows}"] = ""
        st.session_state[f"{keys.CARRIER_TYPE}{rows}"] = None
        st.session_state[keys.CARRIER_ROWS] = rows + 1


def _remove_carrier(index: int) -> None:
    rows = carriers()
    del rows[index]
    rows = rows or [{"name": "", "type": None}]
    st.session_state[keys.CARRIER_ROWS] = len(rows)
    for i, row in enumerate(rows):
        st.session_state[f"{keys.CARRIER_NAME}{i}"] = row["name"]
        st.session_state[f"{keys.CARRIER_TYPE}{i}"] = row["type"]


def carriers_widget(errors: Errors) -> None:
    # One element however many rows (see :func:`slot`).
    with st.container():
        _carrier_rows(errors)


def _carrier_rows(errors: Errors) -> None:
    st.markdown(f"**{upper_first(FIELD_LABELS['carriers'])}**")
    st.caption(plain_markdown(CARRIER_HELP))
    types = carrier_types()
    rows = int(st.session_state.get(keys.CARRIER_ROWS, 1))
    for index in range(rows):
        name_col, type_col, remove_col = st.columns([5, 4, 1], vertical_alignment="bottom")
        name_col.text_input(f"Nom du porteur n°{index + 1}", key=f"{keys.CARRIER_NAME}{index}",
                            max_chars=CARRIER_NAME_MAX)  # fmt: skip
        type_col.selectbox(
            f"Type du porteur n°{index + 1}", [None, *types], key=f"{keys.CARRIER_TYPE}{index}",
            format_func=lambda v: "—" if v is None else types[v], placeholder="Choisir…",
            filter_mode=None,
        )  # fmt: skip
        remove_col.button(
            "Retirer", key=f"c_retirer_{index}", on_click=_remove_carrier, args=(index,),
            help="Retirer ce porteur",
        )  # fmt: skip
    st.button("Ajouter un porteur", key="c_ajouter_porteur", on_click=_add_carrier,
              disabled=rows >= CARRIERS_MAX)  # fmt: skip
    show_errors("carriers", errors)


def sections(errors: Errors, *, before: str, place: Any) -> None:
    """Every section of the form; ``place`` draws the placement step after ``before``."""
    for section in SECTIONS:
        st.subheader(section, anchor=False)
        for field in FORM_FIELDS:
            if field.section == section:
                field_widget(field, errors)
        if section == SECTIONS[0]:
            carriers_widget(errors)
        if section == before:
            place()


def honeypot() -> None:
    """A field people never see (moved off screen) and screen readers are told to leave."""
    st.html(
        "<style>.st-key-c_site_verification{position:absolute;left:-10000px;top:auto;"
        "width:1px;height:1px;overflow:hidden}</style>"
    )
    st.text_input("Laissez ce champ vide", key=keys.HONEYPOT)
