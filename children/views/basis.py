"""The child's legal basis for processing (PIPL art. 13, 31): the page that records it."""

from django.shortcuts import render

from core.forms import saved
from core.navigation import next_url
from core.routes import Routes

from .. import policy, rules, services
from ..choices import ProcessingBasis
from ..forms import BasisForm
from ..models import Child
from .steps import back_to_child, child_to_change

route = Routes()


def initial_basis(child: Child) -> dict:
    """The form's starting values: the recorded basis, or the statutory duty and its law."""
    if child.processing_basis:
        return {name: getattr(child, name) for name in rules.BASIS_FIELDS}
    return {
        "processing_basis": ProcessingBasis.STATUTORY_DUTY,
        "basis_law": policy.STATUTORY_BASIS_LAW,
    }


@route("<int:pk>/basis/", name="basis")
def record_basis(request, pk):
    """Record the guardian's consent or the legal basis for processing the child's data."""
    child = child_to_change(request, pk)
    form = BasisForm(
        request.POST or None, initial=initial_basis(child), birth_date=child.birth_date
    )
    if saved(request, form, lambda: services.record_basis(request.user, child, form.basis_data())):
        return back_to_child(request, child)
    return render(
        request,
        "children/basis_form.html",
        {"child": child, "form": form, "next": next_url(request)},
    )
