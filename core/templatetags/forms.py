"""Forms in templates.

{% fieldset form names _("legend") %} writes one card of a form: its legend, then the named
fields in the form's order, each through core/_field.html (all of the form's fields without
names), so that a long form is cut into cards without a loop written out for each card.
"""

from django import template

register = template.Library()


@register.inclusion_tag("core/_fieldset.html")
def fieldset(form, names=None, legend=""):
    """A card of the form's fields: `names` is a list or a space-separated string of names of
    visible fields (the form's order is kept), or None for every field of the form."""
    if names is None:
        return {"fields": list(form), "legend": legend}
    if isinstance(names, str):
        names = names.split()
    fields = [field for field in form.visible_fields() if field.name in names]
    return {"fields": fields, "legend": legend}
