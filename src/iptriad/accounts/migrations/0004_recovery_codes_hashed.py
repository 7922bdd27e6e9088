"""Recovery codes stored before this release were plain text: replace each with its keyed hash.

A frozen copy of iptriad.accounts.mfa.recovery_code_digest: a migration must not change when the app's code does.
The codes keep working (the users type the same codes); going back leaves the hashes, which the older code
cannot check, so those users make new codes from their account page.
"""

from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "iptriad.accounts.mfa.recovery-code"


def hash_plain_recovery_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    plain = StaticToken.objects.select_related("device").filter(token__regex=r"^[a-z2-7]{8}$")
    for token in plain.iterator():
        digest = salted_hmac(SALT, f"{token.device.user_id}:{token.token}", algorithm="sha256").hexdigest()[:16]
        StaticToken.objects.filter(pk=token.pk).update(token=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organisation_mfa_required"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_plain_recovery_codes, migrations.RunPython.noop, elidable=False)]
