from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagefilesConfig(AppConfig):
    name = "villagefiles"
    verbose_name = _("Village files and gap reports")
