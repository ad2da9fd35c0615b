"""Existing plain-text DRF tokens become hashed, expiring ``ApiToken`` rows; the plain-text
copies are deleted. Each keeps working for one token lifetime from the migration."""

import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.crypto import salted_hmac


def hash_tokens(apps, schema_editor):
    from datetime import timedelta

    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires_at = timezone.now() + timedelta(days=float(getattr(settings, "KENEYA_API_TOKEN_DAYS", 30)))
    for token in Token.objects.select_related("user").iterator():
        auth_hash = salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            token.user.password,
            algorithm="sha256",
        ).hexdigest()
        ApiToken.objects.create(
            key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
            user_id=token.user_id,
            auth_hash=auth_hash,
            expires_at=expires_at,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_token"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
