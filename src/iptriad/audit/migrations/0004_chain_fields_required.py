from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_seal_existing_events")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("organisation__isnull", False)),
                fields=("organisation", "sequence"),
                name="audit_chain_position",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("organisation__isnull", True)),
                fields=("sequence",),
                name="audit_system_chain_position",
            ),
        ),
    ]
