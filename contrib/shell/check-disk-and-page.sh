#!/bin/sh
# Cron/shell health check: page when the root filesystem is over a threshold.
# Usage (crontab): */5 * * * * /usr/local/share/smspartner-notify/check-disk-and-page.sh
# Needs SMSPARTNER_API_KEY_FILE (or api_key_file in /etc/smspartner-notify/config.yml).
set -eu
THRESHOLD=${THRESHOLD:-90}
ONCALL=${ONCALL:-+33600000000}
export SMSPARTNER_API_KEY_FILE=${SMSPARTNER_API_KEY_FILE:-/etc/smspartner-notify/api-key}

used=$(df -P / | awk 'NR==2 { sub("%", "", $5); print $5 }')
if [ "$used" -ge "$THRESHOLD" ]; then
    printf 'DISK %s%% used on %s:/\n%s\n' "$used" "$(hostname)" "$(df -h / | awk 'NR==2')" \
        | smspartner-notify send --to "$ONCALL"
fi
