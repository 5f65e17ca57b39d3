"""The app's /api/v1/ routes: shouhu/api.py calls register(router)."""


def register(router):
    """Add this app's viewsets to the project router."""
