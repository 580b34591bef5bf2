"""Creates the database cache's table (settings.CACHES), so that `migrate` alone prepares a new
database: the progress query's rate limit counts attempts in it. Nothing happens when the table
exists already or when CACHES names a cache that is not a database table."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
