# The idempotency keys move down to iptriad.accounts (decision 0026): the table is renamed with its rows, indexes
# and constraints (a key in use keeps its kept answer), and the model leaves api's picture of the models.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_idempotency_keys_from_api'),
        ('api', '0002_idempotency_keys'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='IdempotencyKey')],
            database_operations=[migrations.AlterModelTable(name='IdempotencyKey', table='accounts_idempotencykey')],
        ),
    ]
