"""Alerts where people work: ``python -m streams notify --webhook URL`` posts every alert record of
the ``alerts`` topic (status ``new`` and each ``update``) to a webhook.

Pure parts, unit-tested without a network:
  text.py    the Slack-compatible one-line ``text`` and the JSON payload
  policy.py  which HTTP outcomes are retried, and the capped exponential backoff
  ledger.py  the local record of delivered alert ids that makes a restart resend nothing delivered
The live part (Kafka consumer + aiohttp client) is deliver.py; the command is
streams/commands/notify.py. Delivery guarantees are documented in docs/notify.md.
"""
