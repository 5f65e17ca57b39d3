# Joins the 2016 form's fields and the merge and handover fields (made side by side).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0012_merge_and_handover"),
        ("children", "0012_registration_form_2016"),
    ]

    operations = []
