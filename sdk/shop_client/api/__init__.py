# GENERATED from openapi.yaml by openapi-python-client (`make sdk`). Do not edit by hand.
"""Contains methods for accessing the API"""
