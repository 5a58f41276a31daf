"""Abuse limits of the contribution page: per session, per hour for the whole site, saved
changes, and the honeypot; each refusal says in French that what was typed is kept."""

from __future__ import annotations

import pytest

from geo.contribute import limits
from geo.errors import SubmissionLimitError
from geo.settings import get_settings

SETTINGS = get_settings({"GEO_SUBMISSIONS_PER_SESSION": "2", "GEO_SUBMISSIONS_PER_HOUR": "5"},
                        secrets={})  # fmt: skip


def test_new_projects_are_limited_per_session_then_per_hour() -> None:
    limits.check_new(SETTINGS, in_session=1, in_last_hour=4)  # under both limits
    with pytest.raises(SubmissionLimitError, match="déjà proposé 2 projets") as session:
        limits.check_new(SETTINGS, in_session=2, in_last_hour=0)
    with pytest.raises(SubmissionLimitError, match="dans l'heure écoulée") as hour:
        limits.check_new(SETTINGS, in_session=0, in_last_hour=5)
    for raised in (session, hour):
        assert "saisie est conservée" in str(raised.value)


def test_saved_changes_have_a_larger_limit() -> None:
    allowed = SETTINGS.submissions_per_session * limits.EDITS_PER_SUBMISSION
    limits.check_edit(SETTINGS, in_session=allowed - 1)
    with pytest.raises(SubmissionLimitError, match="Trop de modifications"):
        limits.check_edit(SETTINGS, in_session=allowed)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_honeypot_passes(value: object) -> None:
    limits.check_honeypot(value)


def test_a_filled_honeypot_is_refused() -> None:
    with pytest.raises(SubmissionLimitError, match="doit rester vide"):
        limits.check_honeypot("https://spam.test")
