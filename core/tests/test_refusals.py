"""One family of refusals (core.exceptions) and the places that answer them: a page's form
(save_through), a button (refusal_message) and the API (exception_handler)."""

import pytest
from django import forms

from core.api import exception_handler
from core.exceptions import STALE_MESSAGE, Invalid, NotNow, Refused, Stale
from core.forms import refusal_message, save_through
from core.uploads import UploadRefused


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def _form():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    return form


def _raise(exc):
    def call():
        raise exc

    return call


def test_a_call_that_goes_through_returns_its_result():
    form = _form()
    assert save_through(form, lambda: {}) == {}
    assert not form.errors
    assert refusal_message(lambda: None) == ""


def test_broken_rules_land_beside_their_fields_and_the_rest_on_top():
    form = _form()
    assert save_through(form, _raise(Invalid({"note": "no", "elsewhere": "also no"}))) is None
    assert form.errors == {"note": ["no"], "__all__": ["also no"]}


@pytest.mark.parametrize("exc", [Stale(), NotNow("closed")])
def test_a_stale_version_or_a_step_not_allowed_now_is_on_top(exc):
    form = _form()
    assert save_through(form, _raise(exc)) is None
    assert form.errors == {"__all__": [str(exc.message)]}
    assert refusal_message(_raise(exc)) == str(exc.message)


def test_a_step_not_allowed_now_may_name_its_field():
    form = _form()
    save_through(form, _raise(NotNow("busy", field="note")))
    assert form.errors == {"note": ["busy"]}


def test_a_refusal_to_this_user_is_the_403_page():
    with pytest.raises(Refused):
        save_through(_form(), _raise(Refused()))
    with pytest.raises(Refused):
        refusal_message(_raise(Refused()))


def test_a_button_says_which_rules_were_broken():
    assert refusal_message(_raise(Invalid({"note": "no"}))) == "no"


@pytest.mark.parametrize(
    "exc, status, body",
    [
        (Invalid({"note": "no"}), 400, {"note": ["no"]}),
        (Invalid("no"), 400, {"non_field_errors": ["no"]}),
        (Stale(), 409, {"non_field_errors": [str(STALE_MESSAGE)]}),
        (NotNow("closed", field="note"), 409, {"detail": "closed"}),
        (Refused(), 403, None),
    ],
)
def test_the_api_answers_each_refusal_once(exc, status, body):
    response = exception_handler(exc, {})
    assert response.status_code == status
    if body is not None:
        assert response.data == body


def test_a_refused_upload_is_a_broken_rule_with_its_message_and_code():
    refused = UploadRefused("too large", code="size")
    assert isinstance(refused, Invalid)
    assert (refused.message, refused.code) == ("too large", "size")
