#!/bin/sh
# Cron/shell health check: page when a filesystem is over a threshold.
#
#   */5 * * * * ONCALL=+33612345678 /usr/local/share/smspartner-notify/check-disk-and-page.sh /var
#
# Needs the API key: SMSPARTNER_API_KEY_FILE (default below) or api_key_file in
# /etc/smspartner-notify/config.yml. The alert goes out as generic key=value lines, so the SMS
# reads "PROBLEM db1/disk /var: 93% used (threshold 90%)" and the dedup key stays the same
# while the problem lasts.
set -eu
MOUNT=${1:-/}
THRESHOLD=${THRESHOLD:-90}
ONCALL=${ONCALL:-+33600000000}
export SMSPARTNER_API_KEY_FILE=${SMSPARTNER_API_KEY_FILE:-/etc/smspartner-notify/api-key}
BIN=${SMSPARTNER_NOTIFY:-smspartner-notify}

used=$(df -P "$MOUNT" | awk 'NR==2 { sub("%", "", $5); print $5 }')
if [ "$used" -ge "$THRESHOLD" ]; then
    "$BIN" send --to "$ONCALL" <<EOF
host=$(hostname -s)
service=disk $MOUNT
status=problem
summary=$used% used (threshold $THRESHOLD%)
details=$(df -h "$MOUNT" | awk 'NR==2 { print $4 " free of " $2 }')
EOF
fi
