from django.contrib.auth.models import AbstractUser
from django.db import models

from tminus.accounts.roles import ROLE_CHOICES, VIEWER


class User(AbstractUser):
    """A person who signs in; their role decides what they may change."""

    role = models.CharField(max_length=20, choices=ROLE_CHOICES, default=VIEWER)
    display_name = models.CharField(max_length=150, blank=True)
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ApiToken(models.Model):
    """A personal API token; only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active
