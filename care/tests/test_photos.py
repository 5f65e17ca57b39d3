"""Photos of visits and activities: resized and stripped of their metadata, kept through the
storage, shown only to those who may see the record (each view audited), sent from the outbox
once whatever the retries."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from care.models import Photo, Visit
from core.exceptions import Invalid
from core.images import LONG_SIDE, MAX_BYTES, normalised_photo
from core.models import AuditEntry
from tests.personas import make_child

OUTBOX = "/api/v1/outbox/"
GPS = 0x8825  # the EXIF tag of the GPS block


def camera_photo(width=4000, height=3000, *, name="IMG_0001.jpg") -> SimpleUploadedFile:
    """A phone camera's photo: large, a gradient with grain (it compresses as a photo does,
    not to nothing), with the place it was taken in its EXIF."""
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(
        Image.linear_gradient("L").resize((width, height)).convert("RGB"), grain, 0.3
    )
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (117.0, 2.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_camera_photo_is_kept_small_and_without_its_location():
    upload = camera_photo()
    assert upload.size > 10 * MAX_BYTES and Image.open(upload).getexif().get(GPS)
    upload.seek(0)
    content, width, height = normalised_photo(upload)
    assert max(width, height) <= LONG_SIDE and content.size <= MAX_BYTES
    kept = Image.open(io.BytesIO(content.read()))
    assert kept.format == "JPEG" and (kept.width, kept.height) == (width, height)
    assert not kept.getexif() and "exif" not in kept.info


def test_a_photo_that_stays_too_heavy_is_made_smaller_still():
    # Pure grain does not compress: at 1280 px no quality fits 300 KB, so it is halved.
    noisy = io.BytesIO()
    Image.effect_noise((2000, 1500), 100).convert("RGB").save(noisy, "JPEG", quality=95)
    content, width, _height = normalised_photo(SimpleUploadedFile("n.jpg", noisy.getvalue()))
    assert width == LONG_SIDE // 2 and content.size <= MAX_BYTES


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("a.jpg", b"not a photo", content_type="image/jpeg"),
        SimpleUploadedFile("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    ],
)
def test_anything_but_a_photo_is_refused_with_a_message(upload):
    with pytest.raises(Invalid) as refused:
        normalised_photo(upload)
    assert "photos" in refused.value.message_dict


@pytest.fixture
def child(world):
    return make_child(world["a1"])


def _visit_form(child, **extra):
    fine = {aspect: "fine" for aspect in Visit.ASPECTS}
    return {"visited_on": timezone.localdate().isoformat(), "mode": "home", **fine, **extra}


def test_a_visit_recorded_with_photos_on_the_page_keeps_them(client, director, child):
    client.force_login(director)
    response = client.post(
        f"/care/children/{child.pk}/visit/",
        _visit_form(child, photos=[camera_photo(1600, 1200), camera_photo(800, 600)]),
    )
    assert response.status_code == 302, response.context["form"].errors
    visit = Visit.objects.get()
    photos = list(visit.photos.all())
    assert len(photos) == 2 and photos[0].taken_by == director
    assert (photos[0].width, photos[0].height) == (1280, 960)
    # The name says nothing of the child or the file sent.
    assert "IMG_0001" not in photos[0].image.name and photos[0].image.name.endswith(".jpg")
    assert AuditEntry.objects.filter(action="care.photo.added").count() == 2
    page = client.get(f"/care/visits/{visit.pk}/")
    assert f"/care/photos/{photos[0].pk}/" in page.content.decode()


def test_a_file_that_is_no_photo_saves_nothing_and_says_why(client, director, child):
    client.force_login(director)
    bad = SimpleUploadedFile("notes.jpg", b"plain text", content_type="image/jpeg")
    response = client.post(
        f"/care/children/{child.pk}/visit/", _visit_form(child, photos=[camera_photo(), bad])
    )
    assert response.status_code == 200
    assert response.context["form"].errors["photos"]
    assert not Visit.objects.exists() and not Photo.objects.exists()


def test_a_photo_over_the_upload_limit_saves_nothing_and_says_why(
    client, director, child, settings
):
    # The upload handler stops reading a file past the limit: the visit must not be saved
    # without it as if no photo had been sent.
    settings.IMPORT_MAX_UPLOAD_BYTES = 50_000
    client.force_login(director)
    response = client.post(
        f"/care/children/{child.pk}/visit/", _visit_form(child, photos=[camera_photo()])
    )
    assert response.status_code == 200
    assert "IMG_0001.jpg" in response.context["form"].errors["photos"][0]
    assert not Visit.objects.exists() and not Photo.objects.exists()


def test_a_photo_is_shown_to_those_who_see_the_record_and_each_view_audited(
    client, director, other_director, county_officer, child
):
    client.force_login(director)
    client.post(f"/care/children/{child.pk}/visit/", _visit_form(child, photos=[camera_photo()]))
    photo = Photo.objects.get()
    url = f"/care/photos/{photo.pk}/"
    for user in (director, county_officer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    reads = AuditEntry.objects.filter(action="care.photo.read")
    assert sorted(reads.values_list("actor_username", flat=True)) == sorted(
        [director.username, county_officer.username]
    )
    client.force_login(other_director)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")


def _send_visit(api, director, child):
    record = str(uuid.uuid4())
    body = {
        "id": record,
        "kind": "visit",
        "made_at": timezone.now().isoformat(),
        "data": {"child": child.pk, "visited_on": timezone.localdate().isoformat()},
    }
    assert api.post(OUTBOX, body, format="json").status_code == 201
    return record


def _send_photo(api, record, photo_id, upload=None):
    return api.post(
        f"{OUTBOX}photos/",
        {
            "id": photo_id,
            "record": record,
            "made_at": timezone.now().isoformat(),
            "image": upload or camera_photo(1000, 800),
        },
        format="multipart",
    )


def test_a_photo_sent_from_the_outbox_is_kept_once_whatever_the_retries(director, child):
    api = APIClient()
    api.force_authenticate(director)
    record = _send_visit(api, director, child)
    photo_id = str(uuid.uuid4())
    first = _send_photo(api, record, photo_id)
    assert first.status_code == 201, first.json()
    again = _send_photo(api, record, photo_id)
    assert again.status_code == 200 and again.json() == first.json()
    photo = Photo.objects.get()
    assert str(photo.client_id) == photo_id and photo.visit == Visit.objects.get()
    assert first.json()["url"] == f"/care/photos/{photo.pk}/"


def test_a_photo_before_its_record_or_of_someone_elses_is_a_conflict(
    director, other_director, child
):
    api = APIClient()
    api.force_authenticate(director)
    early = _send_photo(api, str(uuid.uuid4()), str(uuid.uuid4()))
    assert early.status_code == 409 and "请先发送" in early.json()["detail"]
    record = _send_visit(api, director, child)
    api.force_authenticate(other_director)
    assert _send_photo(api, record, str(uuid.uuid4())).status_code == 409
    assert not Photo.objects.exists()


def test_at_most_six_photos_a_record(director, child):
    api = APIClient()
    api.force_authenticate(director)
    record = _send_visit(api, director, child)
    for _ in range(Photo.MAX_PER_RECORD):
        assert _send_photo(api, record, str(uuid.uuid4()), camera_photo(64, 48)).status_code == 201
    seventh = _send_photo(api, record, str(uuid.uuid4()), camera_photo(64, 48))
    assert seventh.status_code == 400 and "photos" in seventh.json()
