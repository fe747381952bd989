"""The REST API: FastAPI routers, request and response models, problem details, middleware."""
