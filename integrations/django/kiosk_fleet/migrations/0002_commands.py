# Resets become commands (ResetCommand → Command, ResetDelivery → Delivery, renamed so that
# existing rows, foreign keys and the send_reset permission carry over), deliveries get the
# states of the contract and an expiry, and presence becomes rows (Worker, Connection)
# instead of a counter. Schema only, every new column nullable or with a default; the data
# is converted in 0003 and the constraints come back in 0004 (on PostgreSQL a migration that
# updates rows and then alters their table fails with "pending trigger events").

from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone
import kiosk_fleet.models


class Migration(migrations.Migration):

    dependencies = [
        ('kiosk_fleet', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='resetdelivery', name='kiosk_fleet_one_delivery_per_kiosk'),
        migrations.RemoveIndex(model_name='resetdelivery', name='kiosk_fleet_delivery_pending'),
        migrations.RenameModel(old_name='ResetCommand', new_name='Command'),
        migrations.RenameModel(old_name='ResetDelivery', new_name='Delivery'),
        migrations.RenameField(model_name='delivery', old_name='reset', new_name='command'),
        migrations.RenameField(model_name='kiosk', old_name='last_ack_reset', new_name='last_ack_command'),
        migrations.AlterModelOptions(
            name='command',
            options={
                'verbose_name': 'command',
                'ordering': ['-created_at'],
                'permissions': [
                    ('send_reset', 'Can send reset commands to kiosks'),
                    ('send_command', 'Can send home, display, restart and clear-session commands to kiosks'),
                    ('take_screenshot', 'Can take screenshots of kiosks and see them'),
                ],
            },
        ),
        migrations.AlterModelOptions(name='delivery', options={'verbose_name_plural': 'deliveries'}),

        # Command
        migrations.AlterField(
            model_name='command',
            name='id',
            field=models.CharField(default=kiosk_fleet.models.new_command_id, editable=False, max_length=32, primary_key=True, serialize=False),
        ),
        migrations.AddField(
            model_name='command',
            name='command',
            field=models.CharField(choices=[('reset', 'reset'), ('home', 'home'), ('clear-session', 'clear session'), ('restart', 'restart'), ('screenshot', 'screenshot'), ('display', 'display')], default='reset', max_length=16),
        ),
        migrations.AddField(model_name='command', name='args', field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(
            model_name='command',
            name='when',
            field=models.CharField(choices=[('now', 'now'), ('idle', 'when idle')], default='now', max_length=8),
        ),
        migrations.AddField(
            model_name='command',
            name='deadline',
            field=models.DateTimeField(blank=True, help_text="For 'when idle': run by then at the latest.", null=True),
        ),
        migrations.AddField(model_name='command', name='expires_at', field=models.DateTimeField(null=True)),
        migrations.AddField(
            model_name='command',
            name='created_by_username',
            field=models.CharField(blank=True, max_length=150, verbose_name='sent by'),
        ),
        migrations.AddField(
            model_name='command',
            name='origin',
            field=models.CharField(blank=True, help_text='admin, command line or python.', max_length=32),
        ),

        # Delivery
        migrations.AlterField(
            model_name='delivery',
            name='command',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='kiosk_fleet.command'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='kiosk',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='deliveries', to='kiosk_fleet.kiosk'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='state',
            field=models.CharField(choices=[('pending', 'pending'), ('sent', 'sent'), ('accepted', 'accepted'), ('reloaded', 'reloaded'), ('done', 'done'), ('ignored', 'ignored'), ('failed', 'failed'), ('expired', 'expired'), ('withheld', 'withheld')], default='pending', max_length=16),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='ms',
            field=models.PositiveIntegerField(blank=True, help_text='Command received → done, per the kiosk.', null=True),
        ),
        migrations.AddField(model_name='delivery', name='kiosk_key', field=models.CharField(default='', max_length=64, verbose_name='kiosk id'), preserve_default=False),
        migrations.AddField(model_name='delivery', name='reason', field=models.CharField(blank=True, max_length=200)),
        migrations.AddField(model_name='delivery', name='waiting_for', field=models.CharField(blank=True, max_length=16)),
        migrations.AddField(model_name='delivery', name='expires_at', field=models.DateTimeField(null=True)),
        migrations.AddField(
            model_name='delivery',
            name='sent_at',
            field=models.DateTimeField(blank=True, help_text='First written to a live connection.', null=True),
        ),
        migrations.AddField(
            model_name='delivery',
            name='sends',
            field=models.PositiveSmallIntegerField(default=0, help_text='Frames written (a resend after a reconnect counts).'),
        ),
        migrations.AddField(model_name='delivery', name='answered_at', field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            model_name='delivery',
            name='late_status',
            field=models.CharField(blank=True, help_text='A terminal answer that came after the expiry (the state stays expired).', max_length=16),
        ),
        migrations.AddField(
            model_name='delivery',
            name='note',
            field=models.CharField(blank=True, help_text="The server's remark, e.g. a screenshot it refused.", max_length=200),
        ),
        migrations.AddField(
            model_name='delivery',
            name='collapsed_into',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='collapsed', to='kiosk_fleet.delivery'),
        ),

        # Presence and screenshots
        migrations.CreateModel(
            name='Worker',
            fields=[
                ('id', models.CharField(max_length=100, primary_key=True, serialize=False)),
                ('host', models.CharField(blank=True, max_length=100)),
                ('pid', models.PositiveIntegerField(blank=True, null=True)),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_heartbeat', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name='Connection',
            fields=[
                ('id', models.CharField(max_length=32, primary_key=True, serialize=False)),
                ('channel_name', models.CharField(max_length=200)),
                ('client_host', models.CharField(blank=True, max_length=64)),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('kiosk', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='connections', to='kiosk_fleet.kiosk')),
                ('worker', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='connections', to='kiosk_fleet.worker')),
            ],
        ),
        migrations.CreateModel(
            name='Screenshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kiosk_key', models.CharField(max_length=64, verbose_name='kiosk id')),
                ('mime', models.CharField(default='image/jpeg', max_length=32)),
                ('width', models.PositiveIntegerField()),
                ('height', models.PositiveIntegerField()),
                ('size', models.PositiveIntegerField(help_text='Bytes of the image.')),
                ('taken_at', models.DateTimeField(blank=True, help_text='As the kiosk reports it.', null=True)),
                ('received_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('data', models.BinaryField()),
                ('delivery', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='screenshot', to='kiosk_fleet.delivery')),
                ('kiosk', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='screenshots', to='kiosk_fleet.kiosk')),
            ],
            options={'ordering': ['-received_at']},
        ),

        # Kiosk
        migrations.RemoveField(model_name='kiosk', name='connections'),
        migrations.AlterField(
            model_name='kiosk',
            name='last_ack_command',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='kiosk_fleet.command', verbose_name='last command answered'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='last_seen',
            field=models.DateTimeField(blank=True, editable=False, help_text='Last heard from.', null=True),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='revoked',
            field=models.BooleanField(default=False, help_text='A revoked kiosk is disconnected and its token is destroyed: admitting it again issues a new token.'),
        ),
        migrations.AddField(
            model_name='kiosk',
            name='display_state',
            field=models.CharField(blank=True, editable=False, max_length=16, verbose_name='display'),
        ),
        migrations.AddField(
            model_name='kiosk',
            name='rejected_frames',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Frames from this kiosk that were refused or dropped.'),
        ),
        migrations.AddField(
            model_name='kiosk',
            name='last_rejected_reason',
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='kiosk',
            name='last_rejected_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='kiosk',
            name='latest_screenshot',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='kiosk_fleet.screenshot'),
        ),
    ]
