# After the data of 0003: expiries are required, the sender is text only (deleting a user no
# longer rewrites who sent what), and the indexes and the one-delivery-per-kiosk constraint
# come back on the new columns.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kiosk_fleet', '0003_commands_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name='command', name='created_by'),
        migrations.AlterField(
            model_name='command',
            name='expires_at',
            field=models.DateTimeField(help_text='Not run after this; deliveries with no answer by then are expired.'),
        ),
        migrations.AlterField(model_name='delivery', name='expires_at', field=models.DateTimeField()),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['kiosk', 'state'], name='kiosk_fleet_delivery_pending'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['state', 'expires_at'], name='kiosk_fleet_delivery_expiry'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['command', 'state'], name='kiosk_fleet_delivery_counts'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(fields=('command', 'kiosk_key'), name='kiosk_fleet_one_delivery_per_kiosk'),
        ),
    ]
