"""The child's legal basis for processing (PIPL art. 13, 31): the page that records it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.forms import save_through
from core.navigation import next_url

from .. import policy, rules, services
from ..choices import ProcessingBasis
from ..forms import BasisForm
from ..models import Child
from .steps import back_to_child, child_to_change


def initial_basis(child: Child) -> dict:
    """The form's starting values: the recorded basis, or the statutory duty and its law."""
    if child.processing_basis:
        return {name: getattr(child, name) for name in rules.BASIS_FIELDS}
    return {
        "processing_basis": ProcessingBasis.STATUTORY_DUTY,
        "basis_law": policy.STATUTORY_BASIS_LAW,
    }


@login_required
def record_basis(request, pk):
    """Record the guardian's consent or the legal basis for processing the child's data."""
    child = child_to_change(request, pk)
    form = BasisForm(
        request.POST or None, initial=initial_basis(child), birth_date=child.birth_date
    )
    if request.method == "POST" and form.is_valid():
        changes = save_through(
            form, lambda: services.record_basis(request.user, child, form.basis_data())
        )
        if changes is not None:  # {} when nothing changed
            messages.success(request, _("Saved."))
            return back_to_child(request, child)
    return render(
        request,
        "children/basis_form.html",
        {"child": child, "form": form, "next": next_url(request)},
    )
