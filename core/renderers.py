"""The form renderer (settings.FORM_RENDERER): Django's, with its plain widgets written in
Python.

Django writes each widget through its templates: an <input> is three of them (text.html
includes input.html, which includes attrs.html), a radio button or a select's option two more
per choice. A visit form of six assessed aspects renders some two hundred templates, most of
its time (bench/README.md, "Where a page's CPU goes"). Here the templates of the plain widgets
(inputs, text areas, selects, radio buttons and check boxes) are written by functions that
give the same markup, character for character; any other template, and a widget whose options
come from another template, go to Django's renderer as before. tests/test_form_renderer.py
compares both on every kind of widget, so a Django whose templates change fails it.
"""

from types import SimpleNamespace

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
# What render_value_in_context needs of the template context Django's renderer makes.
_CONTEXT = SimpleNamespace(use_tz=None, use_l10n=None, autoescape=True)


def _show(value) -> str:
    """{{ value }} in a widget template."""
    return render_value_in_context(value, _CONTEXT)


def _show_s(value) -> str:
    """{{ value|stringformat:'s' }}: "%s" % value, which is str(value) (a tuple too, which
    the filter turns into its str first); the filter keeps a safe value safe."""
    text = str(value)
    return _show(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    """attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(" " + _show(name))
            if value is not True:
                parts.append('="' + _show_s(value) + '"')
    return "".join(parts)


def _input(widget: dict) -> str:
    """input.html."""
    value = widget["value"]
    shown = f' value="{_show_s(value)}"' if value != None else ""  # noqa: E711 (as the template)
    return (
        f'<input type="{_show(widget["type"])}" name="{_show(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(option: dict) -> str:
    """input_option.html (a radio button's or a check box's, label around it)."""
    if not option["wrap_label"]:
        return _input(option) + "\n"
    ident = option["attrs"].get("id")
    target = f' for="{_show(ident)}"' if ident else ""
    return f"<label{target}>{_input(option)} {_show(option['label'])}</label>\n"


def _multiple_input(widget: dict) -> str | None:
    """multiple_input.html (radio.html, checkbox_select.html); None if an option has a
    template of its own."""
    ident = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{_show(ident)}"' if ident else "",
        f' class="{_show(css)}"' if css else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_show(group)}</label>")
        for option in options:
            if option["template_name"] not in OPTION_TEMPLATES:
                return None
            # radio_option.html and checkbox_option.html include input_option.html.
            parts.append(f"<div>\n    {_input_option(option)}\n</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _select(widget: dict) -> str | None:
    """select.html; None if an option has a template of its own."""
    parts = [f'<select name="{_show(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_show(group)}">')
        for option in options:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None
            parts.append(
                f'\n  <option value="{_show_s(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_show(option['label'])}</option>\n"
            )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    """textarea.html."""
    value = _show(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_show(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'
    )


OPTION_TEMPLATES = {WIDGETS + "radio_option.html", WIDGETS + "checkbox_option.html"}
# The templates that only include input.html (Django strips what a template writes, so the
# line end they add does not show).
INPUTS = [
    "input",
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "checkbox",
    "search",
    "tel",
    "color",
    "file",
]
# Each template written here: a function of the context's "widget" (None: let Django do it).
WRITERS = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUTS},
    WIDGETS + "radio.html": _multiple_input,
    WIDGETS + "checkbox_select.html": _multiple_input,
    WIDGETS + "select.html": _select,
    WIDGETS + "textarea.html": _textarea,
}


class FormRenderer(DjangoTemplates):
    """Django's DjangoTemplates renderer; the plain widgets' templates written in Python."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        if write is not None and request is None and "widget" in context:
            html = write(context["widget"])
            if html is not None:
                return html.strip()  # as Django's renderer strips a template's output
        return super().render(template_name, context, request)
