"""Client identifiers unique in their organisation whatever their case (issue 16, item 8).

Identifiers that differ only by case already in the database would make the constraint fail with the
database's own error; the check before it stops the migration with a message that names the organisation and
the identifiers, so the operator renames one of each pair (`iptriad shell` or the client's page) and migrates
again. Nothing is renamed automatically: an identifier is often a number in another system.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_identifiers_that_differ_only_by_case(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    clashes = (
        Client.objects.annotate(folded=Lower("identifier"))
        .values("organisation_id", "folded")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("organisation_id", "folded")
    )
    found = [
        f"organisation {row['organisation_id']}: "
        + ", ".join(
            sorted(
                Client.objects.filter(organisation_id=row["organisation_id"], identifier__iexact=row["folded"])
                .values_list("identifier", flat=True)
            )
        )
        for row in clashes[:50]
    ]
    if found:
        raise RuntimeError(
            "Client identifiers must now be unique regardless of case, and these differ only by case; rename "
            "one of each group, then run `iptriad migrate` again:\n  " + "\n  ".join(found)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_client_search_trigram_index"),
    ]

    operations = [
        migrations.RunPython(refuse_identifiers_that_differ_only_by_case, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                models.F("organisation"),
                django.db.models.functions.text.Lower("identifier"),
                name="client_identifier_unique_in_org_any_case",
            ),
        ),
    ]
