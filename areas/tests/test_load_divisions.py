from django.core.management import call_command

from areas.models import Area


def test_load_one_county_creates_its_branch_and_townships(db):
    call_command("load_divisions", county="341623")
    assert Area.objects.filter(level="county").get().name == "利辛县"
    townships = Area.objects.filter(level="township", parent__code="341623000000")
    assert townships.count() == 25
    assert townships.get(code="341623100000").name == "城关镇"
    assert Area.objects.get(code="341600000000").parent.code == "340000000000"


def test_loading_twice_changes_nothing(db):
    call_command("load_divisions", county="341623")
    before = Area.objects.count()
    call_command("load_divisions", county="341623")
    assert Area.objects.count() == before


def test_loading_everything_builds_the_national_tree(db, capsys):
    call_command("load_divisions")
    assert Area.objects.filter(level="province").count() == 31
    assert (
        Area.objects.filter(level="county").count() == 2975
    )  # 2,978 listed, less 3 cities without counties
    assert Area.objects.filter(level="township").count() > 40000
    # every township sits under a county whose prefix it shares
    orphans = Area.objects.filter(level="township").exclude(parent__level="county")
    assert not orphans.exists()
    assert "Skipped 441900" in capsys.readouterr().out


def test_unknown_county_is_a_clear_error(db):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="unknown county"):
        call_command("load_divisions", county="999999")
    with pytest.raises(CommandError, match="6-digit"):
        call_command("load_divisions", county="3416")
