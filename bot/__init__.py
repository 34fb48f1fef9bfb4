"""Warta: a self-hosted multilingual news alert bot for Telegram."""

__version__ = "0.1.0"
