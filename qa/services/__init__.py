"""Workflows as plain functions: no request, session or flash, so views, jobs, CLI and API share them."""
