"""Signed webhooks out (Standard Webhooks): subscriptions, a transactional outbox, delivery."""
