"""The demo's legal bases (demo/basis.py): most children have one, recorded through the
registry's services with history and audit; some have none, so the gap report shows them."""

from children.models import Child, ChildChange
from core.models import AuditEntry
from demo.seed import seed_demo


def test_most_demo_children_have_a_legal_basis_and_a_few_are_gaps(db):
    counts = seed_demo("small", seed=7)
    children = Child.objects.all()
    missing = children.filter(processing_basis="")
    assert 3 <= missing.count() <= counts["children"] * 0.1
    assert counts["basis_missing"] == missing.count()
    assert children.filter(processing_basis="statutory_duty").count() == counts["basis_statutory"]
    with_basis = children.exclude(processing_basis="")
    assert not with_basis.filter(basis_recorded_by=None).exists()
    assert not with_basis.filter(basis_on=None).exists()
    # Every basis has its history entry, and the audit log has the county's decision.
    assert ChildChange.objects.filter(kind=ChildChange.Kind.BASIS).count() == with_basis.count()
    assert AuditEntry.objects.filter(action="children.child.basis_recorded").exists()
