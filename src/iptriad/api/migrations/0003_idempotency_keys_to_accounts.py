# The idempotency keys move down to iptriad.accounts (decision 0026): the table is renamed with its rows, indexes
# and constraints (a key in use keeps its kept answer), and the model leaves api's picture of the models. A kept
# answer is encrypted with its column's identity as associated data (decision 0017), so each one is re-encrypted
# from `api.idempotencykey.body` to `accounts.idempotencykey.body` (and back, migrating backwards).

from django.db import migrations

from iptriad.encryption.cipher import decrypt, encrypt, is_encrypted
from iptriad.encryption.fields import active_keyring

TABLE = "accounts_idempotencykey"
API = "api.idempotencykey.body"
ACCOUNTS = "accounts.idempotencykey.body"


def _reencrypt(schema_editor, old: str, new: str) -> None:
    keyring = active_keyring()
    connection = schema_editor.connection
    quoted = connection.ops.quote_name(TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, body FROM {quoted}")  # noqa: S608  # nosec B608  # a fixed table name, quoted
        rows = [(pk, body) for pk, body in cursor.fetchall() if body and is_encrypted(body)]
        for pk, body in rows:
            moved = encrypt(decrypt(body, identity=old, keyring=keyring), identity=new, keyring=keyring)
            cursor.execute(f"UPDATE {quoted} SET body = %s WHERE id = %s", [moved, pk])  # noqa: S608  # nosec B608  # a fixed table name, quoted


def to_accounts(apps, schema_editor) -> None:
    _reencrypt(schema_editor, API, ACCOUNTS)


def to_api(apps, schema_editor) -> None:
    _reencrypt(schema_editor, ACCOUNTS, API)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_idempotency_keys_from_api'),
        ('api', '0002_idempotency_keys'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='IdempotencyKey')],
            database_operations=[migrations.AlterModelTable(name='IdempotencyKey', table=TABLE)],
        ),
        # Backwards, this runs first (the table still has its new name), then the table is renamed back.
        migrations.RunPython(to_accounts, to_api),
    ]
