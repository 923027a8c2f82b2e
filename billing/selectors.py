"""Reads of the billing app. Other apps call these, never the models directly."""
