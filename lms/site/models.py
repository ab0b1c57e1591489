"""Wagtail pages and site settings arrive in lms.site.models."""
