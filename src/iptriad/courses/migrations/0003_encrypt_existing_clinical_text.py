from django.db import migrations

from iptriad.encryption.rotation import decrypt_column, encrypted_columns, rotate_column


def encrypt_existing(apps, schema_editor):
    for column in encrypted_columns(apps, app_labels=["courses"]):
        rotate_column(column, using=schema_editor.connection.alias)


def decrypt_existing(apps, schema_editor):
    for column in encrypted_columns(apps, app_labels=["courses"]):
        decrypt_column(column, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    # Each batch of a few hundred rows commits on its own, as `iptriad rotate-keys` does: a large table is not
    # held in one transaction, and an interrupted run is resumed by running `migrate` again (done rows are skipped).
    atomic = False

    dependencies = [
        ("courses", "0002_encrypt_clinical_text"),
    ]

    operations = [
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
