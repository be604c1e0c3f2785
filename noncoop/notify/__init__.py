"""Notifications: notices become e-mails in the recipient's language (the outbox), which a
dispatcher sends with aiosmtplib, with retries, a dead letter and stable Message-IDs."""
