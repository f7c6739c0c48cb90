"""Domain errors raised by services; views and the API turn them into messages and status codes."""


class DomainError(Exception):
    """A rule refused the action. `field` names the input at fault, when there is one."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        key = self.field or "detail"
        return {key: [self.message]} if self.field else {"detail": self.message}


class ValidationFailed(DomainError):
    """Input broke a rule; nothing was saved."""


class NotAllowed(DomainError):
    """The actor's role or relation to the object does not allow the action."""

    status_code = 403


class EditConflict(DomainError):
    """Someone else saved the object since the actor loaded it."""

    status_code = 409

    def __init__(self, message: str = "", *, field: str | None = "version"):
        super().__init__(
            message
            or "Someone else changed this since you opened it. Reload to see their change, then try again.",
            field=field,
        )
