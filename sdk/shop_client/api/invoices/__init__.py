# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
"""Contains endpoint functions for accessing the API"""
