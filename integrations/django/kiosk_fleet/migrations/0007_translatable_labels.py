# Only labels: verbose names, help texts and choice labels became translatable (gettext). No schema change.

from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone
import kiosk_fleet.models
import kiosk_fleet.names
import kiosk_fleet.tokens


class Migration(migrations.Migration):

    dependencies = [
        ('kiosk_fleet', '0006_kiosk_schedule'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='command',
            options={'ordering': ['-created_at'], 'permissions': [('send_reset', 'Can send reset commands to kiosks'), ('send_command', 'Can send home, display, restart and clear-session commands to kiosks'), ('take_screenshot', 'Can take screenshots of kiosks and see them')], 'verbose_name': 'command', 'verbose_name_plural': 'commands'},
        ),
        migrations.AlterModelOptions(
            name='connection',
            options={'verbose_name': 'connection', 'verbose_name_plural': 'connections'},
        ),
        migrations.AlterModelOptions(
            name='delivery',
            options={'verbose_name': 'delivery', 'verbose_name_plural': 'deliveries'},
        ),
        migrations.AlterModelOptions(
            name='kiosk',
            options={'ordering': ['kiosk_id'], 'verbose_name': 'kiosk', 'verbose_name_plural': 'kiosks'},
        ),
        migrations.AlterModelOptions(
            name='screenshot',
            options={'ordering': ['-received_at'], 'verbose_name': 'screenshot', 'verbose_name_plural': 'screenshots'},
        ),
        migrations.AlterModelOptions(
            name='worker',
            options={'verbose_name': 'worker', 'verbose_name_plural': 'workers'},
        ),
        migrations.AlterField(
            model_name='command',
            name='args',
            field=models.JSONField(blank=True, default=dict, verbose_name='arguments'),
        ),
        migrations.AlterField(
            model_name='command',
            name='command',
            field=models.CharField(choices=[('reset', 'reset'), ('home', 'home'), ('clear-session', 'clear session'), ('restart', 'restart'), ('screenshot', 'screenshot'), ('display', 'display')], default='reset', max_length=16, verbose_name='command'),
        ),
        migrations.AlterField(
            model_name='command',
            name='created_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='sent'),
        ),
        migrations.AlterField(
            model_name='command',
            name='deadline',
            field=models.DateTimeField(blank=True, help_text="For 'when idle': run by then at the latest.", null=True, verbose_name='deadline'),
        ),
        migrations.AlterField(
            model_name='command',
            name='expires_at',
            field=models.DateTimeField(help_text='Not run after this; deliveries with no answer by then are expired.', verbose_name='expires'),
        ),
        migrations.AlterField(
            model_name='command',
            name='id',
            field=models.CharField(default=kiosk_fleet.models.new_command_id, editable=False, max_length=32, primary_key=True, serialize=False, verbose_name='id'),
        ),
        migrations.AlterField(
            model_name='command',
            name='origin',
            field=models.CharField(blank=True, help_text='admin, command line or python.', max_length=32, verbose_name='origin'),
        ),
        migrations.AlterField(
            model_name='command',
            name='reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='command',
            name='target_kind',
            field=models.CharField(choices=[('all', 'all kiosks'), ('kiosks', 'kiosks'), ('groups', 'groups')], max_length=8, verbose_name='target'),
        ),
        migrations.AlterField(
            model_name='command',
            name='target_names',
            field=models.TextField(blank=True, help_text='Comma-separated kiosk ids or groups.', verbose_name='kiosk ids or groups'),
        ),
        migrations.AlterField(
            model_name='command',
            name='when',
            field=models.CharField(choices=[('now', 'now'), ('idle', 'when idle')], default='now', max_length=8, verbose_name='when'),
        ),
        migrations.AlterField(
            model_name='connection',
            name='channel_name',
            field=models.CharField(max_length=200, verbose_name='channel name'),
        ),
        migrations.AlterField(
            model_name='connection',
            name='client_host',
            field=models.CharField(blank=True, max_length=64, verbose_name='client address'),
        ),
        migrations.AlterField(
            model_name='connection',
            name='id',
            field=models.CharField(max_length=32, primary_key=True, serialize=False, verbose_name='id'),
        ),
        migrations.AlterField(
            model_name='connection',
            name='kiosk',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='connections', to='kiosk_fleet.kiosk', verbose_name='kiosk'),
        ),
        migrations.AlterField(
            model_name='connection',
            name='opened_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='opened'),
        ),
        migrations.AlterField(
            model_name='connection',
            name='worker',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='connections', to='kiosk_fleet.worker', verbose_name='worker'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='answered_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='answered'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='collapsed_into',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='collapsed', to='kiosk_fleet.delivery', verbose_name='folded into'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='command',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='kiosk_fleet.command', verbose_name='command'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='expires_at',
            field=models.DateTimeField(verbose_name='expires'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='kiosk',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='deliveries', to='kiosk_fleet.kiosk', verbose_name='kiosk'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='late_status',
            field=models.CharField(blank=True, help_text='A terminal answer that came after the expiry (the state stays expired).', max_length=16, verbose_name='late answer'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='ms',
            field=models.PositiveIntegerField(blank=True, help_text='Command received → done, per the kiosk.', null=True, verbose_name='ms'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='note',
            field=models.CharField(blank=True, help_text="The server's remark, e.g. a screenshot it refused.", max_length=200, verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='sends',
            field=models.PositiveSmallIntegerField(default=0, help_text='Frames written (a resend after a reconnect counts).', verbose_name='sends'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='sent_at',
            field=models.DateTimeField(blank=True, help_text='First written to a live connection.', null=True, verbose_name='sent'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='state',
            field=models.CharField(choices=[('pending', 'pending'), ('sent', 'sent'), ('accepted', 'accepted'), ('reloaded', 'reloaded'), ('done', 'done'), ('ignored', 'ignored'), ('failed', 'failed'), ('expired', 'expired'), ('withheld', 'withheld')], default='pending', max_length=16, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='updated_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='updated'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='waiting_for',
            field=models.CharField(blank=True, max_length=16, verbose_name='waiting for'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='groups',
            field=models.CharField(blank=True, help_text="Comma-separated group names, e.g. 'lobby, floor-2'. Each: 1 to 64 characters: letters, digits, '.', '_' or '-'.", max_length=1000, validators=[kiosk_fleet.names.validate_group_list], verbose_name='groups'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='last_ack_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last answered'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='last_ack_status',
            field=models.CharField(blank=True, editable=False, max_length=16, verbose_name='last answer'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='last_rejected_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last refused'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='last_rejected_reason',
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name='last refusal'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='last_seen',
            field=models.DateTimeField(blank=True, editable=False, help_text='Last heard from.', null=True, verbose_name='last seen'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='last_status_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last status report'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='latest_screenshot',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='kiosk_fleet.screenshot', verbose_name='latest screenshot'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='name',
            field=models.CharField(blank=True, help_text='Where it stands, for people.', max_length=200, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='rejected_frames',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Frames from this kiosk that were refused or dropped.', verbose_name='refused frames'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='revoked',
            field=models.BooleanField(default=False, help_text='A revoked kiosk is disconnected and its token is destroyed: admitting it again issues a new token.', verbose_name='revoked'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='token_hash',
            field=models.CharField(default=kiosk_fleet.tokens.unusable_token_hash, editable=False, max_length=64, unique=True, verbose_name='token hash'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='uptime_seconds',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='uptime (seconds)'),
        ),
        migrations.AlterField(
            model_name='kiosk',
            name='version',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='version'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='data',
            field=models.BinaryField(verbose_name='image'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='delivery',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='screenshot', to='kiosk_fleet.delivery', verbose_name='delivery'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='height',
            field=models.PositiveIntegerField(verbose_name='height'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='kiosk',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='screenshots', to='kiosk_fleet.kiosk', verbose_name='kiosk'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='mime',
            field=models.CharField(default='image/jpeg', max_length=32, verbose_name='MIME type'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='received_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='received'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='size',
            field=models.PositiveIntegerField(help_text='Bytes of the image.', verbose_name='size'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='taken_at',
            field=models.DateTimeField(blank=True, help_text='As the kiosk reports it.', null=True, verbose_name='taken'),
        ),
        migrations.AlterField(
            model_name='screenshot',
            name='width',
            field=models.PositiveIntegerField(verbose_name='width'),
        ),
        migrations.AlterField(
            model_name='worker',
            name='host',
            field=models.CharField(blank=True, max_length=100, verbose_name='host'),
        ),
        migrations.AlterField(
            model_name='worker',
            name='id',
            field=models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name='id'),
        ),
        migrations.AlterField(
            model_name='worker',
            name='last_heartbeat',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='last heartbeat'),
        ),
        migrations.AlterField(
            model_name='worker',
            name='pid',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='process id'),
        ),
        migrations.AlterField(
            model_name='worker',
            name='started_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='started'),
        ),
    ]
