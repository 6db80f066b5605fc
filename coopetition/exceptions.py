"""Every error coopetition raises derives from :class:`CoopetitionError`.

The tree::

    CoopetitionError
    ├── InputError                 a value given by the user is malformed (address, amount, duration)
    ├── ConfigError                project file or network configuration is wrong
    │   └── UnknownNetworkError    a network name that is neither configured nor a URL
    ├── CompilerError
    │   ├── CompilerNotFoundError  no solc backend could be found
    │   └── CompilationError       solc reported errors (message carries file:line)
    ├── ArtifactError              an artifact is missing, unreadable or stale
    ├── BindingError               an ABI cannot be turned into a typed module
    ├── ChainError
    │   ├── NodeUnreachableError   no node answers at the network's URL
    │   ├── ChainIdMismatchError   the node's chain id differs from the recorded one
    │   └── DevnetError            the local anvil cannot be started, stopped or found
    ├── AccountError
    │   ├── KeystoreNotFoundError
    │   └── WrongPasswordError
    ├── TransactionError
    │   ├── InsufficientFundsError
    │   ├── NonceError
    │   ├── TransactionFailedError mined with status 0 and no revert data
    │   └── ContractRevertError    a call or transaction reverted; decoded, never raw hex
    │       ├── RevertReasonError  ``Error(string)``
    │       ├── PanicError         ``Panic(uint256)``, with the code explained
    │       ├── UnknownRevertError revert data that matches no known error
    │       └── ContractCustomError  base of the generated class of every custom error
    └── DeploymentError            a deployment record is inconsistent or a deployment failed

    KeyboardInterrupt
    └── SendInterrupted            Ctrl-C after a transaction was sent, before its receipt: the
                                   one error outside the tree, so that ``except Exception`` never
                                   swallows a Ctrl-C; it says what was sent (hash, nonce)

The CLI maps any :class:`CoopetitionError` to its one-line ``str()`` and exit code 1.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

__all__ = [
    "AccountError",
    "ArtifactError",
    "BindingError",
    "ChainError",
    "ChainIdMismatchError",
    "CompilationError",
    "CompilerError",
    "CompilerNotFoundError",
    "ConfigError",
    "ContractCustomError",
    "ContractRevertError",
    "CoopetitionError",
    "DeploymentError",
    "DevnetError",
    "InputError",
    "InsufficientFundsError",
    "KeystoreNotFoundError",
    "NodeUnreachableError",
    "NonceError",
    "PanicError",
    "RevertReasonError",
    "SendInterrupted",
    "TransactionError",
    "TransactionFailedError",
    "UnknownNetworkError",
    "UnknownRevertError",
    "WrongPasswordError",
]


class CoopetitionError(Exception):
    """Root of every error raised by coopetition. ``str(err)`` is one line meant for a human."""


class InputError(CoopetitionError, ValueError):
    """A value supplied by the user is malformed."""


class ConfigError(CoopetitionError):
    """The project configuration or a network definition is wrong."""


class UnknownNetworkError(ConfigError):
    """A network name that is neither configured nor a valid RPC URL."""


class CompilerError(CoopetitionError):
    """Base of compiler problems."""


class CompilerNotFoundError(CompilerError):
    """No Solidity compiler backend could be found."""


class CompilationError(CompilerError):
    """solc reported one or more errors."""


class ArtifactError(CoopetitionError):
    """An artifact is missing, unreadable or stale."""


class BindingError(CoopetitionError):
    """An ABI could not be turned into a typed Python module."""


class ChainError(CoopetitionError):
    """Base of problems talking to a chain."""


class NodeUnreachableError(ChainError):
    """No node answers at the network's URL."""


class ChainIdMismatchError(ChainError):
    """The node reports a chain id (or genesis) other than the recorded one."""


class DevnetError(ChainError):
    """The local anvil devnet cannot be started, stopped or found."""


class AccountError(CoopetitionError):
    """Base of account and keystore problems."""


class KeystoreNotFoundError(AccountError):
    """No keystore with that name or address."""


class WrongPasswordError(AccountError):
    """The password does not decrypt the keystore."""


class TransactionError(CoopetitionError):
    """Base of problems sending a transaction."""


class InsufficientFundsError(TransactionError):
    """The sender cannot pay for value plus gas."""


class NonceError(TransactionError):
    """The nonce could not be reserved or was rejected repeatedly."""


class TransactionFailedError(TransactionError):
    """The transaction was mined with status 0 and its revert could not be reproduced."""


class ContractRevertError(TransactionError):
    """A call or transaction reverted. Subclasses carry the decoded reason."""

    def __init__(self, message: str, *, data: bytes = b"", contract: str | None = None) -> None:
        super().__init__(message)
        self.data = data
        self.contract = contract


class RevertReasonError(ContractRevertError):
    """The contract reverted with ``Error(string)`` (``require(cond, "reason")``)."""

    def __init__(self, reason: str, *, data: bytes = b"", contract: str | None = None) -> None:
        where = f"{contract} " if contract else ""
        super().__init__(f"{where}reverted: {reason}", data=data, contract=contract)
        self.reason = reason


PANIC_CODES: dict[int, str] = {
    0x00: "generic compiler-inserted panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "conversion to a non-existent enum value",
    0x22: "incorrectly encoded storage byte array",
    0x31: "pop() on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory (allocation too large)",
    0x51: "call to a zero-initialised internal function variable",
}


class PanicError(ContractRevertError):
    """The contract reverted with ``Panic(uint256)``; :attr:`explanation` says what the code means."""

    def __init__(self, code: int, *, data: bytes = b"", contract: str | None = None) -> None:
        self.code = code
        self.explanation = PANIC_CODES.get(code, "unknown panic code")
        where = f"{contract} " if contract else ""
        super().__init__(
            f"{where}panicked with code 0x{code:02x}: {self.explanation}", data=data, contract=contract
        )


class UnknownRevertError(ContractRevertError):
    """Revert data that matches no error known to coopetition (shown by selector)."""


class ContractCustomError(ContractRevertError):
    """Base class of the generated exception for each Solidity custom error.

    Generated subclasses set :attr:`error_name`, :attr:`signature`, :attr:`selector` and
    :attr:`arg_names`, and expose each decoded argument as an attribute of the same name.
    """

    error_name: ClassVar[str] = ""
    signature: ClassVar[str] = ""
    selector: ClassVar[bytes] = b""
    arg_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, data: bytes = b"", contract: str | None = None) -> None:
        self.args_values: tuple[Any, ...] = tuple(args)
        for name, value in zip(self.arg_names, args, strict=False):
            setattr(self, name, value)
        rendered = ", ".join(
            f"{name}={_render(value)}" for name, value in zip(self.arg_names, args, strict=False)
        )
        where = f"{contract}: " if contract else ""
        super().__init__(f"{where}{self.error_name}({rendered})", data=data, contract=contract)


class DeploymentError(CoopetitionError):
    """A deployment record is inconsistent, or a deployment could not be made."""


def _render(value: Any) -> str:
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


class SendInterrupted(KeyboardInterrupt):
    """Ctrl-C while waiting for the receipt of a transaction that was sent (or may have been).

    ``str()`` is one line: the hash, nonce and sender, that it may still be mined, and what a rerun
    does (``resumable``: a deployment, whose pending record a rerun resumes; otherwise a rerun checks
    the chain again but sends a new transaction if this one is not mined yet).
    """

    def __init__(self, transaction_hash: str, nonce: int, sender: str, *, resumable: bool) -> None:
        self.transaction_hash = transaction_hash
        self.nonce = nonce
        self.sender = sender
        self.resumable = resumable
        then = (
            "rerun the same command to resume it (its pending record is kept)"
            if resumable
            else "a rerun checks the chain first but sends a new transaction if this one is not mined yet, "
            "so look the hash up before sending again"
        )
        super().__init__(
            f"interrupted while waiting for transaction {transaction_hash} (nonce {nonce} from {sender}): "
            f"it was sent and may still be mined; {then}"
        )

    def __str__(self) -> str:
        return str(self.args[0])
