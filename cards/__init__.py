"""Pure Block Kit builders, one module per area: models in, slack_sdk blocks out.

Every card stays within Slack's limits for any data, and text from users and backends is escaped
before it goes into mrkdwn (so `<!channel>` stays text); free text goes into plain_text objects.
"""
