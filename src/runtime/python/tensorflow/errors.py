"""tf.errors: TensorFlow's exception classes (OpError subclasses)."""
from tensorflow._core import (  # noqa: F401
    AbortedError, AlreadyExistsError, CancelledError, DataLossError, DeadlineExceededError, FailedPreconditionError,
    InternalError, InvalidArgumentError, NotFoundError, OpError, OutOfRangeError, PermissionDeniedError,
    ResourceExhaustedError, UnauthenticatedError, UnavailableError, UnimplementedError, UnknownError,
)
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.errors')
