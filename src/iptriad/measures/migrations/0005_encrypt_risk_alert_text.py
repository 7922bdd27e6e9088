import iptriad.encryption.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0004_risk_alert_session'),
    ]

    # assessment and action_detail stay `text` (only the field class changes, so the table is not rebuilt);
    # summary grows from varchar(300) to text, as a ciphertext is longer than its plaintext. 0006 encrypts the rows.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='riskalert',
                    name='action_detail',
                    field=iptriad.encryption.fields.EncryptedTextField(blank=True),
                ),
                migrations.AlterField(
                    model_name='riskalert',
                    name='assessment',
                    field=iptriad.encryption.fields.EncryptedTextField(blank=True),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='riskalert',
            name='summary',
            field=iptriad.encryption.fields.EncryptedTextField(max_length=300),
        ),
    ]
