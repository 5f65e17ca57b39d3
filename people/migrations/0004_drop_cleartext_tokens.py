"""DRF's authtoken table held every account's API key in clear and the keys never expired.
They no longer open the API (people.ApiToken replaced them, see people/tokens.py) and
rest_framework.authtoken is no longer installed, so the table is dropped where a database
still has it (nothing to undo: the old keys are not to come back)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("people", "0003_api_tokens")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
