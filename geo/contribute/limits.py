"""Abuse limits of the contribution page, decided before anything reaches the store.

Per visitor session (``GEO_SUBMISSIONS_PER_SESSION`` new projects, ten times as many saved
changes) and for the whole site (``GEO_SUBMISSIONS_PER_HOUR`` new projects in the last hour,
counted in the store's audit log so that every app process shares the count). A honeypot
field, invisible to people and labelled "leave empty" for screen readers, must stay empty.
"""

from __future__ import annotations

from geo.errors import SubmissionLimitError
from geo.settings import Settings

#: The audit log's name for contributions made on the page.
FORM_ACTOR = "formulaire"
EDITS_PER_SUBMISSION = 10


def check_new(settings: Settings, *, in_session: int, in_last_hour: int) -> None:
    if in_session >= settings.submissions_per_session:
        msg = (
            f"Vous avez déjà proposé {in_session} projets depuis cette page : c'est le maximum "
            "pour une session. Votre saisie est conservée ; revenez plus tard pour l'envoyer."
        )
        raise SubmissionLimitError(msg)
    if in_last_hour >= settings.submissions_per_hour:
        msg = (
            "Le site a reçu beaucoup de propositions dans l'heure écoulée : réessayez dans "
            "un moment. Votre saisie est conservée."
        )
        raise SubmissionLimitError(msg)


def check_edit(settings: Settings, *, in_session: int) -> None:
    if in_session >= settings.submissions_per_session * EDITS_PER_SUBMISSION:
        msg = (
            "Trop de modifications enregistrées depuis cette session : revenez plus tard. "
            "Votre saisie est conservée."
        )
        raise SubmissionLimitError(msg)


def check_honeypot(value: object) -> None:
    if str(value or "").strip():
        msg = (
            "Le champ « Laissez ce champ vide » doit rester vide : videz-le pour envoyer le "
            "projet (il sert à écarter les envois automatiques)."
        )
        raise SubmissionLimitError(msg)
