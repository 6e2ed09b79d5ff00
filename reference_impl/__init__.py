"""The reference implementation of answer D: SQS in front of ECS workers scaled on backlog.

Framework-free on purpose (no Django import): this package becomes the worker image.
"""
