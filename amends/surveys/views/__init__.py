"""Thin views: parse, call the services, render."""
