from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from people.models import ResponsibilityPost


def edit_url(post):
    return reverse("people:post_edit", kwargs={"pk": post.pk})


def test_township_officer_fills_a_vacant_post_and_it_is_audited(client, township_officer, world):
    post = ResponsibilityPost.objects.create(area=world["a1"], post="team_lead", holder_name="")
    client.force_login(township_officer)
    form = client.get(edit_url(post)).context["form"]
    response = client.post(
        edit_url(post),
        {"holder_name": " 王建国 ", "phone": "13900001111", "based_on": form["based_on"].value()},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.holder_name == "王建国" and not post.is_vacant
    entry = AuditEntry.objects.get(action="people.responsibilitypost.updated")
    assert entry.data["changes"]["holder_name"] == ["", "王建国"]
    assert entry.area_code == world["a1"].code


def test_stale_matrix_edit_is_refused(client, township_officer, county_officer, world):
    post = ResponsibilityPost.objects.create(area=world["a1"], post="cadre", holder_name="李红")
    client.force_login(township_officer)
    version = client.get(edit_url(post)).context["form"]["based_on"].value()
    other = Client()
    other.force_login(county_officer)
    other_version = other.get(edit_url(post)).context["form"]["based_on"].value()
    other.post(edit_url(post), {"holder_name": "赵敏", "phone": "", "based_on": other_version})
    response = client.post(
        edit_url(post), {"holder_name": "孙丽", "phone": "", "based_on": version}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    post.refresh_from_db()
    assert post.holder_name == "赵敏"


def test_adding_a_cadre_offers_only_the_posts_of_the_level(client, township_officer, world):
    client.force_login(township_officer)
    url = reverse("people:post_add", kwargs={"code": world["a1"].code})
    choices = [value for value, _ in client.get(url).context["form"].fields["post"].choices]
    assert set(choices) - {""} == {"team_lead", "cadre"}
    response = client.post(url, {"post": "party_secretary", "holder_name": "x"})
    assert "post" in response.context["form"].errors
    response = client.post(url, {"post": "cadre", "holder_name": "周强", "phone": ""})
    assert response.status_code == 302
    assert ResponsibilityPost.objects.get(area=world["a1"], post="cadre").holder_name == "周强"
    assert AuditEntry.objects.filter(action="people.responsibilitypost.created").exists()


def test_director_may_not_change_the_matrix(client, director, world):
    post = ResponsibilityPost.objects.create(area=world["a1"], post="cadre", holder_name="李红")
    client.force_login(director)
    assert client.post(edit_url(post), {"holder_name": "x"}).status_code == 403
