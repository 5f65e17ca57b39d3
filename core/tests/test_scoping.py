import pytest
from django.http import Http404

from areas.models import Area, ServicePoint
from core.scoping import (
    STAND_IN_PREFIX,
    code_range,
    get_visible_or_404,
    jurisdiction_prefix,
    range_bounds,
)
from people.models import User
from tests.personas import A1, A2, B1, TOWNSHIP_A


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_county_officer_sees_the_whole_county(county_officer):
    assert jurisdiction_prefix(county_officer) == "341623"
    assert {A1, A2, B1, TOWNSHIP_A} <= codes(Area.objects.visible_to(county_officer))


def test_township_officer_sees_only_the_township_and_its_villages(township_officer):
    assert codes(Area.objects.visible_to(township_officer)) == {TOWNSHIP_A, A1, A2}


def test_director_sees_only_the_village(director):
    assert codes(Area.objects.visible_to(director)) == {A1}
    homes = ServicePoint.objects.visible_to(director)
    assert [p.area.code for p in homes] == [A1]


def test_director_cannot_see_other_village_people(director, other_director):
    assert other_director not in User.objects.visible_to(director)
    assert director in User.objects.visible_to(director)


@pytest.mark.parametrize("persona", ["volunteer", "social_worker"])
def test_helpers_see_nothing_by_area(request, persona):
    user = request.getfixturevalue(persona)
    assert jurisdiction_prefix(user) is None
    assert not Area.objects.visible_to(user).exists()
    assert not ServicePoint.objects.visible_to(user).exists()
    assert not User.objects.visible_to(user).exists()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Area.objects.visible_to(AnonymousUser()).exists()


def test_leader_sees_but_cannot_edit(leader):
    assert ServicePoint.objects.visible_to(leader).exists()
    assert not ServicePoint.objects.editable_by(leader).exists()


def test_outside_the_jurisdiction_is_404(director, world):
    with pytest.raises(Http404):
        get_visible_or_404(ServicePoint.objects.all(), director, pk=world["home_b1"].pk)
    assert get_visible_or_404(ServicePoint.objects.all(), director, pk=world["home_a1"].pk)


def test_inactive_director_cannot_write(director):
    director.is_active = False
    assert not director.can_write


def test_code_range_matches_exactly_the_prefix():
    from core.scoping import code_range

    assert code_range("code", "341623100") == {"code__gte": "341623100", "code__lt": "341623101"}
    assert code_range("code", "3416") == {"code__gte": "3416", "code__lt": "3417"}
    assert code_range("code", "99") == {"code__gte": "99"}
    inside = ["341623100000", "341623100201", "341623100999"]
    outside = ["341623101000", "341623099999", "34162310", "341624000000"]
    low, high = "341623100", "341623101"
    assert all(low <= c < high for c in inside)
    assert not any(low <= c < high and c.startswith(low) is False for c in outside)
    assert not any(c.startswith(low) for c in outside)


def test_range_bounds_are_code_ranges_two_codes_or_none():
    assert range_bounds("341623") == ("341623", "341624")
    assert range_bounds("341623109") == ("341623109", "341623110")
    for prefix in ["341623", "3416231", STAND_IN_PREFIX]:
        low, high = range_bounds(prefix)
        assert code_range("code", prefix) == {"code__gte": low, "code__lt": high}
    assert range_bounds("99") is None  # no next prefix of two digits
    assert range_bounds("") is None and range_bounds("abc") is None
