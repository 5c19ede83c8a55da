from tminus.accounts.models import ApiToken, User


def token_list(*, user: User | None = None):
    tokens = ApiToken.objects.select_related("user")
    return tokens.filter(user=user) if user is not None else tokens.all()


def user_list():
    return User.objects.filter(is_active=True).order_by("username")
