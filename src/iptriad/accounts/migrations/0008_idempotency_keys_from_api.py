# The idempotency keys move from iptriad.api down to iptriad.accounts, so that a page's form (courses, measures)
# can use them as the API does (decision 0026). Here only Django's picture of the models changes: the table itself
# is renamed, rows kept, by api's migration 0003, which runs after this one.

import django.db.models.deletion
import django.utils.timezone
import iptriad.encryption.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_user_mobile_phone'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=255)),
                        ('fingerprint', models.CharField(max_length=64)),
                        ('status', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('content_type', models.CharField(blank=True, max_length=100)),
                        ('body', iptriad.encryption.fields.EncryptedTextField(blank=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'indexes': [models.Index(fields=['expires_at'], name='idempotency_key_expiry')],
                        'constraints': [models.UniqueConstraint(fields=('organisation', 'user', 'key'), name='idempotency_key_once_per_member'), models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='idempotency_key_expires')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
