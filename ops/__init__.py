"""Deployment: the image check (`make image`) and the settings the replicas share with compose.yaml.

Runs on the developer's or CI's machine, beside the image it checks; uses sandbox/ and store/.
"""
