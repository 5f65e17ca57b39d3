"""Authentication backend that loads the account's area with the account."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class AreaModelBackend(ModelBackend):
    """Django's backend, but the user's area comes in the same query (every page needs it)."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("area").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
