#!/bin/sh
# The image's command. With arguments it is `deskhand <arguments>` (e.g. `digest run-due` for a
# CronJob). Without: Socket Mode when SLACK_APP_TOKEN is set (`deskhand run`), else HTTP mode
# (`deskhand serve`) on DESKHAND_PORT, on every address so a load balancer or probe reaches it.
# `exec` hands PID 1 to Deskhand, so SIGTERM from the runtime reaches it and drains the writes.
set -eu
# compose.yaml passes a variable the user did not set as an empty one (${NAME:-}); Deskhand
# takes it as unset, so its defaults and its "needs SLACK_SIGNING_SECRET" still apply.
for name in $(env | grep -E '^(SLACK|READYDESK|KICKSERV|DESKHAND)_[A-Za-z0-9_]*=$' | cut -d= -f1); do
  unset "$name"
done
if [ "$#" -gt 0 ]; then
  exec deskhand "$@"
fi
if [ -n "${SLACK_APP_TOKEN:-}" ]; then
  if [ -z "${SLACK_BOT_TOKEN:-}" ]; then
    # `deskhand run` without a bot token would start the local console, which needs a terminal.
    echo "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both." >&2
    exit 2
  fi
  # Socket Mode has no HTTP server for Slack; its probes (and the HEALTHCHECK) use this port.
  export DESKHAND_METRICS_PORT="${DESKHAND_METRICS_PORT:-${DESKHAND_PORT:-3000}}"
  export DESKHAND_METRICS_HOST="${DESKHAND_METRICS_HOST:-${DESKHAND_HOST:-0.0.0.0}}"
  exec deskhand run
fi
exec deskhand serve --host "${DESKHAND_HOST:-0.0.0.0}" --port "${DESKHAND_PORT:-3000}"
