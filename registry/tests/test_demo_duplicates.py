"""The demo has likely duplicates of two kinds for the county officer to find."""

from demo.seed import seed_demo
from registry import duplicates, policy


def test_the_demo_has_likely_duplicates_by_name_and_by_sound(db):
    seed_demo("small", seed=7)
    from areas.models import Area

    county = Area.objects.get(level="county").code[:6]
    rules = {rule for pair in duplicates.likely_duplicates(county) for rule in pair.rules}
    assert {policy.SAME_NAME, policy.SAME_PINYIN} <= rules
