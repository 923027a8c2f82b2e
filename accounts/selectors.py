"""Reads of the accounts app. Other apps call these, never the models directly."""
