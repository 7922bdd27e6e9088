"""Organisations set to a zone name that is no place (`localtime`, `Factory`, `posix/...`) move to UTC.

The settings page and `createorg` accepted any file of the system's zone database until the list became
iptriad.core.time_zones; `localtime` followed the host's clock. UTC is the default of a new organisation; an
administrator then chooses the real zone on the settings page.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from iptriad.core.time_zones import is_time_zone_name


def to_utc(apps: Any, schema_editor: Any) -> None:
    Organisation = apps.get_model("accounts", "Organisation")
    for organisation in Organisation.objects.only("pk", "time_zone"):
        if not is_time_zone_name(organisation.time_zone):
            Organisation.objects.filter(pk=organisation.pk).update(time_zone="UTC")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_text_limits")]

    operations = [migrations.RunPython(to_utc, migrations.RunPython.noop)]
