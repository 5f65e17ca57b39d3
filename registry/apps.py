from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("The register's housekeeping")

    def ready(self):
        from children.signals import handover_proposed

        from .services import tell_receiving_county

        handover_proposed.connect(tell_receiving_county, dispatch_uid="registry.handover")
