"""Writes of the comparisons app. Other apps call these, never the models directly."""
