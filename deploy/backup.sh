#!/usr/bin/env bash
# Bangban backup: a custom-format pg_dump of the database and a copy of the archive files
# (docs/deployment.md, "Backup and restore"). Run by bangban-backup.service, or by hand:
#   DATABASE_URL=postgres://… BACKUP_DIR=/var/backups/bangban deploy/backup.sh
# Keeps BACKUP_KEEP_DAYS (default 14) days of dumps; copy BACKUP_DIR off the machine.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
backup_dir="${BACKUP_DIR:-/var/backups/bangban}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$backup_dir/db" "$backup_dir/media"

# One consistent snapshot of the whole database, compressed; restore with pg_restore.
pg_dump --format=custom --no-owner --no-privileges --file="$backup_dir/db/bangban-$stamp.dump.tmp" \
    "$DATABASE_URL"
mv "$backup_dir/db/bangban-$stamp.dump.tmp" "$backup_dir/db/bangban-$stamp.dump"

# The archive files. Files are only ever added under new names (versions never overwrite), so
# a copy taken after the dump holds every file the dump names.
if [ "${BANGBAN_STORAGE:-filesystem}" = "s3" ]; then
    echo "archive on S3: rely on bucket versioning and replication (docs/deployment.md)"
else
    media_root="${BANGBAN_MEDIA_ROOT:-/opt/bangban/var/media}"
    rsync -a "$media_root/" "$backup_dir/media/"
fi

find "$backup_dir/db" -name 'bangban-*.dump' -mtime +"$keep_days" -delete
echo "backup written: $backup_dir/db/bangban-$stamp.dump"
