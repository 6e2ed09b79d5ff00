"""The API platform every app's API is built on: the error shape, parsers, throttles, the schema
class and hooks, the body-limit middleware, query parameters and pagination, permissions, file
bodies and responses."""
